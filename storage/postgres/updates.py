"""The ledger of handled updates and the inbox, on PostgreSQL, shared by several instances.

An update is marked handled by a plain INSERT, in the update's unit of work with its other writes (the reply
journal's rows, its inbox row's removal): of two instances handling the same update — a redelivery racing the
first delivery, two replaying the same inbox row — the second mark fails its whole unit, so only one instance's
writes are committed and only that one's replies are sent. (Redis claims keep two instances from handling an
update at once in the first place; this is what holds when they did.)"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime, timedelta

import asyncpg

from storage.ports import StorageBusy
from storage.postgres.committer import PostgresCommitter
from storage.unit import write

KEEP = 100_000  # ids are increasing; far older ones can never come back
RECENT = 10_000  # this process's own ids, for a webhook retry of an update it is still handling
MARK = "INSERT INTO processed_updates (update_id, at) VALUES ($1, $2)"
SETTLE = "INSERT INTO processed_updates (update_id, at) VALUES ($1, $2) ON CONFLICT DO NOTHING"
STORE = "INSERT INTO inbox (update_id, payload, received_at) VALUES ($1, $2::jsonb, $3) ON CONFLICT DO NOTHING"
DONE = "DELETE FROM inbox WHERE update_id = $1"
# each row to one replayer: a row another is replaying (its lease running) is left to it; SKIP LOCKED keeps two
# replayers from waiting on each other, and READ COMMITTED re-reads the lease of a row claimed meanwhile
REPLAY = """
UPDATE inbox SET replay_until = now() + $1::interval
WHERE update_id IN (
    SELECT update_id FROM inbox WHERE replay_until IS NULL OR replay_until < now() FOR UPDATE SKIP LOCKED
) AND (replay_until IS NULL OR replay_until < now())
RETURNING update_id, payload::text AS payload
"""


class PostgresUpdates:
    """Implements ``storage.ports.Updates``.

    Unlike SQLite's ledger, ids above the highest stored at start are looked up too: another instance may have
    handled them. Plain transactions per commit (``PostgresCommitter``), not a group commit, for now."""

    def __init__(self, pool: asyncpg.Pool, committer: PostgresCommitter) -> None:
        self.pool = pool
        self.committer = committer
        self._recent: OrderedDict[int, None] = OrderedDict()
        self._skipped = 0

    async def seen(self, update_id: int) -> bool:
        if update_id in self._recent:
            return True
        return await self.pool.fetchval("SELECT 1 FROM processed_updates WHERE update_id = $1", update_id) is not None

    async def record(self, update_id: int, now: datetime) -> None:
        self._recent[update_id] = None
        while len(self._recent) > RECENT:
            self._recent.popitem(last=False)
        # not stored (this unit failed, or another instance's mark won): a retry must be handled, not skipped
        await write(self.committer, MARK, (update_id, now), undo=lambda: self._recent.pop(update_id, None))
        await write(self.committer, DONE, (update_id,))  # handled: the inbox need not keep it

    async def settle(self, update_id: int, now: datetime) -> None:
        """Record an update as handled now, in a transaction of its own (its unit's commit failed)."""
        try:
            await self.committer.commit([(SETTLE, (update_id, now)), (DONE, (update_id,))])
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:  # the caller tries again later
            raise StorageBusy(str(exc)) from exc
        self._recent[update_id] = None

    def recorded(self, update_id: int) -> bool:
        """Recorded by this process, and not undone by a failed commit."""
        return update_id in self._recent

    async def skipped(self, update_id: int) -> None:
        """A handled update delivered again: nothing to do but make sure the inbox lets it go."""
        await write(self.committer, DONE, (update_id,))
        self._skipped += 1
        if self._skipped % 1000 == 0:
            await write(self.committer, "DELETE FROM processed_updates WHERE update_id < $1", (update_id - KEEP,))

    async def highest(self) -> int:
        """The highest update id handled or waiting in the inbox (0 with none)."""
        return int(
            await self.pool.fetchval(
                "SELECT greatest((SELECT max(update_id) FROM processed_updates), (SELECT max(update_id) FROM inbox), 0)"
            )
        )


class PostgresInbox:
    """Implements ``storage.ports.Inbox``: updates stored before Telegram is told they arrived.

    ``unhandled`` hands each row to one instance: two starting together replay disjoint rows. A row stays
    claimed for ``lease`` (PostgreSQL's clock); a replayer that dies meanwhile leaves it to the next start after
    that. Rows a running instance is still handling are not claimed by it, so a starting instance may replay one
    as well: the ledger's mark lets only one of the two commit."""

    def __init__(self, pool: asyncpg.Pool, committer: PostgresCommitter, lease: timedelta = timedelta(minutes=2)):
        self.pool = pool
        self.committer = committer
        self.lease = lease

    async def store(self, updates: Sequence[tuple[int, str]], now: datetime) -> None:
        """Durably stored when this returns (one transaction)."""
        await self.committer.commit([(STORE, (update_id, payload, now)) for update_id, payload in updates])

    def store_ahead(self, updates: Sequence[tuple[int, str]], now: datetime) -> asyncio.Future[None]:
        """Stored at once, in a transaction of their own that every commit asked for later waits for (so an
        update's mark, which deletes its row, cannot come first); the future says when they are durable."""
        return self.committer.commit_ahead([(STORE, (update_id, payload, now)) for update_id, payload in updates])

    async def unhandled(self) -> list[tuple[int, str]]:
        """What no instance has finished and no other is replaying, oldest first: now this instance's to handle."""
        rows = await self.pool.fetch(REPLAY, self.lease)
        return sorted((int(row["update_id"]), str(row["payload"])) for row in rows)

    async def count(self) -> int:
        return int(await self.pool.fetchval("SELECT count(*) FROM inbox"))
