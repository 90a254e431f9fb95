"""Delivers the outbox: one task, started and stopped with the dispatcher."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup

from approvals.ports import Clock
from storage.outbox import Queued, SqliteOutbox

log = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 300


class OutboxSender:
    def __init__(self, bot: Bot, outbox: SqliteOutbox, clock: Clock, *, idle_seconds: float = 1.0) -> None:
        self.bot = bot
        self.outbox = outbox
        self.clock = clock
        self.idle_seconds = idle_seconds
        self.wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._pass = asyncio.Lock()  # the loop and an explicit flush must not send the same row twice

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-sender")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def flush(self) -> int:
        """Try everything due now once; returns how many were delivered."""
        delivered = 0
        async with self._pass:
            for item in await self.outbox.due(self.clock.now()):
                delivered += await self._deliver(item)
        return delivered

    async def _run(self) -> None:
        while True:
            try:
                await self.flush()
            except Exception:  # a bad row must not stop delivery of the rest
                log.exception("outbox pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), self.idle_seconds)
            self.wake.clear()

    async def _deliver(self, item: Queued) -> int:
        m = item.message
        markup = InlineKeyboardMarkup.model_validate_json(m.reply_markup) if m.reply_markup else None
        try:
            if m.photo is not None:
                await self.bot.send_photo(
                    m.chat_id, BufferedInputFile(m.photo, "chart.png"), caption=m.text, reply_markup=markup
                )
            else:
                await self.bot.send_message(m.chat_id, m.text or "", reply_markup=markup)
        except TelegramRetryAfter as exc:
            await self.outbox.retry_at(item.id, self.clock.now() + timedelta(seconds=exc.retry_after), exc.message)
            return 0
        except (TelegramForbiddenError, TelegramBadRequest) as exc:
            log.warning("outbox message undeliverable id=%d chat_id=%d error=%s", item.id, m.chat_id, exc.message)
            await self.outbox.give_up(item.id, exc.message)
            return 0
        except (TelegramServerError, TelegramNetworkError) as exc:
            delay = min(2**item.attempts, MAX_BACKOFF_SECONDS)
            await self.outbox.retry_at(item.id, self.clock.now() + timedelta(seconds=delay), str(exc))
            return 0
        await self.outbox.mark_sent(item.id, self.clock.now())
        return 1
