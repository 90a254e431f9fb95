"""The local Bot API server answers as Telegram does where a bot's own code depends on it."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from localbotapi import ChatUser, LocalBotApi
from tests.bot.conftest import TOKEN, Harness


async def test_a_second_long_poll_ends_the_first_with_409_as_telegram_does() -> None:
    """Two instances polling one token: Telegram ends the older poll with 409, so the operator sees it at once."""
    api = LocalBotApi(TOKEN)
    url = f"{await api.start()}/bot{TOKEN}/getUpdates"
    try:
        async with aiohttp.ClientSession() as http:

            async def poll() -> tuple[int, dict[str, object]]:
                async with http.post(url, json={"timeout": 30}) as response:
                    return response.status, await response.json()

            first = asyncio.create_task(poll())
            await api.world.wait_until(lambda: api.world.polls == 1, timeout=30, poll=0.05)
            second = asyncio.create_task(poll())
            status, body = await asyncio.wait_for(first, 30)
            assert status == 409 and body["error_code"] == 409
            assert "terminated by other getUpdates request" in str(body["description"])
            await ChatUser(api.world, 101, "王工", "zh-hans").send("/start")
            status, body = await asyncio.wait_for(second, 30)  # the newer poll is the one that gets the update
            assert status == 200 and [u["message"]["text"] for u in body["result"]] == ["/start"]  # type: ignore[index]
    finally:
        await api.stop()


async def test_the_bot_names_a_second_instance_and_keeps_answering(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    polls = h.api.world.polls
    await h.api.world.wait_until(lambda: h.api.world.polls > polls, timeout=30, poll=0.05)  # the bot is polling
    # another instance's poll, without an offset: it confirms nothing
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{h.api.base_url}/bot{TOKEN}/getUpdates", json={"timeout": 0}) as response,
    ):
        assert response.status == 200
    assert await h.api.world.wait_until(
        lambda: any("another instance polls with this token" in r.getMessage() for r in caplog.records),
        timeout=60,
        poll=0.1,
    )
    mark = h.applicant.last_id()
    await h.applicant.send("/help")
    await h.applicant.expect("/submit", after=mark)


async def test_a_stop_ends_the_webhook_pusher_wherever_it_lands() -> None:
    """A stop landing just as the pusher's wait ends: Python 3.11's ``asyncio.wait_for`` swallowed that cancel, the
    pusher waited on for its hour and ``stop()`` with it — a kill-at-every-call trial held for ten minutes."""
    for turns in range(6):  # loop turns between the wake-up and the stop: where the cancel lands
        api = LocalBotApi(TOKEN)
        await api.start()
        # loop turns counted on purpose, not waited for: the pusher is waiting for a change a few turns after start
        while not api.world.changed._waiters:  # noqa: ASYNC110
            await asyncio.sleep(0)
        await api.world.notify()
        for _ in range(turns):
            await asyncio.sleep(0)
        stopping = asyncio.create_task(api.stop())
        done, _ = await asyncio.wait({stopping}, timeout=10)
        if not done:  # end the hung pusher (a second cancel gets through) before failing
            assert api.webhook._task is not None
            api.webhook._task.cancel()
            await asyncio.wait({stopping}, timeout=10)
        assert done, f"stop() still waiting 10 s after a wake-up {turns} loop turns earlier"
