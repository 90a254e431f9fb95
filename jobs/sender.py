"""Delivers the outbox: in order per chat, paced under Telegram's limits, retried as Telegram asks.

- 429: waits at least ``retry_after`` before that row (and that chat) is tried again.
- 5xx and network errors: exponential backoff, capped.
- 403 (blocked): the chat is marked undeliverable; its messages are given up, no retry loop.
- 400 "group chat was upgraded to a supergroup": the new id is stored and the message goes there.
- 400 too long or unparsable: a short version goes instead (jobs/short_version.py); other 400s are given up.
Delivery is at least once: a crash between sending and marking sent repeats that one message.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, Message

from background import stopped, woken
from handlers.context import AppContext
from handlers.journal import load_call
from handlers.notify import notices_for, render_card
from jobs.card_copies import CardCopies, drawing
from jobs.papers import PaperDesk, PaperFailed, PaperNotReady
from jobs.short_version import send_short_version
from operations import log_context
from storage.ports import Outgoing, Queued
from untrusted.confined import WorkerFailed

log = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 300


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Pacing:
    """Telegram's published limits: ~1 message/s per private chat, 20/min per group, 30/s overall."""

    private_interval: float = 1.0
    group_interval: float = 3.0
    per_second: float = 30.0
    _last: dict[int, float] = field(default_factory=dict)
    _last_any: float = 0.0

    def wait_for(self, chat_id: int) -> float:
        """Seconds until ``chat_id`` may receive again (0: now)."""
        interval = self.private_interval if chat_id > 0 else self.group_interval
        return max(self._last.get(chat_id, -1e9) + interval - time.monotonic(), 0.0)

    async def sent(self, chat_id: int) -> None:
        now = time.monotonic()
        self._last[chat_id] = now
        if len(self._last) > 10_000:  # bounded memory: forget chats not written to lately
            horizon = now - max(self.private_interval, self.group_interval)
            self._last = {c: t for c, t in self._last.items() if t > horizon}
        gap = self._last_any + 1 / self.per_second - now
        self._last_any = now + max(gap, 0)
        if gap > 0:
            await asyncio.sleep(gap)


