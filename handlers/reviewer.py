"""Reviewers: request cards' buttons, reasons and approval numbers, and the Yes / No before a rejection."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from approvals import validation as v
from approvals.errors import DomainError
from approvals.models import Actor, ApprovalRequest, Status
from approvals.notices import NoticeKind
from approvals.states import Action
from handlers import keyboards as kb
from handlers import notice_texts, prompts, sign_texts
from handlers import texts as t
from handlers.callbacks import ReviewAction, ReviewCB
from handlers.cards import AdoptCards
from handlers.context import AppContext
from handlers.filters import is_typed_answer
from handlers.replies import ChatTarget, edit_or_send
from handlers.states import Review

PROMPTED = {
    ReviewAction.APPROVE: Action.APPROVE,
    ReviewAction.INFO: Action.REQUEST_INFO,
    ReviewAction.REJECT: Action.REJECT,
}
CONFIRMED = frozenset({Action.REJECT, Action.REVOKE})  # final for the applicant: shown back before it is done
PROMPT_STATES = frozenset({Review.reason.state, Review.approval_number.state})


async def prompt_open(state: FSMContext, request_id: int, action: Action) -> bool:
    """This reviewer was already asked for this request's reason or number, and has not answered yet."""
    if await state.get_state() not in PROMPT_STATES:
        return False
    data = await state.get_data()
    return data.get("request_id") == request_id and data.get("action") == action.value


def confirmation(action: Action, request: ApprovalRequest, reason: str, *, signs_off: bool = False) -> str:
    """``signs_off``: a chain signs the decision, so a rejection is proposed for sign-off, not issued."""
    name = t.escape(request.project_name)
    if action is Action.REJECT and signs_off:
        question = sign_texts.propose_rejection(request)
    elif action is Action.REJECT:
        question = _("Reject #{id} {name}?").format(id=request.id, name=name)
    else:
        question = _("Revoke the decision on #{id} {name} ({status})? The request goes back to the queue.").format(
            id=request.id, name=name, status=t.status(request.status)
        )
    return question + "\n" + _("Reason (the applicant is told): {reason}").format(reason=t.escape(reason))


def done(request: ApprovalRequest) -> str:
    if request.status is Status.SIGNING:
        return sign_texts.proposed(request)
    return _("Done: #{id} is now {status}.").format(id=request.id, status=t.status(request.status))


async def stale(query: CallbackQuery) -> None:
    await query.answer(_("This prompt was already answered or is out of date."))
    await prompts.close_pressed(query)


