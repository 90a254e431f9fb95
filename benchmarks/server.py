"""The local Bot API server in its own process, with the load driver beside it and a small control API.

``python -m benchmarks.server TOKEN`` prints the server's address on its first line, then serves until
``POST /bench/quit``. The orchestrator (``python -m benchmarks``) starts bots against it and asks it, over HTTP,
to play a load and report what it saw.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import time
from collections import Counter
from typing import Any

from aiohttp import web

from benchmarks.driver import Load, Pacer, Replies, burst, people
from localbotapi import ChatUser, LocalBotApi
from localbotapi.world import Call

GROUP_ID = -1001234567890


class Control:
    def __init__(self, api: LocalBotApi) -> None:
        self.api = api
        self.world = api.world
        self.replies = Replies(self.world)
        self.stop = asyncio.Event()
        self.polled = asyncio.Event()
        self.burst_chats: set[int] = set()
        self.burst_replies = 0
        self.burst_first_poll = 0.0
        self.burst_last_reply = 0.0
        self.burst_done = asyncio.Event()
        self.burst_target = 0
        self.calls: Counter[str] = Counter()  # by method, for "API calls per update"
        self.world.listeners.append(self.on_call)
        self.world.arrivals.append(self.on_arrival)
        ChatUser.group(self.world, GROUP_ID, "审批科")

    def on_arrival(self, call: Call) -> None:
        if call.method == "getUpdates":
            self.polled.set()  # the bot is polling: started (not when this poll ends, up to its timeout later)

    def on_call(self, call: Call, result: Any) -> None:
        self.calls[call.method] += 1
        if call.method == "getUpdates":
            if result and self.burst_target and not self.burst_first_poll:
                self.burst_first_poll = time.monotonic()
        elif call.method == "sendMessage" and call.params.get("chat_id") in self.burst_chats:
            self.burst_replies += 1
            self.burst_last_reply = time.monotonic()
            if self.burst_replies >= self.burst_target:
                self.burst_done.set()

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/bench/forget-polls", self.forget_polls),
            web.post("/bench/ready", self.ready),
            web.post("/bench/load", self.load),
            web.post("/bench/burst", self.queue_burst),
            web.post("/bench/burst/wait", self.wait_burst),
            web.post("/bench/quit", self.quit),
        ]

    async def forget_polls(self, request: web.Request) -> web.Response:
        self.polled.clear()  # called before a bot starts, so /bench/ready waits for that bot's first poll
        # Everything the earlier rounds left in the world (their chats and messages) stays for the whole run: keep
        # it out of this process's garbage collections, or their pauses grow round by round and show up as the
        # bot's latency (p99 at 200/s grew 14 -> 80 ms over five rounds before this)
        gc.collect()
        gc.freeze()
        return web.json_response({"ok": True})

    async def ready(self, request: web.Request) -> web.Response:
        """Answers once a bot has polled since the last forget-polls: it is started and connected."""
        await asyncio.wait_for(self.polled.wait(), (await request.json())["seconds"])
        return web.json_response({"ok": True})

    async def load(self, request: web.Request) -> web.Response:
        spec = await request.json()
        base = spec["base"]
        applicants = people(self.world, spec["applicants"], base)
        reviewers = people(self.world, spec["reviewers"], base + 500_000, "en")
        load = Load(self.world, self.replies, Pacer(spec.get("rate")), fake_buttons=spec["fake_buttons"])
        before = Counter(self.calls)
        tally = await load.run(applicants, reviewers, whole_form=spec.get("script") != "form")
        calls = self.calls - before
        return web.json_response({**tally.as_dict(), "calls": dict(calls)})

    async def queue_burst(self, request: web.Request) -> web.Response:
        spec = await request.json()
        users = people(self.world, spec["users"], spec["base"])
        self.burst_chats = {u.id for u in users}
        self.burst_replies, self.burst_first_poll = 0, 0.0
        self.burst_done.clear()
        self.burst_target = await burst(self.world, users, spec["per_user"])
        return web.json_response({"queued": self.burst_target})

    async def wait_burst(self, request: web.Request) -> web.Response:
        await asyncio.wait_for(self.burst_done.wait(), (await request.json())["seconds"])
        self.burst_target = 0
        seconds = self.burst_last_reply - self.burst_first_poll
        return web.json_response({"replies": self.burst_replies, "seconds": seconds})

    async def quit(self, request: web.Request) -> web.Response:
        self.stop.set()
        return web.json_response({"ok": True})


async def main(token: str) -> None:
    api = LocalBotApi(token)
    api.world.keep_calls = False  # the load sends tens of thousands of calls; nobody reads the record
    control = Control(api)
    base_url = await api.start(routes=control.routes())
    print(base_url, flush=True)
    await control.stop.wait()
    await api.stop()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
