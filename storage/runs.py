"""Exactly-once bookkeeping for scheduled work: daily runs, reminders, and who subscribes to the summary."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from storage.codec import stamp
from storage.database import Database
from storage.outbox import Outgoing, enqueue

FIRST_START = "first_start"  # a summary_runs row marking the day a fresh database started counting


class SqliteRuns:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def claim_daily(self, kind: str, day: date, messages: Sequence[Outgoing], now: datetime) -> bool:
        """Claim ``kind`` for ``day`` and queue its messages in one transaction; False if already claimed.

        Two processes or a double start race on the primary key; the loser writes nothing."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT OR IGNORE INTO summary_runs (day, kind, claimed_at) VALUES (?, ?, ?)",
                (day.isoformat(), kind, stamp(now)),
            )
            if cursor.rowcount != 1:
                return False
            await enqueue(conn, messages, now)
        self.db.poke_outbox()
        return True

    async def is_claimed(self, kind: str, day: date) -> bool:
        async with self.db.reader.execute(
            "SELECT 1 FROM summary_runs WHERE day = ? AND kind = ?", (day.isoformat(), kind)
        ) as cursor:
            return await cursor.fetchone() is not None

    async def counting_from(self, today: date, now: datetime) -> date:
        """The first day whose daily run counts: the earliest on record. A database with none records ``today``
        (its first start), so a fresh bot does not catch up days from before it existed."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO summary_runs (day, kind, claimed_at) SELECT ?, ?, ? "
                "WHERE NOT EXISTS (SELECT 1 FROM summary_runs)",
                (today.isoformat(), FIRST_START, stamp(now)),
            )
            async with conn.execute("SELECT min(day) FROM summary_runs") as cursor:
                row = await cursor.fetchone()
        return date.fromisoformat(row[0]) if row and row[0] else today

    async def done_days(self, kinds: Sequence[str], *, since: date) -> set[date]:
        """Days from ``since`` on whose runs of every one of ``kinds`` are claimed."""
        marks = ", ".join("?" * len(kinds))
        async with self.db.reader.execute(
            f"SELECT day FROM summary_runs WHERE kind IN ({marks}) AND day >= ? "
            "GROUP BY day HAVING count(DISTINCT kind) = ?",
            (*kinds, since.isoformat(), len(set(kinds))),
        ) as cursor:
            return {date.fromisoformat(row[0]) for row in await cursor.fetchall()}

    async def reminders_sent(self) -> set[tuple[int, str]]:
        async with self.db.reader.execute("SELECT request_id, kind FROM reminders_sent") as cursor:
            return {(int(rid), kind) for rid, kind in await cursor.fetchall()}

    async def claim_reminder(self, request_id: int, kind: str, messages: Sequence[Outgoing], now: datetime) -> bool:
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT OR IGNORE INTO reminders_sent (request_id, kind, sent_at) VALUES (?, ?, ?)",
                (request_id, kind, stamp(now)),
            )
            if cursor.rowcount != 1:
                return False
            await enqueue(conn, messages, now)
        self.db.poke_outbox()
        return True


class SqliteSubscribers:
    """Who receives the daily summary. Every change is written with the notice that reports it, in one transaction:
    a crash leaves both or neither, so no one is subscribed without being told and no request waits unseen."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def request(self, user_id: int, notices: Sequence[Outgoing], now: datetime) -> str:
        """Ask to subscribe, queueing ``notices`` (to the admins) unless the person already receives the summary.

        Returns the status now on file: 'pending', or 'active' if already approved. Asking again while pending
        sends the notices again: an admin may have lost the first."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT OR IGNORE INTO subscribers (user_id, status, requested_at) VALUES (?, 'pending', ?)",
                (user_id, stamp(now)),
            )
            async with conn.execute("SELECT status FROM subscribers WHERE user_id = ?", (user_id,)) as cursor:
                row = await cursor.fetchone()
            status = str(row[0]) if row else "pending"
            if status == "pending":
                await enqueue(conn, notices, now)
        self.db.poke_outbox()
        return status

    async def approve(self, user_id: int, notice: Outgoing, now: datetime) -> bool:
        """A pending request becomes a subscription and ``notice`` is queued; False (nothing queued) if none."""
        return await self._decide(
            "UPDATE subscribers SET status = 'active' WHERE user_id = ? AND status = 'pending'", user_id, notice, now
        )

    async def decline(self, user_id: int, notice: Outgoing, now: datetime) -> bool:
        """A pending request is dropped and ``notice`` queued; an approved subscription is left alone."""
        return await self._decide(
            "DELETE FROM subscribers WHERE user_id = ? AND status = 'pending'", user_id, notice, now
        )

    async def _decide(self, sql: str, user_id: int, notice: Outgoing, now: datetime) -> bool:
        async with self.db.transaction() as conn:
            cursor = await conn.execute(sql, (user_id,))
            if cursor.rowcount != 1:
                return False  # a colleague decided first: they told the person
            await enqueue(conn, [notice], now)
        self.db.poke_outbox()
        return True

    async def remove(self, user_id: int) -> bool:
        """The person unsubscribes (they are answered in their chat, so nothing is queued)."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute("DELETE FROM subscribers WHERE user_id = ?", (user_id,))
            return cursor.rowcount == 1

    async def active(self) -> list[int]:
        async with self.db.reader.execute(
            "SELECT user_id FROM subscribers WHERE status = 'active' ORDER BY user_id"
        ) as cursor:
            return [int(row[0]) for row in await cursor.fetchall()]
