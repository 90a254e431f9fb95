"""Per-update context: who is acting (roles read server-side every time) and in which language."""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable
from functools import cache
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update, User
from aiogram.utils.i18n.middleware import SimpleI18nMiddleware
from babel import Locale, UnknownLocaleError

from approvals.models import Actor
from coordination import Coordination
from handlers.context import AppContext
from storage.ports import StorageBusy

log = logging.getLogger(__name__)
SETTLE_ATTEMPTS = 60
SETTLE_PAUSE_SECONDS = 1.0


class UpdateLedger(BaseMiddleware):
    """Skips updates handled before (redelivered after a crash) and counts handlers in flight, so a stop can
    let them finish."""

    def __init__(self, app: AppContext, claims: Coordination) -> None:
        self.app = app
        self.claims = claims  # with several instances, one of them takes each update
        self.in_flight = 0
        self._settling: set[asyncio.Task[None]] = set()
        self.idle = asyncio.Event()
        self.idle.set()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, Update)
        updates = self.app.repos.updates
        if await updates.seen(event.update_id):
            await updates.skipped(event.update_id)
            return None
        if not await self.claims.claim_update(event.update_id):
            return None  # handled meanwhile, here or by another instance (a redelivery raced the first)
        self.in_flight += 1
        self.idle.clear()
        try:
            async with self.app.repos.units.begin():  # the update's small writes, group-committed
                # recorded in the same transaction as the update's first writes: a crash cannot leave a form
                # moved on by an update that is then delivered again and read as the answer to the next question
                await updates.record(event.update_id, self.app.approvals.clock.now())
                try:
                    return await handler(event, data)
                finally:
                    if not updates.recorded(event.update_id):
                        # a commit failed and the user was told nothing changed: the update is done with all
                        # the same, and must not come back from the inbox at the next start
                        self._settle_later(event.update_id)
        finally:
            await self.claims.update_done(event.update_id)
            self.in_flight -= 1
            if self.in_flight == 0:
                self.idle.set()

    def _settle_later(self, update_id: int) -> None:
        task = asyncio.create_task(self._settle(update_id), context=contextvars.Context())
        self._settling.add(task)
        task.add_done_callback(self._settling.discard)

    async def _settle(self, update_id: int) -> None:
        """Mark an update handled outside its unit, retrying while the database stays locked."""
        for attempt in range(SETTLE_ATTEMPTS):
            try:
                await self.app.repos.updates.settle(update_id, self.app.approvals.clock.now())
                return
            except StorageBusy as exc:
                log.warning("could not mark update handled update_id=%d attempt=%d: %s", update_id, attempt, exc)
                await asyncio.sleep(SETTLE_PAUSE_SECONDS)

    async def drain(self, timeout: float) -> bool:
        """Wait for handlers in flight to finish, at most ``timeout`` seconds; False if some did not."""
        try:
            await asyncio.wait_for(self.idle.wait(), timeout)
        except TimeoutError:
            log.warning("stopping with handlers still running count=%d", self.in_flight)
            return False
        return True


class ActorMiddleware(BaseMiddleware):
    """Adds ``actor``: the user with the roles the bureau gave them. One indexed read, no writes."""

    def __init__(self, app: AppContext) -> None:
        self.app = app

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None or user.is_bot:
            return None  # channel posts and the like: nothing for us to do
        data["actor"] = await self.app.admin.actor(user.id, user.full_name)
        return await handler(event, data)


class LocaleMiddleware(SimpleI18nMiddleware):
    """The language chosen with /lang, else the Telegram app's language, else the bureau's default.

    The app's language is remembered for people on record when it changes, so messages sent to them later from
    the outbox (a card handed to a reviewer, a reminder, a decision) are in it too."""

    def __init__(self, app: AppContext) -> None:
        super().__init__(app.i18n)
        self.app = app

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        actor: Actor | None = data.get("actor")
        if actor is not None and actor.locale in self.i18n.available_locales:
            return actor.locale
        user: User | None = data.get("event_from_user")
        locale = self._from_app(user.language_code if user else None)
        if actor is not None and user is not None and user.language_code:
            await self.app.admin.notice_language(actor, locale)
        return locale

    @cache  # noqa: B019 — a handful of language codes; the middleware lives as long as the bot
    def _from_app(self, language_code: str | None) -> str:
        """The Telegram app's language, if we have it (babel parses the code: worth doing once per code)."""
        if language_code:
            try:
                language = Locale.parse(language_code, sep="-").language
            except (UnknownLocaleError, ValueError):
                language = ""
            for locale in self.i18n.available_locales:
                if locale.split("_")[0] == language:
                    return locale
        return self.i18n.default_locale
