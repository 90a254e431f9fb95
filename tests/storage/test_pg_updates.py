"""PostgreSQL across instances: an update is handled exactly once whoever else handles it — of two instances
marking it, one unit commits and the other's writes (its reply) are dropped whole; two instances starting together
replay disjoint inbox rows; a journalled reply is requeued once. Runs with TEST_DATABASE_URL (the terminal summary
says when it was left out); the rest of the contract is in tests/storage/contract/, on both backends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from storage.ports import Reply
from storage.postgres.committer import PostgresCommitter
from storage.postgres.pool import open_pool
from storage.postgres.replies import PostgresReplies
from storage.postgres.updates import PostgresInbox, PostgresUpdates
from storage.unit import UnitOfWork

NOW = datetime(2026, 11, 30, 1, tzinfo=UTC)


@dataclass
class Instance:
    pool: asyncpg.Pool
    committer: PostgresCommitter
    updates: PostgresUpdates
    inbox: PostgresInbox
    replies: PostgresReplies

    async def handle(self, update_id: int, text: str) -> bool:
        """Mark the update and journal its reply in one unit; whether that unit committed."""
        try:
            async with UnitOfWork(self.committer) as unit:
                await self.updates.record(update_id, NOW)
                _, journal = await self.replies.entry(Reply(1, "sendMessage", f'{{"text": "{text}"}}'), NOW)
                unit.add(*journal)
                await unit.flush()
        except asyncpg.UniqueViolationError:
            return False
        return True


@pytest.fixture
async def instances(pg_schema: tuple[str, str]) -> AsyncIterator[tuple[Instance, Instance]]:
    url, schema = pg_schema
    made = []
    for _ in range(2):
        pool = await open_pool(url, schema=schema, min_size=2, max_size=6)
        committer = PostgresCommitter(pool)
        made.append(
            Instance(
                pool, committer, PostgresUpdates(pool, committer), PostgresInbox(pool, committer), PostgresReplies(pool)
            )
        )
    try:
        yield made[0], made[1]
    finally:
        for instance in made:
            await instance.committer.stored()
            await instance.pool.close()


async def test_of_two_instances_handling_an_update_at_once_one_commits_with_its_reply(
    instances: tuple[Instance, Instance],
) -> None:
    first, second = instances
    for update_id in range(1, 21):
        await first.inbox.store([(update_id, "{}")], NOW)
        results = await asyncio.wait_for(
            asyncio.gather(first.handle(update_id, "first"), second.handle(update_id, "second")), 60
        )
        assert sorted(results) == [False, True]
        winner, loser = (first, second) if results[0] else (second, first)
        assert winner.updates.recorded(update_id) and not loser.updates.recorded(update_id)
        assert await loser.updates.seen(update_id)  # the winner's mark: a redelivery is skipped here too
    rows = await first.pool.fetch("SELECT count(*) AS n FROM replies")
    assert rows[0]["n"] == 20  # one reply per update, never the loser's
    assert await first.pool.fetchval("SELECT count(*) FROM processed_updates") == 20
    assert await first.inbox.count() == 0


async def test_two_instances_starting_together_replay_each_inbox_row_once(instances: tuple[Instance, Instance]) -> None:
    first, second = instances
    await first.inbox.store([(n, f'{{"update_id": {n}}}') for n in range(1, 201)], NOW)
    mine, theirs = await asyncio.wait_for(asyncio.gather(first.inbox.unhandled(), second.inbox.unhandled()), 60)
    assert not {n for n, _ in mine} & {n for n, _ in theirs}
    assert sorted(n for n, _ in mine + theirs) == list(range(1, 201))
    assert [n for n, _ in mine] == sorted(n for n, _ in mine)  # each oldest first
    assert await first.inbox.unhandled() == []  # still being replayed: left to their replayers


async def test_rows_of_a_replayer_that_died_are_replayed_once_its_lease_is_over(
    instances: tuple[Instance, Instance],
) -> None:
    first, second = instances
    await first.inbox.store([(1, "{}"), (2, "{}")], NOW)
    first.inbox.lease = timedelta(seconds=-1)  # over as soon as taken: as if a replayer's had run out
    assert [n for n, _ in await first.inbox.unhandled()] == [1, 2]  # and then it died
    assert [n for n, _ in await second.inbox.unhandled()] == [1, 2]


async def test_two_instances_requeue_each_journalled_reply_once(instances: tuple[Instance, Instance]) -> None:
    first, second = instances
    for update_id in range(1, 51):
        assert await first.handle(update_id, str(update_id))
    moved = await asyncio.wait_for(asyncio.gather(first.replies.requeue(NOW), second.replies.requeue(NOW)), 60)
    assert sorted(moved) == [0, 50]
    assert await first.pool.fetchval("SELECT count(*) FROM outbox WHERE kind = 'call'") == 50


async def test_reply_ids_of_two_instances_never_collide(instances: tuple[Instance, Instance]) -> None:
    first, second = instances
    ids = [(await b.replies.entry(Reply(1, "sendMessage", "{}"), NOW))[0] for b in [first, second] * 100]
    assert len(set(ids)) == len(ids)
