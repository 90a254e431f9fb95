"""What the completeness check tells people: the applicant at each step, the reviewers' group when the bot acts."""

from __future__ import annotations

from datetime import date
from html import escape

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from approvals.models import ApprovalRequest, AuditEvent
from approvals.progress import RequestView
from handlers import card, notice_texts, stage_texts
from handlers import keyboards as kb

# the applicant's own SUPPLY is answered in their chat once committed (handlers/applicant.py): no second message
STAGE_EVENTS = frozenset({"accept", "deem_accept", "list_missing", "return"})
BOT_STEPS = frozenset({"deem_accept", "return"})  # taken by no reviewer: the group hears of them


def for_applicant(
    view: RequestView, event: AuditEvent, supply_due: date | None = None, acceptance_until: date | None = None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Written from the event (what happened then) and the request's dates as they stand; ``supply_due``: the
    last day the listed material could be sent (a return names it); ``acceptance_until``: the last day of the
    acceptance notice (受理公示) an acceptance opened."""
    notice = "\n" + notice_texts.acceptance_line(acceptance_until) if acceptance_until else ""
    r = view.request
    name = escape(r.project_name)
    if event.action == "accept":
        text = _("✅ Request #{id} {name} is accepted (受理) as of {day}.").format(
            id=r.id, name=name, day=r.accepted_on.isoformat()
        )
        return text + "\n" + card.deadlines(view) + notice, None
    if event.action == "deem_accept":
        text = _(
            "✅ Request #{id} {name}: the bureau did not finish its completeness check within 5 working days, so "
            "by law (Administrative Licensing Law art. 32) it is accepted as of the day of receipt, {day}."
        ).format(id=r.id, name=name, day=r.accepted_on.isoformat())
        return text + "\n" + card.deadlines(view) + notice, None
    if event.action == "list_missing":
        text = _(
            "📋 Request #{id} {name} is not complete. The bureau lists everything missing, once (一次性告知):\n"
            "{items}\n{waiting}\nPress the button, then send the material."
        ).format(id=r.id, name=name, items=escape(event.reason or ""), waiting=stage_texts.waiting(view.stage))
        return text, kb.supplement_start(r.id)
    text = _(
        "↩️ Request #{id} {name} is returned (退件): the listed material did not arrive by {day}. Nothing is "
        "deleted; you may submit again with the complete material."
    ).format(id=r.id, name=name, day=supply_due.isoformat() if supply_due else "—")
    return text, None


def for_reviewers(request: ApprovalRequest, event: AuditEvent) -> str | None:
    name = escape(request.project_name)
    if event.action == "deem_accept":
        return _(
            "⏰ #{id} {name} was not checked within 5 working days of receipt: deemed accepted as of {day} "
            "(art. 32). Its legal time limit runs from then."
        ).format(id=request.id, name=name, day=request.accepted_on.isoformat())
    if event.action == "return":
        return _("↩️ #{id} {name} is returned (退件): the applicant did not send the listed material in time.").format(
            id=request.id, name=name
        )
    return None
