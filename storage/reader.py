"""The long-read connection: aiosqlite (a thread of its own), one whole statement per hand-off.

aiosqlite runs a cursor's ``execute`` and each of its fetches as separate hand-offs to its thread, and a statement
not yet run to its end keeps its read transaction open. Tasks sharing the connection interleave, so a query run
while another task's cursor sat between its ``execute`` and its ``fetchall`` read that cursor's snapshot: seen
here, the key-project list read just after an import came back as the list before it (the reminders job was
mid-query) and was then cached as current. Here a statement is executed and fetched to its end in one hand-off
(``execute_fetchall``), so every query reads the database as last committed.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from types import TracebackType
from typing import Any

import aiosqlite


class Fetched:
    """A statement's rows, all of them already read (the ``fetchone``/``fetchall`` the repositories use)."""

    __slots__ = ("_at", "_rows")

    def __init__(self, rows: list[Any]) -> None:
        self._rows = rows
        self._at = 0

    async def fetchone(self) -> Any:
        if self._at >= len(self._rows):
            return None
        self._at += 1
        return self._rows[self._at - 1]

    async def fetchall(self) -> list[Any]:
        rest, self._at = self._rows[self._at :], len(self._rows)
        return rest


class Query:
    """What ``execute`` returns: awaitable and usable as ``async with``, like aiosqlite's."""

    __slots__ = ("_conn", "_parameters", "_sql")

    def __init__(self, conn: aiosqlite.Connection, sql: str, parameters: Sequence[Any]) -> None:
        self._conn, self._sql, self._parameters = conn, sql, parameters

    async def _run(self) -> Fetched:
        return Fetched(list(await self._conn.execute_fetchall(self._sql, self._parameters)))

    def __await__(self) -> Generator[Any, None, Fetched]:
        return self._run().__await__()

    async def __aenter__(self) -> Fetched:
        return await self._run()

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None


class SnapshotReader:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Query:
        return Query(self.conn, sql, parameters)

    async def close(self) -> None:
        await self.conn.close()
