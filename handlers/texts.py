"""Words: labels for the domain's values and messages for its errors, all through the gettext catalogue."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from html import escape

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from approvals.errors import (
    AlreadyDecided,
    DomainError,
    Forbidden,
    InvalidTransition,
    LedgerImportError,
    NotAReviewer,
    NotClaimant,
    NotFound,
    RowProblem,
    SameProjectOpen,
    SelfReview,
)
from approvals.ledger import KeyProjectStatus
from approvals.models import BOT_ACTOR_ID, Category, DocumentType, Lane, Status
from approvals.progress import RequestView
from approvals.quota import QuotaShortfall
from approvals.sign_off import SignatureRefused
from approvals.validation import InvalidField
from handlers import limits, notice_texts, quota_texts, sign_texts, stage_texts


def _count(value: object) -> int:
    """A count from an error's parameters (ints, or digits as text), for choosing a plural form."""
    return int(value) if isinstance(value, int) or (isinstance(value, str) and value.isdigit()) else 0


def days_left(left: int) -> str:
    """Working days to a deadline, or past it (``left`` < 0)."""
    if left < 0:
        return ngettext("overdue by {n} working day", "overdue by {n} working days", -left).format(n=-left)
    return ngettext("{n} working day left", "{n} working days left", left).format(n=left)


def category(value: Category) -> str:
    return {
        Category.LIVELIHOOD: _("Livelihood project"),
        Category.INFRASTRUCTURE: _("Infrastructure"),
        Category.ENERGY_SAVING: _("Energy saving / emission reduction"),
        Category.OTHER: _("Other"),
    }[value]


def document_type(value: DocumentType) -> str:
    return {
        DocumentType.REPORT: _("EIA report"),
        DocumentType.REPORT_FORM: _("EIA report form"),
        DocumentType.REGISTRATION: _("EIA registration form"),
    }[value]


LANE_MARKS = {Lane.KEY: "🔴", Lane.GREEN: "🟢", Lane.STANDARD: "⚪"}


def lane_name(value: Lane) -> str:
    """The lane in words only: for spreadsheets and charts, where an emoji is noise (or a missing glyph)."""
    return {Lane.KEY: _("Key project"), Lane.GREEN: _("Green channel"), Lane.STANDARD: _("Standard")}[value]


def lane(value: Lane) -> str:
    return f"{LANE_MARKS[value]} {lane_name(value)}"


def status(value: Status | str) -> str:
    return {
        Status.RECEIVED: _("Received: completeness check"),
        Status.INCOMPLETE: _("Waiting for the listed material"),
        Status.RETURNED: _("Returned"),
        Status.SUBMITTED: _("Accepted"),
        Status.IN_REVIEW: _("In review"),
        Status.NEEDS_INFO: _("Waiting for more material"),
        Status.RESUBMITTED: _("Material resubmitted"),
        Status.IN_NOTICE: _("In public notice (拟审批公示)"),
        Status.SIGNING: _("Being signed off"),
        Status.EXCLUDED: _("Excluded time: the clock is stopped"),
        Status.APPROVED: _("Approved"),
        Status.REJECTED: _("Rejected"),
        Status.WITHDRAWN: _("Withdrawn"),
    }[Status(value)]


def request_status(view: RequestView) -> str:
    """A request's status as a card, /my and /status show it: a notice that has run reads as ended."""
    if view.notice_ended_on is not None:
        return _("Notice ended: ready for the decision")
    return status(view.request.status)


def key_status(value: KeyProjectStatus) -> str:
    return {
        KeyProjectStatus.NOT_SUBMITTED: _("not submitted"),
        KeyProjectStatus.IN_PROGRESS: _("in progress"),
        KeyProjectStatus.NEEDS_INFO: _("waiting for material"),
        KeyProjectStatus.APPROVED: _("approved"),
        KeyProjectStatus.REJECTED: _("rejected"),
    }[value]


