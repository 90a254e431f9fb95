"""Words for the public notices: the card's lines about them, what reviewers are told, and their errors."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from approvals.errors import DomainError, HearingRequested, NoOpenNotice, NoticeRunning, ProposeFirst
from approvals.models import ApprovalRequest, AuditEvent
from approvals.notices import Notice, NoticeKind
from approvals.public_comments import HearingState, InputKind, PublicComment
from handlers import limits

NOTICE_ERRORS = (ProposeFirst, NoticeRunning, HearingRequested, NoOpenNotice)
LATEST_COMMENT = 200  # characters of the latest comment a card shows
INPUTS_READ = 50  # the latest comments and hearing requests a card looks at (the open hearings are among them)


# who of the public said what, and the bureau's internal sign-off: the bureau's to see
STAFF_ONLY = frozenset(
    {"public_comment", "hearing_request", "close_hearing", "sign", "return_signature", "return_to_notice"}
)


def for_applicants(history: Sequence[AuditEvent]) -> list[AuditEvent]:
    """A request's history as its applicant sees it: without the public's names and words, without the bureau's
    internal signatures (the applicant reads "being signed off" in the status line)."""
    return [e for e in history if e.action not in STAFF_ONLY]


def acceptance_line(until: date) -> str:
    return _("📣 Acceptance notice (受理公示) until {day}").format(day=until.isoformat())


def error(exc: DomainError) -> str:
    if isinstance(exc, ProposeFirst):
        return _(
            "Request #{id} must first be proposed for approval: its public notice (拟审批公示) runs 5 working days."
        ).format(id=exc.request_id)
    if isinstance(exc, NoticeRunning) and exc.kind == NoticeKind.ACCEPTANCE:
        return _("Not yet: the acceptance notice (受理公示) ends on {day}; approval can be proposed after it.").format(
            day=exc.until.isoformat()
        )
    if isinstance(exc, NoticeRunning):
        return _("Not yet: the notice of the intended decision ends on {day}; approval is possible after it.").format(
            day=exc.until.isoformat()
        )
    if isinstance(exc, HearingRequested):
        return _("A hearing was requested for #{id}: no decision until it is recorded closed (/hearing).").format(
            id=exc.request_id
        )
    if isinstance(exc, NoOpenNotice):
        return _("Request #{id} has no public notice open that takes this.").format(id=exc.request_id)
    return _("That did not work. Please try again.")


def remedies() -> str:
    return _(
        "Remedies: an application for administrative review within 60 days, or a lawsuit within 6 months, "
        "of learning of the decision."
    )


def card_lines(
    found: Sequence[Notice],
    inputs: Sequence[PublicComment],
    total: int,
    today: date,
    history: Sequence[AuditEvent] = (),
) -> list[str]:
    """What a card says about the request's notices and what the public sent (escaped, bounded). ``total``: the
    comments and hearing requests together; ``history``: the request's audit (its hearing requests are counted
    there, apart from the comments, and a hearing held is told with its result)."""
    lines = []
    for notice in found:
        if notice.kind is NoticeKind.ACCEPTANCE and notice.is_open(today):
            lines.append(acceptance_line(notice.ends_on))
        elif notice.kind is NoticeKind.INTENDED_DECISION and notice == latest(found, notice.kind):
            if today <= notice.ends_on:
                lines.append(
                    _("📣 Notice of the intended decision until {day}: a hearing may be requested until then").format(
                        day=notice.ends_on.isoformat()
                    )
                )
            elif notice.closed_at is not None or today > notice.ends_on:
                lines.append(
                    _("📣 Notice of the intended decision ended on {day}").format(day=notice.ends_on.isoformat())
                )
        elif notice.kind is NoticeKind.DECISION and notice.is_open(today):
            lines.append(
                _("📢 Decision announced until {day}. {remedies}").format(
                    day=notice.ends_on.isoformat(), remedies=remedies()
                )
            )
    hearings = [i for i in inputs if i.state is HearingState.OPEN]
    if hearings:
        lines.append(
            ngettext(
                "⚖️ {n} hearing request open: no decision until it is closed (/hearing {id} {hid} what happened)",
                "⚖️ {n} hearing requests open: no decision until they are closed (/hearing {id} {hid} what happened)",
                len(hearings),
            ).format(n=len(hearings), id=hearings[0].request_id, hid=hearings[0].id)
        )
    if held := next((e for e in reversed(history) if e.action == "hearing_held"), None):
        lines.append(
            _("⚖️ Hearing held: {result}").format(result=escape(_clip(held.reason)))
            if held.reason
            else _("⚖️ Hearing held")
        )
    comments = [i for i in inputs if i.kind is InputKind.COMMENT]
    total = max(total - sum(1 for e in history if e.action == "hearing_request"), len(comments))
    if total and comments:
        newest = comments[-1]
        lines.append(
            ngettext(
                "💬 {n} from the public; latest, {name}: {text}",
                "💬 {n} from the public; latest, {name}: {text}",
                total,
            ).format(
                n=total,
                name=escape(public_name(newest.name)[: limits.PERSON]),
                text=escape(_clip(newest.text)),
            )
        )
    return lines


def public_name(name: str) -> str:
    """Who of the public wrote: a comment may be anonymous."""
    return name or _("anonymous")


def latest(found: Sequence[Notice], kind: NoticeKind) -> Notice | None:
    return next((n for n in reversed(found) if n.kind is kind), None)


def _clip(text: str) -> str:
    return text if len(text) <= LATEST_COMMENT else text[: LATEST_COMMENT - 1] + "…"


def for_reviewers(request: ApprovalRequest, event: AuditEvent) -> str | None:
    """What the group (or the holder) is told when the public sent something or a notice ended."""
    project = escape(request.project_name)
    if event.action in ("public_comment", "hearing_request"):
        kind = InputKind.HEARING if event.action == "hearing_request" else InputKind.COMMENT
        text = (
            _("⚖️ Hearing requested for #{id} {project} by {name}: {text}\nNo decision until it is closed.")
            if kind is InputKind.HEARING
            else _("💬 Public comment on #{id} {project} from {name}: {text}")
        )
        return text.format(
            id=request.id,
            project=project,
            name=escape(public_name(event.actor_name)),
            text=escape(_clip(event.reason or "")),
        )
    if event.action == "notice_ended":
        return _(
            "📣 The notice of the intended decision on #{id} {project} has ended: #{id} may now be approved."
        ).format(id=request.id, project=project)
    return None


def for_applicant(request: ApprovalRequest, ends_on: date | None) -> str:
    """The applicant's news that approval is proposed and publicly noticed."""
    day = ends_on.isoformat() if ends_on else "—"
    return _(
        "📣 Request #{id} {project}: the bureau proposes to approve it. The intended decision is publicly noticed "
        "until {day} (anyone may comment or request a hearing); the decision follows after it."
    ).format(id=request.id, project=escape(request.project_name), day=day)


def last_day(found: Sequence[Notice], kind: NoticeKind) -> date | None:
    notice = latest(found, kind)
    return notice.ends_on if notice else None
