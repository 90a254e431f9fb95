"""A card's "Details": every field of the request in full, as continuation messages in the presser's private chat
(a card in the reviewers' group is seen by all of them; an applicant's data goes only to who asks for it)."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _

from approvals.models import Actor
from handlers import card
from handlers import texts as t
from handlers.callbacks import DetailsCB
from handlers.context import AppContext
from handlers.replies import ChatTarget


def build_router() -> Router:
    router = Router(name="details")

    @router.callback_query(DetailsCB.filter())
    async def request_details(
        query: CallbackQuery, callback_data: DetailsCB, actor: Actor, app: AppContext, bot: Bot
    ) -> None:
        view = await app.approvals.view(actor, callback_data.id)  # one's own request, or any for reviewers
        code = view.request.key_code
        project = await app.repos.key_projects.known(code) if code else None
        private = ChatTarget(bot, query.from_user.id)
        try:
            for text in t.chunks(card.details(view, project=project)):
                await private.answer(text)
        except (TelegramForbiddenError, TelegramBadRequest) as exc:  # no private chat with the bot (yet)
            if isinstance(exc, TelegramBadRequest) and "chat not found" not in exc.message:
                raise
            await query.answer(
                _("I cannot write to you yet: open a private chat with me, press Start, then press Details again."),
                show_alert=True,
            )
            return
        pressed_in_private = query.message is not None and query.message.chat.id == query.from_user.id
        await query.answer(None if pressed_in_private else _("Sent to your private chat with me."))

    return router
