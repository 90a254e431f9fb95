"""Per-user flood control: a token bucket per user, in bounded memory, checked before any database work.

A user over the limit has their updates dropped (button presses still answered) and is told once to slow down."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update, User
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

log = logging.getLogger(__name__)


@dataclass
class Bucket:
    tokens: float
    stamp: float
    warned: bool = False


class Throttle(BaseMiddleware):
    def __init__(self, i18n: I18n, *, rate: float = 3.0, burst: float = 20.0, max_users: int = 50_000) -> None:
        self.i18n = i18n
        self.rate = rate  # updates per second a user may keep up
        self.burst = burst  # how many may come at once (a form's answers, several documents)
        self.max_users = max_users
        self.buckets: OrderedDict[int, Bucket] = OrderedDict()

    def allow(self, user_id: int, now: float | None = None) -> tuple[bool, bool]:
        """(allowed, tell the user to slow down)."""
        now = time.monotonic() if now is None else now
        bucket = self.buckets.pop(user_id, None) or Bucket(self.burst, now)
        self.buckets[user_id] = bucket  # most recent last: the oldest are evicted first
        if len(self.buckets) > self.max_users:
            self.buckets.popitem(last=False)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * self.rate)
        bucket.stamp = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            return True, False
        tell = not bucket.warned
        bucket.warned = True
        return False, tell

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        allowed, tell = self.allow(user.id)
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
