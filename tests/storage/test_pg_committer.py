"""PostgreSQL's committer keeps the order of the writes it is given: a batch not waited for that must be retried
is not overtaken by the batches after it, nor by a waited commit. Runs with TEST_DATABASE_URL."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import asyncpg
import pytest

from storage.postgres.committer import PostgresCommitter
from storage.postgres.pool import open_pool

STATE = "UPDATE form_state SET value = $1 WHERE chat_id = 1"


@pytest.fixture
async def pool(pg_schema: tuple[str, str]) -> AsyncIterator[asyncpg.Pool]:
    url, schema = pg_schema
    opened = await open_pool(url, schema=schema, min_size=2, max_size=6)
    async with opened.acquire() as conn:
        await conn.execute("CREATE TABLE form_state (chat_id bigint PRIMARY KEY, value text NOT NULL)")
        await conn.execute("INSERT INTO form_state VALUES (1, 'start')")
    try:
        yield opened
    finally:
        await opened.close()


async def value(pool: asyncpg.Pool) -> str:
    async with pool.acquire() as conn:
        return str(await conn.fetchval("SELECT value FROM form_state WHERE chat_id = 1"))


class FailureSeen(logging.Handler):
    """Set once the committer logs that a batch could not be stored (it will be retried)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if "could not store pending writes" in record.getMessage():
            self.seen.set()


async def test_a_retried_batch_is_not_overtaken_by_the_newer_writes_after_it(pool: asyncpg.Pool) -> None:
    committer = PostgresCommitter(pool)
    failure = FailureSeen()
    logging.getLogger("storage.postgres.committer").addHandler(failure)
    try:
        # the first batch fails until its table exists (a passing failure: retried) and writes the state
        committer.commit_soon([("INSERT INTO arrives_later VALUES ($1)", (1,)), (STATE, ("first",))])
        committer.commit_soon([(STATE, ("second",))])
        waited = asyncio.create_task(committer.commit([(STATE, ("third",))]))  # the newest: the state to end with
        await asyncio.wait_for(failure.seen.wait(), 60)
        async with pool.acquire() as conn:
            await conn.execute("CREATE TABLE arrives_later (n int)")
        await asyncio.wait_for(waited, 60)
        await asyncio.wait_for(committer.stored(), 60)
    finally:
        logging.getLogger("storage.postgres.committer").removeHandler(failure)
    # batches as tasks of their own stored "second" and "third" at once and "first" on its retry, last
    assert await value(pool) == "third"
