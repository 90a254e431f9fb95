"""Group commit: the small writes of many updates, made durable in one transaction.

Each COMMIT is an fsync (synchronous=FULL), so a transaction per update would cost every update one. Updates hand
their writes (form state, the processed update id, the reply about to be sent) to a ``WriteUnit``; the unit is
flushed when the update first shows the user something — so nothing is shown before it is stored — or when the
update ends. Every flush requested while a commit is in progress goes into the next transaction: the statements
run on the loop, the COMMIT on the database's commit thread (``Database.transaction``), and meanwhile the loop
collects the next batch.

A unit whose flush fails undoes what it had already shown to this process (cached form state, remembered update
ids): the caches return to what is committed, so a retried answer is read against the state the database has.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Sequence
from contextvars import ContextVar, Token
from itertools import groupby
from typing import Any

from storage.database import Database

log = logging.getLogger(__name__)

Op = tuple[str, Sequence[Any]]


class GroupCommit:
    """Commits queued batches of statements, many callers' batches per transaction.

    Contract for callers: statements are idempotent upserts or inserts of independent rows, so statements with
    different SQL may be reordered (they are grouped into one ``executemany`` each); statements with the same SQL
    keep their order.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._queued: list[tuple[list[Op], asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self.commits = 0  # for tests and benchmarks: how many transactions the batches took

    async def commit(self, ops: Sequence[Op]) -> None:
        """Return once ``ops`` are committed (durably: the database runs synchronous=FULL)."""
        if not ops:
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queued.append((list(ops), done))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_all())
        await done

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
                        _settle(done, exc)
                    else:
                        _settle(done)
                continue
            for _, done in batch:
                _settle(done)

    async def _run(self, ops: list[Op]) -> None:
        ordered = sorted(ops, key=lambda op: op[0])  # stable: same-SQL statements keep their order
        statements = [(sql, [params for _, params in group]) for sql, group in groupby(ordered, key=lambda op: op[0])]

        def work(conn: sqlite3.Connection) -> None:
            for sql, rows in statements:
                conn.executemany(sql, rows)

        await self.db.run_transaction(work)
        self.commits += 1


def _settle(done: asyncio.Future[None], error: BaseException | None = None) -> None:
    """A waiter may have been cancelled (a task stopped while its writes were in a batch): skip it, and let the
    batch's other waiters have their answer."""
    if done.done():
        return
    if error is None:
        done.set_result(None)
    else:
        done.set_exception(error)


Undo = Callable[[], None]


class WriteUnit:
    """One update's pending writes. A write given a ``key`` replaces the pending write with the same key (a form
    step sets its data and then its state: one upsert of the row reaches the database, not two). A write may bring
    an ``undo``: what to do to this process's caches if the write is never committed."""

    def __init__(self, committer: GroupCommit) -> None:
        self.committer = committer
        self._ops: dict[object, Op] = {}
        self._undo: list[Undo] = []

    def add(self, sql: str, params: Sequence[Any], key: object = None, undo: Undo | None = None) -> None:
        self._ops[key if key is not None else object()] = (sql, params)
        if undo is not None:
            self._undo.append(undo)

    @property
    def pending(self) -> bool:
        return bool(self._ops)

    async def flush(self) -> None:
        if not self._ops:
            return
        ops, self._ops = list(self._ops.values()), {}
        undo, self._undo = self._undo, []
        try:
            await self.committer.commit(ops)
        except BaseException:
            for step in undo:  # also when cancelled: the commit may or may not happen, and a cache re-read is safe
                step()
            raise


_current: ContextVar[WriteUnit | None] = ContextVar("green_channel_write_unit", default=None)


def current_unit() -> WriteUnit | None:
    """The unit of the update being handled in this task, if any."""
    return _current.get()


class UnitOfWork:
    """Collect the writes made inside; flush them at the end, also when the handler failed.

    A class rather than ``@asynccontextmanager``: it is entered for every update, and the generator-based
    version cost about as much as the rest of the ledger's work."""

    def __init__(self, committer: GroupCommit) -> None:
        self.unit = WriteUnit(committer)
        self._token: Token[WriteUnit | None] | None = None

    async def __aenter__(self) -> WriteUnit:
        self._token = _current.set(self.unit)
        return self.unit

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._token is not None
        _current.reset(self._token)
        await self.unit.flush()


async def write(
    committer: GroupCommit, sql: str, params: Sequence[Any], key: object = None, undo: Undo | None = None
) -> None:
    """Into the current update's unit if there is one (``key``, ``undo``: see ``WriteUnit``), else committed now
    (with whatever else is queued)."""
    unit = current_unit()
    if unit is not None:
        unit.add(sql, params, key, undo)
        return
    try:
        await committer.commit([(sql, params)])
    except BaseException:
        if undo is not None:
            undo()
        raise
