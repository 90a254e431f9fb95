"""Per-update writes on PostgreSQL: the unit of work's committer (``storage.ports.Committer``), one transaction per
call for now. SQLite's group commit shares a transaction among many updates; here each commit is its own, so a
commit that fails takes only its own writes with it (a rival instance's mark of the same update fails exactly the
loser's unit, ``storage/postgres/updates.py``). Grouping commits across updates can come later behind this class.

Writes not waited for (``commit_soon``) are stored one batch after another by one worker, in the order given, and a
waited commit goes after those queued before it: as on SQLite, where they lead the next transaction. Stored as
tasks of their own, a retried older batch (form state, say) could land after, and overwrite, a newer one."""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections import deque
from collections.abc import Coroutine, Sequence
from contextlib import suppress
from itertools import groupby
from typing import Any

import asyncpg

from storage.ports import Op

log = logging.getLogger(__name__)
RETRY_SECONDS = 1.0
SOON_ATTEMPTS = 30


class PostgresCommitter:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self._ahead: set[asyncio.Task[None]] = set()
        self._soon: set[asyncio.Task[None]] = set()
        self._queued: deque[list[Op]] = deque()  # commit_soon's batches, oldest first
        self._worker: asyncio.Task[None] | None = None

    async def commit(self, ops: Sequence[Op]) -> None:
        """Return once ``ops`` are committed, in one transaction, after the rows ``commit_ahead`` was given."""
        if not ops:
            return
        await self._after_ahead()
        await self._after_soon()
        await self._transaction(ops)

    def commit_soon(self, ops: Sequence[Op]) -> None:
        """Commit ``ops`` in the background, not waited for (``stored`` waits). A write a constraint refuses is
        dropped with the rest of its transaction (a rival instance handled the update); other failures are
        retried."""
        if not ops:
            return
        self._queued.append(list(ops))
        if self._worker is None or self._worker.done():
            self._worker = self._spawn(self._soon, self._drain())

    def commit_ahead(self, ops: Sequence[Op]) -> asyncio.Future[None]:
        """Commit ``ops`` at once, before any commit asked for after this call; the future says when they are
        stored, or why not (nothing retries them: the caller does)."""
        return self._spawn(self._ahead, self._transaction(list(ops)))

    async def stored(self) -> None:
        """Wait until what ``commit_soon`` and ``commit_ahead`` were given is stored or given up (a stop, tests)."""
        while self._soon or self._ahead:
            await asyncio.gather(*self._soon, *self._ahead, return_exceptions=True)

    async def _after_ahead(self) -> None:
        # rows stored ahead lead: the update's mark deletes its inbox row, which must exist by then
        for waiting in list(self._ahead):
            with suppress(Exception):
                await asyncio.shield(waiting)

    async def _after_soon(self) -> None:
        worker = self._worker
        if worker is not None and not worker.done():
            with suppress(Exception):
                await asyncio.shield(worker)

    async def _drain(self) -> None:
        while self._queued:
            await self._keep_trying(self._queued[0])  # retried in place: nothing queued after it overtakes it
            self._queued.popleft()

    async def _transaction(self, ops: Sequence[Op]) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            for sql, group in groupby(ops, key=lambda op: op[0]):  # the given order: an insert before its delete
                await conn.executemany(sql, [params for _, params in group])

    async def _keep_trying(self, ops: list[Op]) -> None:
        await self._after_ahead()
        for attempt in range(SOON_ATTEMPTS):
            try:
                await self._transaction(ops)
                return
            except asyncpg.IntegrityConstraintViolationError as exc:
                log.warning("pending writes refused, dropped count=%d: %s", len(ops), exc)
                return
            except Exception as exc:
                log.warning("could not store pending writes count=%d attempt=%d: %s", len(ops), attempt, exc)
                await asyncio.sleep(RETRY_SECONDS)
        log.error("pending writes given up count=%d", len(ops))

    def _spawn(self, tasks: set[asyncio.Task[None]], work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        # a context of its own: the task must not take up the unit of the update that started it
        task = asyncio.create_task(work, context=contextvars.Context())
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        return task
