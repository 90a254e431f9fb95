"""The figures' queries, all on the read-only connection and all served by indexes."""

from __future__ import annotations

from datetime import date
from typing import Any

from approvals.key_attention import KeyRequest
from approvals.models import Lane, Status
from approvals.ports import DecisionRecord
from storage.codec import day, must_day
from storage.database import Database
from storage.migrations import OPEN

# with the bureau (a proposal being signed off too), or waiting for material
UNDECIDED = "('submitted', 'resubmitted', 'in_review', 'needs_info', 'signing')"


class SqliteSummarySource:
    """Implements ``approvals.ports.SummarySource``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        async with self.db.reader.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def _scalar(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        rows = await self._rows(sql, params)
        return int(rows[0][0]) if rows else 0

    async def count_approved(self, first_day: date | None, last_day: date | None) -> int:
        if first_day is None and last_day is None:  # all time: the kept count, not a scan
            return await self.count_status(Status.APPROVED)
        # two-sided range on the (status, decided_on) index; open sides use the widest ISO dates
        return await self._scalar(
            "SELECT count(*) FROM requests WHERE status = 'approved' AND decided_on BETWEEN ? AND ?",
            (day(first_day) or "0000-01-01", day(last_day) or "9999-12-31"),
        )

    async def approved_key_codes(self) -> set[str]:
        rows = await self._rows(
            "SELECT DISTINCT key_code FROM requests INDEXED BY requests_key "
            "WHERE key_code IS NOT NULL AND status = 'approved' AND lane = 0"
        )
        return {row[0] for row in rows}

    async def key_code_statuses(self) -> dict[str, list[Status]]:
        found: dict[str, list[Status]] = {}
        for code, status in await self._rows(
            "SELECT key_code, status FROM requests INDEXED BY requests_key WHERE key_code IS NOT NULL AND lane = 0"
        ):
            found.setdefault(code, []).append(Status(status))
        return found

    async def undecided_key_requests(self) -> list[KeyRequest]:
        rows = await self._rows(
            "SELECT key_code, id, status, promised_due FROM requests INDEXED BY requests_key "
            f"WHERE key_code IS NOT NULL AND status IN {UNDECIDED} AND lane = 0"
        )
        return [KeyRequest(code, int(id_), Status(status), must_day(due)) for code, id_, status, due in rows]

    async def backlog_by_lane(self) -> dict[Lane, int]:
        counts = dict.fromkeys(Lane, 0)
        # with the bureau: the queue, and the decisions being signed off (their clock runs too)
        rows = await self._rows(f"SELECT lane, n FROM request_counts WHERE status IN {OPEN} OR status = 'signing'")
        for lane, count in rows:
            counts[Lane(lane)] += int(count)  # at most nine rows, summed here rather than sorted by SQLite
        return counts

    async def count_status(self, status: Status) -> int:
        return await self._scalar("SELECT coalesce(sum(n), 0) FROM request_counts WHERE status = ?", (status.value,))

    async def count_open_due_by(self, day_: date, *, statutory: bool = False) -> int:
        column, index = ("statutory_due", "requests_statutory") if statutory else ("promised_due", "requests_queue_due")
        queued = await self._scalar(
            f"SELECT count(*) FROM requests INDEXED BY {index} WHERE status IN {OPEN} AND {column} <= ?",
            (day(day_),),
        )
        signing = await self._scalar(  # decisions being signed off: few, along the status index
            f"SELECT count(*) FROM requests INDEXED BY requests_status_id WHERE status = 'signing' AND {column} <= ?",
            (day(day_),),
        )
        return queued + signing

    async def decisions_between(self, first_day: date, last_day: date) -> list[DecisionRecord]:
        rows = await self._rows(
            "SELECT lane, status, accepted_on, decided_on, paused_working_days, promised_due FROM requests "
            "WHERE status IN ('approved', 'rejected') AND decided_on BETWEEN ? AND ?",
            (day(first_day), day(last_day)),
        )
        return [
            DecisionRecord(Lane(lane), Status(status), must_day(acc), must_day(dec), int(paused), must_day(due))
            for lane, status, acc, dec, paused, due in rows
        ]

    async def approvals_per_day(self, first_day: date, last_day: date) -> dict[date, int]:
        rows = await self._rows(
            "SELECT decided_on, count(*) FROM requests WHERE status = 'approved' AND decided_on BETWEEN ? AND ? "
            "GROUP BY decided_on",
            (day(first_day), day(last_day)),
        )
        return {must_day(decided): int(count) for decided, count in rows}