class OutboxSender:
    def __init__(
        self,
        bot: Bot,
        app: AppContext,
        *,
        pacing: Pacing | None = None,
        idle_seconds: float = 1.0,
        now: Callable[[], datetime] = utc_now,
        papers: PaperDesk | None = None,
    ) -> None:
        self.bot = bot
        self.papers = papers  # written notices (文书); None where WRITTEN_NOTICES is off
        self.app = app
        self.outbox = app.repos.outbox
        self.pacing = pacing or Pacing()
        self.idle_seconds = idle_seconds
        self.now = now  # real time: retry_after is Telegram's clock, not the domain's
        self._task: asyncio.Task[None] | None = None
        self._pass = asyncio.Lock()  # the loop and an explicit flush must not send the same row twice
        self._next_wake = idle_seconds
        self.copies = CardCopies()

    @property
    def wake(self) -> asyncio.Event:
        return self.app.repos.outbox.added

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-sender")

    @property
    def running(self) -> bool:
        """The delivery loop is alive (the health endpoint's readiness check reads this)."""
        return self._task is not None and not self._task.done()

    async def stop(self) -> None:
        task, self._task = self._task, None
        await stopped(task)
        if self.papers is not None:  # after the loop: a render ending now must not wake a loop being cancelled
            await self.papers.stop()

    async def flush(self) -> int:
        """One pass: expand events, then send what is due, each chat in order. Returns messages delivered."""
        async with self._pass:
            self._next_wake = self.idle_seconds
            if not await self.outbox.leading():
                return 0  # another instance sends; this one asks again each idle second, to take over
            rows = await self.outbox.pending()
            events = [row for row in rows if row.message.kind == "event"]
            if events:
                await self.outbox.expand([(row.id, await self._notices(row)) for row in events], self.now())
                rows = await self.outbox.pending()
            return await self._deliver_due(rows)

    async def _deliver_due(self, rows: list[Queued]) -> int:
        delivered = 0
        held: set[int] = set()  # chats whose earlier message is not out yet: keep their order
        undeliverable = await self.app.repos.chats.undeliverable()
        now = self.now()
        for row in rows:
            chat = row.message.chat_id
            if row.message.kind == "event" or chat in held:
                continue
            if chat in undeliverable:
                await self.outbox.give_up(row.id, "chat blocked the bot")
                continue
            wait = self.pacing.wait_for(chat)
            if (row.next_attempt_at is not None and row.next_attempt_at > now) or wait > 0:
                held.add(chat)
                if wait > 0:
                    self._next_wake = min(self._next_wake, wait)
                continue
            with log_context.scope(request=row.message.request_id):  # its lines name the request
                delivered = await self._deliver(row)
            if delivered:
                delivered += 1
                await self.pacing.sent(chat)
            else:
                held.add(chat)
        return delivered

    async def _notices(self, row: Queued) -> list[Outgoing]:
        """The messages an event row stands for (none if the event is gone)."""
        event = await self.app.repos.requests.event(row.event_id or 0)
        if event is None:
            return []
        papers = await self.papers.outgoing(event, row.event_id or 0) if self.papers is not None else []
        return [*await notices_for(self.app, event), *papers]

    async def _run(self) -> None:
        while True:
            try:
                await self.flush()
            except Exception:  # a bad row must not stop delivery of the rest
                log.exception("outbox pass failed")
            await woken(self.wake, self._next_wake)

    async def _send(self, row: Queued) -> bool:
        """Send one row. True when the row was marked sent here (with what it recorded, in one transaction)."""
        m = row.message
        if m.kind == "call":  # a reply journalled by a run that died before sending it
            assert m.method is not None and m.payload is not None
            try:
                result = await self.bot(load_call(m.method, m.payload, m.photo))
            except TelegramBadRequest as exc:
                if "not modified" not in exc.message:
                    raise
                return False
            if m.request_id is not None and isinstance(result, Message):  # a card: the copy sent now is recorded
                await self.app.repos.cards.posted(row.id, m.request_id, result.chat.id, result.message_id, self.now())
                return True
            return False
        if m.kind in ("card", "edit_card"):
            text, markup = await render_card(self.app, m.request_id or 0, m.chat_id)
            drawn = drawing(text, markup)
            if m.kind == "card":
                sent = await self.bot.send_message(m.chat_id, text, reply_markup=markup)
                self.copies.drew(m.chat_id, sent.message_id, drawn)
                await self.app.repos.cards.posted(row.id, m.request_id or 0, m.chat_id, sent.message_id, self.now())
                return True
            if self.copies.shows(m.chat_id, m.edit_message_id or 0, drawn):
                return False  # drawn after the change already: Telegram would refuse the edit as not modified
            # recorded first: a refusal as too long is drawn by the short version; any failure forgets it
            self.copies.drew(m.chat_id, m.edit_message_id or 0, drawn)
            try:
                await self.bot.edit_message_text(
                    text, chat_id=m.chat_id, message_id=m.edit_message_id, reply_markup=markup
                )
            except TelegramBadRequest as exc:
                if "not modified" not in exc.message and "not found" not in exc.message:
                    raise
            return False
        if m.kind == "paper":
            if self.papers is None:
                raise PaperFailed("written notices are off")
            await self.papers.send(self.bot, m)
            return False
        markup_ = InlineKeyboardMarkup.model_validate_json(m.reply_markup) if m.reply_markup else None
        if m.photo is not None:
            await self.bot.send_photo(
                m.chat_id, BufferedInputFile(m.photo, "chart.png"), caption=m.text, reply_markup=markup_
            )
        else:
            await self.bot.send_message(m.chat_id, m.text or "", reply_markup=markup_)
        return False

    async def _send_or_short(self, row: Queued) -> bool:
        """Refused as too long or unparsable: a short version instead (its own failures are handled as any send's).
        True when the row was marked sent here (see ``_send``)."""
        try:
            return await self._send(row)
        except TelegramBadRequest as exc:
            if not await send_short_version(self.bot, self.app, row.id, row.message, exc):
                self.copies.failed(row.message)
                raise
            return row.message.kind == "card"  # a posted card is recorded with its sent mark
        except BaseException:
            self.copies.failed(row.message)
            raise

    async def _deliver(self, row: Queued) -> bool:
        chat = row.message.chat_id
        try:
            marked = await self._send_or_short(row)
        except TelegramRetryAfter as exc:
            await self.outbox.retry_at(row.id, self.now() + timedelta(seconds=exc.retry_after), exc.message)
            return False
        except TelegramMigrateToChat as exc:
            log.warning("chat migrated old=%d new=%d", chat, exc.migrate_to_chat_id)
            await self.app.repos.chats.migrate(chat, exc.migrate_to_chat_id)
            self._next_wake = 0
            return False
        except TelegramForbiddenError as exc:
            log.warning("chat undeliverable chat_id=%d error=%s", chat, exc.message)
            await self.app.repos.chats.mark_undeliverable(chat, exc.message, self.now())
            await self.outbox.give_up(row.id, exc.message)
            return False
        except TelegramBadRequest as exc:
            log.warning("outbox message refused id=%d chat_id=%d error=%s", row.id, chat, exc.message)
            await self.outbox.give_up(row.id, exc.message)
            return False
        except PaperNotReady:
            return False  # rendering: its chat waits, and the render's end wakes the sender
        except PaperFailed as exc:
            log.error("written notice impossible id=%d chat_id=%d error=%s", row.id, chat, exc)
            await self.outbox.give_up(row.id, str(exc))
            return False
        except (TelegramServerError, TelegramNetworkError, TimeoutError, OSError, WorkerFailed) as exc:
            delay = min(2 ** min(row.attempts, 16), MAX_BACKOFF_SECONDS)
            await self.outbox.retry_at(row.id, self.now() + timedelta(seconds=delay), repr(exc))
            return False
        if not marked:
            await self.outbox.mark_sent(row.id, self.now())
        return True
