"""What the echo baseline and the form floor share, so their settings cannot drift apart: the session, parse mode,
event isolation, task cap and start-up as Green Channel's ``bot.py`` has them, with nothing stored."""

from __future__ import annotations

import gc
import os
import sys

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.memory import SimpleEventIsolation

from handlers.response_types import PinResponseTypes


def bare_bot() -> tuple[Bot, Dispatcher]:
    """A bot and dispatcher configured from BOT_TOKEN and TELEGRAM_API_BASE; the caller adds its handlers."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["TELEGRAM_API_BASE"]))
    bot = Bot(os.environ["BOT_TOKEN"], session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    bot.session.middleware(PinResponseTypes())
    return bot, Dispatcher(events_isolation=SimpleEventIsolation())


async def poll(bot: Bot, dp: Dispatcher) -> None:
    """Start as bot.py does (switch interval, start-up objects frozen), then long-poll with the same task cap."""
    await bot.get_me()
    sys.setswitchinterval(0.0005)  # as bot.py (a bot with no other thread: changes nothing, kept for sameness)
    gc.freeze()
    try:
        await dp.start_polling(
            bot,
            polling_timeout=10,
            allowed_updates=dp.resolve_used_update_types(),
            tasks_concurrency_limit=int(os.environ.get("MAX_CONCURRENT_UPDATES", "64")),
        )
    finally:
        await bot.session.close()
