"""Exactly-once bookkeeping for scheduled work on PostgreSQL, across instances: daily runs, reminders, and who
subscribes to the summary.

A claim is one ``INSERT … ON CONFLICT DO NOTHING RETURNING`` on the claim's primary key, in the transaction that
queues its messages. Two instances claiming together: the second INSERT waits on the first's uncommitted row,
then inserts nothing if it committed (and wins if it rolled back), so exactly one claim and one set of messages
is ever stored. Each call is a plain transaction of its own (SQLite's group commit is not needed here)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import asyncpg

from storage.ports import Outgoing
from storage.postgres.outbox import enqueue
from storage.postgres.rows import changed

FIRST_START = "first_start"  # a summary_runs row marking the day a fresh database started counting


class PostgresRuns:
    """Implements ``storage.ports.Runs``."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def claim_daily(self, kind: str, day: date, messages: Sequence[Outgoing], now: datetime) -> bool:
        """Claim ``kind`` for ``day`` and queue its messages in one transaction; False if already claimed."""
        return await self._claim(
            "INSERT INTO summary_runs (day, kind, claimed_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1",
            (day, kind, now),
            messages,
            now,
        )

    async def is_claimed(self, kind: str, day: date) -> bool:
        async with self.pool.acquire() as conn:
            found = await conn.fetchval("SELECT 1 FROM summary_runs WHERE day = $1 AND kind = $2", day, kind)
        return found is not None

    async def counting_from(self, today: date, now: datetime) -> date:
        """The first day whose daily run counts: the earliest on record. A database with none records ``today``
        (its first start), so a fresh bot does not catch up days from before it existed. Instances starting
        together on an empty database may each record their own today (around midnight): the earliest counts."""
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "INSERT INTO summary_runs (day, kind, claimed_at) SELECT $1, $2, $3 "
                "WHERE NOT EXISTS (SELECT 1 FROM summary_runs) ON CONFLICT DO NOTHING",
                today,
                FIRST_START,
                now,
            )
            first: date | None = await conn.fetchval("SELECT min(day) FROM summary_runs")
        return first if first is not None else today

    async def done_days(self, kinds: Sequence[str], *, since: date) -> set[date]:
        """Days from ``since`` on whose runs of every one of ``kinds`` are claimed."""
        wanted = sorted(set(kinds))
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT day FROM summary_runs WHERE kind = ANY($1::text[]) AND day >= $2 "
                "GROUP BY day HAVING count(DISTINCT kind) = $3",
                wanted,
                since,
                len(wanted),
            )
        return {row["day"] for row in rows}

    async def reminders_sent(self) -> set[tuple[int, str]]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch("SELECT request_id, kind FROM reminders_sent")
        return {(int(row["request_id"]), row["kind"]) for row in rows}

    async def claim_reminder(self, request_id: int, kind: str, messages: Sequence[Outgoing], now: datetime) -> bool:
        return await self._claim(
            "INSERT INTO reminders_sent (request_id, kind, sent_at) VALUES ($1, $2, $3) "
            "ON CONFLICT DO NOTHING RETURNING 1",
            (request_id, kind, now),
            messages,
            now,
        )

    async def _claim(self, insert: str, key: tuple[object, ...], messages: Sequence[Outgoing], now: datetime) -> bool:
        async with self.pool.acquire() as conn, conn.transaction():
            if await conn.fetchval(insert, *key) is None:
                return False  # claimed before (or by another instance just now): the loser writes nothing
            await enqueue(conn, messages, now)
        return True


class PostgresSubscribers:
    """Implements ``storage.ports.Subscribers``. Every change is written with the notice that reports it, in one
    transaction; of two admins deciding one request at once (on two instances), the second's UPDATE or DELETE
    waits for the first's and then finds nothing pending: only one notice is queued."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def request(self, user_id: int, notices: Sequence[Outgoing], now: datetime) -> str:
        """Ask to subscribe, queueing ``notices`` (to the admins) unless the person already receives the summary.

        Returns the status now on file: 'pending', or 'active' if already approved. Asking again while pending
        sends the notices again: an admin may have lost the first."""
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "INSERT INTO subscribers (user_id, status, requested_at) VALUES ($1, 'pending', $2) "
                "ON CONFLICT DO NOTHING",
                user_id,
                now,
            )
            status = await conn.fetchval("SELECT status FROM subscribers WHERE user_id = $1", user_id)
            status = str(status) if status is not None else "pending"
            if status == "pending":
                await enqueue(conn, notices, now)
        return status

    async def approve(self, user_id: int, notice: Outgoing, now: datetime) -> bool:
        """A pending request becomes a subscription and ``notice`` is queued; False (nothing queued) if none."""
        return await self._decide(
            "UPDATE subscribers SET status = 'active' WHERE user_id = $1 AND status = 'pending'", user_id, notice, now
        )

    async def decline(self, user_id: int, notice: Outgoing, now: datetime) -> bool:
        """A pending request is dropped and ``notice`` queued; an approved subscription is left alone."""
        return await self._decide(
            "DELETE FROM subscribers WHERE user_id = $1 AND status = 'pending'", user_id, notice, now
        )

    async def _decide(self, sql: str, user_id: int, notice: Outgoing, now: datetime) -> bool:
        async with self.pool.acquire() as conn, conn.transaction():
            if changed(await conn.execute(sql, user_id)) != 1:
                return False  # a colleague decided first: they told the person
            await enqueue(conn, [notice], now)
        return True

    async def remove(self, user_id: int) -> bool:
        """The person unsubscribes (they are answered in their chat, so nothing is queued)."""
        async with self.pool.acquire() as conn:
            return changed(await conn.execute("DELETE FROM subscribers WHERE user_id = $1", user_id)) == 1

    async def active(self) -> list[int]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch("SELECT user_id FROM subscribers WHERE status = 'active' ORDER BY user_id")
        return [int(row["user_id"]) for row in rows]
