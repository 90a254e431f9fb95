"""The key-project service's records on PostgreSQL: liaisons (and their log), consultations, the no-EIA mark, the
bulletin's weekly claims; and the facts about requests naming key projects that the stages are derived from.

Several instances change liaisons at once, so an assignment first locks its project's row in ``key_projects``
(``FOR NO KEY UPDATE``: the foreign keys pointing at it still check): two admins assigning one project take turns,
and the second sees what the first did — no change, no log line, no notice twice. An import's liaison column
(``assign_from_import``) runs after the import has rewritten every project row it names, which takes the same
locks in the same order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, tzinfo

import asyncpg

from approvals.bulletin import KeyStep
from approvals.key_stages import Consultation, KeyRequestFacts
from approvals.ledger import KeyProject
from approvals.models import NOT_ACCEPTED, DocumentType, Status
from storage.ports import Outgoing
from storage.postgres.outbox import enqueue
from storage.postgres.rows import changed

# the latest change of status (not a document filed or a comment: those leave the stage where it was) and the
# latest proposal of approval come with each request: one read for the lot
_FACTS = """
SELECT r.id, r.key_code, r.status, r.document_type, r.submitted_at, r.accepted_on, r.promised_due,
    r.statutory_due, r.paused_working_days, r.decided_on, r.approval_number,
    (SELECT max(a.at) FROM audit_events a WHERE a.request_id = r.id AND a.from_status IS DISTINCT FROM a.to_status)
        AS last_step,
    (SELECT max(a.at) FROM audit_events a WHERE a.request_id = r.id AND a.action = 'propose_approval') AS proposed
