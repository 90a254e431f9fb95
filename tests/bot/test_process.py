"""`python bot.py` as a bureau runs it: settings from the environment, polling, a clean stop on SIGTERM."""

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

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
