"""The local Bot API server delivers to a webhook as Telegram does: the secret header, at most max_connections
requests at once, retries with growing pauses, getWebhookInfo's pending count and last error, deleteWebhook."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from localbotapi import ChatUser, LocalBotApi
from localbotapi.webhook import RETRY_SECONDS
from tests.bot.conftest import TOKEN

SECRET = "a-Secret_token-0123456789"
PATIENCE = 60.0


@dataclass
class Receiver:
    """A bot's webhook endpoint that records what arrives, answers ``statuses`` in turn (then 200), and holds each
    request until the test lets it go when ``hold`` is set."""

    url: str = ""
    statuses: list[int] = field(default_factory=list)
    hold: bool = False
    arrivals: list[tuple[float, dict[str, str], dict[str, Any]]] = field(default_factory=list)
    waiting: asyncio.Queue[asyncio.Future[None]] = field(default_factory=asyncio.Queue)
    open_now: int = 0
    most_open: int = 0
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def handle(self, request: web.Request) -> web.Response:
        self.arrivals.append((time.monotonic(), dict(request.headers), await request.json()))
        self.open_now += 1
        self.most_open = max(self.most_open, self.open_now)
        try:
            if self.hold:
                turn = asyncio.get_running_loop().create_future()
                await self.waiting.put(turn)
                async with self.changed:
                    self.changed.notify_all()
                await turn
            return web.Response(status=self.statuses.pop(0) if self.statuses else 200)
        finally:
            self.open_now -= 1

    async def until(self, condition: Any) -> None:
        async with asyncio.timeout(PATIENCE), self.changed:
            await self.changed.wait_for(condition)


@pytest.fixture
async def api() -> AsyncIterator[LocalBotApi]:
    server = LocalBotApi(TOKEN)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    endpoint = Receiver()
    app = web.Application()
    app.router.add_post("/hook", endpoint.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    assert site._server is not None
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    endpoint.url = f"http://127.0.0.1:{port}/hook"
    try:
        yield endpoint
    finally:
        while not endpoint.waiting.empty():  # let anything still held go, so the runner can close
            endpoint.waiting.get_nowait().set_result(None)
        await runner.cleanup()


async def call(api: LocalBotApi, method: str, **params: Any) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as http, http.post(f"{api.base_url}/bot{TOKEN}/{method}", json=params) as r:
        body = await r.json()
        return r.status, body.get("result", body)


async def test_updates_carry_the_secret_and_no_more_than_max_connections_are_open(
    api: LocalBotApi, receiver: Receiver
) -> None:
    receiver.hold = True
    assert await call(api, "setWebhook", url=receiver.url, secret_token=SECRET, max_connections=3) == (200, True)
    user = ChatUser(api.world, 101, "王工", "zh-hans")
    for n in range(10):
        await user.send(f"第 {n} 条")
    for remaining in range(10, 0, -1):  # let one go each time the open requests are as many as allowed
        await receiver.until(lambda r=remaining: receiver.waiting.qsize() == min(3, r))
        receiver.waiting.get_nowait().set_result(None)
    await api.wait_until(lambda: len(api.webhook.delivered) == 10, timeout=PATIENCE)
    assert receiver.most_open == 3
    assert {headers["X-Telegram-Bot-Api-Secret-Token"] for _, headers, _ in receiver.arrivals} == {SECRET}
    texts = sorted(body["message"]["text"] for _, _, body in receiver.arrivals)
    assert texts == sorted(f"第 {n} 条" for n in range(10))
    assert (await call(api, "getWebhookInfo"))[1]["pending_update_count"] == 0


async def test_without_a_secret_no_header_is_sent(api: LocalBotApi, receiver: Receiver) -> None:
    await call(api, "setWebhook", url=receiver.url)
    await ChatUser(api.world, 101, "王工", "zh-hans").send("/start")
    await api.wait_until(lambda: api.webhook.delivered, timeout=PATIENCE)
    assert "X-Telegram-Bot-Api-Secret-Token" not in receiver.arrivals[0][1]


async def test_a_secret_telegram_would_refuse_is_refused(api: LocalBotApi, receiver: Receiver) -> None:
    status, body = await call(api, "setWebhook", url=receiver.url, secret_token="has space")
    assert status == 400 and "secret token contains unallowed characters" in body["description"]
    assert api.world.webhook is None


async def test_a_failing_bot_is_retried_with_growing_pauses_and_the_failure_reported(
    api: LocalBotApi, receiver: Receiver
) -> None:
    receiver.statuses = [500, 500, 500, 500]
    await call(api, "setWebhook", url=receiver.url, secret_token=SECRET)
    before = int(time.time())
    await ChatUser(api.world, 101, "王工", "zh-hans").send("/start")
    await api.wait_until(lambda: api.world.webhook_error is not None, timeout=PATIENCE)
    info = (await call(api, "getWebhookInfo"))[1]
    assert info["url"] == receiver.url and info["pending_update_count"] == 1
    assert info["last_error_message"] == "Wrong response from the webhook: 500 Internal Server Error"
    assert before <= info["last_error_date"] <= int(time.time())
    await api.wait_until(lambda: api.webhook.delivered, timeout=PATIENCE)
    assert len(receiver.arrivals) == 5  # four failures, then the answer that counts: delivered once
    stamps = [at for at, _, _ in receiver.arrivals]
    pauses = [later - earlier for earlier, later in itertools.pairwise(stamps)]
    for n, pause in enumerate(pauses):  # a pause never ends early; each at least doubles the one before
        assert pause >= RETRY_SECONDS * 2**n * 0.95
    assert (await call(api, "getWebhookInfo"))[1]["pending_update_count"] == 0


async def test_an_unreachable_bot_is_reported_and_its_updates_wait(api: LocalBotApi) -> None:
    await call(api, "setWebhook", url="http://127.0.0.1:9/hook")  # discard port: nothing listens
    await ChatUser(api.world, 101, "王工", "zh-hans").send("/start")
    await api.wait_until(lambda: api.world.webhook_error is not None, timeout=PATIENCE)
    info = (await call(api, "getWebhookInfo"))[1]
    assert info["pending_update_count"] == 1 and info["last_error_message"].startswith("Connection failed")


async def test_get_updates_is_refused_while_a_webhook_is_set_and_delete_webhook_keeps_or_drops_pending(
    api: LocalBotApi,
) -> None:
    user = ChatUser(api.world, 101, "王工", "zh-hans")
    await call(api, "setWebhook", url="http://127.0.0.1:9/hook")
    await user.send("一")
    status, body = await call(api, "getUpdates")
    assert status == 409 and "can't use getUpdates method while webhook is active" in body["description"]
    assert await call(api, "deleteWebhook") == (200, True)
    status, updates = await call(api, "getUpdates")
    assert status == 200 and [u["message"]["text"] for u in updates] == ["一"]  # kept for polling
    info = (await call(api, "getWebhookInfo"))[1]
    assert info["url"] == "" and info["pending_update_count"] == 1 and "last_error_message" not in info
    await call(api, "setWebhook", url="http://127.0.0.1:9/hook")
    await user.send("二")
    assert await call(api, "deleteWebhook", drop_pending_updates=True) == (200, True)
    assert await call(api, "getUpdates") == (200, [])
