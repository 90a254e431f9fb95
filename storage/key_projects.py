"""The key-project ledger, replaced as a whole on each import."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from approvals.ledger import KeyProject, key_project_matches
from storage.codec import day, unday
from storage.database import Database

_SELECT = "SELECT code, name, owner, planned_start, planned_approval FROM key_projects"


def _project(row: Sequence[Any]) -> KeyProject:
    code, name, owner, start, approval = row
    return KeyProject(code=code, name=name, owner=owner, planned_start=unday(start), planned_approval=unday(approval))


def _failed(task: asyncio.Task[list[KeyProject]]) -> bool:
    return task.done() and (task.cancelled() or task.exception() is not None)


class SqliteKeyProjectStore:
    """Implements ``approvals.ports.KeyProjectStore``.

    The list is short (the district's fifty), read on every form and changed only by an import through this
    process, so it is held in memory after the first read and dropped when replaced."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._held: list[KeyProject] | None = None
        self._version = 0  # bumped when an import commits: a read that started before is not kept
        # the read in flight and the version it started at: updates arriving together (a cold start under load)
        # share one read instead of each reading and parsing the whole list
        self._loading: tuple[int, asyncio.Task[list[KeyProject]]] | None = None

    async def replace_all(self, projects: Sequence[KeyProject]) -> None:
        try:
            await self._replace(projects)
        finally:
            self._held = None
            self._version += 1

    async def _replace(self, projects: Sequence[KeyProject]) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM key_projects")
            await conn.executemany(
                "INSERT INTO key_projects (code, position, name, owner, planned_start, planned_approval) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (p.code, n, p.name, p.owner, day(p.planned_start), day(p.planned_approval))
                    for n, p in enumerate(projects)
                ],
            )

    async def all(self) -> list[KeyProject]:
        if self._held is not None:
            return list(self._held)
        version = self._version
        if self._loading is None or self._loading[0] != version or _failed(self._loading[1]):
            self._loading = (version, asyncio.create_task(self._read()))
        found = await asyncio.shield(self._loading[1])  # one waiter cancelled must not cancel the others' read
        if version == self._version:
            self._held = found
        return list(found)

    async def _read(self) -> list[KeyProject]:
        async with self.db.reader.execute(f"{_SELECT} ORDER BY position") as cursor:
            return [_project(row) for row in await cursor.fetchall()]

    async def get(self, code: str) -> KeyProject | None:
        return next((p for p in await self.all() if p.code == code), None)

    async def codes(self) -> set[str]:
        return {p.code for p in await self.all()}

    async def search(self, text: str, *, limit: int) -> list[KeyProject]:
        """Code prefix or any part of the name or owner, in list order, ignoring case."""
        found = (p for p in await self.all() if key_project_matches(p, text))
        return [p for _, p in zip(range(limit), found, strict=False)]
