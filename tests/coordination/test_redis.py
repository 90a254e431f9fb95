"""Several instances on one Redis. Every test here asks for the ``redis`` fixture: without TEST_REDIS_URL they are
left out of the run, and the terminal summary says so (tests/conftest.py)."""

from __future__ import annotations

import asyncio
import time

from aiogram.fsm.storage.base import StorageKey
from redis.asyncio import Redis
from redis.asyncio.lock import Lock

from coordination.redis import RedisCoordination
from tests.coordination.conftest import CLAIM_SECONDS, LOCK_SECONDS, instance
from tests.servers import eventually

KEY = StorageKey(bot_id=1, chat_id=-1001234567890, user_id=42)
PATIENCE = 30.0


async def test_a_killed_instance_s_claim_runs_out_and_the_update_is_taken_over(redis: tuple[Redis, str]) -> None:
    client, prefix = redis
    # what a killed instance leaves: its claim, no longer renewed
    await client.set(f"{prefix}:update:100", "killed-instance", px=int(CLAIM_SECONDS * 1000))
    started = time.monotonic()
    assert await asyncio.wait_for(instance(*redis).claim_update(100), 30) is True
    assert CLAIM_SECONDS - 0.5 < time.monotonic() - started < CLAIM_SECONDS + 5


async def test_a_live_holder_keeps_its_claim_however_long_it_works(redis: tuple[Redis, str]) -> None:
    one, two = instance(*redis), instance(*redis)
    assert await one.claim_update(100) is True
    redelivery = asyncio.create_task(two.claim_update(100))  # the same update, delivered to the other instance
    done, _ = await asyncio.wait([redelivery], timeout=CLAIM_SECONDS * 2.5)  # longer than the claim's TTL
    assert not done  # still waiting: the holder renewed its claim
    await one.update_done(100)
    assert await asyncio.wait_for(redelivery, 30) is False


async def test_instances_share_one_token_bucket_per_user(redis: tuple[Redis, str]) -> None:
    one, two = instance(*redis).buckets(1.0, 4.0), instance(*redis).buckets(1.0, 4.0)
    taken = [await (one if i % 2 else two).take(9, now=50.0) for i in range(6)]
    assert [allowed for allowed, _ in taken] == [True] * 4 + [False, False]
    assert [tell for _, tell in taken] == [False] * 4 + [True, False]  # told once, whichever instance refused


async def test_the_bucket_counts_redis_s_clock_when_none_is_given(redis: tuple[Redis, str]) -> None:
    buckets = instance(*redis).buckets(0.001, 2.0)
    assert [await buckets.take(3) for _ in range(3)] == [(True, False), (True, False), (False, True)]
    client, prefix = redis
    assert 0 < await client.pttl(f"{prefix}:throttle:3") <= 2_000 / 0.001 + 1000  # an idle bucket goes away


async def test_a_killed_instance_holds_a_chat_for_at_most_the_lock_timeout(redis: tuple[Redis, str]) -> None:
    dead, alive = instance(*redis), instance(*redis)
    name = dead.events_isolation().key_builder.build(KEY, "lock")
    assert await Lock(redis[0], name, timeout=LOCK_SECONDS).acquire()  # taken, then the holder is killed: no release
    started = time.monotonic()
    async with asyncio.timeout(PATIENCE), alive.events_isolation().lock(KEY):
        waited = time.monotonic() - started
    assert LOCK_SECONDS - 0.5 < waited < LOCK_SECONDS + 5


async def test_a_live_holder_keeps_its_chat_however_long_it_works(redis: tuple[Redis, str]) -> None:
    one, two = instance(*redis).events_isolation(), instance(*redis).events_isolation()
    holding = asyncio.Event()
    order: list[str] = []

    async def long_handler() -> None:
        async with one.lock(KEY):
            holding.set()
            await asyncio.sleep(LOCK_SECONDS * 2.5)  # the handler's own work: longer than the lock's timeout
            order.append("long handler done")

    async def next_update() -> None:
        await holding.wait()
        async with two.lock(KEY):
            order.append("next update")

    await asyncio.wait_for(asyncio.gather(long_handler(), next_update()), PATIENCE)
    assert order == ["long handler done", "next update"]


async def test_form_state_written_on_one_instance_is_read_on_another(redis: tuple[Redis, str]) -> None:
    one, two = instance(*redis), instance(*redis)
    storage_one, storage_two = one.form_storage(None), two.form_storage(None)  # type: ignore[arg-type]
    await storage_one.set_state(KEY, "Form:title")
    await storage_one.set_data(KEY, {"title": "项目"})
    assert await storage_two.get_state(KEY) == "Form:title"
    assert await storage_two.get_data(KEY) == {"title": "项目"}


async def test_one_instance_per_window_runs_a_job(redis: tuple[Redis, str]) -> None:
    instances = [instance(*redis) for _ in range(3)]

    async def gate(shared: RedisCoordination) -> bool:
        async with shared.job_gate("summary", 1.0) as go:
            return go

    assert sorted(await asyncio.gather(*(gate(i) for i in instances))) == [False, False, True]
    waited = await eventually(lambda: gate(instances[1]))  # the next window: whoever asks first runs it
    assert waited < 1.0 + 5
