"""Reviewers: request cards' buttons, reasons and approval numbers, /queue, /next, /stats."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from approvals import validation as v
from approvals.models import Actor
from approvals.service import ensure_reviewer
from approvals.states import Action
from handlers import keyboards as kb
from handlers import texts as t
from handlers import views
from handlers.callbacks import QueuePageCB, ReviewAction, ReviewCB
from handlers.cards import AdoptCards
from handlers.context import AppContext
from handlers.filters import is_typed_answer
from handlers.notify import send_card
from handlers.replies import ChatTarget, edit_or_send
from handlers.states import Review
from jobs.summary import render

PROMPTED = {
    ReviewAction.APPROVE: Action.APPROVE,
    ReviewAction.INFO: Action.REQUEST_INFO,
    ReviewAction.REJECT: Action.REJECT,
}


async def queue_message(app: AppContext, actor: Actor, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    result = await app.approvals.queue_page(actor, page=page)
    text = t.chunks(views.queue_page(result))[0]
    return text, kb.queue_pages(result.page, result.pages)


def build_router() -> Router:
    router = Router(name="reviewer")
    router.callback_query.middleware(AdoptCards())  # a card copy sent but never recorded is recorded when pressed

    @router.callback_query(ReviewCB.filter(F.action.in_({ReviewAction.CLAIM, ReviewAction.RELEASE})))
    async def claim_or_release(
        query: CallbackQuery, callback_data: ReviewCB, actor: Actor, app: AppContext, bot: Bot
    ) -> None:
        if callback_data.action is ReviewAction.CLAIM:
            await app.approvals.claim(actor, callback_data.id)
            await query.answer(_("Claimed: it is yours to decide."))
        else:
            await app.approvals.release(actor, callback_data.id)
            await query.answer(_("Released back to the queue."))

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
        request = await app.approvals.check(actor, callback_data.id, action)  # refuse now, not after typing
        await query.answer()
        await state.set_state(Review.approval_number if action is Action.APPROVE else Review.reason)
        await state.update_data(request_id=request.id, action=action.value)
        mention = t.escape(actor.name)
        if action is Action.APPROVE:
            text = _(
                "{name}: reply to this message with the approval number (批复文号) for #{id}, or press the button."
            ).format(name=mention, id=request.id)
            markup = kb.approve_prompt(request.id)
        else:
            text = _("{name}: reply to this message with the reason for #{id}.").format(name=mention, id=request.id)
            markup = kb.cancel_review(request.id)
        await ChatTarget.of(query, bot).answer(text, markup)

    @router.callback_query(ReviewCB.filter(F.action == ReviewAction.APPROVE_NOW))
    async def approve_now(
        query: CallbackQuery, callback_data: ReviewCB, actor: Actor, app: AppContext, state: FSMContext, bot: Bot
    ) -> None:
        request = await app.approvals.approve(actor, callback_data.id)
        await state.clear()
        await query.answer(_("Approved."))
        await edit_or_send(query, _("✅ #{id} approved.").format(id=request.id))

    @router.callback_query(ReviewCB.filter(F.action == ReviewAction.CANCEL))
    async def cancel(query: CallbackQuery, state: FSMContext) -> None:
        await state.clear()
        await query.answer(_("Cancelled."))
        await edit_or_send(query, _("Cancelled."))

    @router.message(Review.reason, is_typed_answer)
    async def reason(message: Message, state: FSMContext, actor: Actor, app: AppContext, bot: Bot) -> None:
        data = await state.get_data()
        request_id, action = int(data["request_id"]), Action(data["action"])
        try:
            if action is Action.REJECT:
                request = await app.approvals.reject(actor, request_id, message.text or "")
            else:
                request = await app.approvals.request_info(actor, request_id, message.text or "")
        except v.InvalidField as exc:
            await message.reply(t.field_problem(exc) + "\n" + _("Reply again with the reason, or /cancel."))
            return
        await state.clear()
        await message.reply(_("Done: #{id} is now {status}.").format(id=request.id, status=t.status(request.status)))

    @router.message(Review.approval_number, is_typed_answer)
    async def approval_number(message: Message, state: FSMContext, actor: Actor, app: AppContext, bot: Bot) -> None:
        request_id = int((await state.get_data())["request_id"])
        try:
            request = await app.approvals.approve(actor, request_id, message.text or "")
        except v.InvalidField as exc:
            await message.reply(t.field_problem(exc))
            return
        await state.clear()
        await message.reply(_("Done: #{id} is now {status}.").format(id=request.id, status=t.status(request.status)))

    @router.message(Command("queue"))
    async def queue(message: Message, actor: Actor, app: AppContext) -> None:
        text, markup = await queue_message(app, actor, 0)
        await message.answer(text, reply_markup=markup)

    @router.callback_query(QueuePageCB.filter())
    async def queue_page(query: CallbackQuery, callback_data: QueuePageCB, actor: Actor, app: AppContext) -> None:
        text, markup = await queue_message(app, actor, callback_data.page)
        await query.answer()
        await edit_or_send(query, text, markup)

    @router.message(Command("next"))
    async def next_(message: Message, actor: Actor, app: AppContext, bot: Bot) -> None:
        request = await app.approvals.claim_next(actor)
        if request is None:
            await message.answer(_("Nothing is waiting. Well done."))
            return
        await send_card(bot, app, request.id, message.chat.id)

    @router.message(Command("stats"))
    async def stats(message: Message, actor: Actor, app: AppContext) -> None:
        ensure_reviewer(actor, "stats")
        for item in await render(app, await app.figures(), app.i18n.current_locale, with_charts=False):
            await message.answer(item.text or "")

    return router
