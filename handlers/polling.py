"""Polling that confirms an update to Telegram only once it is stored, and hands a crashed run's updates back.

aiogram's own loop asks for the next batch (whose offset tells Telegram the last one arrived) while the last
batch's handlers still run: killed then, those updates were confirmed, never stored, never answered. Here each
batch is committed to the inbox first (one transaction per batch, shared with the handlers' writes), and the
inbox is handled again at the next start. Webhook mode stores the same way before answering 200
(``handlers/webhook.py``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import GetUpdates
from aiogram.types import Update
from aiogram.utils.backoff import Backoff, BackoffConfig

from storage.inbox import SqliteInbox

log = logging.getLogger(__name__)
STORE_BACKOFF = BackoffConfig(min_delay=0.5, max_delay=10.0, factor=2.0, jitter=0.1)


def payload(update: Update) -> str:
    return update.model_dump_json(by_alias=True, exclude_unset=True, warnings=False)


class DurableDispatcher(Dispatcher):
    """A ``Dispatcher`` whose polling stores every batch in the inbox before confirming it."""

    def __init__(self, *, inbox: SqliteInbox, **kwargs: Any) -> None:
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
        while True:
            try:
                updates = await bot(get_updates, request_timeout=request_timeout)
                if updates:
                    await self.store(updates)  # only now may the next call's offset confirm them
            except Exception as exc:
                log.error("fetching or storing updates failed, retrying in %.1f s: %s", backoff.next_delay, exc)
                await backoff.asleep()
                continue
            backoff.reset()
            for update in updates:
                yield update
                get_updates.offset = update.update_id + 1
