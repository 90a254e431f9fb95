"""The inbox: updates stored before Telegram is told they arrived, kept until they are handled.

Telegram forgets an update once a later ``getUpdates`` passes its offset (or once the webhook answered 200). If the
process dies while the update is still being handled, only this table still has it: it is handled at the next start.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

from storage.codec import stamp
from storage.database import Database
from storage.group_commit import GroupCommit

STORE = "INSERT OR IGNORE INTO inbox (update_id, payload, received_at) VALUES (?, ?, ?)"
DONE = "DELETE FROM inbox WHERE update_id = ?"


class SqliteInbox:
    def __init__(self, db: Database, committer: GroupCommit) -> None:
        self.db = db
        self.committer = committer

    async def store(self, updates: Sequence[tuple[int, str]], now: datetime) -> None:
        """Durably stored when this returns (one transaction, shared with whatever else is being committed)."""
        at = stamp(now)
        await self.committer.commit([(STORE, (update_id, payload, at)) for update_id, payload in updates])

    def store_ahead(self, updates: Sequence[tuple[int, str]], now: datetime) -> asyncio.Future[None]:
        """Stored first in the next transaction — in the flush of the first update that writes anything, else
        within the group commit's short wait — so handling need not wait for a commit of its own. The future says
        when they are durable."""
        at = stamp(now)
        return self.committer.commit_ahead([(STORE, (update_id, payload, at)) for update_id, payload in updates])

    async def unhandled(self) -> list[tuple[int, str]]:
        """What a previous run stored and did not finish, oldest first."""
        async with (
            self.db.point_read() as conn,
            conn.execute("SELECT update_id, payload FROM inbox ORDER BY update_id") as cursor,
        ):
            return [(int(update_id), str(payload)) for update_id, payload in await cursor.fetchall()]

    async def count(self) -> int:
        async with self.db.point_read() as conn, conn.execute("SELECT count(*) FROM inbox") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0
