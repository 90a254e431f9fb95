"""One SQLite file, two connections: a writer (serialised, BEGIN IMMEDIATE) and a read-only reader.

aiosqlite runs one query at a time per connection, so long reads (summaries, exports, queue pages) go through
the reader; WAL lets it run beside the writer without blocking it.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from storage.migrations import migrate

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000


class Database:
    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection) -> None:
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
        writer = await aiosqlite.connect(path, isolation_level=None)
        try:
            await _pragmas(writer, "journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON")
            version = await migrate(writer)
            reader = await aiosqlite.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
            await _pragmas(reader, "foreign_keys=ON", "query_only=ON")
        except BaseException:
            await writer.close()
            raise
        log.info("database open path=%s schema_version=%d", path, version)
        return cls(path, writer, reader)

    async def close(self) -> None:
        await self.reader.close()
        async with self._write_lock:
            await self.writer.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction: one at a time in this process, BEGIN IMMEDIATE against other processes."""
        async with self._write_lock:
            await self.writer.execute("BEGIN IMMEDIATE")
            try:
                yield self.writer
            except BaseException:
                await self.writer.execute("ROLLBACK")
                raise
            await self.writer.execute("COMMIT")

    def poke_outbox(self) -> None:
        self.outbox_added.set()

    @asynccontextmanager
    async def point_read(self) -> AsyncIterator[aiosqlite.Connection]:
        """Short reads on the writer, taken under the write lock.

        A statement left open on the writer holds a WAL snapshot; a BEGIN IMMEDIATE interleaved with it would
        fail at once with SQLITE_BUSY_SNAPSHOT if another process wrote meanwhile. The lock rules that out.
        """
        async with self._write_lock:
            yield self.writer

    async def integrity_check(self) -> str:
        async with self.reader.execute("PRAGMA integrity_check") as cursor:
            row = await cursor.fetchone()
        return str(row[0]) if row else "no answer"


async def _pragmas(conn: aiosqlite.Connection, *pragmas: str) -> None:
    await conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    for pragma in pragmas:
        await conn.execute(f"PRAGMA {pragma}")
