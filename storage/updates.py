"""Updates already handled, so one that Telegram delivers again (a crash before its offset was confirmed) is
skipped rather than handled twice."""

from __future__ import annotations

from datetime import datetime

from storage.codec import stamp
from storage.database import Database

KEEP = 100_000  # ids are increasing; far older ones can never come back


class SqliteDenials:
    """Refused attempts, for the bureau's security review."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(self, user_id: int, error: str, detail: str, now: datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO denials (at, user_id, error, detail) VALUES (?, ?, ?, ?)",
                (stamp(now), user_id, error, detail[:500]),
            )

    async def of(self, user_id: int) -> list[tuple[str, str]]:
        async with self.db.reader.execute(
            "SELECT error, detail FROM denials WHERE user_id = ? ORDER BY id", (user_id,)
        ) as cursor:
            return [(error, detail) for error, detail in await cursor.fetchall()]


class SqliteUpdates:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._recorded = 0

    async def seen(self, update_id: int) -> bool:
        async with (
            self.db.point_read() as conn,
            conn.execute("SELECT 1 FROM processed_updates WHERE update_id = ?", (update_id,)) as cursor,
        ):
            return await cursor.fetchone() is not None

    async def record(self, update_id: int, now: datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT OR IGNORE INTO processed_updates (update_id, at) VALUES (?, ?)", (update_id, stamp(now))
            )
            self._recorded += 1
            if self._recorded % 1000 == 0:
                await conn.execute("DELETE FROM processed_updates WHERE update_id < ?", (update_id - KEEP,))
