"""Card copies the bot sent but never recorded are adopted when someone presses one of their buttons.

Sending a card and recording its message id cannot be one step: killed in between, the copy is on screen but
unknown, so later changes would not redraw it. Its buttons are the marker: a press on a message that carries a
card's Reject button for request N is a press on a card of N. If that message is not on record it is recorded,
and redrawn to the request's state, before the press is handled — so from then on every change redraws it too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject

from handlers.callbacks import ReviewAction, ReviewCB
from handlers.context import AppContext

CARD_ACTIONS = frozenset({ReviewAction.CLAIM, ReviewAction.RELEASE, ReviewAction.APPROVE, ReviewAction.INFO})


def card_request(query: CallbackQuery) -> int | None:
    """The request whose card was pressed, if the pressed message is a card (has that request's Reject button)."""
    data = query.data or ""
    if not data.startswith(f"{ReviewCB.__prefix__}:") or not isinstance(query.message, Message):
        return None
    try:
        pressed = ReviewCB.unpack(data)
    except (TypeError, ValueError):
        return None
    if pressed.action not in CARD_ACTIONS and pressed.action is not ReviewAction.REJECT:
        return None
    marker = ReviewCB(action=ReviewAction.REJECT, id=pressed.id).pack()
    markup = query.message.reply_markup
    buttons = markup.inline_keyboard if markup is not None else []
    return pressed.id if any(b.callback_data == marker for row in buttons for b in row) else None


class AdoptCards(BaseMiddleware):
    """Callback-query middleware for the reviewers' router (see the module docstring)."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, CallbackQuery)
        request_id = card_request(event)
        if request_id is not None and isinstance(event.message, Message):
            app: AppContext = data["app"]
            chat, message = event.message.chat.id, event.message.message_id
            if not await app.repos.cards.known(request_id, chat, message):
                await app.repos.cards.adopt(request_id, chat, message, app.approvals.clock.now())
        return await handler(event, data)
