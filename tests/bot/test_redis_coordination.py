"""The real bot with REDIS_URL set: form state, update claims and flood control live in Redis (only with
TEST_REDIS_URL; the terminal summary says when this leg was left out)."""

from __future__ import annotations

from pydantic import SecretStr
from redis.asyncio import Redis

from tests.bot.conftest import Harness
from tests.servers import REDIS_ENV, configured, eventually


async def shared(h: Harness, redis: tuple[Redis, str], **settings: object) -> None:
    """Restart the harness's bot coordinated through the test's Redis key prefix."""
    await h.stop()
    h.settings = h.settings.model_copy(
        update={"redis_url": SecretStr(configured(REDIS_ENV) or ""), "redis_prefix": redis[1], **settings}
    )
    await h.start()


async def keys(redis: tuple[Redis, str], kind: str) -> list[bytes]:
    client, prefix = redis
    return [key async for key in client.scan_iter(match=f"{prefix}:{kind}:*")]


async def claims(redis: tuple[Redis, str]) -> list[bytes | None]:
    return [await redis[0].get(key) for key in await keys(redis, "update")]


async def test_a_form_continues_on_the_next_start_from_redis(redis: tuple[Redis, str], harness: Harness) -> None:
    h = harness
    await shared(h, redis)
    await h.applicant.send("/submit")
    await h.applicant.expect("第一步")
    mark = h.applicant.last_id()
    await h.applicant.send("污水处理厂扩建工程")
    await h.applicant.expect("建设单位名称", after=mark)
    assert await keys(redis, "fsm")  # the form's state is in Redis, not only in this process
    await h.restart()  # another instance, as far as the form can tell
    mark = h.applicant.last_id()
    await h.applicant.send("某某水务有限公司")
    await h.applicant.expect("联系人姓名", after=mark)

    # each of the three updates claimed, then marked handled (just after its reply went out)
    async def all_done() -> bool:
        return await claims(redis) == [b"done"] * 3

    await eventually(all_done)


async def test_flood_control_is_counted_in_redis(redis: tuple[Redis, str], harness: Harness) -> None:
    h = harness
    await shared(h, redis, throttle_rate=0.01, throttle_burst=20.0)  # nothing refills during the test
    for n in range(50):
        await h.stranger.send(f"/help {n}")
    warned = await h.stranger.expect("Too many messages at once")
    await h.api.wait_until(lambda: not h.api.world.updates)
    await h.applicant.send("/my")
    await h.applicant.expect("您还没有申请")  # handled after all 50: the flood is behind us
    replies = [m for m in h.stranger.inbox() if m["message_id"] != warned["message_id"]]
    assert len(replies) == 20  # the burst allowance, not 50
    assert len([m for m in h.stranger.inbox() if "Too many messages" in m.get("text", "")]) == 1
    assert f"{redis[1]}:throttle:{h.stranger.id}".encode() in await keys(redis, "throttle")
