"""Middlewares that tell the logs which update and which request is in hand (``operations/log_context.py``).

The outer one opens the scope of an update (its number, no request yet). aiogram's error handlers run outside
every middleware of ours, so a failed update leaves its numbers set for them ("handler failed" and "refused" lines
name the request) and the errors observer's own middleware clears them afterwards. The inner ones run once the
filters chose a handler: a button's callback data names its request (the classes below, whose ``id`` is a
request's), and a reply typed into a prompt about a request (a reason, a note, a stop's end) finds it in the
form's data.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Dispatcher
from aiogram.fsm.context import FSMContext
from aiogram.types import TelegramObject, Update

from handlers.callbacks import (
    CheckCB,
    ClockCB,
    DetailsCB,
    FilesCB,
    QueueItemCB,
    ReassignCB,
    ReviewCB,
    SignCB,
    SupplementCB,
    WithdrawCB,
)
from operations.log_context import about_request, clear, request_id, update_id

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
# callback data whose ``id`` is a request's number (KeyImportCB's is an import's, SubscriptionCB names a person)
ABOUT_A_REQUEST = (
    CheckCB,
    ClockCB,
    DetailsCB,
    FilesCB,
    QueueItemCB,
    ReassignCB,
    ReviewCB,
    SignCB,
    SupplementCB,
    WithdrawCB,
)


class UpdateScope(BaseMiddleware):
    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        update_id.set(event.update_id if isinstance(event, Update) else None)
        request_id.set(None)
        result = await handler(event, data)  # raised: the numbers stay for the error handlers
        clear()
        return result


class AfterErrors(BaseMiddleware):
    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        try:
            return await handler(event, data)
        finally:
            clear()  # the inbox's replay handles updates one after another in one task: none inherits these


class RequestInHand(BaseMiddleware):
    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        callback_data = data.get("callback_data")
        if isinstance(callback_data, ABOUT_A_REQUEST):
            about_request(callback_data.id)
        else:
            state: FSMContext | None = data.get("state")
            if state is not None and data.get("raw_state") is not None:  # a form or prompt is open
                number = (await state.get_data()).get("request_id")
                about_request(number if isinstance(number, int) else None)
        return await handler(event, data)


def setup(dp: Dispatcher) -> None:
    """Before every other middleware, so what they log carries the update's number too."""
    dp.update.outer_middleware(UpdateScope())
    dp.errors.outer_middleware(AfterErrors())
    dp.callback_query.middleware(RequestInHand())
    dp.message.middleware(RequestInHand())
