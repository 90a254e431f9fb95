"""A reviewer's open prompt (the reason, the approval number, Yes / No): which message carries its buttons, so a
press on any other (answered or superseded) prompt is told so instead of cancelling what is open, and so the
buttons go away once it is answered."""

from __future__ import annotations

import contextlib
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from handlers.states import Review

OPEN_STATES = frozenset(s.state for s in (Review.reason, Review.approval_number, Review.confirm, Review.correct_number))


async def remember(state: FSMContext, prompt: Message) -> None:
    await state.update_data(prompt=prompt.message_id)


async def is_open(state: FSMContext, query: CallbackQuery, request_id: int) -> bool:
    """The pressed message is the prompt this reviewer is being asked now, for this request."""
    if await state.get_state() not in OPEN_STATES:
        return False
    data = await state.get_data()
    if data.get("request_id") != request_id:
        return False
    prompt = data.get("prompt")
    return prompt is None or query.message is None or prompt == query.message.message_id  # None: kept before 'prompt'


async def other_open(state: FSMContext, query: CallbackQuery, request_id: int) -> bool:
    """A prompt is open, and it is not the pressed message: pressing here must not act on, or clear, that one.
    (No prompt open: the press stands on its own, the request's state decides; its number may have been sent.)"""
    return await state.get_state() in OPEN_STATES and not await is_open(state, query, request_id)


async def close(bot: Bot, chat_id: int, data: dict[str, Any]) -> None:
    """Take the answered prompt's buttons away (best effort: it may be too old to edit, or already bare)."""
    prompt = data.get("prompt")
    if prompt is None:
        return
    with contextlib.suppress(TelegramBadRequest):
        await bot.edit_message_reply_markup(chat_id=chat_id, message_id=int(prompt), reply_markup=None)


async def close_pressed(query: CallbackQuery) -> None:
    if isinstance(query.message, Message) and query.message.reply_markup is not None:
        with contextlib.suppress(TelegramBadRequest):
            await query.message.edit_reply_markup(reply_markup=None)
