"""Webhook delivery as Telegram does it: while a webhook is set, pending updates are POSTed to it — several at once,
up to ``max_connections``, with the secret in ``X-Telegram-Bot-Api-Secret-Token`` — each sent again, after a
growing pause, until the bot answers 2xx; only then is it forgotten. A bot that dies mid-burst therefore gets
again everything it had not answered. The last failure is kept for ``getWebhookInfo`` (last_error_date/message).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import aiohttp

from localbotapi.world import World

log = logging.getLogger(__name__)
RETRY_SECONDS = 0.2  # the first pause after a failure; Telegram waits longer, tests should not
RETRY_MAX_SECONDS = 3.0  # pauses double up to this
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookPusher:
    def __init__(self, world: World, *, retry: float = RETRY_SECONDS, retry_max: float = RETRY_MAX_SECONDS) -> None:
        self.world = world
        self.retry = retry
        self.retry_max = retry_max
        self.delivered: list[int] = []  # update ids answered 2xx, in order
        self._task: asyncio.Task[None] | None = None
        self._in_flight: set[int] = set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="webhook-pusher")

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():  # the caller's own cancel (a timeout): not ours to swallow
                raise
        self._task = None

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
        pause = self.retry
        try:
            while self.world.webhook is not None:
                hook = self.world.webhook
                headers = {SECRET_HEADER: hook["secret_token"]} if hook["secret_token"] else {}
                try:
                    async with session.post(hook["url"], json=update, headers=headers) as response:
                        if 200 <= response.status < 300:
                            self.world.updates[:] = [u for u in self.world.updates if u is not update]
                            self.delivered.append(update["update_id"])
                            return
                        error = f"Wrong response from the webhook: {response.status} {response.reason}"
                except (aiohttp.ClientError, TimeoutError) as exc:
                    error = f"Connection failed: {type(exc).__name__}"  # Telegram words these its own way
                log.debug("webhook delivery failed update_id=%d: %s", update["update_id"], error)
                self.world.webhook_error = (int(time.time()), error)
                await self.world.notify()
                await asyncio.sleep(pause)
                pause = min(pause * 2, self.retry_max)
        finally:
            self._in_flight.discard(update["update_id"])
            await self.world.notify()
