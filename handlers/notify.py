"""What other people are told when a request changes: cards for reviewers, notices for the applicant.

These are rendered for the outbox (jobs/sender.py delivers them), each in its recipient's language. Only a card
shown as a reply in a conversation (/next) is sent directly.
"""

from __future__ import annotations

from html import escape

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from approvals import clock_stops, completeness
from approvals.models import Actor, ApprovalRequest, AuditEvent, Role, Status
from approvals.notices import NoticeKind
from approvals.states import RETURNS
from handlers import card, clock_texts, notice_texts, notice_views, sign_texts, stage_notices, views
from handlers import keyboards as kb
from handlers import texts as t
from handlers.context import AppContext
from handlers.journal import posting_card
from handlers.quota_form_steps import card_lines as quota_card_lines
from storage.ports import Outgoing

CLOCK_EVENTS = frozenset({"stop_clock", "resume_clock", "hearing_held"})
BACK_IN_QUEUE = frozenset({"submit", "resubmit", "revoke", "supply", "resume_clock"})  # a new card for the group
STAFF = Actor(user_id=0, roles=frozenset({Role.REVIEWER}))  # cards are for reviewers: the full view


async def render_card(
    app: AppContext, request_id: int, chat_id: int, *, compact: bool = False, locale: str | None = None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The card and its buttons, in ``locale`` or the chat's language; ``compact``: the short form, for when
    Telegram refused the card itself."""
    view = await notice_views.with_notice(app, await app.approvals.view(STAFF, request_id))
    project = await app.repos.key_projects.known(view.request.key_code) if view.request.key_code else None
    notes = await app.repos.notes.count(request_id)
    found = await app.repos.notices.of(request_id)
    inputs = await app.repos.notices.inputs(request_id, limit=notice_texts.INPUTS_READ)
    total = await app.repos.notices.count_inputs(request_id)
    step = await app.approvals.approval_step(view.request)
    with app.i18n.context(), app.i18n.use_locale(locale or await app.locale_for_chat(chat_id)):
        shown = card.compact(view) if compact else card.card(view, project=project, notes=notes)
        text = shown.text
        if not compact and (quota := await quota_card_lines(app, request_id)):
            text += "\n" + "\n".join(quota)
        if not compact and (
            extra := notice_texts.card_lines(found, inputs, total, app.approvals.today(), view.history)
        ):
            text += "\n" + "\n".join(extra)
        return text, kb.review(view.request, details=shown.more, approval=step, signs_off=app.approvals.signs_off)


async def send_card(bot: Bot, app: AppContext, request_id: int, chat_id: int) -> None:
    """Show a card as a reply (e.g. /next) and remember it, so later changes redraw it too. The record is one of
    the update's writes, committed with the mark that the reply went out.

    A private chat is the person asking: the card speaks the language this update is handled in (the language
    they were just remembered in may not be committed yet). A group card is in GROUP_LOCALE, as its redraws are."""
    locale = app.i18n.current_locale if chat_id > 0 else None
    text, markup = await render_card(app, request_id, chat_id, locale=locale)
    with posting_card(request_id):
        message = await bot.send_message(chat_id, text, reply_markup=markup)
    await app.repos.cards.add(request_id, chat_id, message.message_id)


def _markup_json(markup: InlineKeyboardMarkup | None) -> str | None:
    return markup.model_dump_json(exclude_none=True) if markup else None


async def notices_for(app: AppContext, event: AuditEvent) -> list[Outgoing]:
    """The messages one change means: new cards, redrawn cards, and the applicant's notice."""
    request = await app.repos.requests.get(event.request_id)
    if request is None:
        return []
    group = await app.reviewer_chat()
    out = [
        Outgoing(chat, kind="edit_card", request_id=request.id, edit_message_id=message)
        for chat, message in await app.repos.cards.of(request.id)
    ]
    if event.action in BACK_IN_QUEUE:
        out += await liaison_card(app, request)  # a key project's liaison (帮包) first, privately
    if event.action in BACK_IN_QUEUE and group is not None:
        out.append(Outgoing(group, kind="card", request_id=request.id))
    if event.action == "reassign" and event.target_id is not None:  # the new holder finds it in their chat
        out.append(Outgoing(event.target_id, kind="card", request_id=request.id))
    if event.action == "sign":  # the chain's next signers find it in their private chats
        out.extend(Outgoing(chat, kind="card", request_id=request.id) for chat in await next_signers(app, request))
    if event.action in RETURNS and event.target_id:  # back in the proposing reviewer's hands
        out.append(await returned_notice(app, request, event))
        out.append(Outgoing(event.target_id, kind="card", request_id=request.id))
    notice = (
        await material_notice(app, request, event, group)
        if event.action == "add_material"
        else await applicant_notice(app, request, event)
    )
    if notice is not None:
        out.append(notice)
    out += await notice_news(app, request, event, group)
    if event.action in stage_notices.BOT_STEPS and group is not None:  # no reviewer did it: the group is told
        with app.i18n.context(), app.i18n.use_locale(app.group_locale):
            said = stage_notices.for_reviewers(request, event)
        if said:
            out.append(Outgoing(group, said, request_id=request.id))
    return out


async def liaison_card(app: AppContext, request: ApprovalRequest) -> list[Outgoing]:
    """The card, in the private chat of the liaison of the key project the request names (never its applicant's)."""
    liaison = await app.key_service.liaison_of(request.key_code) if app.key_service is not None else None
    if liaison is None or liaison == request.applicant_id:
        return []
    return [Outgoing(liaison, kind="card", request_id=request.id)]


async def notice_news(
    app: AppContext, request: ApprovalRequest, event: AuditEvent, group: int | None
) -> list[Outgoing]:
    """What the public sent, and a notice of the intended decision that ended: to the group (without one, the
    holder), and the end also to the reviewer holding the request, privately (they may now approve)."""
    chats = [group] if group is not None else []
    if (event.action == "notice_ended" and request.claimed_by is not None) or (
        group is None and request.claimed_by is not None
    ):
        chats.append(request.claimed_by)
    out = []
    for chat in dict.fromkeys(chats):
        with app.i18n.context(), app.i18n.use_locale(await app.locale_for_chat(chat)):
            said = notice_texts.for_reviewers(request, event)
        if said:
            out.append(Outgoing(chat, said, request_id=request.id))
    return out


async def next_signers(app: AppContext, request: ApprovalRequest) -> list[int]:
    """Who may give the signature a SIGNING request awaits now: the step's role, not its applicant, not one who
    signed this round (the rules decide, approvals/sign_off.py)."""
    if request.status is not Status.SIGNING:
        return []  # signed on, returned or decided before this was sent: its own event tells whom it concerns
    state = await app.approvals.sign_off_state(request)
    if state is None:
        return []
    signed = {s.actor_id for s in state.signatures}
    people = await app.repos.people.with_role(state.awaited)
    return [p.user_id for p in people if p.user_id != request.applicant_id and p.user_id not in signed]


async def returned_notice(app: AppContext, request: ApprovalRequest, event: AuditEvent) -> Outgoing:
    chat = event.target_id or 0
    with app.i18n.context(), app.i18n.use_locale(await app.locale_for_chat(chat)):
        text = sign_texts.returned_to_reviewer(request, event.actor_name, event.reason or "")
    return Outgoing(chat, text, request_id=request.id)


async def material_notice(
    app: AppContext, request: ApprovalRequest, event: AuditEvent, group: int | None
) -> Outgoing | None:
    """Material added to a request in progress: the reviewers' group is told (without one, the reviewer holding
    it); the cards are redrawn with the documents. Nothing else about the request changed."""
    chat = group if group is not None else request.claimed_by
    if chat is None:
        return None
    with app.i18n.context(), app.i18n.use_locale(await app.locale_for_chat(chat)):
        lines = [
            _("📎 {name} added material to request #{id} {project}; its status and deadlines are unchanged.").format(
                name=escape(event.actor_name), id=request.id, project=escape(request.project_name)
            )
        ]
        if event.reason:
            lines.append(_("Note: {text}").format(text=escape(event.reason)))
    return Outgoing(chat, "\n".join(lines))


async def clock_notice(app: AppContext, request: ApprovalRequest, event: AuditEvent) -> str:
    """Art. 45's written notice of a stop, or of its end: the stop the event opened or ended."""
    stops = await app.repos.requests.clock_stops_of(request.id)
    # stops follow one another: the one this event opened (or ended) is the latest to start (or end) by its time
    if event.action in ("resume_clock", "hearing_held"):
        ended = [s for s in stops if s.ended_at is not None and s.ended_at <= event.at]
        return clock_texts.resumed_notice(request, ended[-1] if ended else None)
    started = [s for s in stops if s.started_at <= event.at]
    stop = started[-1] if started else None
    if stop is None:  # cannot happen: the stop is written with its event
        return clock_texts.resumed_notice(request, None)
    calendar, policy = app.approvals.calendar, app.approvals.policy
    return clock_texts.stopped_notice(request, stop, clock_stops.projected(request, stop, calendar, policy))


async def applicant_notice(app: AppContext, request: ApprovalRequest, event: AuditEvent) -> Outgoing | None:
    """The receipt, or the news of a decision, written from the event (what happened then, not since)."""
    chat = request.applicant_id
    with app.i18n.context(), app.i18n.use_locale(await app.locale_for_chat(chat)):
        name = escape(request.project_name)
        reason = escape(event.reason or "")
        markup = None
        # an event from before migration 9 has no number of its own: the request's is the one it set
        number = escape(event.approval_number or request.approval_number or "—")
        if event.action == "submit":
            text = views.receipt(await app.approvals.view(STAFF, request.id))
        elif event.action in CLOCK_EVENTS:
            text = await clock_notice(app, request, event)
        elif event.action in stage_notices.STAGE_EVENTS:
            due = completeness.supply_due(request, app.approvals.calendar, app.approvals.policy)
            until = await notice_views.acceptance_until(app, request.id)
            view = await app.approvals.view(STAFF, request.id)
            text, markup = stage_notices.for_applicant(view, event, due, until)
        elif event.action == "propose_approval":
            ends = notice_texts.last_day(await app.repos.notices.of(request.id), NoticeKind.INTENDED_DECISION)
            text = notice_texts.for_applicant(request, ends)
        elif event.action == "sign" and event.from_status is not Status.SIGNING:  # once, when it is proposed
            text = sign_texts.to_applicant(request)
        elif event.action == "correct_number":
            text = _("Request #{id} {name}: the approval number is corrected to {number}. Reason: {reason}").format(
                id=request.id, name=name, number=number, reason=reason
            )
        elif event.action == "revoke":
            text = _(
                "Request #{id} {name}: the bureau revoked its decision ({status}). Reason: {reason}\n"
                "Your request is being reviewed again."
            ).format(id=request.id, name=name, status=t.status(event.from_status or Status.APPROVED), reason=reason)
        elif event.to_status is Status.APPROVED and event.action == "approve":
            text = _("✅ Request #{id} {name} is approved. Approval number: {number}").format(
                id=request.id, name=name, number=number
            )
            text += "\n" + notice_texts.remedies()  # told with the decision, as its announcement says
        elif event.to_status is Status.REJECTED and event.action == "reject":
            text = _("Request #{id} {name} was not approved. Reason: {reason}").format(
                id=request.id, name=name, reason=reason
            )
            text += "\n" + notice_texts.remedies()
        elif event.to_status is Status.NEEDS_INFO and event.action == "request_info":
            text = _(
                "📎 The bureau needs more material for request #{id} {name}: {reason}\n"
                "The deadline is paused until you reply. Press the button, then send text and/or documents."
            ).format(id=request.id, name=name, reason=reason)
            markup = kb.supplement_start(request.id)
        else:
            return None
    return Outgoing(chat, text, reply_markup=_markup_json(markup), request_id=request.id)