def action(value: str) -> str:
    return {
        "submit": _("submit"),
        "claim": _("claim"),
        "release": _("release"),
        "approve": _("approve"),
        "reject": _("reject"),
        "request_info": _("ask for more material"),
        "resubmit": _("resubmit"),
        "withdraw": _("withdraw"),
        # read in "… so you cannot {action} it" and in the history
        "force_release": _("free"),
        "reassign": _("reassign"),
        "revoke": _("revoke the decision on"),
        "correct_number": _("correct the approval number of"),
        "add_material": _("add material"),
        "keep_copy": _("copy kept by the bureau"),
        "issue_paper": _("written notice issued"),
        "accept": _("accept"),
        "list_missing": _("list the missing material of"),
        "supply": _("supply material"),
        "deem_accept": _("deemed accepted"),
        "return": _("returned"),
        "propose_approval": _("propose approval of"),
        "public_comment": _("public comment"),
        "hearing_request": _("hearing request"),
        "close_hearing": _("close the hearing request of"),
        "notice_ended": _("notice ended"),
        "sign": _("sign"),
        "return_signature": _("return for revision"),
        "return_to_notice": _("return for revision"),
        "stop_clock": _("stop the clock of"),
        "resume_clock": _("restart the clock of"),
        "hearing_held": _("record the hearing of"),
    }.get(value, value)


def event(value: str) -> str:
    """What happened, as a request's history and the export list it ("Approved · Li Na"): ``action`` is the verb
    for "… so you cannot {action} it"."""
    return {
        "submit": _("Request submitted"),
        "claim": _("Claimed"),
        "release": _("Released"),
        "approve": _("Approved"),
        "reject": _("Rejected"),
        "request_info": _("Asked for more material"),
        "resubmit": _("Resubmitted"),
        "withdraw": _("Withdrawn"),
        "force_release": _("Freed by an admin"),
        "reassign": _("Reassigned"),
        "revoke": _("Decision revoked"),
        "correct_number": _("Approval number corrected"),
        "add_material": _("Material added"),
        "keep_copy": _("Copy kept by the bureau"),
        "issue_paper": _("Written notice issued (文书)"),
        "accept": _("Accepted (受理)"),
        "deem_accept": _("Deemed accepted (art. 32)"),
        "list_missing": _("Missing material listed"),
        "supply": _("Listed material supplied"),
        "return": _("Returned (退件)"),
        "propose_approval": _("Approval proposed: notice of the intended decision (拟审批公示)"),
        "public_comment": _("Comment from the public"),
        "hearing_request": _("Hearing requested"),
        "close_hearing": _("Hearing request closed"),
        "notice_ended": _("Notice of the intended decision ended"),
        "sign": _("Signed"),
        "return_signature": _("Returned for revision"),
        "return_to_notice": _("Returned for revision"),
        "stop_clock": _("Clock stopped (excluded time)"),
        "resume_clock": _("Clock restarted"),
        "hearing_held": _("Hearing held: clock restarted, back in its notice"),
    }.get(value, value)


def actor(actor_id: int, name: str) -> str:
    """Who took a step, as a history names them (raw text): the bot's own steps (no name: a member of the public
    who commented has theirs) are the bureau's system's."""
    if name:
        return name
    return _("system") if actor_id == BOT_ACTOR_ID else str(actor_id)


def field_problem(exc: InvalidField) -> str:
    p = exc.params
    return {
        "too_short": _("Too short: at least {min} characters.").format(min=p.get("min")),
        "too_long": _("Too long: at most {max} characters.").format(max=p.get("max")),
        "bad_phone": _(
            "Phone number not recognised: send one mobile (138 1234 5678), landline with its area code "
            "(0531-8888 8888, an extension as 转 123) or 400/800 number."
        ),
        "not_a_number": _("Please send a number of 万元, e.g. 1200.5"),
        "not_positive": _("The investment must be more than 0."),
        "too_precise": _("At most two decimal places."),
        "too_large": _("That amount is too large: at most {max} 万元. The unit is 万元, not yuan.").format(
            max=f"{int(p.get('max', 0)):,}"
        ),
        "bad_code": _("A code has letters, digits, - or _ only."),
        "unknown_code": _("{code} is not on the key project list.").format(code=escape(str(p.get("code", "")))),
        "bad_type": _("Only PDF, DOC, DOCX or ZIP files are accepted."),
        "too_big": _("Files must be 20 MB or smaller."),
        "disguised": _("The file's content does not match its name; please send the real document."),
        "damaged": _("The file is damaged or incomplete; please send it again."),
        "zip_member": _("A ZIP may hold PDF, DOC and DOCX documents only, not {name}.").format(
            name=escape(str(p.get("name", "")))
        ),
        "zip_encrypted": _("The ZIP holds an encrypted file ({name}); please send it without a password.").format(
            name=escape(str(p.get("name", "")))
        ),
        "zip_too_big": _("The ZIP unpacks to more than {max_mb} MB.").format(max_mb=p.get("max_mb")),
        "zip_too_many": ngettext(
            "A ZIP may hold at most {max} file.", "A ZIP may hold at most {max} files.", _count(p.get("max"))
        ).format(max=p.get("max")),
        "too_many_files": ngettext(
            "At most {max} document at a time; remove one or press Done.",
            "At most {max} documents at a time; remove one or press Done.",
            _count(p.get("max")),
        ).format(max=p.get("max")),
        "bad_approval_number": _approval_number_problem(p),
        "out_of_range": _("Send a whole number from {low} to {high}.").format(low=p.get("low"), high=p.get("high")),
        "issued": _(
            "Approval numbers are issued by the bureau in order: none can be typed or changed. To replace a number, "
            "revoke the decision; the next approval takes the next number."
        ),
    }.get(exc.problem) or quota_texts.problem(exc)  # the quota's own problems, else "not valid"


