"""A coordination backend per test: this process's memory, or the run's Redis under a key prefix of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from coordination import Coordination, LocalCoordination
from coordination.redis import RedisCoordination
from tests.servers import redis_space

# short, so the tests of a dead instance's claim and chat lock wait seconds, not a minute
LOCK_SECONDS = 1.5
CLAIM_SECONDS = 1.0


def instance(client: Redis, prefix: str) -> RedisCoordination:
    """One bot instance's coordination (several may share a client in a test: they share nothing else)."""
    return RedisCoordination(client, prefix=prefix, lock_seconds=LOCK_SECONDS, claim_seconds=CLAIM_SECONDS)


@pytest.fixture
async def coordination(coordination_kind: str, run_name: str) -> AsyncIterator[Coordination]:
    if coordination_kind == "local":
        yield LocalCoordination()
        return
    async with redis_space(run_name) as (client, prefix):
        yield instance(client, prefix)
