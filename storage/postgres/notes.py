"""Reviewers' internal notes on requests, on PostgreSQL (append-only: a trigger refuses UPDATE and DELETE)."""

from __future__ import annotations

import asyncpg

from approvals.models import Note
from storage.ports import Outgoing
from storage.postgres.outbox import enqueue


class PostgresNoteStore:
    """Implements ``approvals.ports.NoteStore``.

    A note, the count it brings the request to and the outbox rows that redraw every copy of the request's card
    are one transaction, as on SQLite; the count is the committed notes this transaction sees, its own included.
    The senders pick the rows up on their own (waking them with ``NOTIFY`` comes with the sender)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def add(self, note: Note) -> int:
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "INSERT INTO notes (request_id, author_id, author_name, at, text) VALUES ($1, $2, $3, $4, $5)",
                note.request_id,
                note.author_id,
                note.author_name,
                note.at,
                note.text,
            )
            count = await conn.fetchval("SELECT count(*) FROM notes WHERE request_id = $1", note.request_id)
            # every copy of the card shows the count: redrawn with the note, as a step's event would have them
            cards = await conn.fetch(
                "SELECT chat_id, message_id FROM cards WHERE request_id = $1 ORDER BY added", note.request_id
            )
            edits = [
                Outgoing(
                    row["chat_id"], kind="edit_card", request_id=note.request_id, edit_message_id=row["message_id"]
                )
                for row in cards
            ]
            await enqueue(conn, edits, note.at)
        return int(count)

    async def of(self, request_id: int, *, limit: int) -> list[Note]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT request_id, author_id, author_name, at, text FROM notes WHERE request_id = $1 "
                "ORDER BY id DESC LIMIT $2",
                request_id,
                limit,
            )
        return [
            Note(
                request_id=row["request_id"],
                author_id=row["author_id"],
                author_name=row["author_name"],
                at=row["at"],
                text=row["text"],
            )
            for row in reversed(rows)
        ]

    async def count(self, request_id: int) -> int:
        async with self.pool.acquire() as conn:
            return int(await conn.fetchval("SELECT count(*) FROM notes WHERE request_id = $1", request_id))
