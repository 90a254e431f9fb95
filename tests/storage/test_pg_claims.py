"""PostgreSQL across instances: a claim waits for a rival's uncommitted claim and wins only if that one rolls
back; what one instance changes, another reads at once (the stores keep no stale copies). Runs with
TEST_DATABASE_URL (the terminal summary says when it was left out); the rest of the contract is in
tests/storage/contract/, on both backends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import asyncpg
import pytest

from approvals.ledger import KeyProject
from approvals.models import Role
from storage.outbox import Outgoing
from storage.postgres.key_projects import PostgresKeyProjectStore
from storage.postgres.people import PostgresPeopleStore
from storage.postgres.pool import open_pool
from storage.postgres.runs import PostgresRuns, PostgresSubscribers
from tests.servers import eventually

NOW = datetime(2026, 11, 30, 1, tzinfo=UTC)
DAY = date(2026, 11, 30)
SUPERGROUP = -1001234567890


@pytest.fixture
async def pools(pg_schema: tuple[str, str]) -> AsyncIterator[tuple[asyncpg.Pool, asyncpg.Pool]]:
    """Two instances' pools on one schema."""
    url, schema = pg_schema
    first = await open_pool(url, schema=schema)
    second = await open_pool(url, schema=schema)
    try:
        yield first, second
    finally:
        await second.close()
        await first.close()


async def pending(pool: asyncpg.Pool) -> list[str]:
    return [row["text"] for row in await pool.fetch("SELECT text FROM outbox WHERE status = 'pending' ORDER BY id")]


async def blocked_by(pool: asyncpg.Pool, pid: int) -> bool:
    return bool(await pool.fetchval("SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))", pid))


@pytest.mark.parametrize("rival_commits", [True, False])
async def test_a_claim_waits_for_a_rival_s_uncommitted_claim_and_wins_only_if_it_rolls_back(
    pools: tuple[asyncpg.Pool, asyncpg.Pool], rival_commits: bool
) -> None:
    first, second = pools
    runs = PostgresRuns(second)
    async with first.acquire() as rival:
        transaction = rival.transaction()
        await transaction.start()
        assert await rival.fetchval(  # the rival instance's claim, not committed yet
            "INSERT INTO summary_runs (day, kind, claimed_at) VALUES ($1, 'summary', $2) "
            "ON CONFLICT DO NOTHING RETURNING 1",
            DAY,
            NOW,
        )
        rival_pid = rival.get_server_pid()
        claiming = asyncio.create_task(runs.claim_daily("summary", DAY, [Outgoing(SUPERGROUP, "mine")], NOW))
        await eventually(lambda: blocked_by(first, rival_pid))  # waiting on the rival's row, not deciding yet
        assert not claiming.done()
        await (transaction.commit() if rival_commits else transaction.rollback())
        won = await asyncio.wait_for(claiming, 30)
    assert won is not rival_commits
    assert await pending(first) == ([] if rival_commits else ["mine"])
    assert await runs.is_claimed("summary", DAY)


async def test_of_two_admins_deciding_together_the_second_waits_and_finds_it_decided(
    pools: tuple[asyncpg.Pool, asyncpg.Pool],
) -> None:
    first, second = pools
    await PostgresSubscribers(first).request(5, [], NOW)
    async with first.acquire() as rival:
        transaction = rival.transaction()
        await transaction.start()
        await rival.execute("UPDATE subscribers SET status = 'active' WHERE user_id = 5 AND status = 'pending'")
        declining = asyncio.create_task(PostgresSubscribers(second).decline(5, Outgoing(5, "declined"), NOW))
        await eventually(lambda: blocked_by(first, rival.get_server_pid()))
        await transaction.commit()
        assert await asyncio.wait_for(declining, 30) is False
    assert await pending(first) == []
    assert await PostgresSubscribers(second).active() == [5]


async def test_a_role_granted_or_revoked_on_one_instance_counts_on_another_at_once(
    pools: tuple[asyncpg.Pool, asyncpg.Pool],
) -> None:
    here, there = PostgresPeopleStore(pools[0]), PostgresPeopleStore(pools[1])
    assert await there.get(7) is None
    await here.grant(7, Role.REVIEWER)
    found = await there.get(7)
    assert found is not None and found.roles == {Role.REVIEWER}
    await here.revoke(7, Role.REVIEWER)
    found = await there.get(7)
    assert found is not None and found.roles == frozenset()


async def test_a_key_project_list_changed_on_one_instance_is_read_on_another_at_once(
    pools: tuple[asyncpg.Pool, asyncpg.Pool],
) -> None:
    here, there = PostgresKeyProjectStore(pools[0]), PostgresKeyProjectStore(pools[1])
    await here.replace_all([KeyProject(code="K1", name="旧", owner="x")])
    assert [p.name for p in await there.all()] == ["旧"]  # now held there
    version, _ = await there.snapshot()
    await here.replace_all([KeyProject(code="K1", name="新", owner="x"), KeyProject(code="K2", name="二", owner="y")])
    assert await there.snapshot() == (
        version + 1,
        [KeyProject(code="K1", name="新", owner="x"), KeyProject(code="K2", name="二", owner="y")],
    )
    assert await there.codes() == {"K1", "K2"}
