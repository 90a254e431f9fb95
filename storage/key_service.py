"""The key-project service's tables: liaisons (and their log), consultations, the no-EIA mark, the bulletin's
weekly claims; and the facts about requests naming key projects that the stages are derived from."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date, datetime, tzinfo
from typing import Any

from approvals.bulletin import KeyStep
from approvals.key_stages import Consultation, KeyRequestFacts
from approvals.ledger import KeyProject
from approvals.models import NOT_ACCEPTED, DocumentType, Status
from storage.codec import stamp, unday, unstamp
from storage.database import Database
from storage.outbox import Outgoing, enqueue

# the latest step's time and the latest proposal of approval come with each request: one read for the lot
_FACTS = (
    "SELECT r.id, r.key_code, r.status, r.document_type, r.submitted_at, r.accepted_on, r.promised_due, "
    "r.statutory_due, r.paused_working_days, r.decided_on, r.approval_number, "
    "(SELECT max(a.at) FROM audit_events a WHERE a.request_id = r.id), "
    "(SELECT max(a.at) FROM audit_events a WHERE a.request_id = r.id AND a.action = 'propose_approval') "
    "FROM requests r WHERE r.key_code IS NOT NULL ORDER BY r.id"
)
_STEPS = (
    "SELECT a.request_id, r.key_code, a.to_status, a.from_status, a.at FROM audit_events a "
    "JOIN requests r ON r.id = a.request_id WHERE r.key_code IS NOT NULL AND a.at >= ? "
    "AND a.from_status IS NOT a.to_status ORDER BY a.id"  # changes of status only: the movements are made of them
)


class SqliteKeyService:
    """Implements ``approvals.key_service.KeyServiceStore``. Days are the bureau's (``tz``)."""

    def __init__(self, db: Database, tz: tzinfo) -> None:
        self.db = db
        self.tz = tz

    def _day(self, text: str) -> date:
        return unstamp(text).astimezone(self.tz).date()

    async def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        async with self.db.reader.execute(sql, tuple(params)) as cursor:
            return list(await cursor.fetchall())

    # --- liaisons ------------------------------------------------------------------------------------------

    async def liaisons(self) -> dict[str, int]:
        return {str(code): int(user) for code, user in await self._rows("SELECT code, user_id FROM key_liaisons")}

    async def liaison(self, code: str) -> int | None:
        found = await self._rows("SELECT user_id FROM key_liaisons WHERE code = ?", (code,))
        return int(found[0][0]) if found else None

    async def assign(
        self, code: str, user_id: int | None, *, by: int, at: datetime, notices: Sequence[Outgoing] = ()
    ) -> bool:
        """The liaison, the log line and the notices that report it are one write."""
        async with self.db.transaction() as conn:
            async with conn.execute("SELECT user_id FROM key_liaisons WHERE code = ?", (code,)) as cursor:
                row = await cursor.fetchone()
            if (row[0] if row else None) == user_id:
                return False
            if user_id is None:
                await conn.execute("DELETE FROM key_liaisons WHERE code = ?", (code,))
            else:
                await conn.execute(
                    "INSERT INTO key_liaisons (code, user_id, assigned_by, assigned_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (code) DO UPDATE SET user_id = excluded.user_id, "
                    "assigned_by = excluded.assigned_by, assigned_at = excluded.assigned_at",
                    (code, user_id, by, stamp(at)),
                )
            await conn.execute(
                "INSERT INTO key_liaison_log (code, user_id, by, at) VALUES (?, ?, ?, ?)",
                (code, user_id, by, stamp(at)),
            )
            await enqueue(conn, notices, at)
        if notices:
            self.db.poke_outbox()
        return True

    async def assign_many(self, pairs: Sequence[tuple[str, int]], *, by: int, at: datetime) -> int:
        """An import's liaison column: each code given a liaison (codes left empty keep theirs). How many changed."""
        changed = 0
        for code, user_id in pairs:
            changed += await self.assign(code, user_id, by=by, at=at)
        return changed

    # --- consultations and the no-EIA mark -------------------------------------------------------------------

    async def add_consultation(self, item: Consultation, *, at: datetime) -> int:
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO key_consultations (code, held_on, note, by, recorded_at) VALUES (?, ?, ?, ?, ?)",
                (item.code, item.held_on.isoformat(), item.note, item.by, stamp(at)),
            )
            return int(cursor.lastrowid or 0)

    async def consultations(self, codes: Sequence[str] | None = None) -> dict[str, list[Consultation]]:
        sql = "SELECT code, held_on, note, by FROM key_consultations"
        params: list[str] = []
        if codes is not None:
            sql += f" WHERE code IN ({', '.join('?' * len(codes))})" if codes else " WHERE 0"
            params = list(codes)
        found: dict[str, list[Consultation]] = {}
        for code, held_on, note, by in await self._rows(sql + " ORDER BY held_on, id", params):
            found.setdefault(code, []).append(Consultation(code, date.fromisoformat(held_on), note, int(by)))
        return found

    async def no_eia(self) -> dict[str, date]:
        return {
            str(code): date.fromisoformat(since)
            for code, since in await self._rows("SELECT code, since FROM key_no_eia")
        }

    async def mark_no_eia(self, code: str, on: date | None, *, by: int, at: datetime) -> bool:
        async with self.db.transaction() as conn:
            if on is None:
                cursor = await conn.execute("DELETE FROM key_no_eia WHERE code = ?", (code,))
            else:
                cursor = await conn.execute(
                    "INSERT OR IGNORE INTO key_no_eia (code, since, by, at) VALUES (?, ?, ?, ?)",
                    (code, on.isoformat(), by, stamp(at)),
                )
            return bool(cursor.rowcount == 1)

    # --- what the stages are made of -----------------------------------------------------------------------

    async def request_facts(self) -> list[KeyRequestFacts]:
        facts = []
        for row in await self._rows(_FACTS):
            rid, code, status, kind, submitted, accepted, promised, legal, paused, decided, number, last, proposed = row
            state = Status(status)
            facts.append(
                KeyRequestFacts(
                    request_id=int(rid),
                    code=str(code),
                    status=state,
                    document_type=DocumentType(kind),
                    received_on=self._day(submitted),
                    accepted_on=None if state in NOT_ACCEPTED else unday(accepted),
                    status_since=self._day(last) if last else self._day(submitted),
                    promised_due=date.fromisoformat(promised),
                    statutory_due=date.fromisoformat(legal),
                    paused_working_days=int(paused or 0),
                    notice_on=self._day(proposed) if proposed else None,
                    decided_on=unday(decided),
                    approval_number=number,
                )
            )
        return facts

    async def steps_since(self, day: date) -> list[KeyStep]:
        start = datetime(day.year, day.month, day.day, tzinfo=self.tz)
        return [
            KeyStep(int(rid), str(code), Status(to), Status(frm) if frm else None, self._day(at))
            for rid, code, to, frm, at in await self._rows(_STEPS, (stamp(start),))
        ]

    # --- the weekly bulletin -------------------------------------------------------------------------------

    async def bulletin_claimed(self, week: date) -> bool:
        return bool(await self._rows("SELECT 1 FROM bulletin_runs WHERE week = ?", (week.isoformat(),)))

    async def claim_bulletin(self, week: date, messages: Sequence[Outgoing], now: datetime) -> bool:
        """Claim ``week``'s bulletin and queue its messages in one transaction; False if already claimed."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT OR IGNORE INTO bulletin_runs (week, claimed_at) VALUES (?, ?)", (week.isoformat(), stamp(now))
            )
            if cursor.rowcount != 1:
                return False
            await enqueue(conn, messages, now)
        self.db.poke_outbox()
        return True


def assign_from_import(conn: sqlite3.Connection, projects: Sequence[KeyProject], *, by: int, at: datetime) -> int:
    """Inside the transaction that applies an import: each project the file names a liaison for gets them (and a
    log line); a project with the column empty keeps its liaison. How many changed."""
    current = dict(conn.execute("SELECT code, user_id FROM key_liaisons").fetchall())
    changes = [(p.code, p.liaison) for p in projects if p.liaison is not None and current.get(p.code) != p.liaison]
    conn.executemany(
        "INSERT INTO key_liaisons (code, user_id, assigned_by, assigned_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (code) DO UPDATE SET user_id = excluded.user_id, assigned_by = excluded.assigned_by, "
        "assigned_at = excluded.assigned_at",
        [(code, user, by, stamp(at)) for code, user in changes],
    )
    conn.executemany(
        "INSERT INTO key_liaison_log (code, user_id, by, at) VALUES (?, ?, ?, ?)",
        [(code, user, by, stamp(at)) for code, user in changes],
    )
    return len(changes)
