"""The bureau's copies of documents still to make, on PostgreSQL: one ``file_copies`` row per document, written with
the document itself (by the approval store, whose step brings the table), as on SQLite (``storage/copies.py``).

A copy stored is recorded in one transaction: the attachment takes the copy's hash, size and time, the audit log
the step, and the row goes. The row's deletion comes first and decides: a copy another instance's copier recorded
meanwhile is not recorded twice. Nothing claims a row yet (the port has no claim): two copiers may fetch the same
file, and the second's record is dropped."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import asyncpg

from approvals.documents import copy_kept
from approvals.models import Status
from storage.ports import PendingCopy
from storage.postgres.audit import insert_event
from storage.postgres.rows import changed

AT_ONCE = datetime.min.replace(tzinfo=UTC)  # what next_attempt() says of a row due at once ('-infinity')
_DUE = """
SELECT c.attachment_id, a.request_id, a.file_id, a.name, a.size, a.sha256, c.attempts
FROM file_copies c JOIN attachments a ON a.id = c.attachment_id
WHERE c.status = 'pending' AND c.next_attempt_at <= $1
ORDER BY c.next_attempt_at, c.attachment_id
LIMIT $2
"""


class PostgresCopies:
    """Implements ``storage.ports.Copies``."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        # set by this process's writes of documents; another instance's come with LISTEN/NOTIFY (the copier also
        # looks again on its own after a while)
        self._added = asyncio.Event()

    @property
    def added(self) -> asyncio.Event:
        return self._added

    async def due(self, now: datetime, *, limit: int = 20) -> list[PendingCopy]:
        """The pending copies whose time has come, oldest due first."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(_DUE, now, limit)
        return [PendingCopy(*row) for row in rows]

    async def next_attempt(self) -> datetime | None:
        """When the earliest pending copy is due (``datetime.min`` for at once), or None when none is pending."""
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(
                "SELECT min(next_attempt_at) = '-infinity' AS at_once, min(next_attempt_at) AS due "
                "FROM file_copies WHERE status = 'pending'"
            )
        if row is None or row["due"] is None:
            return None
        return AT_ONCE if row["at_once"] else row["due"]

    async def kept(self, copy: PendingCopy, *, sha256: str, size: int, at: datetime) -> None:
        """The copy is stored: the attachment records it and the audit log the step, and the row goes, at once."""
        async with self.pool.acquire() as conn, conn.transaction():
            gone = await conn.execute("DELETE FROM file_copies WHERE attachment_id = $1", copy.attachment_id)
            if changed(gone) != 1:
                return  # recorded by another copier (the row's lock made this one wait for it)
            await conn.execute(
                "UPDATE attachments SET sha256 = $2, size = $3, stored_at = $4 WHERE id = $1",
                copy.attachment_id,
                sha256,
                size,
                at,
            )
            status = Status(await conn.fetchval("SELECT status FROM requests WHERE id = $1", copy.request_id))
            event = copy_kept(copy.request_id, status, name=copy.name, sha256=sha256, size=size, at=at)
            await insert_event(conn, event, notify=False)

    async def retry_at(self, attachment_id: int, when: datetime, error: str) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute(
                "UPDATE file_copies SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3 "
                "WHERE attachment_id = $1",
                attachment_id,
                when,
                error[:500],
            )

    async def give_up(self, attachment_id: int, error: str) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute(
                "UPDATE file_copies SET status = 'failed', attempts = attempts + 1, last_error = $2 "
                "WHERE attachment_id = $1",
                attachment_id,
                error[:500],
            )

    async def counts(self) -> dict[str, int]:
        """Copies still to make, and impossible ones, by status."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch("SELECT status, count(*) AS n FROM file_copies GROUP BY status")
        return {row["status"]: int(row["n"]) for row in rows}
