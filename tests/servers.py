"""The Redis and PostgreSQL test legs: which servers a run uses, and (run as a script) whether one answers here.

``python -m tests.servers redis|postgres URL`` prints URL if that server answers at once, else nothing: ``make test``
sets ``TEST_REDIS_URL``/``TEST_DATABASE_URL`` from it, so a developer's run takes the legs their machine can run.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import asyncpg
from redis.asyncio import Redis

REDIS_ENV = "TEST_REDIS_URL"
DATABASE_ENV = "TEST_DATABASE_URL"
PROBE_SECONDS = 3.0


def configured(variable: str) -> str | None:
    return os.environ.get(variable) or None


# the fixtures that reach each server: a test asking for one runs only when its server is configured
REDIS_FIXTURES = frozenset({"redis"})
DATABASE_FIXTURES = frozenset({"pg_schema"})


def missing_fixtures() -> frozenset[str]:
    missing: frozenset[str] = frozenset()
    if configured(REDIS_ENV) is None:
        missing |= REDIS_FIXTURES
    if configured(DATABASE_ENV) is None:
        missing |= DATABASE_FIXTURES
    return missing


def skipped_legs(left_out: int) -> list[str]:
    """One line per leg this run left out, saying why and how to run it."""
    lines = []
    if configured(REDIS_ENV) is None:
        lines.append(
            f"Redis leg SKIPPED: {REDIS_ENV} is not set (make test sets it when a Redis answers at 127.0.0.1:6379; "
            ".ci/run always does): coordination ran on the local backend only."
        )
    if configured(DATABASE_ENV) is None:
        lines.append(
            f"PostgreSQL leg SKIPPED: {DATABASE_ENV} is not set (make test sets it when PostgreSQL answers at "
            "127.0.0.1:5432, database test; .ci/run always does)."
        )
    if lines:
        lines.append(f"{left_out} tests needing those servers were left out of this run.")
    ran = [name for name, variable in (("Redis", REDIS_ENV), ("PostgreSQL", DATABASE_ENV)) if configured(variable)]
    if ran:
        lines.append(f"{' and '.join(ran)} leg{'s' if len(ran) > 1 else ''} ran (each test under a prefix of its own).")
    return lines


@asynccontextmanager
async def redis_space(run_name: str) -> AsyncIterator[tuple[Redis, str]]:
    """A client and a key prefix of one test's own (under the run's); its keys are removed afterwards."""
    url = configured(REDIS_ENV)
    assert url is not None, "a Redis test runs only when TEST_REDIS_URL is set"
    client = Redis.from_url(url)
    prefix = f"{run_name}:{secrets.token_hex(4)}"
    try:
        yield client, prefix
    finally:
        keys = [key async for key in client.scan_iter(match=f"{prefix}:*", count=1000)]
        if keys:
            await client.delete(*keys)
        await client.aclose()


async def eventually(check: Callable[[], Awaitable[bool]], *, timeout: float = 30.0) -> float:
    """Seconds until ``check()`` answers True, for what only a server knows (a key's expiry or value: nothing to
    await); fails after ``timeout``."""
    started = time.monotonic()
    while not await check():
        assert time.monotonic() - started < timeout, "condition not met in time"
        await asyncio.sleep(0.05)
    return time.monotonic() - started


@asynccontextmanager
async def pg_space(run_name: str) -> AsyncIterator[tuple[str, str]]:
    """The database URL and an empty schema of one test's own (under the run's name); dropped afterwards."""
    url = configured(DATABASE_ENV)
    assert url is not None, "a PostgreSQL test runs only when TEST_DATABASE_URL is set"
    schema = f"{run_name}_{secrets.token_hex(4)}"
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f'CREATE SCHEMA "{schema}"')
        yield url, schema
    finally:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await conn.close()


def sweep(run_name: str) -> None:
    """Remove every Redis key and PostgreSQL schema of this run."""
    asyncio.run(_sweep(run_name))


async def _sweep(run_name: str) -> None:
    if (url := configured(REDIS_ENV)) is not None:
        client = Redis.from_url(url)
        try:
            keys = [key async for key in client.scan_iter(match=f"{run_name}:*", count=1000)]
            if keys:
                await client.delete(*keys)
        finally:
            await client.aclose()
    if (url := configured(DATABASE_ENV)) is not None:
        conn = await asyncpg.connect(url)
        try:
            schemas = await conn.fetch(
                "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)", f"{run_name}_"
            )
            for row in schemas:
                await conn.execute(f'DROP SCHEMA "{row["nspname"]}" CASCADE')
        finally:
            await conn.close()


async def answers(kind: str, url: str) -> bool:
    try:
        if kind == "redis":
            client = Redis.from_url(url, socket_connect_timeout=PROBE_SECONDS, socket_timeout=PROBE_SECONDS)
            try:
                return bool(await client.ping())
            finally:
                await client.aclose()
        conn = await asyncpg.connect(url, timeout=PROBE_SECONDS)
        await conn.close()
        return True
    except Exception:  # any failure means: not here, leave the leg out (the summary says so)
        return False


if __name__ == "__main__":
    kind, url = sys.argv[1], sys.argv[2]
    if asyncio.run(answers(kind, url)):
        print(url)
