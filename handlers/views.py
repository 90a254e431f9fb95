"""Messages built from domain objects. Every piece of user text is escaped here, once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from html import escape
from typing import Any

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from approvals.models import ApprovalRequest, Attachment, AuditEvent, Note, Status
from approvals.progress import QueuePage, RequestView, ever_accepted
from approvals.summary import SummaryFigures
from handlers import clock_texts, limits, stage_texts
from handlers import texts as t
from handlers.card import days, deadlines, documents, field
from handlers.limits import Clip, Rendered

HISTORY_RESERVE = 100  # room kept for the line that counts the events left out


def history(events: list[AuditEvent], tz: tzinfo) -> Rendered:
    """The history for /status, newest first, as many events as one message holds; the older ones are counted,
    never cut off mid-line. A long reason is shortened (the card's "Details" has the latest ones in full)."""
    clip = Clip()
    header = _("<b>History</b>, newest first")
    lines: list[str] = []
    size = limits.units(limits.visible(header))
    # the bureau's filing (its copies, its written notices: listed apart): in the audit log and export
    events = [e for e in events if e.action not in ("keep_copy", "issue_paper")]
    for e in reversed(events):
        when = e.at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        who = clip(t.actor(e.actor_id, e.actor_name), limits.PERSON)
        if e.target_name and e.action == "reassign":
            who += " → " + clip(e.target_name, limits.PERSON)
        elif e.target_name:
            who += " · " + _("held by {name}").format(name=clip(e.target_name, limits.PERSON))
        number = f" · {escape(e.approval_number)}" if e.approval_number else ""
        reason = f" — {clip(e.reason, limits.REASON)}" if e.reason else ""
        if e.action == "stop_clock":  # recorded as "hearing 10": said in words
            reason = f" — {clock_texts.audited_stop(e.reason)}"
        line = f"{when} · {t.event(e.action)} · {who}{number}{reason}"
        size += 1 + limits.units(limits.visible(line))
        if size > limits.TEXT - HISTORY_RESERVE:
            break
        lines.append(line)
    if earlier := len(events) - len(lines):
        lines.append(ngettext("… and {n} earlier event", "… and {n} earlier events", earlier).format(n=earlier))
    return Rendered("\n".join([header, *lines]), clip.shortened)


def notes(request_id: int, found: list[Note], tz: tzinfo) -> list[str]:
    """Internal notes in full, oldest first: for a reviewer's private chat only."""
    blocks = [_("<b>Internal notes on #{id}</b> (not shown to the applicant)").format(id=request_id)]
    if not found:
        blocks.append(_("No notes yet. Add one with /note {id} text").format(id=request_id))
    for note in found:
        when = note.at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        blocks.append(f"{when} · <b>{escape(note.author_name) or note.author_id}</b>\n{escape(note.text)}")
    return blocks


def receipt(view: RequestView) -> str:
    """What the applicant is told at receipt: received (收件) and checked by a day, or (a filing) accepted."""
    r = view.request
    if not ever_accepted(r, view.history):
        when = _("Received on {day} (收件); not yet accepted.").format(day=(r.received_on or r.accepted_on).isoformat())
    else:
        when = _("Accepted on {day}").format(day=r.accepted_on.isoformat())
    lines = [
        _("✅ Request #{id} received: {name}").format(id=r.id, name=escape(r.project_name)),
        _("Lane: {lane}").format(lane=t.lane(r.lane)),
        when,
        deadlines(view),
        stage_texts.waiting(view.stage),
        _("Use /status {id} to follow it.").format(id=r.id),
    ]
    return "\n".join(line for line in lines if line)


def short_row(view: RequestView) -> str:
    r = view.request
    left = days(view)
    risk = " ⚠️" if view.at_risk else ""
    stop = " · " + _("until {day}").format(day=view.clock_stop.expected_end) if view.clock_stop else ""
    return f"#{r.id} {escape(r.project_name)} · {t.request_status(view)}{stop}" + (f" · {left}{risk}" if left else "")


def queue_page(page: QueuePage) -> list[str]:
    blocks = [
        _("<b>Queue</b> · {total} open · page {page}/{pages}").format(
            total=page.total, page=page.page + 1, pages=page.pages
        )
    ]
    if not page.items:
        blocks.append(_("The queue is empty."))
    for view in page.items:
        r = view.request
        risk = "⚠️ " if view.at_risk else ""
        claimed = f" · 🔒 {escape(view.holder) or '—'}" if r.status is Status.IN_REVIEW else ""
        own = " · " + _("submitted by you: a colleague reviews it") if r.id in page.own else ""
        blocks.append(
            f"{risk}{t.lane(r.lane)} <b>#{r.id}</b> {escape(r.project_name)}\n   {queue_line(view)}{claimed}{own}"
        )
    return blocks + clock_texts.queue_section(page.excluded, page.excluded_total)


def queue_line(view: RequestView) -> str:
    """The stage and its date: a received request's check ends first; an accepted one runs to its promise."""
    r = view.request
    if r.status is Status.RECEIVED and view.stage is not None and view.stage.until is not None:
        when = _("check by {day}").format(day=view.stage.until.isoformat())
    else:
        when = r.promised_due.isoformat()
    stage = _("notice ended") if view.notice_ended_on else stage_texts.stage_name(r.status)
    return " · ".join(part for part in (stage, when, days(view)) if part)


def stats(f: SummaryFigures) -> str:
    lines = [
        _("<b>Green channel · {day}</b>").format(day=f.today.isoformat()),
        # two counts, two plurals: "1 project approved so far, 0 of the 1 key project."
        ngettext("{total} project approved so far", "{total} projects approved so far", f.approved_total).format(
            total=f.approved_total
        )
        + ngettext(
            ", {key} of the {key_total} key project.", ", {key} of the {key_total} key projects.", f.key_total
        ).format(key=f.key_approved, key_total=f.key_total),
        _("Approved today: {today} · this year: {year}").format(today=f.approved_today, year=f.approved_this_year),
        _("Backlog: {total} ({lanes})").format(
            total=f.backlog_total, lanes=t.listing(f"{t.lane(k)} {v}" for k, v in f.backlog.items())
        ),
        stage_texts.stage_counts(f.stages),
        _("Waiting for applicants' material: {n}").format(n=f.waiting_on_applicants),
        _("At risk: {risk} · past the promise: {promise} · past the legal limit: {legal}").format(
            risk=f.at_risk, promise=f.overdue_promise, legal=f.overdue_statutory
        ),
    ]
    for lane_, timing in f.timing.items():
        if timing.decided:
            lines.append(
                ngettext(
                    "{lane}: {n} decided, median {median} working day, {within} within the promise",
                    "{lane}: {n} decided, median {median} working days, {within} within the promise",
                    # a fraction reads as a plural ("1.5 working days"): only a whole 1 is singular
                    int(timing.median_days) if timing.median_days.is_integer() else 2,
                ).format(
                    lane=t.lane(lane_), n=timing.decided, median=f"{timing.median_days:g}", within=timing.within_promise
                )
            )
    if f.calendar_estimated:
        lines.append(_("Note: this year's holiday schedule is not published yet; dates are estimated."))
    return "\n".join(lines)


def form_summary(data: dict[str, Any], *, key_name: str | None = None, quota_line: str | None = None) -> Rendered:
    """The confirmation screen: everything the applicant gave, in the words and punctuation of the request card,
    long answers shortened (its "Details" button shows them in full)."""
    from approvals.models import Category, DocumentType

    clip = Clip()
    key = data.get("key_code")
    key_line = (
        _("Key project: {code}{name}").format(
            code=escape(key), name=f" {clip(key_name, limits.LINE)}" if key_name else ""
        )
        if key
        else _("Key project: none")
    )
    lines = [
        _("<b>Please check your request</b>"),
        _("Project: {value}").format(value=clip(data["project_name"], limits.LINE)),
        _("Organisation: {value}").format(value=clip(data["organisation"], limits.LINE)),
        _("EIA firm: {value}").format(value=clip(data["eia_firm"], limits.LINE))
        if data.get("eia_firm")
        else _("EIA firm: none (optional: Edit → EIA firm)"),
        _("Contact: {name}, {phone}").format(
            name=clip(data["contact_name"], limits.PERSON), phone=escape(data["phone"])
        ),
        _("Category: {category} · Investment: {amount} 万元").format(
            category=t.category(Category(data["category"])), amount=escape(data["investment"])
        ),
        _("Document: {value}").format(value=t.document_type(DocumentType(data["document_type"]))),
        _("Location: {value}").format(value=clip(data["location"], limits.LINE)),
        key_line,
        *([quota_line] if quota_line is not None else []),  # bounded and escaped (handlers/quota_texts.py)
        _("Description: {value}").format(value=clip(data["description"], limits.PARAGRAPH)),
        documents([a["name"] for a in data.get("attachments", [])], clip),
    ]
    return Rendered("\n".join(lines), clip.shortened)


def form_details(data: dict[str, Any]) -> list[str]:
    """The typed answers in full, for ``texts.chunks``: what "Details" on the confirmation screen sends."""
    blocks = [_("<b>Your request in full</b>")]
    blocks += field(_("Project"), data["project_name"])
    blocks += field(_("Organisation"), data["organisation"])
    if data.get("eia_firm"):
        blocks += field(_("EIA firm"), data["eia_firm"])
    blocks += field(_("Location"), data["location"])
    blocks += field(_("Description"), data["description"])
    blocks += field(_("Documents"), "\n".join(a["name"] for a in data.get("attachments", [])) or "—")
    return blocks


def draft_files(files: Sequence[dict[str, Any]]) -> list[str]:
    """The form's documents, numbered as their remove buttons are."""
    clip = Clip()
    return [
        f"{n}. {clip(str(a['name']), limits.FILE_NAME)} · {t.file_size(int(a.get('size', 0)))}"
        for n, a in enumerate(files, start=1)
    ]


def documents_header(request: ApprovalRequest, papers: int = 0) -> str:
    """What comes before a request's files in someone's private chat (``papers``: the bureau's written notices
    that follow them)."""
    n = len(request.attachments)
    text = ngettext(
        "📎 Request #{id} {name}: {n} document follows.", "📎 Request #{id} {name}: {n} documents follow.", n
    ).format(id=request.id, name=escape(limits.shorten(request.project_name, limits.LINE)), n=n)
    if papers:
        text += "\n" + ngettext(
            "📄 Then {n} written notice of the bureau.", "📄 Then {n} written notices of the bureau.", papers
        ).format(n=papers)
    return text


def document_caption(request_id: int, file: Attachment, tz: tzinfo) -> str:
    """A document as it is sent back: which request, its name, size and when it arrived (a caption: at most 1,024
    units, which a name within its budget always leaves room for)."""
    when = file.uploaded_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if file.uploaded_at else _("date not recorded")
    return "\n".join(
        [
            f"#{request_id} · <b>{escape(limits.shorten(file.name, limits.LINE))}</b>",
            _("{size} · received {when}").format(size=t.file_size(file.size), when=when),
        ]
    )
