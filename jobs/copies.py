"""Keeps the bureau's own copy of every document: fetches each pending copy from Telegram and stores it.

A copy to make is a row written with its document (storage/copies.py), so a crash never loses one, and nothing
here holds up a form: the applicant's answer was given before the row was even read. Like the outbox sender:
- 429: tried again after at least ``retry_after``; 5xx, network errors, timeouts, a full disk: later, backing off.
- the file gone from Telegram (400), larger than a bot may fetch, or not the bytes checked at receipt: given up,
  the row kept as failed with the reason (and logged) for the bureau to see.
The download is bounded as every download is (handlers/downloads.py); the bytes are hashed and written, never
opened (storage/blobs.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import aiohttp
from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramRetryAfter

from approvals.models import MAX_ATTACHMENT_BYTES
from approvals.ports import Clock
from background import stopped, woken
from handlers.downloads import FileTooLarge, download_at_most
from operations import log_context
from storage.ports import Blobs, ContentChanged, Copies, PendingCopy

log = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 3600
IDLE_SECONDS = 300.0  # a copy is woken for when its document is stored; this is only the net under that


def utc_now() -> datetime:
    return datetime.now(UTC)


class DocumentCopier:
    def __init__(
        self,
        bot: Bot,
        copies: Copies,
        store: Blobs,
        wake: asyncio.Event,
        clock: Clock,
        *,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self.bot = bot
        self.copies = copies
        self.store = store
        self.wake = wake
        self.clock = clock  # the audit log's time, the domain's
        self.now = now  # retries' time: real time, as Telegram's retry_after is
        self._task: asyncio.Task[None] | None = None
        self._pass = asyncio.Lock()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="document-copier")

    async def stop(self) -> None:
        """A copy cut short here is still pending: the next start makes it."""
        task, self._task = self._task, None
        await stopped(task)

    async def flush(self) -> int:
        """One pass over the copies that are due; returns how many were stored."""
        async with self._pass:
            kept = 0
            for copy in await self.copies.due(self.now()):
                with log_context.scope(request=copy.request_id):  # its lines name the request
                    kept += await self._copy(copy)
            return kept

    async def _run(self) -> None:
        while True:
            try:
                await self.flush()
                wait = await self._until_next()
            except Exception:  # a bad row or a locked database must not stop the copies for good
                log.exception("document copy pass failed")
                wait = IDLE_SECONDS / 10
            await woken(self.wake, wait)

    async def _until_next(self) -> float:
        due = await self.copies.next_attempt()
        if due is None:
            return IDLE_SECONDS
        return min(max((due - self.now()).total_seconds(), 0.0), IDLE_SECONDS)

    async def _copy(self, copy: PendingCopy) -> bool:
        """Fetch, hash, store and record one copy; True when it was stored."""
        aid = copy.attachment_id
        try:
            data = await download_at_most(self.bot, copy.file_id, declared=copy.size, limit=MAX_ATTACHMENT_BYTES)
            digest, written = await asyncio.to_thread(self.store.keep, data, copy.sha256)
        except TelegramRetryAfter as exc:
            await self.copies.retry_at(aid, self.now() + timedelta(seconds=exc.retry_after), exc.message)
            return False
        except TelegramBadRequest as exc:  # the file id is no longer valid, or Telegram will not give it to bots
            return await self._give_up(aid, exc.message)
        except FileTooLarge:
            return await self._give_up(aid, "larger than a bot may fetch")
        except ContentChanged as exc:
            return await self._give_up(aid, f"not the bytes checked at receipt: {exc}")
        except (TelegramAPIError, aiohttp.ClientError, TimeoutError, OSError) as exc:
            delay = min(2 ** min(copy.attempts, 16), MAX_BACKOFF_SECONDS)
            log.warning("document copy failed, retrying attachment_id=%d in=%ds error=%r", aid, delay, exc)
            await self.copies.retry_at(aid, self.now() + timedelta(seconds=delay), repr(exc))
            return False
        await self.copies.kept(copy, sha256=digest, size=len(data), at=self.clock.now())
        log.info("document copy kept attachment_id=%d bytes=%d new_file=%s", aid, len(data), written)
        return True

    async def _give_up(self, attachment_id: int, error: str) -> bool:
        log.warning("document copy impossible attachment_id=%d error=%s", attachment_id, error)
        await self.copies.give_up(attachment_id, error)
        return False
