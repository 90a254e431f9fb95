"""What the health endpoint reads and probes (monitoring/): the few figures a scrape needs and a write probe.

Every read is on the long-read connection (its own thread: the event loop and the writer never wait for it) and
is served by an index or a table of a few rows: the outbox's partial index on pending rows, ``request_counts``
(kept by triggers), ``summary_runs`` (a row per day and kind).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from storage.codec import unstamp
from storage.database import Database
from storage.ports import DatabaseNotWritable as DatabaseNotWritable
from storage.ports import OutboxBacklog as OutboxBacklog


class SqliteHealth:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def outbox_backlog(self) -> OutboxBacklog:
        # both along the partial index outbox_pending (id) WHERE status = 'pending': no scan of sent rows
        async with self.db.reader.execute("SELECT count(*) FROM outbox WHERE status = 'pending'") as cursor:
            row = await cursor.fetchone()
        pending = int(row[0]) if row else 0
        async with self.db.reader.execute(
            "SELECT created_at FROM outbox INDEXED BY outbox_pending WHERE status = 'pending' ORDER BY id LIMIT 1"
        ) as cursor:
            first = await cursor.fetchone()
        return OutboxBacklog(pending, unstamp(first[0]) if first else None)

    async def requests_by_state_and_lane(self) -> list[tuple[str, int, int]]:
        """(status, lane, count) from the counts the triggers keep; statuses with none left are still listed (0)."""
        async with self.db.reader.execute("SELECT status, lane, n FROM request_counts") as cursor:
            return [(str(status), int(lane), int(n)) for status, lane, n in await cursor.fetchall()]

    async def last_runs(self, kinds: Sequence[str]) -> dict[str, datetime]:
        """When each of ``kinds`` (daily runs: the summary, the backup) was last claimed; kinds never run are
        left out."""
        marks = ", ".join("?" * len(kinds))
        async with self.db.reader.execute(
            f"SELECT kind, max(claimed_at) FROM summary_runs WHERE kind IN ({marks}) GROUP BY kind", tuple(kinds)
        ) as cursor:
            return {str(kind): unstamp(at) for kind, at in await cursor.fetchall() if at}

    async def probe_write(self, *, min_free_bytes: int) -> None:
        """Raise ``DatabaseNotWritable`` unless a write could be committed now: the file and its directory are
        writable by this process (a read-only mount, a changed owner), the disk has room, and the write lock is
        had (another process holding it, say an sqlite3 shell left in a transaction, stalls every change)."""
        path = Path(self.db.path)
        for where in (path, path.parent):
            if not os.access(where, os.W_OK):
                raise DatabaseNotWritable(f"{where} is not writable by this process")
        free = shutil.disk_usage(path.parent).free
        if free < min_free_bytes:
            raise DatabaseNotWritable(
                f"only {free // 2**20} MiB free on the disk of {path.parent} (at least {min_free_bytes // 2**20} MiB)"
            )
        try:
            async with self.db.transaction():  # BEGIN IMMEDIATE takes the write lock; nothing is written
                pass
        except Exception as exc:  # sqlite3's errors, and whatever the commit thread raised
            raise DatabaseNotWritable(f"a write transaction failed: {exc}") from exc
