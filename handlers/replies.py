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
    def of(cls, event: Message | CallbackQuery) -> ChatTarget:
        if isinstance(event, Message):
            assert event.bot is not None
            return cls(event.bot, event.chat.id)
        assert event.bot is not None
        chat_id = event.message.chat.id if event.message is not None else event.from_user.id
        return cls(event.bot, chat_id)

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
    await ChatTarget.of(query).answer(text, reply_markup)
