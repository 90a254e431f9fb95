"""Starting and stopping the processes a run needs: the Bot API server, and each bot under test."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

import aiohttp

from approvals.ledger import KeyProject
from approvals.models import Role
from storage.open import open_storage

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "4242:BENCH-not-a-real-token"
ADMIN_ID = 9001
REVIEWER_BASE = 500_000  # the driver numbers reviewers from each load's base plus this
# A bot's start (imports, migrations, first poll) takes a second or two; on a shared machine with both cores busy it
# was seen to take past 60 s. The bound only ends a failure: a bot that exits instead fails at once (see started).
START_SECONDS = 300


@dataclass
class Server:
    base_url: str
    http: aiohttp.ClientSession

    async def post(self, path: str, timeout: float = 3600, **body: Any) -> dict[str, Any]:
        async with self.http.post(
            f"{self.base_url}{path}", json=body, timeout=aiohttp.ClientTimeout(total=timeout)
        ) as response:
            response.raise_for_status()
            result: dict[str, Any] = await response.json()
            return result


@asynccontextmanager
async def bot_api_server() -> AsyncIterator[Server]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "benchmarks.server", TOKEN, cwd=ROOT, stdout=asyncio.subprocess.PIPE
    )
    assert proc.stdout is not None
    base_url = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode().strip()
    async with aiohttp.ClientSession() as http:
        server = Server(base_url, http)
        try:
            yield server
        finally:
            await server.post("/bench/quit")
            await asyncio.wait_for(proc.wait(), 30)


@dataclass
class BotProcess:
    proc: asyncio.subprocess.Process

    def peak_rss_mb(self) -> float:
        """The kernel's high-water mark of the process's resident memory (VmHWM)."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM in /proc: Linux is needed for the memory figure")


async def started(server: Server, proc: asyncio.subprocess.Process, log: Path) -> None:
    """Wait for the bot's first poll. A bot that exits first fails at once, with the end of its log."""
    ready = asyncio.ensure_future(server.post("/bench/ready", seconds=START_SECONDS))
    exited = asyncio.ensure_future(proc.wait())
    await asyncio.wait({ready, exited}, return_when=asyncio.FIRST_COMPLETED)
    if ready.done():
        exited.cancel()
        ready.result()  # a timeout from the server raises here
        return
    ready.cancel()
    tail = log.read_text(errors="replace")[-2000:]  # noqa: ASYNC240 — the bot is gone; nothing else runs
    raise RuntimeError(f"the bot exited with {proc.returncode} before its first poll; its log ends:\n{tail}")


def key_projects() -> list[KeyProject]:
    """The key-project list every benchmark bot is given (Green Channel's database, the floor bot's keyboard)."""
    return [KeyProject(code=f"K{n:02d}", name=f"示例重点项目 {n}", owner="示例单位") for n in range(1, 51)]


async def seed_green_channel(path: Path, reviewer_ids: list[int]) -> None:
    """Reviewers with their role and a key-project list, as an admin would have set them up."""
    storage = await open_storage(path, UTC)
    try:
        repos = storage.repos
        for user_id in reviewer_ids:
            await repos.people.remember(user_id, f"reviewer {user_id}")
            await repos.people.grant(user_id, Role.REVIEWER)
        await repos.key_projects.replace_all(key_projects())
    finally:
        await storage.close()


@asynccontextmanager
async def bot(
    kind: str, server: Server, workdir: Path, *, reviewer_ids: list[int], wrapper: Sequence[str] = ()
) -> AsyncIterator[BotProcess]:
    """Start the echo baseline, the form floor or Green Channel (``python bot.py``, production settings);
    ``wrapper``: a command to run the bot under (valgrind, for ``benchmarks.instructions``)."""
    workdir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 — before the bot starts; nothing else runs
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE": server.base_url,
        "MAX_CONCURRENT_UPDATES": "64",
    }
    if kind in ("echo", "floor"):
        args = ["-m", "benchmarks.echo_bot" if kind == "echo" else "benchmarks.form_floor_bot"]
    else:
        database = workdir / "green.db"
        await seed_green_channel(database, reviewer_ids)
        env |= {
            "DATABASE_PATH": str(database),
            "FILES_DIR": str(workdir / "files"),
            "ADMIN_IDS": str(ADMIN_ID),
            "REVIEWER_CHAT_ID": "-1001234567890",
            # simulated reviewers decide several times a second; people cannot, and the throttle would stop them
            "THROTTLE_RATE": "1000",
            "THROTTLE_BURST": "1000",
            "SUMMARY_TIME": "23:59",
        }
        args = [str(ROOT / "bot.py")]
    await server.post("/bench/forget-polls")
    with (workdir / f"{kind}.log").open("ab") as log:
        proc = await asyncio.create_subprocess_exec(
            *wrapper, sys.executable, *args, cwd=ROOT, env=env, stdout=log, stderr=log
        )
    process = BotProcess(proc)
    try:
        await started(server, proc, workdir / f"{kind}.log")
        yield process
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 60)
            except TimeoutError:
                proc.kill()
                await proc.wait()