def build_router() -> Router:
    router = Router(name="reviewer")
    router.callback_query.middleware(AdoptCards())  # a card copy sent but never recorded is recorded when pressed

    @router.callback_query(ReviewCB.filter(F.action.in_({ReviewAction.CLAIM, ReviewAction.RELEASE})))
    async def claim_or_release(query: CallbackQuery, callback_data: ReviewCB, actor: Actor, app: AppContext) -> None:
        if callback_data.action is ReviewAction.CLAIM:
            await app.approvals.claim(actor, callback_data.id)
            await query.answer(_("Claimed: it is yours to decide."))
        else:
            await app.approvals.release(actor, callback_data.id)
            await query.answer(_("Released back to the queue."))

    @router.callback_query(ReviewCB.filter(F.action == ReviewAction.PROPOSE))
    async def propose(query: CallbackQuery, callback_data: ReviewCB, actor: Actor, app: AppContext) -> None:
        """拟批准: at once (nothing to type); the notice of the intended decision opens with it."""
        request = await app.approvals.propose_approval(actor, callback_data.id)
        ends = notice_texts.last_day(await app.approvals.notices_of(actor, request.id), NoticeKind.INTENDED_DECISION)
        await query.answer(
            _("Proposed: the notice of the intended decision runs until {day}.").format(
                day=ends.isoformat() if ends else "—"
            )
        )

    @router.callback_query(ReviewCB.filter(F.action.in_(set(PROMPTED))))
    async def ask_for_details(
        query: CallbackQuery,
        callback_data: ReviewCB,
        actor: Actor,
        app: AppContext,
        state: FSMContext,
        bot: Bot,
    ) -> None:
        action = PROMPTED[callback_data.action]
        if await prompt_open(state, callback_data.id, action):  # a double press: one prompt is enough
            await query.answer(_("Already asked: reply to the message above, or press Cancel there."))
            return
        request = await app.approvals.check(actor, callback_data.id, action)  # refuse now, not after typing
        await query.answer()
        await state.set_state(Review.approval_number if action is Action.APPROVE else Review.reason)
        await state.update_data(request_id=request.id, action=action.value)
        mention = t.escape(actor.name)
        if action is Action.APPROVE and app.approvals.signs_off:  # the chain signs; the last signature approves
            text = sign_texts.propose_prompt(request, actor.name, issued=app.approvals.issues_numbers)
            markup = kb.approve_prompt(request.id, issued=app.approvals.issues_numbers, proposal=True)
        elif action is Action.APPROVE and app.approvals.issues_numbers:
            text = _(
                "{name}: approve #{id} {project}? The bureau's next approval number (批复文号) is issued with it."
            ).format(name=mention, id=request.id, project=t.escape(request.project_name))
            markup = kb.approve_prompt(request.id, issued=True)
        elif action is Action.APPROVE:
            text = _(
                "{name}: reply to this message with the approval number (批复文号) for #{id}, or press the button."
            ).format(name=mention, id=request.id)
            markup = kb.approve_prompt(request.id, issued=False)
        else:
            text = _("{name}: reply to this message with the reason for #{id}.").format(name=mention, id=request.id)
            markup = kb.cancel_review(request.id)
        await prompts.remember(state, await ChatTarget.of(query, bot).answer(text, markup))

    @router.callback_query(ReviewCB.filter(F.action == ReviewAction.APPROVE_NOW))
    async def approve_now(
        query: CallbackQuery, callback_data: ReviewCB, actor: Actor, app: AppContext, state: FSMContext
    ) -> None:
        await app.approvals.check(actor, callback_data.id, Action.APPROVE)  # refused, or decided, as on the card
        if await prompts.other_open(state, query, callback_data.id):  # this reviewer is being asked something else
            await stale(query)
            return
        request = await app.approvals.approve(actor, callback_data.id)
        await state.clear()
        if request.status is Status.SIGNING:  # a chain signs it: this was the first signature
            await query.answer(_("Proposed."))
            await edit_or_send(query, sign_texts.proposed(request))
            return
        await query.answer(_("Approved."))
        if request.approval_number:
            text = _("✅ #{id} approved: approval number {number}.").format(
                id=request.id, number=t.escape(request.approval_number)
            )
        else:
            text = _("✅ #{id} approved.").format(id=request.id)
        await edit_or_send(query, text)

    @router.callback_query(ReviewCB.filter(F.action == ReviewAction.CANCEL))
    async def cancel(query: CallbackQuery, callback_data: ReviewCB, state: FSMContext) -> None:
        if not await prompts.is_open(state, query, callback_data.id):
            await stale(query)  # answered already, or another prompt is open: nothing is cancelled here
            return
        await state.clear()
        await query.answer(_("Cancelled."))
        await edit_or_send(query, _("Cancelled."))

    @router.message(Review.reason, is_typed_answer)
    async def reason(message: Message, state: FSMContext, actor: Actor, app: AppContext, bot: Bot) -> None:
        data = await state.get_data()
        request_id, action = int(data["request_id"]), Action(data["action"])
        try:
            text = v.clean_text("reason", message.text or "")
            if action in CONFIRMED:
                request = await app.approvals.check(actor, request_id, action)
                await state.set_state(Review.confirm)
                await state.update_data(reason=text)
                await prompts.close(bot, message.chat.id, data)  # Yes / No below take over from its Cancel
                question = confirmation(action, request, text, signs_off=app.approvals.signs_off)
                await prompts.remember(state, await message.reply(question, reply_markup=kb.confirm_step(request_id)))
                return
            if action is Action.CORRECT_NUMBER:
                request = await app.approvals.correct_number(actor, request_id, str(data["number"]), text)
            elif action is Action.RETURN_SIGNATURE:  # the step the card showed: a return after it moved is refused
                step = int(data["step"])
                request = await app.approvals.return_signature(actor, request_id, text, step=step)
            else:
                request = await app.approvals.request_info(actor, request_id, text)
        except v.InvalidField as exc:
            await message.reply(t.field_problem(exc) + "\n" + _("Reply again with the reason, or /cancel."))
            return
        except DomainError:
            await state.clear()  # decided meanwhile, or not allowed: the next message is not a reason
            await prompts.close(bot, message.chat.id, data)
            raise
        await state.clear()
        await prompts.close(bot, message.chat.id, data)
        await message.reply(done(request))

    @router.callback_query(Review.confirm, ReviewCB.filter(F.action == ReviewAction.CONFIRM))
    async def confirmed(
        query: CallbackQuery, callback_data: ReviewCB, actor: Actor, app: AppContext, state: FSMContext
    ) -> None:
        data = await state.get_data()
        if data.get("request_id") != callback_data.id:
            await query.answer(_("This button is no longer active."))
            return
        action, text = Action(data["action"]), str(data["reason"])
        try:
            if action is Action.REJECT:
                request = await app.approvals.reject(actor, callback_data.id, text)
            else:
                request = await app.approvals.revoke(actor, callback_data.id, text)
        except DomainError:
            await state.clear()  # decided meanwhile, or no longer allowed: this confirmation is spent
            raise
        await state.clear()
        await query.answer(_("Done."))
        await edit_or_send(query, done(request))

    @router.message(Review.approval_number, is_typed_answer)
    async def approval_number(message: Message, state: FSMContext, actor: Actor, app: AppContext, bot: Bot) -> None:
        data = await state.get_data()
        request_id = int(data["request_id"])
        try:
            request = await app.approvals.approve(actor, request_id, message.text or "")
        except v.InvalidField as exc:
            if app.approvals.issues_numbers:  # the prompt asked for a press, not a number: it stays open
                again = _("Press “Approve and issue the number” above, or Cancel.")
            else:
                again = _("Reply again with the approval number, or press “Approve without a number”.")
            await message.reply(t.field_problem(exc) + "\n" + again)
            return
        except DomainError:
            await state.clear()
            await prompts.close(bot, message.chat.id, data)
            raise
        await state.clear()
        await prompts.close(bot, message.chat.id, data)
        await message.reply(done(request))

    return router
