"""Replying to a button press. The pressed message may be too old to edit, or arrive as an
``InaccessibleMessage`` (older than 48 hours): the reply then goes to the chat as a new message."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message


@dataclass(frozen=True)
class ChatTarget:
    bot: Bot
    chat_id: int

    @classmethod
    def of(cls, event: Message | CallbackQuery, bot: Bot) -> ChatTarget:
        """``bot`` as the handler was given it (``event.bot`` is a pydantic private attribute: slow to read)."""
        if isinstance(event, Message):
            return cls(bot, event.chat.id)
        chat_id = event.message.chat.id if event.message is not None else event.from_user.id
        return cls(bot, chat_id)

    async def answer(self, text: str, reply_markup: InlineKeyboardMarkup | None = None) -> Message:
        return await self.bot.send_message(self.chat_id, text, reply_markup=reply_markup)


async def edit_or_send(query: CallbackQuery, text: str, reply_markup: InlineKeyboardMarkup | None = None) -> None:
    """Show ``text`` in place of the pressed message, or as a new one when that cannot be edited."""
    if isinstance(query.message, Message):
        try:
            await query.message.edit_text(text, reply_markup=reply_markup)
            return
        except TelegramBadRequest as exc:
            if "not modified" in exc.message:
                return
    assert query.bot is not None
    await ChatTarget.of(query, query.bot).answer(text, reply_markup)
