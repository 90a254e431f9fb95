"""The leadership figures' reads (approvals/leadership.py), on the read-only connection along requests_decided."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from approvals.leadership import DecisionTime
from approvals.models import Lane
from storage.codec import day, must_day
from storage.database import Database

# spelled so that requests_decided (status, decided_on) serves them: index ranges, then the rows they name
DECISIONS = (
    "SELECT lane, coalesce(received_on, accepted_on), decided_on, paused_working_days, promised_due "
    "FROM requests WHERE status IN ('approved', 'rejected') AND decided_on BETWEEN ? AND ?"
)
INVESTMENT = "SELECT investment FROM requests WHERE status = 'approved' AND decided_on BETWEEN ? AND ?"


class SqliteLeadershipSource:
    """Implements ``approvals.leadership.LeadershipSource``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def decision_times(self, first_day: date, last_day: date) -> list[DecisionTime]:
        async with self.db.reader.execute(DECISIONS, (day(first_day), day(last_day))) as cursor:
            rows = await cursor.fetchall()
        return [
            DecisionTime(Lane(lane), must_day(received), must_day(decided), int(paused), must_day(due))
            for lane, received, decided, paused, due in rows
        ]

    async def approved_investment(self, first_day: date, last_day: date) -> tuple[int, Decimal]:
        async with self.db.reader.execute(INVESTMENT, (day(first_day), day(last_day))) as cursor:
            amounts = [Decimal(value) for (value,) in await cursor.fetchall()]  # stored as exact decimal text
        return len(amounts), sum(amounts, Decimal(0))
