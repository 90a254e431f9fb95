"""Webhook delivery as Telegram does it: while a webhook is set, pending updates are POSTed to it — several at once,
up to ``max_connections`` — each sent again until the bot answers 2xx; only then is it forgotten. A bot that dies
mid-burst therefore gets again everything it had not answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import aiohttp

from localbotapi.world import World

log = logging.getLogger(__name__)
RETRY_SECONDS = 0.2  # Telegram waits longer; tests should not


class WebhookPusher:
    def __init__(self, world: World) -> None:
        self.world = world
        self.delivered: list[int] = []  # update ids answered 2xx, in order
        self._task: asyncio.Task[None] | None = None
        self._in_flight: set[int] = set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="webhook-pusher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            pending: set[asyncio.Task[None]] = set()
            while True:
                due = await self.world.wait_until(self._due, timeout=3600)
                for update in due:
                    self._in_flight.add(update["update_id"])
                    task = asyncio.create_task(self._deliver(session, update))
                    pending.add(task)
                    task.add_done_callback(pending.discard)

    def _due(self) -> list[dict[str, Any]]:
        hook = self.world.webhook
        if hook is None:
            return []
        room = self.world.webhook_connections - len(self._in_flight)
        return [u for u in self.world.updates if u["update_id"] not in self._in_flight][: max(room, 0)]

    async def _deliver(self, session: aiohttp.ClientSession, update: dict[str, Any]) -> None:
        try:
            while self.world.webhook is not None:
                hook = self.world.webhook
                headers = {"X-Telegram-Bot-Api-Secret-Token": hook["secret_token"]} if hook["secret_token"] else {}
                try:
                    async with session.post(hook["url"], json=update, headers=headers) as response:
                        if 200 <= response.status < 300:
                            self.world.updates[:] = [u for u in self.world.updates if u is not update]
                            self.delivered.append(update["update_id"])
                            return
                except (aiohttp.ClientError, TimeoutError) as exc:
                    log.debug("webhook delivery failed update_id=%d: %s", update["update_id"], exc)
                await asyncio.sleep(RETRY_SECONDS)
        finally:
            self._in_flight.discard(update["update_id"])
            await self.world.notify()