def _approval_number_problem(p: dict[str, object]) -> str:
    example = str(p.get("example") or "")
    if example:
        return _("That does not look like an approval number (批复文号). Write it like {example}").format(
            example=escape(example)
        )
    return _("That does not match the bureau's form of approval numbers: {pattern}").format(
        pattern=escape(str(p.get("pattern", "")))
    )


def key_column(key: str) -> str:
    """A key-project file's column as the bot's instructions name it (编号、项目名称、建设单位), not its key."""
    return {
        "code": _("code"),
        "name": _("name"),
        "owner": _("owner organisation"),
        "planned_start": _("planned start date"),
        "planned_approval": _("planned approval date"),
        "liaison": _("liaison"),
    }.get(key, key)


def row_problem(problem: RowProblem) -> str:
    p = {k: escape(str(v)) for k, v in problem.params.items()}
    if "column" in problem.params:
        p["column"] = escape(key_column(str(problem.params["column"])))
    p["columns"] = escape(listing(key_column(str(c)) for c in problem.params.get("columns", ())))
    text = {
        "unreadable": _("the file cannot be read as a spreadsheet"),
        "unreadable_row": _("this row cannot be read"),
        "bad_encoding": _("the text is neither UTF-8, UTF-16 nor GBK; save the file as CSV UTF-8"),
        "mixed_encoding": _("from this row on the text is in another encoding; save the file as CSV UTF-8"),
        "too_big_unpacked": _("a part of the spreadsheet unpacks to more than {max_mb} MB").format(
            max_mb=p.get("max_mb")
        ),
        "too_complex": _("the file needs more time or memory to read than allowed; send a plain CSV or XLSX list"),
        "empty_file": _("the file is empty"),
        "missing_columns": _("missing column(s): {columns}").format(columns=p.get("columns")),
        "no_projects": _("no projects in the file"),
        "too_many": ngettext("more than {max} project", "more than {max} projects", _count(p.get("max"))).format(
            max=p.get("max")
        ),
        "empty_field": _("{column} is empty").format(column=p.get("column")),
        "bad_code": _("code {value} may hold letters, digits, - and _ only").format(value=p.get("value")),
        "duplicate": _("code {code} repeats row {first}").format(code=p.get("code"), first=p.get("first")),
        "bad_date": _("{column}: {value} is not a date like 2026-12-31").format(
            column=p.get("column"), value=p.get("value")
        ),
        "too_long": _("name or owner longer than {max} characters").format(max=p.get("max")),
        "too_big": _("the file is larger than {max_mb} MB").format(max_mb=p.get("max_mb")),
        "bad_type": _("send a .csv or .xlsx file"),
        "bad_liaison": _("liaison {value} is not a Telegram user id").format(value=p.get("value")),
        "not_staff_liaison": _("{code}: liaison {value} is not a reviewer of the bureau").format(
            code=p.get("code"), value=p.get("value")
        ),
    }.get(problem.problem, problem.problem)
    if problem.row == 0:
        return text
    return _("row {row}: {problem}").format(row=problem.row, problem=text)


