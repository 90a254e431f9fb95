"""The outbox shared by several senders: each claims a chat's oldest pending row under a lease.

Per-chat order holds across instances because only a chat's oldest pending row can be claimed, and only while no
live lease holds it: the next row of that chat becomes claimable once the holder has marked the first sent (or
given it up, or put it back for a retry), or when the holder's lease ran out because it died. ``FOR UPDATE SKIP
LOCKED`` keeps two claimers off one row without waiting for each other; a claimer that read an old snapshot
re-checks the lease on the row's newest version (READ COMMITTED re-evaluates the WHERE of a locked row). Only the
holder may mark a row sent, so a sender whose lease ran out and was taken over cannot overwrite the new holder's
result (its message may have gone out twice: at most the one row per chat it held when it stalled or died)."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

from storage.ports import Outgoing, Queued
from storage.postgres.outbox_leader import OutboxLeader

log = logging.getLogger(__name__)

CLAIM = """
WITH heads AS (
    SELECT DISTINCT ON (chat_id) id, next_attempt_at, lease_until, claimed_by
    FROM outbox WHERE status = 'pending'
    ORDER BY chat_id, id
), due AS (
    SELECT id FROM heads
    WHERE next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until < $1 OR claimed_by = $3)
    ORDER BY id
    LIMIT $2
), taken AS (
    SELECT o.id FROM outbox o JOIN due ON o.id = due.id
    WHERE o.status = 'pending' AND (o.lease_until IS NULL OR o.lease_until < $1 OR o.claimed_by = $3)
    FOR UPDATE OF o SKIP LOCKED
)
UPDATE outbox SET claimed_by = $3, lease_until = $4
FROM taken WHERE outbox.id = taken.id
RETURNING outbox.id, outbox.chat_id, outbox.text, outbox.photo, outbox.reply_markup::text AS reply_markup,
    outbox.kind, outbox.request_id, outbox.edit_message_id, outbox.method, outbox.payload::text AS payload,
    outbox.attempts, outbox.event_id
"""
SENT = "UPDATE outbox SET status = 'sent', sent_at = $3, attempts = attempts + 1, claimed_by = NULL, lease_until = NULL"
LEASE = timedelta(seconds=60)  # a sender that stalls this long loses its rows to the next sender
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
    """``storage.ports.Outbox``: what this instance's sender sends, while it is the one sender
    (``storage/postgres/outbox_leader.py``), each row claimed under a lease held by ``claimer``."""

    def __init__(self, pool: asyncpg.Pool, claimer: str | None = None, lease: timedelta = LEASE) -> None:
        self.pool = pool
        self.claimer = claimer or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lease = lease
        self._added = asyncio.Event()
        self.leader = OutboxLeader(pool, self._added)
        self._took_over = False  # this sender has taken the previous one's claims since it began to lead

    @property
    def added(self) -> asyncio.Event:
        return self._added

    def poke(self) -> None:
        self._added.set()

    async def leading(self) -> bool:
        if not await self.leader.holds():
            self._took_over = False
            return False
        if not self._took_over:
            # the sender before this one is dead, or cut off from the database: its claims would hold each of
            # their chats for the rest of the lease (a receipt a minute late), so they are this sender's now
            taken = await self.pool.execute(
                "UPDATE outbox SET claimed_by = $1, lease_until = $2"
                " WHERE status = 'pending' AND claimed_by IS NOT NULL AND claimed_by <> $1",
                self.claimer,
                datetime.now(UTC) + self.lease,
            )
            self._took_over = True
            if taken != "UPDATE 0":
                log.info("outbox rows taken over from the previous sender %s", taken.split()[-1])
        return True

    async def add(self, messages: Sequence[Outgoing], now: datetime) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await enqueue(conn, messages, now)
        self._added.set()

    async def pending(self, *, limit: int = 200) -> list[Queued]:
        """Each chat's oldest pending row that is due, claimed for this instance — none unless it is the sender.
        Rows not due yet are left out (the sender wakes each idle second to look again)."""
        if not await self.leading():
            return []
        claimed = await self.claim(self.claimer, datetime.now(UTC), self.lease, limit=limit)
        return [Queued(c.id, c.message, c.attempts, None, c.event_id) for c in claimed]

    async def expand(self, expansions: Sequence[tuple[int, Sequence[Outgoing]]], now: datetime) -> None:
        """Replace event rows by the messages each means, in one transaction (a crash leaves one or the other)."""
        async with self.pool.acquire() as conn, conn.transaction():
            for event_row, messages in expansions:
                await enqueue(conn, messages, now)
                await conn.execute(
                    f"{SENT} WHERE id = $1 AND claimed_by = $2 AND status = 'pending'", event_row, self.claimer, now
                )

    async def mark_sent(self, row: int, now: datetime) -> None:
        self._lost(row, await self.mark_sent_by(row, self.claimer, now))

    async def retry_at(self, row: int, when: datetime, error: str) -> None:
        self._lost(row, await self.retry_by(row, self.claimer, when, error))

    async def give_up(self, row: int, error: str) -> None:
        self._lost(row, await self.give_up_by(row, self.claimer, error))

    async def close(self) -> None:
        """Stopping: this instance's rows are claimable at once, and another instance may send."""
        try:
            await self.release(self.claimer)
        finally:
            await self.leader.close()

    def held(self, row: int, held: bool) -> None:
        """Told whether a mark of ``row`` (here or by the card store, in its own transaction) was this sender's."""
        self._lost(row, held)

    def _lost(self, row: int, held: bool) -> None:
        if not held:  # the lease ran out and another sender took the row: its outcome stands
            log.warning("outbox row no longer held by this sender row=%d", row)

    async def claim(self, claimer: str, now: datetime, lease: timedelta, *, limit: int = 200) -> list[Claimed]:
        """Up to ``limit`` rows, each the oldest pending row of its chat, due and not leased to another."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(CLAIM, now, limit, claimer, now + lease)
        return sorted((_claimed(row) for row in rows), key=lambda c: c.id)

    async def mark_sent_by(self, row_id: int, claimer: str, now: datetime) -> bool:
        """False when ``claimer`` no longer holds the row (its lease ran out and another claimer took it)."""
        return await self._by_holder(SENT, row_id, claimer, now)

    async def retry_by(self, row_id: int, claimer: str, when: datetime, error: str) -> bool:
        """Put the row back, due at ``when`` (Telegram's retry_after, or a backoff): the chat waits for it."""
        return await self._by_holder(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $3, last_error = $4,"
            " claimed_by = NULL, lease_until = NULL",
            row_id,
            claimer,
            when,
            error[:500],
        )

    async def give_up_by(self, row_id: int, claimer: str, error: str) -> bool:
        return await self._by_holder(
            "UPDATE outbox SET status = 'undeliverable', attempts = attempts + 1, last_error = $3,"
            " claimed_by = NULL, lease_until = NULL",
            row_id,
            claimer,
            error[:500],
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
