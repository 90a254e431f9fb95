"""`python bot.py` as a bureau runs it: settings from the environment, polling, a clean stop on SIGTERM."""

import asyncio
import json
import os
import re
import signal
import sys
from pathlib import Path

import aiohttp

from localbotapi import ChatUser, LocalBotApi
from tests.bot.conftest import TOKEN

ROOT = Path(__file__).resolve().parents[2]


async def test_bot_py_serves_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    api = LocalBotApi(TOKEN)
    await api.start()
    user = ChatUser(api.world, 101, "王工")
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE": api.base_url,
        "DATABASE_PATH": str(tmp_path / "bot.db"),
        "ADMIN_IDS": "9001",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "bot.py"), cwd=tmp_path, env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        await user.send("/start")  # waiting before the bot is up: must not be dropped
        await user.expect("欢迎使用", timeout=60)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 30)
        await api.stop()
    assert proc.returncode == 0
    lines = [json.loads(line) for line in err.decode().splitlines() if line.startswith("{")]
    events = [entry["event"] for entry in lines]
    assert "polling started" in events
    assert "polling stopped" in events
    assert TOKEN not in err.decode()


async def test_with_no_token_bot_py_starts_the_sandbox_and_prints_its_address(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k.upper() != "BOT_TOKEN"} | {"SANDBOX_PORT": "0"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "bot.py"), cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE
    )
    assert proc.stdout is not None
    try:
        first = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode()
        second = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode()
        assert "No BOT_TOKEN set: starting the sandbox" in first
        address = re.search(r"open (http://127\.0\.0\.1:\d+)", second)
        assert address, second
        async with aiohttp.ClientSession() as http, http.get(address.group(1) + "/api/people") as response:
            assert response.status == 200
            assert {p["key"] for p in await response.json()} >= {"applicant", "reviewer", "admin", "group"}
        assert (tmp_path / "data" / "sandbox" / "green.db").exists()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 30) == 0


async def test_a_second_bot_on_the_same_database_exits_naming_the_file_and_the_holder(tmp_path: Path) -> None:
    api = LocalBotApi(TOKEN)
    await api.start()
    user = ChatUser(api.world, 101, "王工")
    database = tmp_path / "bot.db"
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE": api.base_url,
        "DATABASE_PATH": str(database),
        "ADMIN_IDS": "9001",
    }
    first = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "bot.py"), cwd=tmp_path, env=env, stderr=asyncio.subprocess.DEVNULL
    )
    try:
        await api.wait_until(lambda: api.calls("getUpdates"), timeout=60)
        second = await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "bot.py"), cwd=tmp_path, env=env, stderr=asyncio.subprocess.PIPE
        )
        _, err = await asyncio.wait_for(second.communicate(), 60)
        assert second.returncode == 2
        lines = err.decode().strip().splitlines()
        assert len(lines) == 1, lines
        assert str(database) in lines[0] and f"pid {first.pid}" in lines[0]
        await user.send("/help")  # the first keeps working, and alone
        await user.expect("命令", timeout=60)
        assert len([c for c in api.calls("sendMessage") if c.params.get("chat_id") == user.id]) == 1
    finally:
        first.send_signal(signal.SIGTERM)
        await asyncio.wait_for(first.wait(), 30)
        await api.stop()
