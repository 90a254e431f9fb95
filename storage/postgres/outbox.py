"""The outbox shared by several senders: each claims a chat's oldest pending row under a lease.

Per-chat order holds across instances because only a chat's oldest pending row can be claimed, and only while no
live lease holds it: the next row of that chat becomes claimable once the holder has marked the first sent (or
given it up, or put it back for a retry), or when the holder's lease ran out because it died. ``FOR UPDATE SKIP
LOCKED`` keeps two claimers off one row without waiting for each other; a claimer that read an old snapshot
re-checks the lease on the row's newest version (READ COMMITTED re-evaluates the WHERE of a locked row). Only the
holder may mark a row sent, so a sender whose lease ran out and was taken over cannot overwrite the new holder's
result (its message may have gone out twice: at most the one row per chat it held when it stalled or died)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from storage.ports import Outgoing

CLAIM = """
WITH heads AS (
    SELECT DISTINCT ON (chat_id) id, next_attempt_at, lease_until
    FROM outbox WHERE status = 'pending'
    ORDER BY chat_id, id
), due AS (
    SELECT id FROM heads
    WHERE next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until < $1)
    ORDER BY id
    LIMIT $2
), taken AS (
    SELECT o.id FROM outbox o JOIN due ON o.id = due.id
    WHERE o.status = 'pending' AND (o.lease_until IS NULL OR o.lease_until < $1)
    FOR UPDATE OF o SKIP LOCKED
)
UPDATE outbox SET claimed_by = $3, lease_until = $4
FROM taken WHERE outbox.id = taken.id
RETURNING outbox.id, outbox.chat_id, outbox.text, outbox.photo, outbox.reply_markup::text AS reply_markup,
    outbox.kind, outbox.request_id, outbox.edit_message_id, outbox.method, outbox.payload::text AS payload,
    outbox.attempts, outbox.event_id
"""
INSERT = """
INSERT INTO outbox (chat_id, text, photo, reply_markup, kind, request_id, edit_message_id, method, payload,
    created_at, next_attempt_at)
VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9::jsonb, $10, $10)
"""


@dataclass(frozen=True)
class Claimed:
    id: int
    message: Outgoing
    attempts: int
    event_id: int | None


class PostgresOutbox:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def add(self, messages: Sequence[Outgoing], now: datetime) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await enqueue(conn, messages, now)

    async def claim(self, claimer: str, now: datetime, lease: timedelta, *, limit: int = 200) -> list[Claimed]:
        """Up to ``limit`` rows, each the oldest pending row of its chat, due and not leased to anyone alive."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(CLAIM, now, limit, claimer, now + lease)
        return sorted((_claimed(row) for row in rows), key=lambda c: c.id)

    async def mark_sent(self, row_id: int, claimer: str, now: datetime) -> bool:
        """False when ``claimer`` no longer holds the row (its lease ran out and another claimer took it)."""
        return await self._by_holder(
            "UPDATE outbox SET status = 'sent', sent_at = $3, claimed_by = NULL, lease_until = NULL",
            row_id,
            claimer,
            now,
        )

    async def retry_at(self, row_id: int, claimer: str, when: datetime, error: str) -> bool:
        """Put the row back, due at ``when`` (Telegram's retry_after, or a backoff): the chat waits for it."""
        return await self._by_holder(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $3, last_error = $4,"
            " claimed_by = NULL, lease_until = NULL",
            row_id,
            claimer,
            when,
            error,
        )

    async def give_up(self, row_id: int, claimer: str, error: str) -> bool:
        return await self._by_holder(
            "UPDATE outbox SET status = 'undeliverable', last_error = $3, claimed_by = NULL, lease_until = NULL",
            row_id,
            claimer,
            error,
        )

    async def release(self, claimer: str) -> int:
        """A sender stopping: its rows are claimable again at once, not when their leases end."""
        async with self.pool.acquire() as conn:
            status = await conn.execute(
                "UPDATE outbox SET claimed_by = NULL, lease_until = NULL WHERE claimed_by = $1 AND status = 'pending'",
                claimer,
            )
        return int(status.split()[-1])

    async def counts(self) -> dict[str, int]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch("SELECT status, count(*) AS n FROM outbox GROUP BY status")
        return {row["status"]: row["n"] for row in rows}

    async def _by_holder(self, update: str, row_id: int, claimer: str, *values: object) -> bool:
        async with self.pool.acquire() as conn:
            status = await conn.execute(
                f"{update} WHERE id = $1 AND claimed_by = $2 AND status = 'pending'", row_id, claimer, *values
            )
        return bool(status == "UPDATE 1")


async def enqueue(conn: asyncpg.Connection, messages: Sequence[Outgoing], now: datetime) -> None:
    """Inside a caller's transaction: the messages exist exactly when the change does."""
    await conn.executemany(
        INSERT,
        [
            (
                m.chat_id,
                m.text,
                m.photo,
                m.reply_markup,
                m.kind,
                m.request_id,
                m.edit_message_id,
                m.method,
                m.payload,
                now,
            )
            for m in messages
        ],
    )


def _claimed(row: asyncpg.Record) -> Claimed:
    message = Outgoing(
        chat_id=row["chat_id"],
        text=row["text"],
        photo=row["photo"],
        reply_markup=row["reply_markup"],
        kind=row["kind"],
        request_id=row["request_id"],
        edit_message_id=row["edit_message_id"],
        method=row["method"],
        payload=row["payload"],
    )
    return Claimed(row["id"], message, row["attempts"], row["event_id"])
