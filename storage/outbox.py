"""The outbox: what the bot must tell people, written in the same transaction as the change it reports.

Rows are messages (text or photo), cards to post or edit, or domain events that the sender expands into those.
Rows are due when ``next_attempt_at`` (the sender's own clock) has passed; '' means at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from storage.codec import stamp
from storage.database import Database
from storage.group_commit import GroupCommit
from storage.inline import InlineConnection
from storage.ports import Outgoing as Outgoing
from storage.ports import Queued as Queued

log = logging.getLogger(__name__)

NOW = ""  # sorts before every timestamp: due at once


def _row(m: Outgoing, at: str) -> tuple[object, ...]:
    return (
        m.chat_id,
        m.text,
        m.photo,
        m.reply_markup,
        m.kind,
        m.request_id,
        m.edit_message_id,
        m.method,
        m.payload,
        at,
        NOW,
    )


async def enqueue(conn: InlineConnection, messages: Iterable[Outgoing], now: datetime) -> None:
    """Inside a caller's transaction: the messages exist exactly when the change does."""
    at = stamp(now)
    await conn.executemany(
        "INSERT INTO outbox (chat_id, text, photo, reply_markup, kind, request_id, edit_message_id, method, payload, "
        "created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [_row(m, at) for m in messages],
    )


async def enqueue_event(conn: InlineConnection, event_id: int, request_id: int, at: str) -> None:
    await conn.execute(
        "INSERT INTO outbox (chat_id, kind, event_id, request_id, created_at, next_attempt_at) "
        "VALUES (0, 'event', ?, ?, ?, ?)",
        (event_id, request_id, at, NOW),
    )


SENT = "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1 WHERE id = ?"


class SqliteOutbox:
    def __init__(self, db: Database, committer: GroupCommit) -> None:
        self.db = db
        self.committer = committer  # marking a row sent shares the next group commit with the handlers' writes

    @property
    def added(self) -> asyncio.Event:
        return self.db.outbox_added

    def poke(self) -> None:
        self.db.poke_outbox()

    async def leading(self) -> bool:
        return True  # one process per database file (storage/lock.py)

    async def add(self, messages: Sequence[Outgoing], now: datetime) -> None:
        async with self.db.transaction() as conn:
            await enqueue(conn, messages, now)
        self.db.poke_outbox()

    async def pending(self, *, limit: int = 200) -> list[Queued]:
        """The oldest pending rows, due or not (the sender keeps each chat's messages in order).

        Read on the reader connection: the sender reads its backlog often, and on the writer (under the write
        lock) each pass would hold up every handler's commit."""
        async with (
            self.db.reader.execute(
                "SELECT id, chat_id, text, photo, reply_markup, kind, request_id, edit_message_id, attempts, "
                "next_attempt_at, event_id, method, payload FROM outbox WHERE status = 'pending' ORDER BY id LIMIT ?",
                (limit,),
            ) as cursor,
        ):
            rows = await cursor.fetchall()
        return [
            Queued(
                row[0],
                Outgoing(row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[11], row[12]),
                row[8],
                _due(row[0], row[9]),
                row[10],
            )
            for row in rows
        ]

    async def expand(self, expansions: Sequence[tuple[int, Sequence[Outgoing]]], now: datetime) -> None:
        """Replace event rows by the messages each means, all in one transaction (a crash leaves one or the
        other, never both)."""
        async with self.db.transaction() as conn:
            for event_row, messages in expansions:
                await enqueue(conn, messages, now)
                await conn.execute(
                    "UPDATE outbox SET status = 'sent', sent_at = ? WHERE id = ?", (stamp(now), event_row)
                )

    async def mark_sent(self, row: int, now: datetime) -> None:
        await self.committer.commit([(SENT, (stamp(now), row))])

    async def retry_at(self, row: int, when: datetime, error: str) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?",
                (stamp(when), error[:500], row),
            )

    async def give_up(self, row: int, error: str) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET status = 'undeliverable', attempts = attempts + 1, last_error = ? WHERE id = ?",
                (error[:500], row),
            )

    async def counts(self) -> dict[str, int]:
        async with self.db.reader.execute("SELECT status, count(*) FROM outbox GROUP BY status") as cursor:
            return {status: int(n) for status, n in await cursor.fetchall()}


class SqliteChats:
    """Chats that cannot receive messages (blocked the bot) and groups that became supergroups."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def mark_undeliverable(self, chat_id: int, reason: str, now: datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT OR REPLACE INTO undeliverable_chats (chat_id, since, reason) VALUES (?, ?, ?)",
                (chat_id, stamp(now), reason[:200]),
            )

    async def deliverable_again(self, chat_id: int) -> None:
        """The person wrote to the bot, so they have unblocked it."""
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM undeliverable_chats WHERE chat_id = ?", (chat_id,))

    async def undeliverable(self) -> set[int]:
        async with self.db.reader.execute("SELECT chat_id FROM undeliverable_chats") as cursor:
            return {int(row[0]) for row in await cursor.fetchall()}

    async def migrate(self, old_chat_id: int, new_chat_id: int) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT OR REPLACE INTO chat_migrations (old_chat_id, new_chat_id) VALUES (?, ?)",
                (old_chat_id, new_chat_id),
            )
            # messages still waiting for the old chat follow it
            await conn.execute(
                "UPDATE outbox SET chat_id = ? WHERE chat_id = ? AND status = 'pending'", (new_chat_id, old_chat_id)
            )
            await conn.execute("UPDATE cards SET chat_id = ? WHERE chat_id = ?", (new_chat_id, old_chat_id))

    async def current(self, chat_id: int) -> int:
        """Follow migrations: the id a chat has now."""
        async with (
            self.db.point_read() as conn,
            conn.execute("SELECT new_chat_id FROM chat_migrations WHERE old_chat_id = ?", (chat_id,)) as cursor,
        ):
            row = await cursor.fetchone()
        return int(row[0]) if row else chat_id


def _due(row: int, stamp_text: str | None) -> datetime | None:
    """A row's next attempt (a stamp, storage/codec.py; '' or NULL: at once). One that cannot be read — written by
    hand, or damaged — is due at once, logged, rather than failing every pass of the sender for every chat."""
    if not stamp_text:
        return None
    try:
        due = datetime.fromisoformat(stamp_text)
    except ValueError:
        log.error("outbox row %d has an unreadable next_attempt_at %r: sent at once", row, stamp_text)
        return None
    return due if due.tzinfo is not None else due.replace(tzinfo=UTC)
