"""Reviewers' queue: /queue [N] with a button to open or claim each request, /next, /claim N, /release N, /stats."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramForbiddenError
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from approvals import validation as v
from approvals.models import Actor
from approvals.service import ensure_reviewer
from handlers import args, notice_views, views
from handlers import keyboards as kb
from handlers import texts as t
from handlers.callbacks import QueueAction, QueueItemCB, QueuePageCB
from handlers.context import AppContext
from handlers.notify import send_card
from handlers.replies import edit_or_send
from reports.summary import render


async def queue_message(app: AppContext, actor: Actor, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    result = await notice_views.queue_with_notices(app, await app.approvals.queue_page(actor, page=page))
    return t.chunks(views.queue_page(result))[0], kb.queue(result)


def build_router() -> Router:
    router = Router(name="queue")

    @router.message(Command("queue"))
    async def queue(message: Message, command: CommandObject, actor: Actor, app: AppContext) -> None:
        page = 1
        if command.args and command.args.strip():
            number = v.parse_number(command.args.strip(), high=v.MAX_REQUEST_NUMBER)
            if number is None:
                ensure_reviewer(actor, "queue")  # strangers learn nothing, not even the usage line
                await message.answer(_("Send a page number, e.g. /queue 2"))
                return
            page = number
        text, markup = await queue_message(app, actor, page - 1)  # a page past the end shows the last one
        await message.answer(text, reply_markup=markup)

    @router.callback_query(QueuePageCB.filter())
    async def queue_page(query: CallbackQuery, callback_data: QueuePageCB, actor: Actor, app: AppContext) -> None:
        text, markup = await queue_message(app, actor, callback_data.page)
        await query.answer()
        await edit_or_send(query, text, markup)

    @router.callback_query(QueueItemCB.filter(F.action == QueueAction.OPEN))
    async def open_card(
        query: CallbackQuery, callback_data: QueueItemCB, actor: Actor, app: AppContext, bot: Bot
    ) -> None:
        ensure_reviewer(actor, "open_card")
        await app.approvals.view(actor, callback_data.id)  # a number that does not exist is refused here
        try:
            await send_card(bot, app, callback_data.id, actor.user_id)  # into the reviewer's private chat
        except TelegramForbiddenError:
            await query.answer(_("Start a private chat with the bot first, then press again."), show_alert=True)
            return
        in_private = query.message is not None and query.message.chat.id == actor.user_id
        await query.answer(_("Shown below.") if in_private else _("The card is in your private chat with the bot."))

    @router.callback_query(QueueItemCB.filter(F.action == QueueAction.CLAIM))
    async def claim_from_list(query: CallbackQuery, callback_data: QueueItemCB, actor: Actor, app: AppContext) -> None:
        await app.approvals.claim(actor, callback_data.id)
        await query.answer(_("Claimed: it is yours to decide."))
        text, markup = await queue_message(app, actor, callback_data.page)  # the list now shows 🔒 and your name
        await edit_or_send(query, text, markup)

    @router.message(Command("claim"))
    async def claim(message: Message, command: CommandObject, actor: Actor, app: AppContext, bot: Bot) -> None:
        number = args.request_number(command.args or "")
        if number is None:
            ensure_reviewer(actor, "claim")
            await message.answer(_("Send the request number, e.g. /claim 12"))
            return
        await app.approvals.claim(actor, number)
        await send_card(bot, app, number, message.chat.id)

    @router.message(Command("release"))
    async def release(message: Message, command: CommandObject, actor: Actor, app: AppContext) -> None:
        number = args.request_number(command.args or "")
        if number is None:
            ensure_reviewer(actor, "release")
            await message.answer(_("Send the request number, e.g. /release 12"))
            return
        request = await app.approvals.release(actor, number)
        await message.answer(_("#{id} is released back to the queue.").format(id=request.id))

    @router.message(Command("next"))
    async def next_(message: Message, actor: Actor, app: AppContext, bot: Bot) -> None:
        """A received request to check comes first (its card: accept or list what is missing), else a claim."""
        request = await app.approvals.next_to_check(actor) or await app.approvals.claim_next(actor)
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
