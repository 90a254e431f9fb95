"""The key-project list: its current projects, the codes earlier lists had (archived), its version, and the
imports waiting for an admin's Confirm."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from approvals.key_list import ImportOutcome, ImportResult
from approvals.ledger import KeyProject
from storage.codec import day, stamp, unday
from storage.database import Database
from storage.key_list_rows import DONE, PROJECTS, Listing, ListingReads
from storage.key_service import assign_from_import

# One statement, so the version and the projects are of the same moment (a preview compared with a list must
# name that list's version). Archived codes come along: requests naming them show their names.
_READ = (
    "SELECT v.version, k.code, k.name, k.owner, k.planned_start, k.planned_approval, k.archived_in "
    "FROM key_project_list v LEFT JOIN key_projects k ON 1 ORDER BY k.position"
)
_UPSERT = (
    "INSERT INTO key_projects (code, position, name, owner, planned_start, planned_approval, archived_in) "
    "VALUES (?, ?, ?, ?, ?, ?, NULL) ON CONFLICT (code) DO UPDATE SET position = excluded.position, "
    "name = excluded.name, owner = excluded.owner, planned_start = excluded.planned_start, "
    "planned_approval = excluded.planned_approval, archived_in = NULL"
)


def _project(row: Sequence[Any]) -> KeyProject:
    code, name, owner, start, approval, archived_in = row
    return KeyProject(
        code=code,
        name=name,
        owner=owner,
        planned_start=unday(start),
        planned_approval=unday(approval),
        archived=archived_in is not None,
    )


def _failed(task: asyncio.Task[Listing]) -> bool:
    return task.done() and (task.cancelled() or task.exception() is not None)


class SqliteKeyProjectStore(ListingReads):
    """Implements ``approvals.ports.KeyProjectStore``.

    The list is short (the district's fifty), read on every form and changed only by an import through this
    process, so it is held in memory after the first read and dropped whenever an import may have changed it."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._held: Listing | None = None
        self._changes = 0  # bumped when an import ends: a read that started before is not kept
        # the read in flight and the count it started at: updates arriving together (a cold start under load)
        # share one read instead of each reading and parsing the whole list
        self._loading: tuple[int, asyncio.Task[Listing]] | None = None

    # --- changing the list -------------------------------------------------------------------------------

    async def replace_all(self, projects: Sequence[KeyProject]) -> None:
        async with self._changing():
            await self.db.run_transaction(lambda conn: _install(conn, projects))

    async def stage(self, admin_id: int, projects: Sequence[KeyProject], *, base_version: int, at: datetime) -> int:
        payload = PROJECTS.dump_json(list(projects)).decode()

        def work(conn: sqlite3.Connection) -> int:
            # an admin's previous preview is out of date once they send another file; its projects are let go
            _close_pending(conn, "admin_id = ?", (admin_id,), at)
            cursor = conn.execute(
                "INSERT INTO key_project_imports (admin_id, created_at, base_version, projects) VALUES (?, ?, ?, ?)",
                (admin_id, stamp(at), base_version, payload),
            )
            return int(cursor.lastrowid or 0)

        return await self.db.run_transaction(work)

    async def apply_import(self, import_id: int, admin_id: int, *, at: datetime) -> ImportResult:
        def work(conn: sqlite3.Connection) -> ImportResult:
            row = conn.execute(
                "SELECT admin_id, base_version, status, projects FROM key_project_imports WHERE id = ?", (import_id,)
            ).fetchone()
            if row is None or row[0] != admin_id:
                return ImportResult(ImportOutcome.UNKNOWN)
            _owner, base_version, status, payload = row
            if status != "pending":
                return ImportResult(DONE[status])
            if _version(conn) != base_version:  # another import was confirmed since this preview was shown
                _close_pending(conn, "id = ?", (import_id,), at)
                return ImportResult(ImportOutcome.OUT_OF_DATE)
            projects = PROJECTS.validate_json(payload)
            archived = _install(conn, projects)
            assign_from_import(conn, projects, by=admin_id, at=at)  # the file's liaison column
            conn.execute(
                "UPDATE key_project_imports SET status = 'applied', decided_at = ? WHERE id = ?", (stamp(at), import_id)
            )
            # every other preview was compared with the list just replaced: none of them can apply any more
            _close_pending(conn, "1", (), at)
            return ImportResult(ImportOutcome.APPLIED, total=len(projects), archived=archived)

        async with self._changing():
            return await self.db.run_transaction(work)

    async def cancel_import(self, import_id: int, admin_id: int, *, at: datetime) -> ImportOutcome:
        def work(conn: sqlite3.Connection) -> ImportOutcome:
            row = conn.execute("SELECT admin_id, status FROM key_project_imports WHERE id = ?", (import_id,)).fetchone()
            if row is None or row[0] != admin_id:
                return ImportOutcome.UNKNOWN
            if row[1] != "pending":
                return DONE[row[1]]
            conn.execute(
                "UPDATE key_project_imports SET status = 'cancelled', decided_at = ?, projects = '[]' WHERE id = ?",
                (stamp(at), import_id),
            )
            return ImportOutcome.CANCELLED

        return await self.db.run_transaction(work)

    @asynccontextmanager
    async def _changing(self) -> AsyncIterator[None]:
        """Around a write that may change the list: the held copy is dropped however it ends (a failed commit
        included), and a read that started before is not kept."""
        try:
            yield
        finally:
            self._held = None
            self._changes += 1

    # --- reading it --------------------------------------------------------------------------------------

    async def _listing(self) -> Listing:
        if self._held is not None:
            return self._held
        changes = self._changes
        if self._loading is None or self._loading[0] != changes or _failed(self._loading[1]):
            self._loading = (changes, asyncio.create_task(self._read()))
        found = await asyncio.shield(self._loading[1])  # one waiter cancelled must not cancel the others' read
        if changes == self._changes:
            self._held = found
        return found

    async def _read(self) -> Listing:
        async with self.db.reader.execute(_READ) as cursor:
            rows = list(await cursor.fetchall())
        projects = [_project(row[1:]) for row in rows if row[1] is not None]
        current = [p for p in projects if not p.archived]
        return Listing(
            version=int(rows[0][0]) if rows else 0,
            current=current,
            by_code={p.code: p for p in projects},
            codes=frozenset(p.code for p in current),
        )


def _version(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT version FROM key_project_list").fetchone()
    return int(row[0]) if row else 0


def _install(conn: sqlite3.Connection, projects: Sequence[KeyProject]) -> int:
    """Make ``projects`` the list (inside the caller's transaction); returns how many codes it archived."""
    version = _version(conn) + 1
    wanted = {p.code for p in projects}
    leaving = [
        (version, code)
        for (code,) in conn.execute("SELECT code FROM key_projects WHERE archived_in IS NULL")
        if code not in wanted
    ]
    conn.executemany("UPDATE key_projects SET archived_in = ? WHERE code = ?", leaving)
    conn.executemany(
        _UPSERT,
        [(p.code, n, p.name, p.owner, day(p.planned_start), day(p.planned_approval)) for n, p in enumerate(projects)],
    )
    conn.execute("UPDATE key_project_list SET version = ?", (version,))
    return len(leaving)


def _close_pending(conn: sqlite3.Connection, where: str, params: tuple[Any, ...], at: datetime) -> None:
    """Pending imports matching ``where`` can never apply: marked so, their projects let go."""
    conn.execute(
        "UPDATE key_project_imports SET status = 'superseded', decided_at = ?, projects = '[]' "
        f"WHERE status = 'pending' AND {where}",
        (stamp(at), *params),
    )
