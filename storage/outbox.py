"""The outbox: messages written in the same transaction as the change they report, delivered afterwards."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.codec import stamp
from storage.database import Database


@dataclass(frozen=True)
class Outgoing:
    """A message to deliver: text, or a photo with ``text`` as its caption. ``reply_markup`` is Bot API JSON."""

    chat_id: int
    text: str | None = None
    photo: bytes | None = None
    reply_markup: str | None = None


@dataclass(frozen=True)
class Queued:
    id: int
    message: Outgoing
    attempts: int


async def enqueue(conn: aiosqlite.Connection, messages: Iterable[Outgoing], now: datetime) -> None:
    """Inside a caller's transaction: the messages exist exactly when the change does."""
    at = stamp(now)
    await conn.executemany(
        "INSERT INTO outbox (chat_id, text, photo, reply_markup, created_at, next_attempt_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(m.chat_id, m.text, m.photo, m.reply_markup, at, at) for m in messages],
    )


class SqliteOutbox:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, messages: Sequence[Outgoing], now: datetime) -> None:
        async with self.db.transaction() as conn:
            await enqueue(conn, messages, now)

    async def due(self, now: datetime, *, limit: int = 50) -> list[Queued]:
        async with (
            self.db.point_read() as conn,
            conn.execute(
                "SELECT id, chat_id, text, photo, reply_markup, attempts FROM outbox "
                "WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
                (stamp(now), limit),
            ) as cursor,
        ):
            rows = await cursor.fetchall()
        return [Queued(row[0], Outgoing(row[1], row[2], row[3], row[4]), row[5]) for row in rows]

    async def mark_sent(self, message_id: int, now: datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1 WHERE id = ?",
                (stamp(now), message_id),
            )

    async def retry_at(self, message_id: int, when: datetime, error: str) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?",
                (stamp(when), error[:500], message_id),
            )

    async def give_up(self, message_id: int, error: str) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET status = 'undeliverable', attempts = attempts + 1, last_error = ? WHERE id = ?",
                (error[:500], message_id),
            )

    async def counts(self) -> dict[str, int]:
        async with self.db.reader.execute("SELECT status, count(*) FROM outbox GROUP BY status") as cursor:
            return {status: int(n) for status, n in await cursor.fetchall()}
