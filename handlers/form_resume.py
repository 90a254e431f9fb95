"""A command sent in the middle of /submit (/my, /status 12, /help…) is answered, and then the form's current
question is asked again: else the list it showed sits between the question and the next text, which would be
taken as the answer without the applicant seeing what it answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.fsm.context import FSMContext
from aiogram.types import Message, TelegramObject

from handlers.context import AppContext
from handlers.filters import in_private_chat, is_command
from handlers.form_flow import ask
from handlers.form_steps import BY_STATE
from handlers.replies import ChatTarget
from handlers.states import SubmitForm

ASKED_AGAIN = frozenset(BY_STATE) - {SubmitForm.confirm.state}  # the confirmation screen waits for its buttons


class RepeatFormQuestion(BaseMiddleware):
    def __init__(self, app: AppContext) -> None:
        self.app = app

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        state: FSMContext | None = data.get("state")
        if not (isinstance(event, Message) and is_command(event) and in_private_chat(event)) or state is None:
            return await handler(event, data)  # answers and button presses: nothing more to do
        before = (await state.get_state(), await state.get_data())
        result = await handler(event, data)
        # the command left the form as it was (/cancel, /submit and /add change it): its question again
        if before[0] in ASKED_AGAIN and (await state.get_state(), await state.get_data()) == before:
            await ask(ChatTarget.of(event, data["bot"]), state, BY_STATE[str(before[0])], self.app)
        return result
