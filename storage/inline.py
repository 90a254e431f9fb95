"""The writer connection: plain sqlite3 called on the event loop, behind the small async face the repositories use.

Why not aiosqlite for writes: every awaited aiosqlite call is a hand-off to its thread and back (~90 µs here), and
under load the thread waits for the GIL after every step SQLite takes — measured here, a group commit of ~30 small
rows took 6 ms median and 27 ms at p90 that way, against well under 1 ms on the loop (PERF-NOTES: a commit per
update costs ~40 % of aiogram's ceiling through aiosqlite, ~8 % with plain sqlite3 on the loop). The writes here
are short (indexed single rows, small batches) and a transaction's statements now run back to back without
yielding, so no two transactions of this process interleave. The one wait that can be long — another process
holding the write lock — is turned into ``asyncio.sleep`` retries by ``Database.transaction`` (busy_timeout is 0
on this connection), so it never blocks the loop. Long reads (summaries, exports, queue pages) stay on the
aiosqlite reader, where they cannot stall anything.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Generator, Iterable, Sequence
from types import TracebackType
from typing import Any


class Rows:
    """A finished statement's cursor (aiosqlite's ``Cursor`` methods that the repositories use)."""

    __slots__ = ("_cursor",)

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()


class Statement:
    """What ``execute`` returns: run at once; awaitable and usable as ``async with``, like aiosqlite's."""

    __slots__ = ("_rows",)

    def __init__(self, rows: Rows) -> None:
        self._rows = rows

    def __await__(self) -> Generator[None, None, Rows]:
        return self._rows
        yield  # a generator that finishes at once: awaiting it never suspends

    async def __aenter__(self) -> Rows:
        return self._rows

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._rows._cursor.close()


class InlineConnection:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.raw = conn

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Statement:
        return Statement(Rows(self.raw.execute(sql, parameters)))

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Rows:
        return Rows(self.raw.executemany(sql, rows))

    @property
    def in_transaction(self) -> bool:
        return self.raw.in_transaction

    @property
    def total_changes(self) -> int:
        return self.raw.total_changes

    def close(self) -> None:
        self.raw.close()
