"""The bureau's copies still to make: one ``file_copies`` row per document, written with the document itself.

A row stays until its copy is stored — then, in one transaction, the attachment records the copy's hash, size and
time, the audit log records the step, and the row goes — or until the copy is found impossible (the file is gone
from Telegram, larger than a bot may fetch, or not the bytes checked at receipt): then it stays, marked failed
with the reason, for the bureau to see. Rows are due when ``next_attempt_at`` (the worker's clock) has passed;
'' means at once.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from approvals.documents import copy_kept
from approvals.models import Status
from storage.audit import insert_event
from storage.codec import stamp, unstamp
from storage.database import Database
from storage.ports import PendingCopy as PendingCopy

AT_ONCE = datetime.min.replace(tzinfo=UTC)  # a row due at once ('')


class SqliteCopies:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def due(self, now: datetime, *, limit: int = 20) -> list[PendingCopy]:
        """The pending copies whose time has come, oldest due first."""
        async with self.db.reader.execute(
            "SELECT c.attachment_id, a.request_id, a.file_id, a.name, a.size, a.sha256, c.attempts "
            "FROM file_copies c JOIN attachments a ON a.id = c.attachment_id "
            "WHERE c.status = 'pending' AND c.next_attempt_at <= ? ORDER BY c.next_attempt_at, c.attachment_id "
            "LIMIT ?",
            (stamp(now), limit),
        ) as cursor:
            return [PendingCopy(*row) for row in await cursor.fetchall()]

    @property
    def added(self) -> asyncio.Event:
        return self.db.copies_added

    async def next_attempt(self) -> datetime | None:
        """When the earliest pending copy is due (``datetime.min`` for at once), or None when none is pending."""
        async with self.db.reader.execute(
            "SELECT min(next_attempt_at) FROM file_copies WHERE status = 'pending'"
        ) as cursor:
            row = await cursor.fetchone()
        if row is None or row[0] is None:
            return None
        return unstamp(row[0]) if row[0] else AT_ONCE

    async def kept(self, copy: PendingCopy, *, sha256: str, size: int, at: datetime) -> None:
        """The copy is stored: the attachment records it and the audit log the step, and the row goes, at once."""
        async with self.db.transaction() as conn:
            gone = await conn.execute("DELETE FROM file_copies WHERE attachment_id = ?", (copy.attachment_id,))
            if gone.rowcount != 1:
                return  # recorded already (a copy made twice is recorded once)
            await conn.execute(
                "UPDATE attachments SET sha256 = ?, size = ?, stored_at = ? WHERE id = ?",
                (sha256, size, stamp(at), copy.attachment_id),
            )
            async with conn.execute("SELECT status FROM requests WHERE id = ?", (copy.request_id,)) as cursor:
                row = await cursor.fetchone()
            assert row is not None  # an attachment's request is never deleted
            event = copy_kept(copy.request_id, Status(row[0]), name=copy.name, sha256=sha256, size=size, at=at)
            await insert_event(conn, event, notify=False)

    async def retry_at(self, attachment_id: int, when: datetime, error: str) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE file_copies SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? "
                "WHERE attachment_id = ?",
                (stamp(when), error[:500], attachment_id),
            )

    async def give_up(self, attachment_id: int, error: str) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE file_copies SET status = 'failed', attempts = attempts + 1, last_error = ? "
                "WHERE attachment_id = ?",
                (error[:500], attachment_id),
            )

    async def counts(self) -> dict[str, int]:
        """Copies still to make, and impossible ones, by status."""
        async with self.db.reader.execute("SELECT status, count(*) FROM file_copies GROUP BY status") as cursor:
            return {status: int(n) for status, n in await cursor.fetchall()}
