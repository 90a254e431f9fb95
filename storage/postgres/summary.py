"""The summary's figures on PostgreSQL (``approvals.ports.SummarySource``), as ``storage/summary.py`` reads them.

There is no ``request_counts`` table here (``schema_requests``): each count walks an index, the backlog the open
requests' partial index ``requests_queue_lane``, a status count ``requests_status_id``, the decisions
``requests_decided``, the key codes ``requests_key``. Rows come back in SQLite's order where a caller could see it
(key codes, then status, then id, compared as code points as SQLite's BINARY compares them)."""

from __future__ import annotations

from datetime import date

import asyncpg

from approvals.key_attention import KeyRequest
from approvals.models import Lane, Status
from approvals.ports import DecisionRecord
from storage.schema_terms import OPEN

# with the bureau (a proposal being signed off too), or waiting for material
UNDECIDED = "('submitted', 'resubmitted', 'in_review', 'needs_info', 'signing')"
FIRST_DAY, LAST_DAY = date(1, 1, 1), date(9999, 12, 31)  # an open side of a range


class PostgresSummarySource:
    """Implements ``approvals.ports.SummarySource``."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def _count(self, sql: str, *args: object) -> int:
        return int(await self.pool.fetchval(sql, *args) or 0)

    async def count_approved(self, first_day: date | None, last_day: date | None) -> int:
        if first_day is None and last_day is None:
            return await self.count_status(Status.APPROVED)
        return await self._count(
            "SELECT count(*) FROM requests WHERE status = 'approved' AND decided_on BETWEEN $1 AND $2",
            first_day or FIRST_DAY,
            last_day or LAST_DAY,
        )

    async def approved_key_codes(self) -> set[str]:
        rows = await self.pool.fetch(
            "SELECT DISTINCT key_code FROM requests WHERE key_code IS NOT NULL AND status = 'approved' AND lane = 0"
        )
        return {row[0] for row in rows}

    async def key_code_statuses(self) -> dict[str, list[Status]]:
        rows = await self.pool.fetch(
            "SELECT key_code, status, id FROM requests WHERE key_code IS NOT NULL AND lane = 0"
        )
        found: dict[str, list[Status]] = {}
        for code, status, _ in sorted(tuple(row) for row in rows):  # SQLite's index order, whatever the collation
            found.setdefault(code, []).append(Status(status))
        return found

    async def undecided_key_requests(self) -> list[KeyRequest]:
        rows = await self.pool.fetch(
            "SELECT key_code, status, id, promised_due FROM requests "
            f"WHERE key_code IS NOT NULL AND status IN {UNDECIDED} AND lane = 0"
        )
        ordered = sorted(tuple(row) for row in rows)
        return [KeyRequest(code, int(id_), Status(status), due) for code, status, id_, due in ordered]

    async def backlog_by_lane(self) -> dict[Lane, int]:
        counts = dict.fromkeys(Lane, 0)
        # with the bureau: the queue (its partial index, lane first) and the decisions being signed off (few)
        for sql in (
            f"SELECT lane, count(*) FROM requests WHERE status IN {OPEN} GROUP BY lane",
            "SELECT lane, count(*) FROM requests WHERE status = 'signing' GROUP BY lane",
        ):
            for lane, count in await self.pool.fetch(sql):
                counts[Lane(lane)] += int(count)
        return counts

    async def count_status(self, status: Status) -> int:
        return await self._count("SELECT count(*) FROM requests WHERE status = $1", status.value)

    async def count_open_due_by(self, day_: date, *, statutory: bool = False) -> int:
        column = "statutory_due" if statutory else "promised_due"
        queued = await self._count(f"SELECT count(*) FROM requests WHERE status IN {OPEN} AND {column} <= $1", day_)
        signing = await self._count(f"SELECT count(*) FROM requests WHERE status = 'signing' AND {column} <= $1", day_)
        return queued + signing

    async def decisions_between(self, first_day: date, last_day: date) -> list[DecisionRecord]:
        rows = await self.pool.fetch(
            "SELECT lane, status, accepted_on, decided_on, paused_working_days, promised_due FROM requests "
            "WHERE status IN ('approved', 'rejected') AND decided_on BETWEEN $1 AND $2",
            first_day,
            last_day,
        )
        return [
            DecisionRecord(Lane(lane), Status(status), acc, dec, int(paused), due)
            for lane, status, acc, dec, paused, due in rows
        ]

    async def approvals_per_day(self, first_day: date, last_day: date) -> dict[date, int]:
        rows = await self.pool.fetch(
            "SELECT decided_on, count(*) FROM requests WHERE status = 'approved' AND decided_on BETWEEN $1 AND $2 "
            "GROUP BY decided_on",
            first_day,
            last_day,
        )
        return {decided: int(count) for decided, count in rows}
