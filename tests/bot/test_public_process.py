"""bot.py with PUBLIC_PORT set serves the public notice board from its own process, and stops it on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp

from localbotapi import ChatUser, LocalBotApi
from tests.bot.conftest import TOKEN

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_public_port_serves_the_board_beside_the_bot(tmp_path: Path) -> None:
    api = LocalBotApi(TOKEN)
    await api.start()
    user = ChatUser(api.world, 101, "王工")
    port = free_port()
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE": api.base_url,
        "DATABASE_PATH": str(tmp_path / "bot.db"),
        "PUBLIC_PORT": str(port),
        "PUBLIC_BASE_URL": "https://hbj.example.gov.cn",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "bot.py"), cwd=tmp_path, env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        await user.send("/start")
        await user.expect("欢迎使用", timeout=60)  # the bot is up, and the board started before it polled
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/notices/") as page:
                assert page.status == 200 and "正在公示" in await page.text()
                assert "default-src 'none'" in page.headers["Content-Security-Policy"]
            async with session.get(f"http://127.0.0.1:{port}/notices/feed.atom") as feed:
                assert "https://hbj.example.gov.cn/notices/feed.atom" in await feed.text()
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 30)
        await api.stop()
    assert proc.returncode == 0
    events = [json.loads(line)["event"] for line in err.decode().splitlines() if line.startswith("{")]
    assert f"public notice board on http://127.0.0.1:{port}/notices/" in events
    refused = False
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError:
        refused = True
    assert refused  # stopped with the bot
