"""What every coordination backend promises, checked on the local one and (when the run has a Redis) on Redis."""

from __future__ import annotations

import asyncio

from aiogram.fsm.storage.base import StorageKey

from coordination import Coordination, LocalCoordination, open_coordination
from coordination.redis import RedisCoordination
from storage.database import Database
from storage.fsm import SqliteFsmStorage

KEY = StorageKey(bot_id=1, chat_id=-1001234567890, user_id=42)  # a supergroup id: beyond 32 bits


async def test_one_claimer_of_many_takes_an_update_and_a_handled_one_is_refused(coordination: Coordination) -> None:
    claims = [asyncio.create_task(coordination.claim_update(7)) for _ in range(20)]
    done, waiting = await asyncio.wait(claims, timeout=1.0)
    assert [task.result() for task in done] == [True]  # one takes it; the others wait while it is in hand
    assert len(waiting) == 19
    assert await coordination.claim_update(8) is True  # another update is not affected
    await coordination.update_done(7)
    assert await asyncio.wait_for(asyncio.gather(*waiting), 30) == [False] * 19  # refused once handled
    assert await coordination.claim_update(7) is False  # a later redelivery too


async def test_a_burst_is_allowed_then_one_warning_then_silence_until_refilled(coordination: Coordination) -> None:
    buckets = coordination.buckets(rate=2.0, burst=5.0)
    results = [await buckets.take(1, now=100.0) for _ in range(8)]
    assert results[:5] == [(True, False)] * 5
    assert results[5:] == [(False, True), (False, False), (False, False)]
    assert await buckets.take(1, now=100.6) == (True, False)  # 0.6 s at 2/s refilled one
    assert await buckets.take(2, now=100.6) == (True, False)  # others are not affected
    assert await buckets.take(1, now=110.0) == (True, False)  # a long pause refills, never beyond the burst
    assert [await buckets.take(1, now=110.0) for _ in range(5)][-1] == (False, True)


async def test_a_chat_s_updates_run_one_at_a_time_and_other_chats_do_not_wait(coordination: Coordination) -> None:
    isolation = coordination.events_isolation()
    other = StorageKey(bot_id=1, chat_id=5, user_id=5)
    order: list[str] = []
    first_in = asyncio.Event()
    release_first = asyncio.Event()

    async def first() -> None:
        async with isolation.lock(KEY):
            order.append("first in")
            first_in.set()
            await release_first.wait()
            order.append("first out")

    async def second() -> None:
        await first_in.wait()
        async with isolation.lock(KEY):
            order.append("second in")

    async def elsewhere() -> None:
        await first_in.wait()
        async with isolation.lock(other):
            order.append("other chat")
        release_first.set()  # the other chat got in while the first still held its own chat

    await asyncio.wait_for(asyncio.gather(first(), second(), elsewhere()), 30)
    assert order == ["first in", "other chat", "first out", "second in"]


async def test_a_chat_s_waiting_updates_go_in_arrival_order(coordination: Coordination) -> None:
    isolation = coordination.events_isolation()
    order: list[int] = []
    release = asyncio.Event()
    holding = asyncio.Event()

    async def first() -> None:
        async with isolation.lock(KEY):
            holding.set()
            await release.wait()

    async def later(n: int) -> None:
        async with isolation.lock(KEY):
            order.append(n)

    holder = asyncio.create_task(first())
    await holding.wait()
    waiting = [asyncio.create_task(later(n)) for n in range(10)]
    await asyncio.sleep(0)  # one turn of the loop: each task starts, in creation order, and queues for the chat
    release.set()
    await asyncio.wait_for(asyncio.gather(holder, *waiting), 30)
    assert order == list(range(10))


async def test_form_state_and_data_are_kept(coordination: Coordination, db: Database) -> None:
    storage = coordination.form_storage(SqliteFsmStorage(db))
    await storage.set_state(KEY, "Form:title")
    await storage.set_data(KEY, {"title": "年产 5 万吨 <再生> 项目", "documents": [1, 2]})
    assert await storage.get_state(KEY) == "Form:title"
    assert await storage.get_data(KEY) == {"title": "年产 5 万吨 <再生> 项目", "documents": [1, 2]}
    await storage.set_state(KEY, None)
    await storage.set_data(KEY, {})
    assert await storage.get_state(KEY) is None
    assert await storage.get_data(KEY) == {}


async def test_the_job_gate_lets_a_run_go_ahead(coordination: Coordination) -> None:
    async with coordination.job_gate("daily", 60) as go:
        assert go is True


async def test_locally_every_timer_runs_its_job() -> None:
    coordination = LocalCoordination()
    async with coordination.job_gate("daily", 60) as first, coordination.job_gate("daily", 60) as second:
        assert (first, second) == (True, True)  # one process: the once-per-day rows are the guarantee


async def test_redis_is_used_only_when_a_url_is_set() -> None:
    assert isinstance(open_coordination(None), LocalCoordination)
    assert isinstance(open_coordination(""), LocalCoordination)
    shared = open_coordination("redis://127.0.0.1:1/0", prefix="bureau-7")  # nothing connects before first use
    try:
        assert isinstance(shared, RedisCoordination) and shared.prefix == "bureau-7"
    finally:
        await shared.close()
