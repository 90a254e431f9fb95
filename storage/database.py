"""One SQLite file, three connections: a writer (serialised, BEGIN IMMEDIATE), a point reader and a reader.

The writer is plain sqlite3 on the event loop (``storage/inline.py`` says why): a transaction's statements are
short and run without yielding. Its COMMIT — the fsync, synchronous=FULL — runs on the loop while the disk answers
fast and on a thread of its own while it is slow (``storage/fsync_mode.py``): on a busy disk one fsync took
hundreds of milliseconds, and on the loop that stalled every chat. While a threaded COMMIT runs, the loop goes on:
reads, replies that do not wait on this commit, and the group commit collecting the next batch (pipelined).
No COMMIT checkpoints the WAL: that is done beside them, on a connection and thread of its own (``checkpoint.py``).
Short indexed reads use the point reader, plain sqlite3 on the loop, which sees every committed transaction (WAL)
and never waits for the writer. Long reads (summaries, exports, queue pages) go through the reader, an aiosqlite
connection with its own thread.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar

import aiosqlite

from storage.checkpoint import JOURNAL_SIZE_LIMIT, Checkpointer
from storage.fsync_mode import FsyncMode
from storage.inline import InlineConnection
from storage.migrations import migrate
from storage.reader import SnapshotReader
from storage.unit import Op, execute_ops

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000  # how long a write waits for another process holding the lock before failing
T = TypeVar("T")


class Database:
    def __init__(
        self,
        path: Path,
        writer: InlineConnection,
        points: InlineConnection,
        reader: SnapshotReader,
    ) -> None:
        self.path = path
        self.writer = writer
        self.points = points
        self.reader = reader
        self._write_lock = asyncio.Lock()
        # copies the WAL back into the file, beside the writer's COMMITs
        self.checkpointer = Checkpointer(path, self._write_lock)
        # one thread: commits are serialised by the write lock anyway, and a warm thread answers sooner
        self._fsync = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-commit")
        self.fsync = FsyncMode()
        self._riders: list[Op] = []  # writes no one waits for: they go with the next transaction (ride_along)
        # writes that go first in the next transaction, before any rider, and whose storing is awaited
        # (``ride_ahead``): a fetched batch's inbox rows, stored with the first writes of the updates they carry
        self._ahead: list[Op] = []
        self._ahead_done: list[asyncio.Future[None]] = []
        self.outbox_added = asyncio.Event()  # set after a commit that queued messages: wakes the sender
        self.copies_added = asyncio.Event()  # set after a commit that stored documents: wakes their copier

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        """Open (creating if needed), apply pending migrations, and open the reader."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        # owner-only: the file holds applicants' names and phone numbers (SQLite gives -wal/-shm the same mode)
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
        os.chmod(path, 0o600)
        # migrations may wait for the lock at start-up; afterwards a busy lock is waited for without blocking
        # the writer is used by the loop and, for COMMIT only, by the commit thread: never both at once (the
        # write lock is held from BEGIN to the end of COMMIT)
        writer = InlineConnection(
            sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        )
        points: InlineConnection | None = None
        try:
            for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
                writer.raw.execute(f"PRAGMA {pragma}")
            version = await migrate(writer)
            writer.raw.execute("PRAGMA busy_timeout=0")
            # checkpoints are the checkpointer's (storage/checkpoint.py), not a part of some COMMIT
            writer.raw.execute("PRAGMA wal_autocheckpoint=0")
            writer.raw.execute(f"PRAGMA journal_size_limit={JOURNAL_SIZE_LIMIT}")
            # WAL readers never wait for writers; only a crashed writer's recovery could make them wait, briefly
            points = InlineConnection(sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None))
            points.raw.execute("PRAGMA query_only=ON")
            reader = await aiosqlite.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
            for pragma in (f"busy_timeout={BUSY_TIMEOUT_MS}", "foreign_keys=ON", "query_only=ON"):
                await reader.execute_fetchall(f"PRAGMA {pragma}")
        except BaseException:
            writer.close()
            if points is not None:
                points.close()
            raise
        log.info("database open path=%s schema_version=%d", path, version)
        db = cls(path, writer, points, SnapshotReader(reader))
        db.checkpointer.start()
        return db

    async def close(self) -> None:
        if self._riders or self._ahead:
            try:
                await self.run_transaction(lambda conn: None)
            except sqlite3.Error:
                log.exception("could not store %d pending writes at close", len(self._riders))
        await self.reader.close()
        await self.checkpointer.close()
        async with self._write_lock:
            self.writer.close()
            self.points.close()
        self._fsync.shutdown(wait=True)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[InlineConnection]:
        """A write transaction: one at a time in this process, BEGIN IMMEDIATE against other processes."""
        async with self._write_lock:
            await self._begin()
            riders, self._riders = self._riders, []
            ahead, self._ahead = self._ahead, []
            ahead_done, self._ahead_done = self._ahead_done, []
            ahead_error: sqlite3.Error | None = None
            try:
                # first: they were queued before anything this transaction's caller writes (same row: newest wins)
                ahead_error = self._run_ahead(ahead)
                riders = self._ride(riders)
                yield self.writer
                await self._commit()
            except BaseException:
                if self.writer.in_transaction:
                    self.writer.raw.execute("ROLLBACK")
                self._riders[:0] = riders  # not stored: they go with the next transaction instead
                if ahead_error is None:  # not stored: first in the next transaction instead
                    self._ahead[:0], self._ahead_done[:0] = ahead, ahead_done
                else:
                    _settle_all(ahead_done, ahead_error)
                raise
            _settle_all(ahead_done, ahead_error)

    def _ride(self, riders: list[Op]) -> list[Op]:
        """Run the riders in this transaction; returns those that ran. One that fails — it should not: they are
        idempotent upserts — is dropped with a log line, as a crash would have lost it, rather than failing every
        transaction after it."""
        if not riders:
            return riders
        self.writer.raw.execute("SAVEPOINT riders")
        try:
            execute_ops(self.writer.raw, riders)
        except sqlite3.Error:
            self.writer.raw.execute("ROLLBACK TO riders")
            log.exception("dropped %d pending writes that could not be stored", len(riders))
            riders = []
        self.writer.raw.execute("RELEASE riders")
        return riders

    def _run_ahead(self, ahead: list[Op]) -> sqlite3.Error | None:
        """Run the writes queued by ``ride_ahead``; one that fails fails their waiters, not this transaction."""
        if not ahead:
            return None
        self.writer.raw.execute("SAVEPOINT ahead")
        try:
            execute_ops(self.writer.raw, ahead)
        except sqlite3.Error as exc:
            self.writer.raw.execute("ROLLBACK TO ahead")
            self.writer.raw.execute("RELEASE ahead")
            return exc
        self.writer.raw.execute("RELEASE ahead")
        return None

    def ride_ahead(self, ops: Sequence[Op]) -> asyncio.Future[None]:
        """Writes run first in the next transaction, before the riders; the future is done once they are stored
        (or failed, when a statement of theirs failed). Someone must make that transaction happen
        (``GroupCommit.commit_ahead``)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._ahead.extend(ops)
        self._ahead_done.append(done)
        return done

    def ride_along(self, ops: Sequence[Op]) -> None:
        """Writes no one waits for, stored with the next transaction, whoever's it is (``GroupCommit.commit_soon``
        makes sure there is one). Idempotent upserts or inserts of independent rows only (see ``execute_ops``)."""
        self._riders.extend(ops)

    @property
    def riders(self) -> int:
        return len(self._riders) + len(self._ahead)

    async def run_transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """``work`` (plain sqlite3 calls, nothing else) in one write transaction."""
        async with self.transaction() as conn:
            return work(conn.raw)

    async def _begin(self) -> None:
        """BEGIN IMMEDIATE; while another process holds the write lock, wait on the loop rather than in SQLite."""
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        pause = 0.001
        while True:
            try:
                self.writer.raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY or time.monotonic() + pause > deadline:
                    raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.05)

    async def _commit(self) -> None:
        """COMMIT, inline or on the commit thread (``storage/fsync_mode.py`` says which and why). A caller
        cancelled during a threaded COMMIT still waits for it to finish: the connection and the write lock must
        not be handed on while the thread is using them."""
        if not self.fsync.on_thread:
            started = time.perf_counter()
            self.writer.raw.execute("COMMIT")
            self.fsync.inline_took(time.perf_counter() - started)
            self.checkpointer.committed()
            return
        done = asyncio.get_running_loop().run_in_executor(self._fsync, self._timed_commit)
        cancelled = False
        while not done.done():
            try:
                await asyncio.shield(done)
            except asyncio.CancelledError:
                cancelled = True
        self.fsync.thread_took(done.result())  # raises what COMMIT raised (the caller rolls back)
        self.checkpointer.committed()
        if cancelled:
            raise asyncio.CancelledError

    def _timed_commit(self) -> float:
        """On the commit thread: the COMMIT, and how long the disk took (the hand-off not counted)."""
        started = time.perf_counter()
        self.writer.raw.execute("COMMIT")
        return time.perf_counter() - started

    def poke_outbox(self) -> None:
        self.outbox_added.set()

    def poke_copies(self) -> None:
        self.copies_added.set()

    @asynccontextmanager
    async def point_read(self) -> AsyncIterator[InlineConnection]:
        """Short indexed reads on the loop. They see what is committed, never a transaction still in progress
        (nor one whose COMMIT is still on the commit thread), and never wait for the write lock."""
        yield self.points

    async def integrity_check(self) -> str:
        async with self.reader.execute("PRAGMA integrity_check") as cursor:
            row = await cursor.fetchone()
        return str(row[0]) if row else "no answer"


def _settle_all(waiters: list[asyncio.Future[None]], error: BaseException | None) -> None:
    for done in waiters:
        settle(done, error)


def settle(done: asyncio.Future[None], error: BaseException | None = None) -> None:
    """A waiter may have been cancelled (a task stopped while its writes were in a batch): skip it, and let the
    batch's other waiters have their answer."""
    if done.done():
        return
    if error is None:
        done.set_result(None)
    else:
        done.set_exception(error)
