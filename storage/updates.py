"""Updates already handled, so one that Telegram delivers again (a crash before its offset was confirmed) is
skipped rather than handled twice."""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from datetime import datetime

from storage import inbox
from storage.codec import stamp
from storage.database import Database
from storage.group_commit import GroupCommit
from storage.ports import StorageBusy
from storage.unit import write

KEEP = 100_000  # ids are increasing; far older ones can never come back
RECENT = 10_000  # this process's own ids, for a webhook retry of an update it is still handling


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
    """Implements the ledger of handled updates.

    Update ids only grow. Ids above the highest one stored when this process started cannot have been handled by
    an earlier run, so only those at or below it (redelivered after a crash) are looked up; newer ones are checked
    against the ids this process has seen. The record is written with the update's other writes (group commit).
    """

    def __init__(self, db: Database, committer: GroupCommit) -> None:
        self.db = db
        self.committer = committer
        self._mark: int | None = None
        self._recent: OrderedDict[int, None] = OrderedDict()
        self._recorded = 0

    async def seen(self, update_id: int) -> bool:
        if self._mark is None:
            self._mark = await self._highest()
        if update_id > self._mark:
            return update_id in self._recent
        async with (
            self.db.point_read() as conn,
            conn.execute("SELECT 1 FROM processed_updates WHERE update_id = ?", (update_id,)) as cursor,
        ):
            return await cursor.fetchone() is not None

    async def record(self, update_id: int, now: datetime) -> None:
        self._recent[update_id] = None
        while len(self._recent) > RECENT:
            self._recent.popitem(last=False)
        await write(
            self.committer,
            "INSERT OR IGNORE INTO processed_updates (update_id, at) VALUES (?, ?)",
            (update_id, stamp(now)),
            undo=lambda: self._recent.pop(update_id, None),  # not stored: a retry must be handled, not skipped
        )
        await write(self.committer, inbox.DONE, (update_id,))  # handled: the inbox need not keep it

    async def settle(self, update_id: int, now: datetime) -> None:
        """Record an update as handled now, in a transaction of its own (its unit's commit failed)."""
        try:
            await self.committer.commit(
                [
                    ("INSERT OR IGNORE INTO processed_updates (update_id, at) VALUES (?, ?)", (update_id, stamp(now))),
                    (inbox.DONE, (update_id,)),
                ]
            )
        except sqlite3.OperationalError as exc:  # locked, or the disk failing: the caller tries again later
            raise StorageBusy(str(exc)) from exc
        self._recent[update_id] = None

    def recorded(self, update_id: int) -> bool:
        """Recorded by this process, and not undone by a failed commit."""
        return update_id in self._recent

    async def skipped(self, update_id: int) -> None:
        """A handled update delivered again: nothing to do but make sure the inbox lets it go."""
        await write(self.committer, inbox.DONE, (update_id,))
        self._recorded += 1
        if self._recorded % 1000 == 0:
            await write(self.committer, "DELETE FROM processed_updates WHERE update_id < ?", (update_id - KEEP,))

    async def highest(self) -> int:
        """The highest update id handled or waiting in the inbox (0 with none)."""
        async with (
            self.db.point_read() as conn,
            conn.execute(
                "SELECT max(coalesce((SELECT max(update_id) FROM processed_updates), 0),"
                " coalesce((SELECT max(update_id) FROM inbox), 0))"
            ) as cursor,
        ):
            row = await cursor.fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    async def _highest(self) -> int:
        async with (
            self.db.point_read() as conn,
            conn.execute("SELECT max(update_id) FROM processed_updates") as cursor,
        ):
            row = await cursor.fetchone()
        return int(row[0]) if row and row[0] is not None else 0
