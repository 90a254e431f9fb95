"""Several ``bot.py`` processes on one PostgreSQL schema and one Redis prefix, in webhook mode behind a small
round-robin proxy — issue 18's proofs run against this (tests/bot/test_instances.py).

The local Bot API server pushes each update to the proxy, which hands it to the next instance that accepts the
connection (a killed one is skipped, as nginx does in deploy/compose); every instance can handle any chat."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from aiohttp import web

from localbotapi import LocalBotApi

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "4242:TEST-not-a-real-token"
SECRET = "s3cret-webhook-token-XYZ"
PATH = "/telegram/webhook"
GROUP_ID = -100777
ADMIN_ID = 9001
START_SECONDS = 90  # a start on a busy machine: imports, migrations, setWebhook


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RoundRobin:
    """POSTs to the instances in turn; one that refuses the connection is skipped for the next."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self._turn = itertools.cycle(range(len(ports)))
        self.runner: web.AppRunner | None = None
        self.session: aiohttp.ClientSession | None = None
        self.handled_by: dict[int, int] = {}  # update id -> the instance (index) that answered it
        self.queries: dict[str, int] = {}  # a button press's query id -> the instance that answered it

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post(PATH, self._forward)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        port = free_port()
        await web.TCPSite(self.runner, "127.0.0.1", port).start()
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        return f"http://127.0.0.1:{port}{PATH}"

    async def stop(self) -> None:
        if self.session is not None:
            await self.session.close()
        if self.runner is not None:
            await self.runner.cleanup()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self.session is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower().startswith(("x-telegram", "content-type"))}
        for _ in self.ports:
            index = next(self._turn)
            try:
                async with self.session.post(
                    f"http://127.0.0.1:{self.ports[index]}{PATH}", data=body, headers=headers
                ) as answer:
                    update = json.loads(body)
                    self.handled_by[update["update_id"]] = index
                    if "callback_query" in update:
                        self.queries[update["callback_query"]["id"]] = index
                    return web.Response(status=answer.status, body=await answer.read())
            except aiohttp.ClientConnectionError:
                continue  # down (killed, restarting): the next one
        return web.Response(status=502)


@dataclass
class Instances:
    """``count`` bots sharing ``database_url`` (a schema of the test's own) and a Redis prefix."""

    api: LocalBotApi
    database_url: str
    redis_url: str
    redis_prefix: str
    workdir: Path
    count: int = 3
    ports: list[int] = field(default_factory=list)
    procs: dict[int, asyncio.subprocess.Process] = field(default_factory=dict)
    proxy: RoundRobin | None = None
    proxy_url: str = ""

    async def open(self) -> None:
        self.ports = [free_port() for _ in range(self.count)]
        self.proxy = RoundRobin(self.ports)
        self.proxy_url = await self.proxy.start()

    def env(self, index: int) -> dict[str, str]:
        return {
            **os.environ,
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE": self.api.base_url,
            "DATABASE_URL": f"{self.database_url}&application_name=green{index}",  # who holds what, in pg_locks
            "REDIS_URL": self.redis_url,
            "REDIS_PREFIX": self.redis_prefix,
            "FILES_DIR": str(self.workdir / "files"),  # shared, as the compose file's volume
            "DATABASE_PATH": str(self.workdir / f"unused-{index}.db"),
            "ADMIN_IDS": str(ADMIN_ID),
            "REVIEWER_CHAT_ID": str(GROUP_ID),
            "SUMMARY_TIME": "23:59",
            "WEBHOOK_URL": self.proxy_url,
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_PORT": str(self.ports[index]),
            "PACE_PRIVATE_SECONDS": "0",
            "PACE_GROUP_SECONDS": "0",
            "PACE_PER_SECOND": "1000",
            "THROTTLE_RATE": "1000",
            "THROTTLE_BURST": "1000",
        }

    async def start(self, index: int) -> None:
        log = (self.workdir / f"bot{index}.log").open("ab")
        self.procs[index] = await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "bot.py"), cwd=self.workdir, env=self.env(index), stdout=log, stderr=log
        )
        log.close()
        await self.until_serving(index)

    async def until_serving(self, index: int) -> None:
        """Until the instance answers on its webhook port (a GET: 405, the route is POST only)."""
        url = f"http://127.0.0.1:{self.ports[index]}{PATH}"
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
            for _ in range(START_SECONDS * 10):
                proc = self.procs[index]
                assert proc.returncode is None, f"instance {index} exited: {self.log(index)[-2000:]}"
                try:
                    async with session.get(url):
                        return
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)  # nothing to await on another process's listen()
        raise AssertionError(f"instance {index} did not start: {self.log(index)[-2000:]}")

    def log(self, index: int) -> str:
        path = self.workdir / f"bot{index}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    async def kill(self, index: int) -> None:
        proc = self.procs.pop(index)
        proc.send_signal(signal.SIGKILL)
        await proc.wait()

    async def close(self) -> None:
        for index in list(self.procs):
            proc = self.procs.pop(index)
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(proc.wait(), 60)
                except TimeoutError:
                    proc.kill()
                    await proc.wait()
        if self.proxy is not None:
            await self.proxy.stop()
