"""A burst of 20,000 updates: the capped handler concurrency keeps the bot's memory bounded."""

import asyncio
import os
import signal
import sys
from pathlib import Path

from localbotapi import ChatUser, LocalBotApi
from tests.bot.conftest import TOKEN

ROOT = Path(__file__).resolve().parents[2]
BURST = 20_000
MEMORY_BOUND_MB = 400  # aiogram alone takes ~165 MB here; an unbounded task pile-up would take far more


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM in /proc")


async def test_a_burst_of_20000_updates_is_served_in_bounded_memory(tmp_path: Path) -> None:
    api = LocalBotApi(TOKEN)
    await api.start()
    users = [ChatUser(api.world, 10_000 + n, f"u{n}", "en") for n in range(2000)]  # 10 each: within the burst
    for n in range(BURST):  # all waiting before the bot starts: a real burst
        await users[n % len(users)].send("/help")
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE": api.base_url,
        "DATABASE_PATH": str(tmp_path / "b.db"),
        "SUMMARY_TIME": "23:59",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "bot.py"),
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        await api.wait_until(lambda: len(api.calls("sendMessage")) >= BURST, timeout=300, poll=1.0)
        peak = peak_rss_mb(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        await proc.wait()
        await api.stop()
    print(f"\npeak RSS during a {BURST}-update burst: {peak:.0f} MB")
    assert proc.returncode == 0
    assert not [c for c in api.calls("sendMessage") if c.error]
    assert peak < MEMORY_BOUND_MB
