"""Per-user flood control: a token bucket per user (``coordination``), checked before any database work.

A user over the limit has their updates dropped (button presses still answered) and is told once to slow down."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update, User
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from coordination import TokenBuckets

log = logging.getLogger(__name__)


class Throttle(BaseMiddleware):
    def __init__(self, i18n: I18n, buckets: TokenBuckets) -> None:
        self.i18n = i18n
        self.buckets = buckets  # this process's memory, or shared by every instance (coordination/)

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        allowed, tell = await self.buckets.take(user.id)
        if allowed:
            return await handler(event, data)
        assert isinstance(event, Update)
        locale = "en" if (user.language_code or "").startswith("en") else self.i18n.default_locale
        with self.i18n.context(), self.i18n.use_locale(locale):
            text = _("Too many messages at once. Please slow down and try again in a moment.")
        if event.callback_query is not None:
            await event.callback_query.answer(text if tell else None)
        elif tell and event.message is not None:
            await event.message.answer(text)
        if tell:
            log.warning("throttled user_id=%d", user.id)
        return None
