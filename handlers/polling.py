"""Polling that confirms an update to Telegram only once it is stored, and hands a crashed run's updates back.

aiogram's own loop asks for the next batch (whose offset tells Telegram the last one arrived) while the last
batch's handlers still run: killed then, those updates were confirmed, never stored, never answered. Here each
batch goes to the inbox first: its rows lead the next transaction — the one that stores the first writes of the
updates it carries, so handling does not wait for a commit of its own — and the next ``getUpdates`` waits until
that transaction is committed. What the inbox holds unhandled is handled again at the next start. Webhook mode
stores in a transaction of its own before answering 200 (``handlers/webhook.py``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramConflictError
from aiogram.methods import GetUpdates
from aiogram.types import Update
from aiogram.utils.backoff import Backoff, BackoffConfig

from storage.ports import Inbox

log = logging.getLogger(__name__)
STORE_BACKOFF = BackoffConfig(min_delay=0.5, max_delay=10.0, factor=2.0, jitter=0.1)


def payload(update: Update) -> str:
    return update.model_dump_json(by_alias=True, exclude_unset=True, warnings=False)


class DurableDispatcher(Dispatcher):
    """A ``Dispatcher`` whose polling stores every batch in the inbox before confirming it."""

    def __init__(self, *, inbox: Inbox, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.inbox = inbox

    async def store(self, updates: list[Update]) -> None:
        await self.inbox.store([(u.update_id, payload(u)) for u in updates], datetime.now(UTC))

    async def replay_inbox(self, bot: Bot) -> int:
        """Handle, in order, what a previous run stored but did not finish. Run before polling or the webhook
        starts, so an update Telegram delivers again is already marked handled and is skipped."""
        pending = await self.inbox.unhandled()
        for update_id, text in pending:
            try:
                update = Update.model_validate_json(text, context={"bot": bot})
            except ValueError:
                log.error("inbox update unreadable update_id=%d", update_id)
                continue
            await self.feed_update(bot, update)
        if pending:
            log.info("inbox replayed updates=%d", len(pending))
        return len(pending)

    async def _listen_updates(  # type: ignore[override]  # aiogram's is a classmethod; this one needs the inbox
        self,
        bot: Bot,
        polling_timeout: int = 30,
        backoff_config: BackoffConfig = STORE_BACKOFF,
        allowed_updates: list[str] | None = None,
    ) -> AsyncGenerator[Update, None]:
        backoff = Backoff(config=backoff_config)
        get_updates = GetUpdates(timeout=polling_timeout, allowed_updates=allowed_updates)
        # wait longer than the long poll itself, so an empty poll is not taken for a timeout
        request_timeout = int(bot.session.timeout + polling_timeout) if bot.session.timeout else None
        updates: list[Update] = []
        stored: asyncio.Future[None] | None = None  # the last batch's inbox rows
        while True:
            try:
                if stored is not None:
                    await self._stored(stored, updates)  # only now may the next call's offset confirm them
                    stored = None
                updates = await bot(get_updates, request_timeout=request_timeout)
            except TelegramConflictError as exc:  # the operator must stop the other instance (or the webhook)
                log.error("another instance polls with this token, retrying in %.1f s: %s", backoff.next_delay, exc)
                await backoff.asleep()
                continue
            except Exception as exc:
                log.error("fetching or storing updates failed, retrying in %.1f s: %s", backoff.next_delay, exc)
                await backoff.asleep()
                continue
            backoff.reset()
            if updates:
                # no handler of the batch can store anything before these rows: they lead the next transaction
                stored = self.inbox.store_ahead([(u.update_id, payload(u)) for u in updates], datetime.now(UTC))
            for update in updates:
                yield update
                get_updates.offset = update.update_id + 1

    async def _stored(self, stored: asyncio.Future[None], updates: list[Update]) -> None:
        """Wait for a batch's inbox rows; if they could not be stored, store them in a transaction of their own
        (retried by the caller's backoff until they are: the offset must not move on first)."""
        try:
            await stored
        except Exception:
            log.exception("inbox rows not stored with the batch's writes; storing them again")
            await self.store(updates)