def file_size(size: int) -> str:
    """A file's size as people read it: 512 B, 34 KB, 1.2 MB."""
    if size < 1024:
        return _("{n} B").format(n=size)
    if size < 1024 * 1024:
        return _("{n} KB").format(n=round(size / 1024))
    return _("{n} MB").format(n=f"{size / (1024 * 1024):.1f}")


def person(name: str | None) -> str:
    """Someone's name as shown in a sentence (raw text: escape it for HTML)."""
    return limits.shorten(name or "", limits.PERSON)


def closed_to_applicant(exc: AlreadyDecided) -> str | None:
    """An applicant's own step on a closed request: what cannot be done and why, not who decided it."""
    if exc.action == "withdraw":
        text = _("Request #{id} cannot be withdrawn: it is already closed ({status}).")
    elif exc.action in ("add_material", "resubmit"):
        text = _("Nothing can be added to request #{id}: it is already closed ({status}).")
    else:
        return None
    return text.format(id=exc.request_id, status=status(exc.status))


def error(exc: DomainError) -> str:
    """One sentence for any domain error, for a message or a callback alert (plain text, no HTML)."""
    if isinstance(exc, AlreadyDecided) and (closed := closed_to_applicant(exc)):
        return closed
    if isinstance(exc, AlreadyDecided):
        who = person(exc.by_name) or (str(exc.by) if exc.by else "")
        if who:
            return _("Already {status} by {name}.").format(status=status(exc.status).lower(), name=who)
        return _("This request is already {status}.").format(status=status(exc.status).lower())
    if isinstance(exc, NotClaimant):
        return _("{name} is working on this request; ask them to release it.").format(
            name=person(exc.by_name) or exc.claimed_by
        )
    if isinstance(exc, stage_texts.STAGE_ERRORS):
        return stage_texts.error(exc)
    if isinstance(exc, notice_texts.NOTICE_ERRORS):
        return notice_texts.error(exc)
    if isinstance(exc, SignatureRefused):
        return sign_texts.error(exc)
    if isinstance(exc, QuotaShortfall):
        return quota_texts.shortfall(exc)
    if isinstance(exc, InvalidTransition):
        return _("This request is {status}, so you cannot {action} it.").format(
            status=status(exc.status).lower(), action=action(exc.action)
        )
    if isinstance(exc, SelfReview):
        return _("You submitted request #{id} yourself, so a colleague must review it.").format(id=exc.request_id)
    if isinstance(exc, NotAReviewer):
        return _("{id} is not a reviewer who may take this request.").format(id=exc.user_id)
    if isinstance(exc, SameProjectOpen):
        return _("You already have request #{id} for this project with the bureau.").format(id=exc.request_id)
    if isinstance(exc, Forbidden):
        return _("You are not allowed to do that.")
    if isinstance(exc, NotFound):
        return _("Request #{id} was not found.").format(id=exc.params.get("request_id"))
    if isinstance(exc, InvalidField):
        return field_problem(exc)
    if isinstance(exc, LedgerImportError):
        return _("Nothing was imported.")
    return _("That did not work. Please try again.")


def listing(items: Iterable[str]) -> str:
    """Items in a row, separated as the language does it (、 in Chinese)."""
    return _(", ").join(items)


def chunks(blocks: Iterable[str], limit: int = limits.TEXT) -> list[str]:
    """Join blocks into as few messages as fit ``limit`` (as Telegram counts), in order, never splitting a block in
    two. A block too long for one message goes line by line, and a line too long for one as plain text in pieces
    (its formatting lost, none of its text). Blocks keep each tag within one line."""
    messages: list[str] = []
    current, size = "", 0
    for block, length in _fitting(blocks, limit):
        if current and size + 1 + length > limit:
            messages.append(current)
            current, size = "", 0
        current, size = (f"{current}\n{block}", size + 1 + length) if current else (block, length)
    if current:
        messages.append(current)
    return messages


def _fitting(blocks: Iterable[str], limit: int) -> Iterator[tuple[str, int]]:
    """Each block (or its lines, or their pieces) that fits in one message, with its length."""
    for block in blocks:
        length = limits.units(limits.visible(block))
        if length <= limit:
            yield block, length
            continue
        for line in block.split("\n"):
            shown = limits.visible(line)
            if limits.units(shown) <= limit:
                yield line, limits.units(shown)
            else:
                yield from ((escape(piece), limits.units(piece)) for piece in limits.pieces(shown, limit))
