"""The request card reviewers work from (also the applicant's /status), and the full text behind its "Details".

Every field has a budget (handlers/limits.py): a long one is shortened with "…" and the card offers "Details",
which sends every field in full as continuation messages. The compact card is what the outbox sends when Telegram
refuses the card itself: the same buttons, the least text.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from approvals.ledger import KeyProject
from approvals.models import NOT_ACCEPTED, Attachment, AuditEvent, Status
from approvals.progress import RequestView, ever_accepted
from approvals.states import RETURNS
from handlers import clock_texts, limits, sign_texts, stage_texts
from handlers import texts as t
from handlers.limits import Clip, Rendered

PIECE = 3500  # the most of one field in one continuation message, leaving room for its label
COMPACT_TITLE = 60
COMPACT_REASON = 100


def days(view: RequestView) -> str:
    if view.days_left is None:
        return ""
    return t.days_left(view.days_left)


def deadlines(view: RequestView) -> str:
    r = view.request
    if r.status in NOT_ACCEPTED:  # provisional dates would mislead: nothing counts before acceptance
        return _("The legal time limit starts on acceptance (受理).") if r.status is not Status.RETURNED else ""
    if not ever_accepted(r, view.history):  # withdrawn before acceptance: no time limit ever ran
        return ""
    estimated = _(" (estimated: holiday schedule not yet published)") if view.estimated else ""
    return _("Promised by {promised} · legal limit {statutory}{estimated}").format(
        promised=r.promised_due.isoformat(), statutory=r.statutory_due.isoformat(), estimated=estimated
    )


def documents(names: Sequence[str], clip: Clip) -> str:
    """The newest few file names, each shortened; the earlier ones counted."""
    shown = [clip(name, limits.FILE_NAME) for name in names[-limits.FILES_SHOWN :]]
    earlier = len(names) - len(shown)
    if earlier:
        clip.shortened = True
        shown.insert(0, ngettext("{n} earlier file", "{n} earlier files", earlier).format(n=earlier))
    return _("Documents: {names}").format(names=t.listing(shown) or "—")


def card(view: RequestView, *, project: KeyProject | None = None, notes: int = 0) -> Rendered:
    """The card, each field within its budget. ``project``: the key project it names (archived ones too);
    ``notes``: how many internal notes reviewers wrote (the applicant's /status passes 0: internal notes are not
    even counted for them)."""
    r = view.request
    clip = Clip()
    lines = [
        f"<b>#{r.id} {clip(r.project_name, limits.LINE)}</b>",
        _status_line(view),
        _("Organisation: {value}").format(value=clip(r.organisation, limits.LINE)),
        *([_("EIA firm: {value}").format(value=clip(r.eia_firm, limits.LINE))] if r.eia_firm else []),
        _("Contact: {name}, {phone}").format(name=clip(r.contact_name, limits.PERSON), phone=escape(r.phone)),
        _("Category: {category} · Investment: {amount} 万元").format(
            category=t.category(r.category), amount=r.investment
        ),
        _("Location: {value}").format(value=clip(r.location, limits.LINE)),
    ]
    if r.key_code:
        name = f" {clip(project.name, limits.LINE)}{archived(project)}" if project else ""
        lines.append(_("Key project: {code}{name}").format(code=escape(r.key_code), name=name))
    lines.append(_("Description: {value}").format(value=clip(r.description, limits.PARAGRAPH)))
    lines.append(documents([a.name for a in r.attachments], clip))
    if dates := deadlines(view):
        lines.append(dates)
    if waits := stage_texts.waiting(view.stage, view.notice_ended_on):
        lines.append(waits)
    if view.clock_stop is not None:
        lines.append(clock_texts.stop_line(view.clock_stop))
    if view.days_left is not None:
        risk = " ⚠️" + _("at risk") if view.at_risk and not view.overdue else ""  # overdue says it already
        lines.append(days(view) + risk)
    lines.extend(outcome(view, clip, limits.REASON))
    if notes:
        lines.append(
            ngettext("📝 {n} internal note: /notes {id}", "📝 {n} internal notes: /notes {id}", notes).format(
                n=notes, id=r.id
            )
        )
    return Rendered("\n".join(lines), clip.shortened)


def compact(view: RequestView) -> Rendered:
    """The least a card can say: which request, its state, its deadlines; everything else is behind "Details"."""
    r = view.request
    clip = Clip()
    files = len(r.attachments)
    lines = [
        f"<b>#{r.id} {clip(r.project_name, COMPACT_TITLE)}</b>",
        _status_line(view),
        ngettext("{n} document", "{n} documents", files).format(n=files),
        deadlines(view),
        stage_texts.waiting(view.stage, view.notice_ended_on),
        clock_texts.stop_line(view.clock_stop) if view.clock_stop else "",
        *outcome(view, clip, COMPACT_REASON),
    ]
    return Rendered("\n".join(line for line in lines if line), True)


def _status_line(view: RequestView) -> str:
    r = view.request
    return f"{t.lane(r.lane)} · {t.document_type(r.document_type)} · <b>{t.request_status(view)}</b>"


def _last(history: Sequence[AuditEvent], action: str) -> AuditEvent | None:
    return next((e for e in reversed(history) if e.action == action), None)


def outcome(view: RequestView, clip: Clip, reason_units: int) -> list[str]:
    """Who holds or decided the request, and why: the part of a card that changes. After a resubmission, what was
    asked and what the applicant replied, until the request is decided."""
    r, history, said = view.request, view.history, view.last_word
    name = clip(said.actor_name, limits.PERSON) if said else ""
    name = name or "—"
    reason = clip(r.last_reason or "", reason_units)
    lines: list[str] = []
    if r.status is Status.IN_REVIEW:
        lines.append(_("🔒 Claimed by {name}").format(name=clip(view.holder, limits.PERSON) or "—"))
    elif said is not None and said.action == "revoke" and r.status is Status.SUBMITTED:
        lines.append(_("↩️ {name} revoked the decision: {reason}").format(name=name, reason=reason))
    elif r.status is Status.APPROVED:
        number = _(", approval number {number}").format(number=escape(r.approval_number)) if r.approval_number else ""
        lines.append(_("✅ Approved by {name} on {day}{number}").format(name=name, day=r.decided_on, number=number))
    elif r.status is Status.REJECTED:
        lines.append(_("❌ Rejected by {name}: {reason}").format(name=name, reason=reason))
    elif r.status is Status.NEEDS_INFO:
        lines.append(_("📎 {name} asked for more material: {reason}").format(name=name, reason=reason))
    elif r.status is Status.INCOMPLETE:
        lines.append(_("📋 {name} listed the missing material: {reason}").format(name=name, reason=reason))
    elif r.status is Status.RETURNED:
        lines.append(_("↩️ Returned (退件): the listed material did not come in time."))
    elif r.status is Status.WITHDRAWN:
        lines.append(_("Withdrawn by the applicant."))
    if r.is_final and said is not None and (proposer := _proposer(history, said)):
        lines.append(_("✍️ Proposed by {name}").format(name=clip(proposer, limits.PERSON)))
    if view.sign_off is not None:  # staff only (the applicant reads "being signed off" in the status line)
        lines.extend(sign_texts.card_lines(view.sign_off, clip, reason_units))
    if r.status in (Status.IN_REVIEW, Status.IN_NOTICE) and said is not None and said.action in RETURNS:
        lines.append(_("↩️ {name} returned the proposal for revision: {reason}").format(name=name, reason=reason))
    if r.status in (Status.RESUBMITTED, Status.IN_REVIEW):
        lines.extend(_round(history, clip, reason_units))
    elif r.status is Status.RECEIVED:  # received again: the list sent and what came with the material
        lines.extend(_round(history, clip, reason_units, asked_for="list_missing", replied="supply"))
    return lines


def _proposer(history: Sequence[AuditEvent], decided: AuditEvent) -> str:
    """Who proposed a decision a sign-off chain issued (their signature opened the round): "" for one decided at
    once, or by its proposer."""
    if decided.action not in ("approve", "reject") or decided.from_status is not Status.SIGNING:
        return ""
    opened = next((e for e in reversed(history) if e.action == "sign" and e.from_status is not Status.SIGNING), None)
    if opened is None or opened.actor_id == decided.actor_id:
        return ""
    return opened.actor_name or str(opened.actor_id)


def _round(
    history: Sequence[AuditEvent],
    clip: Clip,
    reason_units: int,
    *,
    asked_for: str = "request_info",
    replied: str = "resubmit",
) -> list[str]:
    """The last request for material (补正, or the completeness check's list) and the applicant's reply to it."""
    asked, reply = _last(history, asked_for), _last(history, replied)
    if asked is None or reply is None or reply.at < asked.at:
        return []
    who = clip(asked.actor_name, limits.PERSON) or "—"
    why = clip(asked.reason or "", reason_units)
    return [
        _("📋 {name} listed the missing material: {reason}").format(name=who, reason=why)
        if asked_for == "list_missing"
        else _("📎 {name} asked for more material: {reason}").format(name=who, reason=why),
        _("↩️ The applicant replied: {reply}").format(reply=clip(reply.reason, reason_units))
        if reply.reason
        else _("↩️ The applicant replied with documents only."),
    ]


def field(label: str, text: str) -> list[str]:
    """One field in full, for continuation messages: the label, then the text in pieces that each fit."""
    first, *rest = limits.pieces(text, PIECE)
    return [f"<b>{escape(label)}</b>\n{escape(first)}", *(escape(piece) for piece in rest)]


def file_list(attachments: Sequence[Attachment]) -> str:
    return "\n".join(a.name for a in attachments) or "—"


def archived(project: KeyProject) -> str:
    """Marks a code a later list left out: the request keeps it, the key-project figures no longer count it."""
    return _(" (no longer on the key-project list)") if project.archived else ""  # Chinese needs no space


def details(view: RequestView, *, project: KeyProject | None = None) -> list[str]:
    """Every text field of the request in full, as blocks for ``texts.chunks``."""
    r = view.request
    fields = [
        (_("Project"), r.project_name),
        (_("Organisation"), r.organisation),
        *([(_("EIA firm"), r.eia_firm)] if r.eia_firm else []),
        (_("Contact"), f"{r.contact_name}, {r.phone}"),
        (_("Location"), r.location),
    ]
    if r.key_code:
        name = f"{project.name}{archived(project)}" if project else ""
        fields.append((_("Key project"), f"{r.key_code} {name}".strip()))
    fields += [(_("Description"), r.description), (_("Documents"), file_list(r.attachments))]
    asked, reply = _last(view.history, "request_info"), _last(view.history, "resubmit")
    if asked is not None and asked.reason:
        fields.append((_("Asked for"), asked.reason))
    if reply is not None and reply.reason:
        fields.append((_("The applicant's reply"), reply.reason))
    if r.status is Status.REJECTED and r.last_reason:
        fields.append((_("Reason"), r.last_reason))
    blocks = [_("<b>Request #{id} in full</b>").format(id=r.id)]
    for label, text in fields:
        blocks += field(label, text)
    return blocks
