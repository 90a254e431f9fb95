"""Where request cards were posted, on PostgreSQL (``storage.ports.CardStore``; ``storage/cards.py`` says why a
card is recorded with its outbox row's mark, and how a copy the bot could not record is adopted).

The outbox row is marked sent only while this instance's sender still holds it (``PostgresOutbox``): a sender
whose lease ran out leaves the row to its new holder, but the card it did post is recorded all the same."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from storage.ports import Committer, Outgoing
from storage.postgres.outbox import SENT, PostgresOutbox, enqueue
from storage.unit import write

ADD = "INSERT INTO cards (request_id, chat_id, message_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"


class PostgresCardStore:
    def __init__(self, pool: asyncpg.Pool, committer: Committer, outbox: PostgresOutbox) -> None:
        self.pool = pool
        self.committer = committer
        self.outbox = outbox

    async def add(self, request_id: int, chat_id: int, message_id: int) -> None:
        """Into the current update's writes (committed with its other writes), else committed now."""
        await write(self.committer, ADD, (request_id, chat_id, message_id))

    async def posted(self, outbox_row: int, request_id: int, chat_id: int, message_id: int, now: datetime) -> None:
        """The card an outbox row stood for is out: remember it and mark the row sent, in one transaction."""
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(ADD, request_id, chat_id, message_id)
            status = await conn.execute(
                f"{SENT} WHERE id = $1 AND claimed_by = $2 AND status = 'pending'",
                outbox_row,
                self.outbox.claimer,
                now,
            )
        self.outbox.held(outbox_row, status == "UPDATE 1")

    async def adopt(self, request_id: int, chat_id: int, message_id: int, now: datetime) -> bool:
        """Record a copy found on screen and queue its redraw, in one transaction. False if it was known."""
        async with self.pool.acquire() as conn, conn.transaction():
            if await conn.execute(ADD, request_id, chat_id, message_id) != "INSERT 0 1":
                return False
            await enqueue(
                conn, [Outgoing(chat_id, kind="edit_card", request_id=request_id, edit_message_id=message_id)], now
            )
        self.outbox.poke()
        return True

    async def known(self, request_id: int, chat_id: int, message_id: int) -> bool:
        found = await self.pool.fetchval(
            "SELECT 1 FROM cards WHERE request_id = $1 AND chat_id = $2 AND message_id = $3",
            request_id,
            chat_id,
            message_id,
        )
        return found is not None

    async def of(self, request_id: int) -> list[tuple[int, int]]:
        rows = await self.pool.fetch(
            "SELECT chat_id, message_id FROM cards WHERE request_id = $1 ORDER BY added", request_id
        )
        return [(row["chat_id"], row["message_id"]) for row in rows]

    async def highest_message_id(self) -> int:
        """The highest message id any card or queued edit names (0 with none): see ``storage/cards.py``."""
        found = await self.pool.fetchval(
            "SELECT greatest(coalesce((SELECT max(message_id) FROM cards), 0),"
            " coalesce((SELECT max(edit_message_id) FROM outbox), 0))"
        )
        return int(found or 0)
