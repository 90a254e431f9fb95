"""Reviewers' internal notes on requests (append-only)."""

from __future__ import annotations

from approvals.models import Note
from storage.codec import stamp, unstamp
from storage.database import Database
from storage.outbox import Outgoing, enqueue


class SqliteNoteStore:
    """Implements ``approvals.ports.NoteStore``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, note: Note) -> int:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO notes (request_id, author_id, author_name, at, text) VALUES (?, ?, ?, ?, ?)",
                (note.request_id, note.author_id, note.author_name, stamp(note.at), note.text),
            )
            async with conn.execute("SELECT count(*) FROM notes WHERE request_id = ?", (note.request_id,)) as cursor:
                row = await cursor.fetchone()
            # every copy of the card shows the count: redrawn with the note, as a step's event would have them
            async with conn.execute(
                "SELECT chat_id, message_id FROM cards WHERE request_id = ? ORDER BY rowid", (note.request_id,)
            ) as cursor:
                cards = await cursor.fetchall()
            edits = [
                Outgoing(chat, kind="edit_card", request_id=note.request_id, edit_message_id=m) for chat, m in cards
            ]
            await enqueue(conn, edits, note.at)
        self.db.poke_outbox()
        return int(row[0]) if row else 0

    async def of(self, request_id: int, *, limit: int) -> list[Note]:
        async with (
            self.db.point_read() as conn,
            conn.execute(
                "SELECT request_id, author_id, author_name, at, text FROM notes WHERE request_id = ? "
                "ORDER BY id DESC LIMIT ?",
                (request_id, limit),
            ) as cursor,
        ):
            rows = await cursor.fetchall()
        return [
            Note(request_id=r, author_id=a, author_name=name, at=unstamp(at), text=text)
            for r, a, name, at, text in reversed(rows)
        ]

    async def count(self, request_id: int) -> int:
        async with (
            self.db.point_read() as conn,
            conn.execute("SELECT count(*) FROM notes WHERE request_id = ?", (request_id,)) as cursor,
        ):
            row = await cursor.fetchone()
        return int(row[0]) if row else 0
