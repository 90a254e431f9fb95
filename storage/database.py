"""One SQLite file, two connections: a writer (serialised, BEGIN IMMEDIATE) and a read-only reader.

The writer is plain sqlite3 on the event loop (``storage/inline.py`` says why): its transactions are short and
run without yielding. Long reads (summaries, exports, queue pages) go through the reader, an aiosqlite
connection with its own thread; WAL lets it run beside the writer without blocking it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar

import aiosqlite

from storage.inline import InlineConnection
from storage.migrations import migrate

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000  # how long a write waits for another process holding the lock before failing
T = TypeVar("T")


class Database:
    def __init__(self, path: Path, writer: InlineConnection, reader: aiosqlite.Connection) -> None:
        self.path = path
        self.writer = writer
        self.reader = reader
        self._write_lock = asyncio.Lock()
        self.outbox_added = asyncio.Event()  # set after a commit that queued messages: wakes the sender

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        """Open (creating if needed), apply pending migrations, and open the reader."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        # owner-only: the file holds applicants' names and phone numbers (SQLite gives -wal/-shm the same mode)
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
        os.chmod(path, 0o600)
        # migrations may wait for the lock at start-up; afterwards a busy lock is waited for without blocking
        writer = InlineConnection(sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000))
        try:
            for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
                writer.raw.execute(f"PRAGMA {pragma}")
            version = await migrate(writer)
            writer.raw.execute("PRAGMA busy_timeout=0")
            reader = await aiosqlite.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
            for pragma in (f"busy_timeout={BUSY_TIMEOUT_MS}", "foreign_keys=ON", "query_only=ON"):
                await reader.execute(f"PRAGMA {pragma}")
        except BaseException:
            writer.close()
            raise
        log.info("database open path=%s schema_version=%d", path, version)
        return cls(path, writer, reader)

    async def close(self) -> None:
        await self.reader.close()
        async with self._write_lock:
            self.writer.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[InlineConnection]:
        """A write transaction: one at a time in this process, BEGIN IMMEDIATE against other processes."""
        async with self._write_lock:
            await self._begin()
            try:
                yield self.writer
                self.writer.raw.execute("COMMIT")
            except BaseException:
                if self.writer.in_transaction:
                    self.writer.raw.execute("ROLLBACK")
                raise

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

    def poke_outbox(self) -> None:
        self.outbox_added.set()

    @asynccontextmanager
    async def point_read(self) -> AsyncIterator[InlineConnection]:
        """Short indexed reads on the writer, which sees this process's writes at once (the reader's snapshot
        may lag a commit). Taken under the write lock, so they never land inside another caller's transaction."""
        async with self._write_lock:
            yield self.writer

    async def integrity_check(self) -> str:
        async with self.reader.execute("PRAGMA integrity_check") as cursor:
            row = await cursor.fetchone()
        return str(row[0]) if row else "no answer"
