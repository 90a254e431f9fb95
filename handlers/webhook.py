"""Webhook mode: Telegram (or the bureau's Bot API server) POSTs updates to us instead of being polled.

Only requests carrying the secret in ``X-Telegram-Bot-Api-Secret-Token`` are accepted (401 otherwise)."""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

log = logging.getLogger(__name__)


def webhook_app(dp: Dispatcher, bot: Bot, *, secret: str, path: str) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024)  # an update is small; refuse anything bigger
    SimpleRequestHandler(dispatcher=dp, bot=bot, secret_token=secret, handle_in_background=True).register(app, path)
    setup_application(app, dp, bot=bot)  # emits the dispatcher's startup and shutdown (scheduler, sender)
    return app


async def serve_webhook(
    dp: Dispatcher,
    bot: Bot,
    *,
    url: str,
    secret: str,
    host: str,
    port: int,
    path: str,
    allowed_updates: list[str],
    stop: asyncio.Event,
) -> None:
    """Listen until ``stop`` is set. Updates Telegram holds are delivered, never dropped."""
    runner = web.AppRunner(webhook_app(dp, bot, secret=secret, path=path), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        await bot.set_webhook(url, secret_token=secret, allowed_updates=allowed_updates, drop_pending_updates=False)
        log.info("webhook listening host=%s port=%d path=%s", host, port, path)
        await stop.wait()
    finally:
        await runner.cleanup()
        log.info("webhook stopped")
