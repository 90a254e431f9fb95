"""The key-project ledger, replaced as a whole on each import."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from approvals.ledger import KeyProject
from storage.codec import day, unday
from storage.database import Database

_SELECT = "SELECT code, name, owner, planned_start, planned_approval FROM key_projects"


def _project(row: Sequence[Any]) -> KeyProject:
    code, name, owner, start, approval = row
    return KeyProject(code=code, name=name, owner=owner, planned_start=unday(start), planned_approval=unday(approval))


class SqliteKeyProjectStore:
    """Implements ``approvals.ports.KeyProjectStore``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def replace_all(self, projects: Sequence[KeyProject]) -> None:
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

    async def _select(self, sql: str, params: tuple[Any, ...] = ()) -> list[KeyProject]:
        async with self.db.reader.execute(sql, params) as cursor:
            return [_project(row) for row in await cursor.fetchall()]

    async def all(self) -> list[KeyProject]:
        return await self._select(f"{_SELECT} ORDER BY position")

    async def get(self, code: str) -> KeyProject | None:
        found = await self._select(f"{_SELECT} WHERE code = ?", (code,))
        return found[0] if found else None

    async def codes(self) -> set[str]:
        async with self.db.reader.execute("SELECT code FROM key_projects") as cursor:
            return {row[0] for row in await cursor.fetchall()}

    async def search(self, text: str, *, limit: int) -> list[KeyProject]:
        """Code prefix or any part of the name or owner; the list is small (tens), so a scan is fine."""
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        return await self._select(
            f"{_SELECT} WHERE code LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\' OR owner LIKE ? ESCAPE '\\' "
            "ORDER BY position LIMIT ?",
            (f"{escaped.upper()}%", pattern, pattern, limit),
        )
