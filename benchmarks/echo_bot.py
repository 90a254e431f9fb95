"""The baseline: a bare aiogram echo bot with the same aiogram, session and dispatcher settings as Green Channel
(HTML parse mode, one update at a time per chat, the same task cap, gc.freeze after start-up, and the session
middleware that keeps pydantic's ``Response[T]`` classes built — without it a bare bot spends ~25 % of its time
rebuilding them, which would flatter every ratio). Nothing stored.

``python -m benchmarks.echo_bot`` reads BOT_TOKEN, TELEGRAM_API_BASE and MAX_CONCURRENT_UPDATES.
"""

from __future__ import annotations

import asyncio
import gc
import html
import os
import sys

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.types import CallbackQuery, Message

from handlers.response_types import PinResponseTypes


async def echo(message: Message) -> None:
    await message.answer(html.escape(message.text or "document received"))


async def pressed(query: CallbackQuery) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer("pressed")  # a button step in our form answers and asks the next question


async def main() -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["TELEGRAM_API_BASE"]))
    bot = Bot(os.environ["BOT_TOKEN"], session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    bot.session.middleware(PinResponseTypes())
    dp = Dispatcher(events_isolation=SimpleEventIsolation())
    dp.message.register(echo)
    dp.callback_query.register(pressed)
    await bot.get_me()
    sys.setswitchinterval(0.0005)  # as bot.py (this bot has no other thread, so it changes nothing here)
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


if __name__ == "__main__":
    asyncio.run(main())
