"""PostgreSQL's migrations: each step applied once, however many instances start together on an empty database.
Runs with TEST_DATABASE_URL (the terminal summary says when it was left out)."""

from __future__ import annotations

import asyncio
import sys

import asyncpg
import pytest

from storage.postgres.migrations import LOCK_CLASS, SchemaTooNew, migrate
from storage.postgres.pool import open_pool
from storage.postgres.schema import STEPS


async def connect(url: str, schema: str) -> asyncpg.Connection:
    return await asyncpg.connect(url, server_settings={"search_path": schema})


async def ledger(url: str, schema: str) -> list[asyncpg.Record]:
    conn = await connect(url, schema)
    try:
        return list(await conn.fetch("SELECT step, applied_by FROM schema_steps ORDER BY step"))
    finally:
        await conn.close()


# the real steps, then steps that would leave a trace of each time they ran
COUNTED = (*STEPS, "CREATE TABLE ran (step integer)", *(f"INSERT INTO ran VALUES ({n})" for n in range(5)))


async def test_three_migrators_started_together_apply_each_step_once(pg_schema: tuple[str, str]) -> None:
    url, schema = pg_schema
    conns = [await connect(url, schema) for _ in range(3)]
    try:
        applied = await asyncio.wait_for(asyncio.gather(*(migrate(c, COUNTED) for c in conns)), 60)
        ran = [row["step"] for row in await conns[0].fetch("SELECT step FROM ran ORDER BY step")]
    finally:
        for conn in conns:
            await conn.close()
    assert sorted(applied) == [0, 0, len(COUNTED)]  # one applied them all; the others waited, then found none left
    assert ran == [0, 1, 2, 3, 4]
    rows = await ledger(url, schema)
    assert [row["step"] for row in rows] == list(range(1, len(COUNTED) + 1))
    assert len({row["applied_by"] for row in rows}) == 1


async def test_three_processes_started_together_apply_each_step_once(pg_schema: tuple[str, str]) -> None:
    url, schema = pg_schema
    script = (
        "import asyncio, sys\n"
        "from storage.postgres.pool import open_pool\n"
        "async def main():\n"
        "    pool = await open_pool(sys.argv[1], schema=sys.argv[2])\n"
        "    await pool.close()\n"
        "asyncio.run(main())\n"
    )
    processes = [
        await asyncio.create_subprocess_exec(sys.executable, "-c", script, url, schema, stderr=asyncio.subprocess.PIPE)
        for _ in range(3)
    ]
    results = await asyncio.wait_for(asyncio.gather(*(p.communicate() for p in processes)), 120)
    assert [p.returncode for p in processes] == [0, 0, 0], [err.decode() for _, err in results]
    rows = await ledger(url, schema)
    assert [row["step"] for row in rows] == list(range(1, len(STEPS) + 1))
    assert len({row["applied_by"] for row in rows}) == 1  # all by one process's connection


async def test_a_migrated_database_is_left_alone_and_tables_are_where_the_pool_says(
    pg_schema: tuple[str, str],
) -> None:
    url, schema = pg_schema
    pool = await open_pool(url, schema=schema)
    try:
        async with pool.acquire() as conn:
            assert await migrate(conn) == 0
            where = await conn.fetchval(  # the outbox the search path finds
                "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE c.oid = 'outbox'::regclass"
            )
            types = dict(
                await conn.fetch(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_schema = $1 AND table_name = 'outbox'",
                    schema,
                )
            )
    finally:
        await pool.close()
    assert where == schema
    assert types["id"] == types["chat_id"] == "bigint"
    assert types["created_at"] == types["lease_until"] == "timestamp with time zone"


async def test_a_database_newer_than_the_code_is_refused(pg_schema: tuple[str, str]) -> None:
    url, schema = pg_schema
    conn = await connect(url, schema)
    try:
        await migrate(conn)
        with pytest.raises(SchemaTooNew):
            await migrate(conn, STEPS[:-1])
        other = await connect(url, schema)
        try:  # the refusal let the migration lock go: the next instance is not stuck behind it
            assert await other.fetchval("SELECT pg_try_advisory_lock($1, hashtext(current_schema()))", LOCK_CLASS)
        finally:
            await other.close()
    finally:
        await conn.close()
