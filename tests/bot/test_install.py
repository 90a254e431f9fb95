"""Run without `make`: a checkout with no compiled catalogues still speaks Chinese, and a wheel carries them."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import aiohttp
import pytest

from localbotapi import ChatUser, LocalBotApi
from sandbox.cast import CAST
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


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel `pip install .` would build, from a fresh checkout (no compiled catalogues), built once."""
    where = tmp_path_factory.mktemp("wheel")
    copy = fresh_checkout(where)
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--quiet", "-w", "dist"],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert build.returncode == 0, (build.stdout + build.stderr)[-2000:]
    (built,) = (copy / "dist").glob("green_channel-*.whl")
    return built


def test_the_wheel_carries_the_catalogues_and_the_entry_modules(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {
        "locales/zh_CN/LC_MESSAGES/messages.po",
        "locales/en/LC_MESSAGES/messages.po",
        "bot.py",
        "catalogues.py",
        "config.py",
        "logsetup.py",
        "sandbox/static/index.html",
        "sandbox/static/app.js",
        "sandbox/static/app.css",
        "monitoring/server.py",
        "public/templates/notice.html",
        "public/static/board.css",
    } <= names
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "green-channel = bot:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


PIP = (sys.executable, "-m", "pip")


def fresh_venv(where: Path, wheel: Path) -> Path:
    """A new venv with the wheel installed and nothing else of the project. The dependencies are not downloaded
    again (no network, and seconds instead of minutes): a .pth file puts the project venv's site-packages at the
    end of the new venv's path, where nothing of Green Channel itself is (the project venv holds it as an editable
    install, whose import hook a plain path in a .pth file does not load)."""
    venv = where / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    (purelib,) = (venv / "lib").glob("python3*/site-packages")
    (purelib / "project-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = subprocess.run(
        [*PIP, "--python", str(venv / "bin" / "python"), "install", "--no-deps", "--no-index", "--quiet", str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert install.returncode == 0, (install.stdout + install.stderr)[-2000:]
    return venv


def clean_environment(home: Path) -> dict[str, str]:
    """No settings of the developer's, no path into the checkout."""
    keep = {"PATH", "LANG", "LC_ALL", "TMPDIR"}
    return {**{k: v for k, v in os.environ.items() if k in keep}, "HOME": str(home)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_the_installed_wheel_runs_from_a_fresh_venv(tmp_path: Path, wheel: Path) -> None:
    """`pip install .` gives a `green-channel` command that knows its version and, run from an empty directory,
    starts the sandbox: the page and its static files served, and the bot answering in Chinese (the catalogues
    travelled and were compiled where the package was installed)."""
    venv = fresh_venv(tmp_path, wheel)
    command = venv / "bin" / "green-channel"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = clean_environment(tmp_path)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    shown = await output(elsewhere, env, command, "--version")
    assert shown.strip() == f"Green Channel {project['version']}", shown
    imports = "import bot, monitoring, sandbox; print(bot.__file__, monitoring.__file__, sandbox.__file__)"
    where = await output(elsewhere, env, venv / "bin" / "python", "-c", imports)
    assert all(Path(f).is_relative_to(venv) for f in where.split()), where  # the wheel's, not the checkout's

    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        command,
        "--sandbox",
        cwd=elsewhere,
        env={**env, "SANDBOX_PORT": str(port)},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        await asyncio.wait_for(sandbox_smoke_check(f"http://127.0.0.1:{port}"), 180)
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 60)
    assert list((elsewhere / "data" / "sandbox").glob("*.db"))  # its data went where it was started, not the venv
    assert list(venv.glob("lib/python3*/site-packages/locales/zh_CN/LC_MESSAGES/messages.mo"))


async def output(cwd: Path, env: dict[str, str], *command: str | Path) -> str:
    proc = await asyncio.create_subprocess_exec(
        *command, cwd=cwd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, err.decode(errors="replace")[-2000:]
    return out.decode()


async def sandbox_smoke_check(base: str) -> None:
    """What a person does first: open the page, say /start as the first applicant, read the answer."""
    async with aiohttp.ClientSession() as http:
        page = await until_served(http, base + "/")
        token = re.search(r'name="sandbox-token" content="([^"]+)"', page)
        assert token is not None
        for static in ("/static/app.js", "/static/app.css", "/favicon.ico"):
            async with http.get(base + static) as response:
                assert response.status == 200, static
        who = CAST[0].key
        headers = {"X-Sandbox-Token": token.group(1)}
        async with http.post(base + "/api/send", json={"who": who, "text": "/start"}, headers=headers) as response:
            assert response.status == 200, await response.text()
        while True:  # bounded by the caller's wait_for; the bot answers through the local Bot API server
            async with http.get(base + "/api/chat", params={"who": who}, headers=headers) as response:
                messages = (await response.json())["messages"]
            if any(m["bot"] and "欢迎使用" in m["html"] for m in messages):
                return
            await asyncio.sleep(0.5)


async def until_served(http: aiohttp.ClientSession, url: str) -> str:
    """The page, once the process has started serving it (a fresh venv's first start compiles the catalogues)."""
    while True:  # bounded by the caller's wait_for
        try:
            async with http.get(url) as response:
                if response.status == 200:
                    return await response.text()
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.5)