FROM requests r WHERE r.key_code IS NOT NULL ORDER BY r.id
"""
# changes of status only: the movements are made of them
_STEPS = """
SELECT a.request_id, r.key_code, a.to_status, a.from_status, a.at FROM audit_events a
JOIN requests r ON r.id = a.request_id
WHERE r.key_code IS NOT NULL AND a.at >= $1 AND a.from_status IS DISTINCT FROM a.to_status ORDER BY a.id
"""
_UPSERT = """
INSERT INTO key_liaisons (code, user_id, assigned_by, assigned_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (code) DO UPDATE SET user_id = excluded.user_id, assigned_by = excluded.assigned_by,
    assigned_at = excluded.assigned_at
"""
_LOG = "INSERT INTO key_liaison_log (code, user_id, by, at) VALUES ($1, $2, $3, $4)"


class PostgresKeyService:
    """Implements ``storage.ports.KeyServiceRecords``. Days are the bureau's (``tz``)."""

    def __init__(self, pool: asyncpg.Pool, tz: tzinfo) -> None:
        self.pool = pool
        self.tz = tz

    def _day(self, at: datetime) -> date:
        return at.astimezone(self.tz).date()

    # --- liaisons ------------------------------------------------------------------------------------------

    async def liaisons(self) -> dict[str, int]:
        rows = await self.pool.fetch("SELECT code, user_id FROM key_liaisons")
        return {row["code"]: int(row["user_id"]) for row in rows}

    async def liaison(self, code: str) -> int | None:
        found = await self.pool.fetchval("SELECT user_id FROM key_liaisons WHERE code = $1", code)
        return int(found) if found is not None else None

    async def assign(
        self, code: str, user_id: int | None, *, by: int, at: datetime, notices: Sequence[Outgoing] = ()
    ) -> bool:
        """The liaison, the log line and the notices that report it are one transaction."""
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT 1 FROM key_projects WHERE code = $1 FOR NO KEY UPDATE", code)
            if await conn.fetchval("SELECT user_id FROM key_liaisons WHERE code = $1", code) == user_id:
                return False
            if user_id is None:
                await conn.execute("DELETE FROM key_liaisons WHERE code = $1", code)
            else:
                await conn.execute(_UPSERT, code, user_id, by, at)
            await conn.execute(_LOG, code, user_id, by, at)
            await enqueue(conn, notices, at)
        return True

    async def assign_many(self, pairs: Sequence[tuple[str, int]], *, by: int, at: datetime) -> int:
        """An import's liaison column: each code given a liaison (codes left empty keep theirs). How many changed."""
        changed_now = 0
        for code, user_id in pairs:
            changed_now += await self.assign(code, user_id, by=by, at=at)
        return changed_now

    # --- consultations and the no-EIA mark -------------------------------------------------------------------

    async def add_consultation(self, item: Consultation, *, at: datetime) -> int:
        found = await self.pool.fetchval(
            "INSERT INTO key_consultations (code, held_on, note, by, recorded_at) VALUES ($1, $2, $3, $4, $5) "
            "RETURNING id",
            item.code,
            item.held_on,
            item.note,
            item.by,
            at,
        )
        return int(found)

    async def consultations(self, codes: Sequence[str] | None = None) -> dict[str, list[Consultation]]:
        rows = await self.pool.fetch(
            "SELECT code, held_on, note, by FROM key_consultations WHERE $1::text[] IS NULL OR code = ANY($1) "
            "ORDER BY held_on, id",
            None if codes is None else list(codes),
        )
        found: dict[str, list[Consultation]] = {}
        for row in rows:
            found.setdefault(row["code"], []).append(
                Consultation(row["code"], row["held_on"], row["note"], int(row["by"]))
            )
        return found

    async def no_eia(self) -> dict[str, date]:
        return {row["code"]: row["since"] for row in await self.pool.fetch("SELECT code, since FROM key_no_eia")}

    async def mark_no_eia(self, code: str, on: date | None, *, by: int, at: datetime) -> bool:
        if on is None:
            status = await self.pool.execute("DELETE FROM key_no_eia WHERE code = $1", code)
        else:
            status = await self.pool.execute(
                "INSERT INTO key_no_eia (code, since, by, at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                code,
                on,
                by,
                at,
            )
        return changed(status) == 1

    # --- what the stages are made of -----------------------------------------------------------------------

    async def request_facts(self) -> list[KeyRequestFacts]:
        facts = []
        for row in await self.pool.fetch(_FACTS):
            state = Status(row["status"])
            submitted = self._day(row["submitted_at"])
            facts.append(
                KeyRequestFacts(
                    request_id=int(row["id"]),
                    code=row["key_code"],
                    status=state,
                    document_type=DocumentType(row["document_type"]),
                    received_on=submitted,
                    accepted_on=None if state in NOT_ACCEPTED else row["accepted_on"],
                    status_since=self._day(row["last_step"]) if row["last_step"] else submitted,
                    promised_due=row["promised_due"],
                    statutory_due=row["statutory_due"],
                    paused_working_days=int(row["paused_working_days"] or 0),
                    notice_on=self._day(row["proposed"]) if row["proposed"] else None,
                    decided_on=row["decided_on"],
                    approval_number=row["approval_number"],
                )
            )
        return facts

    async def steps_since(self, day: date) -> list[KeyStep]:
        start = datetime(day.year, day.month, day.day, tzinfo=self.tz)
        return [
            KeyStep(
                int(row["request_id"]),
                row["key_code"],
                Status(row["to_status"]),
                Status(row["from_status"]) if row["from_status"] else None,
                self._day(row["at"]),
            )
            for row in await self.pool.fetch(_STEPS, start)
        ]

    # --- the weekly bulletin -------------------------------------------------------------------------------

    async def bulletin_claimed(self, week: date) -> bool:
        return await self.pool.fetchval("SELECT 1 FROM bulletin_runs WHERE week = $1", week) is not None

    async def claim_bulletin(self, week: date, messages: Sequence[Outgoing], now: datetime) -> bool:
        """Claim ``week``'s bulletin and queue its messages in one transaction; False if already claimed (a second
        instance's INSERT waits on the first's uncommitted row and wins only if that one rolls back)."""
        async with self.pool.acquire() as conn, conn.transaction():
            claimed = await conn.fetchval(
                "INSERT INTO bulletin_runs (week, claimed_at) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1",
                week,
                now,
            )
            if claimed is None:
                return False
            await enqueue(conn, messages, now)
        return True


async def assign_from_import(conn: asyncpg.Connection, projects: Sequence[KeyProject], *, by: int, at: datetime) -> int:
    """Inside the transaction that applies an import (after it rewrote the projects' rows): each project the file
    names a liaison for gets them (and a log line); a project with the column empty keeps its liaison. How many
    changed."""
    current = {row["code"]: row["user_id"] for row in await conn.fetch("SELECT code, user_id FROM key_liaisons")}
    changes = [(p.code, p.liaison) for p in projects if p.liaison is not None and current.get(p.code) != p.liaison]
    await conn.executemany(_UPSERT, [(code, user, by, at) for code, user in changes])
    await conn.executemany(_LOG, [(code, user, by, at) for code, user in changes])
    return len(changes)
