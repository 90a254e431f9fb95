"""Where request cards were posted (the reviewers' group, reviewers' private chats)."""

from __future__ import annotations

from storage.database import Database
from storage.group_commit import GroupCommit

ADD = "INSERT OR IGNORE INTO cards (request_id, chat_id, message_id) VALUES (?, ?, ?)"


class SqliteCardStore:
    def __init__(self, db: Database, committer: GroupCommit) -> None:
        self.db = db
        self.committer = committer

    async def add(self, request_id: int, chat_id: int, message_id: int) -> None:
        """Committed with whatever else is being committed (one row, idempotent)."""
        await self.committer.commit([(ADD, (request_id, chat_id, message_id))])

    async def of(self, request_id: int) -> list[tuple[int, int]]:
        async with (
            self.db.point_read() as conn,
            conn.execute(
                "SELECT chat_id, message_id FROM cards WHERE request_id = ? ORDER BY rowid", (request_id,)
            ) as cursor,
        ):
            return [(chat, message) for chat, message in await cursor.fetchall()]
