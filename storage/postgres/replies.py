"""The reply journal on PostgreSQL: a reply is written in the same transaction as the change it confirms, and
removed once sent; what a killed process left is moved to the outbox at the next start."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from storage.ports import Op, Reply

ADD = (
    "INSERT INTO replies (id, chat_id, method, payload, file, request_id, created_at) "
    "VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)"
)
DONE = "DELETE FROM replies WHERE id = $1"
BLOCK = 64  # ids taken from the sequence at a time (its INCREMENT, schema step 7)
# the DELETE locks the rows it moves: a second instance requeueing at the same moment waits, then finds them gone
REQUEUE = """
WITH moved AS (DELETE FROM replies RETURNING *)
INSERT INTO outbox (chat_id, kind, method, payload, photo, request_id, created_at, next_attempt_at)
SELECT chat_id, 'call', method, payload, file, request_id, $1, $1 FROM moved ORDER BY id
"""


class PostgresReplies:
    """Implements ``storage.ports.Replies``. Ids are given here, before the row is committed (its removal is
    queued with the send), in blocks of ``BLOCK`` from a sequence every instance shares, so no two collide.

    ``requeue`` moves every journalled row, also those of another instance still running (its reply may then go
    out twice); rows do not yet name the instance that wrote them."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self._next = 0
        self._end = 0

    async def entry(self, reply: Reply, now: datetime) -> tuple[int, Op]:
        """An id for ``reply`` and the write that journals it (for the caller's unit of work)."""
        if self._next >= self._end:
            self._next = int(await self.pool.fetchval("SELECT nextval('reply_ids')"))
            self._end = self._next + BLOCK
        reply_id, self._next = self._next, self._next + 1
        return reply_id, (ADD, (reply_id, reply.chat_id, reply.method, reply.payload, reply.file, reply.card_of, now))

    @staticmethod
    def done(reply_id: int) -> Op:
        return (DONE, (reply_id,))

    async def requeue(self, now: datetime) -> int:
        """Hand every journalled reply that was never marked sent to the outbox, due at once (at start, before
        any new reply is journalled). Returns how many. The senders find them on their own."""
        async with self.pool.acquire() as conn, conn.transaction():
            status = await conn.execute(REQUEUE, now)
        return int(status.rsplit(" ", 1)[-1])
