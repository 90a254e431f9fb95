"""The key-project list on PostgreSQL: its current projects, the codes earlier lists had (archived), its version,
and the imports waiting for an admin's Confirm."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from approvals.key_list import ImportOutcome, ImportResult
from approvals.ledger import KeyProject
from storage.key_list_rows import DONE, PROJECTS, Listing, ListingReads
from storage.postgres.key_service import assign_from_import

# one statement, so the version and the projects are of the same moment (as on SQLite)
_READ = """
SELECT v.version, k.code, k.name, k.owner, k.planned_start, k.planned_approval, k.archived_in
FROM key_project_list v LEFT JOIN key_projects k ON true ORDER BY k.position
"""
_UPSERT = """
INSERT INTO key_projects (code, position, name, owner, planned_start, planned_approval, archived_in)
VALUES ($1, $2, $3, $4, $5, $6, NULL) ON CONFLICT (code) DO UPDATE SET position = excluded.position,
    name = excluded.name, owner = excluded.owner, planned_start = excluded.planned_start,
    planned_approval = excluded.planned_approval, archived_in = NULL
"""
# Every write takes the list's one row first: writers queue in one order (two admins confirming at once on two
# instances cannot deadlock on each other's import rows), and each reads the imports and the list as the one
# before it left them.
_LOCK = "SELECT version FROM key_project_list FOR UPDATE"


class PostgresKeyProjectStore(ListingReads):
    """Implements ``approvals.ports.KeyProjectStore``.

    Another instance may confirm an import at any moment, so the list held in memory is kept only while the
    stored version is the same: every read asks for the version (one short round trip) and reads the whole list
    again when it moved. Every change of the list moves the version (``_install``). Each call is a plain
    transaction of its own; the liaison column of an applied import is written in it (the key service's
    ``assign_from_import``)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self._held: Listing | None = None

    # --- changing the list -------------------------------------------------------------------------------

    async def replace_all(self, projects: Sequence[KeyProject]) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await _install(conn, projects, await conn.fetchval(_LOCK))

    async def stage(self, admin_id: int, projects: Sequence[KeyProject], *, base_version: int, at: datetime) -> int:
        payload = PROJECTS.dump_json(list(projects)).decode()
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(_LOCK)
            # an admin's previous preview is out of date once they send another file; its projects are let go
            await _close_pending(conn, at, admin_id=admin_id)
            import_id = await conn.fetchval(
                "INSERT INTO key_project_imports (admin_id, created_at, base_version, projects) "
                "VALUES ($1, $2, $3, $4::jsonb) RETURNING id",
                admin_id,
                at,
                base_version,
                payload,
            )
        return int(import_id)

    async def apply_import(self, import_id: int, admin_id: int, *, at: datetime) -> ImportResult:
        async with self.pool.acquire() as conn, conn.transaction():
            version = await conn.fetchval(_LOCK)
            row = await conn.fetchrow(
                "SELECT admin_id, base_version, status, projects::text AS projects FROM key_project_imports "
                "WHERE id = $1",
                import_id,
            )
            if row is None or row["admin_id"] != admin_id:
                return ImportResult(ImportOutcome.UNKNOWN)
            if row["status"] != "pending":
                return ImportResult(DONE[row["status"]])
            if version != row["base_version"]:  # another import was confirmed since this preview was shown
                await _close_pending(conn, at, import_id=import_id)
                return ImportResult(ImportOutcome.OUT_OF_DATE)
            projects = PROJECTS.validate_json(row["projects"])
            archived = await _install(conn, projects, version)
            await assign_from_import(conn, projects, by=admin_id, at=at)  # the file's liaison column
            await conn.execute(
                "UPDATE key_project_imports SET status = 'applied', decided_at = $2 WHERE id = $1", import_id, at
            )
            # every other preview was compared with the list just replaced: none of them can apply any more
            await _close_pending(conn, at)
        return ImportResult(ImportOutcome.APPLIED, total=len(projects), archived=archived)

    async def cancel_import(self, import_id: int, admin_id: int, *, at: datetime) -> ImportOutcome:
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(_LOCK)
            row = await conn.fetchrow("SELECT admin_id, status FROM key_project_imports WHERE id = $1", import_id)
            if row is None or row["admin_id"] != admin_id:
                return ImportOutcome.UNKNOWN
            if row["status"] != "pending":
                return DONE[row["status"]]
            await conn.execute(
                "UPDATE key_project_imports SET status = 'cancelled', decided_at = $2, projects = '[]' WHERE id = $1",
                import_id,
                at,
            )
        return ImportOutcome.CANCELLED

    # --- reading it --------------------------------------------------------------------------------------

    async def _listing(self) -> Listing:
        held = self._held
        async with self.pool.acquire() as conn:
            if held is not None and held.version == await conn.fetchval("SELECT version FROM key_project_list"):
                return held
            rows = await conn.fetch(_READ)
        projects = [_project(row) for row in rows if row["code"] is not None]
        current = [p for p in projects if not p.archived]
        listing = Listing(
            version=int(rows[0]["version"]) if rows else 0,
            current=current,
            by_code={p.code: p for p in projects},
            codes=frozenset(p.code for p in current),
        )
        self._held = listing
        return listing


def _project(row: asyncpg.Record) -> KeyProject:
    return KeyProject(
        code=row["code"],
        name=row["name"],
        owner=row["owner"],
        planned_start=row["planned_start"],
        planned_approval=row["planned_approval"],
        archived=row["archived_in"] is not None,
    )


async def _install(conn: asyncpg.Connection, projects: Sequence[KeyProject], version: int) -> int:
    """Make ``projects`` the list, inside the caller's transaction, which holds the list's row at ``version``;
    returns how many codes it archived."""
    version += 1
    wanted = {p.code for p in projects}
    current = await conn.fetch("SELECT code FROM key_projects WHERE archived_in IS NULL")
    leaving = [row["code"] for row in current if row["code"] not in wanted]
    await conn.execute("UPDATE key_projects SET archived_in = $1 WHERE code = ANY($2::text[])", version, leaving)
    await conn.executemany(
        _UPSERT,
        [(p.code, n, p.name, p.owner, p.planned_start, p.planned_approval) for n, p in enumerate(projects)],
    )
    await conn.execute("UPDATE key_project_list SET version = $1", version)
    return len(leaving)


async def _close_pending(
    conn: asyncpg.Connection, at: datetime, *, admin_id: int | None = None, import_id: int | None = None
) -> None:
    """Pending imports (of ``admin_id``, or the one ``import_id``, or all) can never apply: marked so, their
    projects let go."""
    await conn.execute(
        "UPDATE key_project_imports SET status = 'superseded', decided_at = $1, projects = '[]' "
        "WHERE status = 'pending' AND ($2::bigint IS NULL OR admin_id = $2) AND ($3::bigint IS NULL OR id = $3)",
        at,
        admin_id,
        import_id,
    )
