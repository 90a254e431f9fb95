"""Webhook mode: nothing acknowledged is lost, a burst is capped, and careless or hostile clients are bounded."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from pydantic import SecretStr

from assembly import create_application, serve
from handlers.webhook import _GuardedHandler
from localbotapi import ChatUser, LocalBotApi
from tests.bot.conftest import TOKEN, Harness

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cret-webhook-token-XYZ"
PATH = "/telegram/webhook"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def webhook(harness: Harness) -> AsyncIterator[tuple[Harness, str]]:
    """The harness's bot, restarted in webhook mode; yields its URL."""
    h = harness
    await h.stop()
    port = free_port()
    url = f"http://127.0.0.1:{port}{PATH}"
    settings = h.settings.model_copy(
        update={"webhook_url": url, "webhook_secret": SecretStr(SECRET), "webhook_port": port}
    )
    application = await create_application(settings, clock=h.clock)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(application, handle_signals=False, stop=stop))
    try:
        await h.api.wait_until(lambda: h.api.world.webhook, timeout=30)
        yield h, url
    finally:
        stop.set()
        await task
        await application.close()


async def test_a_body_that_is_not_an_update_gets_400_not_a_server_error(webhook: tuple[Harness, str]) -> None:
    _, url = webhook
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    async with aiohttp.ClientSession() as session:
        for body in (b"{not json", b'{"update_id": "x"}', b"[]", "\u2028".encode()):
            async with session.post(url, data=body, headers=headers) as response:
                assert response.status == 400
        async with session.post(url, data=io.BytesIO(b"x" * (2 * 1024 * 1024)), headers=headers) as response:
            assert response.status == 413  # over the body limit: refused before it is parsed


async def read_until_closed(host: str, port: int, first: bytes, timeout: float = 30.0) -> bytes:
    """Open a connection, send ``first``, and read until the server closes it (never sends the rest)."""
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(first)
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(), timeout)  # b"" or a response once the server hangs up
    finally:
        writer.close()


async def test_a_client_that_never_finishes_its_request_is_disconnected(
    webhook: tuple[Harness, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_GuardedHandler, "limits", (200, 0.5))  # new connections get half a second
    _, url = webhook
    port = int(url.split(":")[2].split("/")[0])
    partial = f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Telegram".encode()  # headers never finished
    assert await read_until_closed("127.0.0.1", port, partial) == b""
    idle = await read_until_closed("127.0.0.1", port, b"")  # nothing sent at all
    assert idle == b""


async def test_connections_beyond_the_cap_are_closed_at_once(
    webhook: tuple[Harness, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_GuardedHandler, "limits", (3, 60.0))
    _, url = webhook
    port = int(url.split(":")[2].split("/")[0])
    held = [await asyncio.open_connection("127.0.0.1", port) for _ in range(3)]
    try:
        assert await read_until_closed("127.0.0.1", port, b"") == b""  # the fourth is not kept
    finally:
        for _, writer in held:
            writer.close()


async def test_a_sigkill_during_a_webhook_burst_loses_nothing_acknowledged(tmp_path: Path) -> None:
    api = LocalBotApi(TOKEN)
    await api.start()
    port = free_port()
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE": api.base_url,
        "DATABASE_PATH": str(tmp_path / "bot.db"),
        "ADMIN_IDS": "9001",
        "SUMMARY_TIME": "23:59",
        "WEBHOOK_URL": f"http://127.0.0.1:{port}{PATH}",
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_PORT": str(port),
        "PACE_PRIVATE_SECONDS": "0",
        "PACE_GROUP_SECONDS": "0",
        "PACE_PER_SECOND": "1000",
        "MAX_CONCURRENT_UPDATES": "4",  # a burst beyond it waits, acknowledged or not
    }

    async def start_bot() -> asyncio.subprocess.Process:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "bot.py"), cwd=tmp_path, env=env, stderr=asyncio.subprocess.DEVNULL
        )
        await api.wait_until(lambda: api.world.webhook, timeout=60)
        return proc

    users = [ChatUser(api.world, 1000 + n, f"user{n}") for n in range(60)]
    proc = await start_bot()
    try:
        for user in users:  # a burst: sixty people at once
            await user.send("/start")
        await api.wait_until(lambda: len(api.webhook.delivered) >= 20, timeout=60, poll=0.01)
        proc.send_signal(signal.SIGKILL)  # with some acknowledged and still being handled
        await proc.wait()
        acknowledged_before = len(api.webhook.delivered)
        api.world.webhook = None  # Telegram keeps the webhook; the dead bot just cannot be reached
        proc = await start_bot()
        for user in users:
            await user.expect("欢迎使用", timeout=60)
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 30)
        await api.stop()
    assert acknowledged_before >= 20
