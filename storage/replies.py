"""The reply journal: a reply is written in the same transaction as the change it confirms, and removed once
sent. A process killed in between leaves the row; the next start moves it to the outbox, which sends it.

Rows are Bot API calls as the front end serialised them (method name, JSON parameters, at most one file); this
module does not read them.
"""

from __future__ import annotations

from datetime import datetime

from storage.codec import stamp
from storage.database import Database
from storage.outbox import NOW
from storage.ports import Op
from storage.ports import Reply as Reply

ADD = "INSERT INTO replies (id, chat_id, method, payload, file, request_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
DONE = "DELETE FROM replies WHERE id = ?"


class SqliteReplies:
    """Ids are given here, not by SQLite, so the row's removal can be queued before the row is committed."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._next: int | None = None

    async def entry(self, reply: Reply, now: datetime) -> tuple[int, Op]:
        """An id for ``reply`` and the write that journals it (for the caller's unit of work)."""
        if self._next is None:
            async with (
                self.db.point_read() as conn,
                conn.execute("SELECT coalesce(max(id), 0) FROM replies") as cursor,
            ):
                row = await cursor.fetchone()
            self._next = int(row[0]) + 1
        reply_id, self._next = self._next, self._next + 1
        return reply_id, (
            ADD,
            (reply_id, reply.chat_id, reply.method, reply.payload, reply.file, reply.card_of, stamp(now)),
        )

    @staticmethod
    def done(reply_id: int) -> Op:
        return (DONE, (reply_id,))

    async def requeue(self, now: datetime) -> int:
        """Hand every journalled reply that was never marked sent to the outbox (at start, before any new reply
        is journalled). Returns how many."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO outbox (chat_id, kind, method, payload, photo, request_id, created_at, next_attempt_at) "
                "SELECT chat_id, 'call', method, payload, file, request_id, ?, ? FROM replies ORDER BY id",
                (stamp(now), NOW),
            )
            moved = cursor.rowcount
            await conn.execute("DELETE FROM replies")
        if moved:
            self.db.poke_outbox()
        return moved
