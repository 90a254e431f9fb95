"""The leadership figures' reads on PostgreSQL (``approvals.leadership.LeadershipSource``), as
``storage/leadership.py``: decided requests along ``requests_decided`` (status, decided_on)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import asyncpg

from approvals.leadership import DecisionTime
from approvals.models import Lane

DECISIONS = (
    "SELECT lane, coalesce(received_on, accepted_on), decided_on, paused_working_days, promised_due "
    "FROM requests WHERE status IN ('approved', 'rejected') AND decided_on BETWEEN $1 AND $2"
)
# summed by the server: investment is numeric, exact as SQLite's decimal text summed as Decimal
INVESTMENT = (
    "SELECT count(*), coalesce(sum(investment), 0) FROM requests "
    "WHERE status = 'approved' AND decided_on BETWEEN $1 AND $2"
)


class PostgresLeadershipSource:
    """Implements ``approvals.leadership.LeadershipSource``."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def decision_times(self, first_day: date, last_day: date) -> list[DecisionTime]:
        rows = await self.pool.fetch(DECISIONS, first_day, last_day)
        return [
            DecisionTime(Lane(lane), received, decided, int(paused), due)
            for lane, received, decided, paused, due in rows
        ]

    async def approved_investment(self, first_day: date, last_day: date) -> tuple[int, Decimal]:
        row = await self.pool.fetchrow(INVESTMENT, first_day, last_day)
        assert row is not None  # an aggregate without GROUP BY always gives one row
        return int(row[0]), Decimal(row[1])
