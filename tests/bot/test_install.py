"""Run without `make`: a checkout with no compiled catalogues still speaks Chinese, and a wheel carries them."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
import zipfile
from pathlib import Path

from localbotapi import ChatUser, LocalBotApi
from tests.bot.conftest import TOKEN

ROOT = Path(__file__).resolve().parents[2]
# what a fresh checkout does not have: the .mo files are built, never committed
NOT_IN_A_CHECKOUT = shutil.ignore_patterns(
    ".git", ".venv", "build", "data", "artifacts", "*.mo", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis"
)


def fresh_checkout(where: Path) -> Path:
    copy = where / "green-channel"
    shutil.copytree(ROOT, copy, ignore=NOT_IN_A_CHECKOUT)
    assert not list(copy.glob("locales/*/LC_MESSAGES/*.mo"))
    return copy


async def test_bot_py_without_make_compiles_the_catalogues_and_speaks_chinese(tmp_path: Path) -> None:
    copy = fresh_checkout(tmp_path)
    api = LocalBotApi(TOKEN)
    await api.start()
    user = ChatUser(api.world, 101, "王工")
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE": api.base_url,
        "DATABASE_PATH": str(tmp_path / "bot.db"),
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(copy / "bot.py"), cwd=tmp_path, env=env, stderr=asyncio.subprocess.DEVNULL
    )
    try:
        await user.send("/start")
        await user.expect("欢迎使用", timeout=60)
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 30)
        await api.stop()
    assert (copy / "locales" / "zh_CN" / "LC_MESSAGES" / "messages.mo").exists()


async def test_the_wheel_carries_the_catalogues_and_the_entry_modules(tmp_path: Path) -> None:
    copy = fresh_checkout(tmp_path)
    build = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--quiet", "-w", str(tmp_path / "dist")),
        cwd=copy,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(build.communicate(), 300)
    assert build.returncode == 0, output.decode(errors="replace")[-2000:]
    (wheel,) = (tmp_path / "dist").glob("green_channel-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {
        "locales/zh_CN/LC_MESSAGES/messages.po",
        "locales/en/LC_MESSAGES/messages.po",
        "bot.py",
        "catalogues.py",
        "config.py",
        "logsetup.py",
        "sandbox/static/index.html",
        "public/templates/notice.html",
        "public/static/board.css",
    } <= names
