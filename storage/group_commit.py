"""Group commit: the small writes of many updates, made durable in one transaction.

Each COMMIT is an fsync (synchronous=FULL), so a transaction per update would cost every update one. Updates hand
their writes to their unit of work (``storage/unit.py``), which is flushed here when the update first shows the
user something — so nothing is shown before it is stored — or when the update ends. Every flush requested while a
commit is in progress goes into the next transaction: the statements run on the loop, the COMMIT on the
database's commit thread (``Database.transaction``), and meanwhile the loop collects the next batch.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Sequence

from storage.database import Database, settle
from storage.unit import Op, execute_ops

log = logging.getLogger(__name__)

# Writes left at the end of an update (its reply marked sent, a mark that it was handled) go with the next
# transaction; with none by then, one is made this much later. They are not waited for: an update's end shows the
# user nothing, and a fsync of their own cost each paced update a third of its commits. A crash in between sends
# the last reply again, or hands the update to the inbox replay — as a crash just before their commit did anyway.
SOON_SECONDS = 0.02
RETRY_SECONDS = 1.0


class GroupCommit:
    """Commits queued batches of statements, many callers' batches per transaction (see ``execute_ops`` for
    what callers' statements must be)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._queued: list[tuple[list[Op], asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self.commits = 0  # for tests and benchmarks: how many transactions the batches took

    async def commit(self, ops: Sequence[Op]) -> None:
        """Return once ``ops`` are committed (durably: the database runs synchronous=FULL)."""
        if not ops:
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queued.append((list(ops), done))
        if self._flusher is None or self._flusher.done():
            # a context of its own: the flusher must not take up the unit of the update that happened to start it
            self._flusher = asyncio.create_task(self._flush_all(), context=contextvars.Context())
        await done

    def commit_soon(self, ops: Sequence[Op]) -> None:
        """Store ``ops`` with the next transaction, or within ``SOON_SECONDS`` in one of their own; not waited for."""
        if not ops:
            return
        self.db.ride_along(ops)
        self._sweep_soon()

    def _sweep_soon(self) -> None:
        if self._sweeper is None or self._sweeper.done():
            self._sweeper = asyncio.create_task(self._sweep(), context=contextvars.Context())

    def commit_ahead(self, ops: Sequence[Op]) -> asyncio.Future[None]:
        """Store ``ops`` first in the next transaction (``Database.ride_ahead``), or within ``SOON_SECONDS`` in one
        of their own; the future says when they are stored."""
        done = self.db.ride_ahead(ops)
        self._sweep_soon()
        return done

    async def stored(self) -> None:
        """Wait until what ``commit_soon`` was given is stored (at a stop, and in tests)."""
        while self._sweeper is not None and not self._sweeper.done():
            await asyncio.shield(self._sweeper)

    async def _sweep(self) -> None:
        await asyncio.sleep(SOON_SECONDS)
        while self.db.riders:
            try:
                await self.db.run_transaction(lambda conn: None)  # the riders are all it stores
                self.commits += 1
            except Exception:  # the database stays locked: they wait for the next transaction, or the next try
                log.exception("could not store %d pending writes; trying again", self.db.riders)
                await asyncio.sleep(RETRY_SECONDS)

    async def _flush_all(self) -> None:
        while self._queued:
            batch, self._queued = self._queued, []
            try:
                await self._run([op for ops, _ in batch for op in ops])
            except Exception:  # one bad statement must not fail the others' writes: retry each batch alone
                log.exception("group commit failed; committing its %d batches one by one", len(batch))
                for ops, done in batch:
                    try:
                        await self._run(ops)
                    except Exception as exc:
                        settle(done, exc)
                    else:
                        settle(done)
                continue
            for _, done in batch:
                settle(done)

    async def _run(self, ops: list[Op]) -> None:
        await self.db.run_transaction(lambda conn: execute_ops(conn, ops))
        self.commits += 1
