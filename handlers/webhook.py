"""Webhook mode: Telegram (or the bureau's Bot API server) POSTs updates to us instead of being polled.

An update is answered 200 only once it is stored in the inbox (``handlers/polling.py``): Telegram forgets what
it was told arrived, so a crash after the answer must still find it at the next start. Handling then runs in the
background, at most ``concurrency`` updates at a time, as in polling; a burst beyond that waits before its 200,
which holds Telegram back (it keeps at most ``max_connections`` requests open).

Only requests carrying the secret in ``X-Telegram-Bot-Api-Secret-Token`` are accepted (401 otherwise). Bodies are
bounded in size and in the time they take to arrive, connections in number and in how long they may sit without a
whole request. These limits keep a careless or hostile client from holding the bot's memory or sockets; a reverse
proxy with its own timeouts still belongs in front (README).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any

from aiogram import Bot
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import setup_application
from aiohttp import web
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_server import Server
from pydantic import ValidationError

from handlers.polling import DurableDispatcher

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1024 * 1024  # an update is a few KB; refuse anything bigger
BODY_SECONDS = 10.0  # a body that takes longer to arrive is cut off
REQUEST_SECONDS = 15.0  # a connection must bring a whole request this soon after opening or after its last answer
MAX_CONNECTIONS = 200  # Telegram opens at most 100 (max_connections); more are not Telegram


class _GuardedHandler(RequestHandler):
    """aiohttp's connection handler with a deadline for each request to arrive and a cap on open connections."""

    limits: tuple[int, float] = (MAX_CONNECTIONS, REQUEST_SECONDS)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        most, seconds = self.limits
        assert self._manager is not None
        if len(self._manager.connections) > most:
            log.warning("webhook connection refused: %d open", len(self._manager.connections))
            self.force_close()
            transport.close()
            return
        self._guard: asyncio.TimerHandle | None = self._loop.call_later(seconds, self._overdue, transport)

    def _overdue(self, transport: asyncio.BaseTransport) -> None:
        if self._guard is not None:  # no request arrived in time (a slow or idle client): let the socket go
            transport.close()

    def request_arrived(self) -> None:
        if getattr(self, "_guard", None) is not None:
            self._guard.cancel()
            self._guard = None

    def request_answered(self, transport: asyncio.BaseTransport | None) -> None:
        if transport is not None and not transport.is_closing():
            self._guard = self._loop.call_later(self.limits[1], self._overdue, transport)

    def connection_lost(self, exc: BaseException | None) -> None:
        self.request_arrived()  # cancels the timer
        super().connection_lost(exc)


class _GuardedServer(Server):
    def __call__(self) -> RequestHandler:
        return _GuardedHandler(self, loop=self._loop, **self._kwargs)


class _GuardedRunner(web.AppRunner):
    async def _make_server(self) -> Server:
        server = await super()._make_server()
        server.__class__ = _GuardedServer  # the same server, making guarded connection handlers
        return server


@web.middleware
async def _deadline(request: web.Request, handler: Any) -> web.StreamResponse:
    protocol = request.protocol
    if isinstance(protocol, _GuardedHandler):
        protocol.request_arrived()
    try:
        return await handler(request)  # type: ignore[no-any-return]
    finally:
        if isinstance(protocol, _GuardedHandler):
            protocol.request_answered(request.transport)


class DurableWebhook:
    """The request handler: check the secret, read and parse the body, store, then handle in the background."""

    def __init__(self, dp: DurableDispatcher, bot: Bot, *, secret: str, concurrency: int) -> None:
        self.dp = dp
        self.bot = bot
        self.secret = secret
        self.slots = asyncio.Semaphore(concurrency)
        self.accepted: set[int] = set()  # stored and not yet handled: a retry of one of these is answered at once
        self.tasks: set[asyncio.Task[None]] = set()

    async def handle(self, request: web.Request) -> web.Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), self.secret.encode()):
            return web.Response(status=401)
        try:
            body = await asyncio.wait_for(request.read(), BODY_SECONDS)
        except TimeoutError:
            return web.Response(status=408)
        try:
            update = Update.model_validate_json(body, context={"bot": self.bot})
        except (ValidationError, ValueError):
            log.warning("webhook body refused: not an update (%d bytes)", len(body))
            return web.Response(status=400)
        if update.update_id in self.accepted:
            return web.Response(status=200)
        try:
            await self.dp.store([update])
        except Exception:  # not stored, so not acknowledged: Telegram sends it again
            log.exception("webhook update not stored update_id=%d", update.update_id)
            return web.Response(status=500)
        self.accepted.add(update.update_id)
        await self.slots.acquire()  # a burst waits here, before its 200
        task = asyncio.create_task(self._run(update))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return web.Response(status=200)

    async def _run(self, update: Update) -> None:
        try:
            await self.dp.feed_update(self.bot, update)
        except Exception:  # the errors router has answered the user; the inbox keeps nothing to retry
            log.exception("webhook update failed update_id=%d", update.update_id)
        finally:
            self.accepted.discard(update.update_id)
            self.slots.release()

    async def drain(self) -> None:
        """Let the updates in hand finish (a stop request: SIGTERM)."""
        if self.tasks:
            await asyncio.wait(set(self.tasks))


def webhook_app(
    dp: DurableDispatcher, bot: Bot, *, secret: str, path: str, concurrency: int
) -> tuple[web.Application, DurableWebhook]:
    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[_deadline])
    endpoint = DurableWebhook(dp, bot, secret=secret, concurrency=concurrency)
    app.router.add_post(path, endpoint.handle)
    setup_application(app, dp, bot=bot)  # emits the dispatcher's startup and shutdown (scheduler, sender)
    return app, endpoint


async def serve_webhook(
    dp: DurableDispatcher,
    bot: Bot,
    *,
    url: str,
    secret: str,
    host: str,
    port: int,
    path: str,
    allowed_updates: list[str],
    concurrency: int,
    stop: asyncio.Event,
) -> None:
    """Listen until ``stop`` is set. Updates Telegram holds are delivered, never dropped."""
    app, endpoint = webhook_app(dp, bot, secret=secret, path=path, concurrency=concurrency)
    # keep-alive kept short: an idle connection is closed by the request deadline anyway
    runner = _GuardedRunner(app, access_log=None, keepalive_timeout=REQUEST_SECONDS, max_field_size=8190)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        await bot.set_webhook(url, secret_token=secret, allowed_updates=allowed_updates, drop_pending_updates=False)
        log.info("webhook listening host=%s port=%d path=%s", host, port, path)
        await stop.wait()
        await endpoint.drain()
    finally:
        await runner.cleanup()
        log.info("webhook stopped")
