"""The baseline: a bare aiogram echo bot with the same aiogram, session and dispatcher settings as Green Channel
(HTML parse mode, one update at a time per chat, the same task cap, gc.freeze after start-up, and the session
middleware that keeps pydantic's ``Response[T]`` classes built — without it a bare bot spends ~25 % of its time
rebuilding them, which would flatter every ratio). Nothing stored.

``python -m benchmarks.echo_bot`` reads BOT_TOKEN, TELEGRAM_API_BASE and MAX_CONCURRENT_UPDATES.
"""

from __future__ import annotations

import asyncio
import html

from aiogram.types import CallbackQuery, Message

from benchmarks.bare_bot import bare_bot, poll


async def echo(message: Message) -> None:
    await message.answer(html.escape(message.text or "document received"))


async def pressed(query: CallbackQuery) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer("pressed")  # a button step in our form answers and asks the next question


async def main() -> None:
    bot, dp = bare_bot()
    dp.message.register(echo)
    dp.callback_query.register(pressed)
    await poll(bot, dp)


if __name__ == "__main__":
    asyncio.run(main())
