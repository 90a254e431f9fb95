"""What moves the counters: one middleware around every update, one around every Bot API call."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import GetMe, GetUpdates, TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import TelegramObject, Update

from approvals.errors import DomainError
from monitoring.metrics import Metrics

# most specific first: TelegramEntityTooLarge is a TelegramNetworkError, RestartingTelegram a TelegramServerError
ERROR_CODES: tuple[tuple[type[BaseException], str], ...] = (
    (TelegramRetryAfter, "429"),
    (TelegramMigrateToChat, "400"),
    (TelegramBadRequest, "400"),
    (TelegramUnauthorizedError, "401"),
    (TelegramForbiddenError, "403"),
    (TelegramNotFound, "404"),
    (TelegramConflictError, "409"),
    (TelegramEntityTooLarge, "413"),
    (TelegramServerError, "5xx"),
    (TelegramNetworkError, "network"),
    (TimeoutError, "network"),
    (OSError, "network"),
)
# polling's own calls and the readiness probe: their failures say the server is unreachable, which /readyz reports;
# they are not messages that failed to go out
NOT_SENDS = (GetUpdates, GetMe)


# what this bot receives, most frequent first; aiogram's Update.event_type hashes the whole update for its cache
COMMON_TYPES = ("message", "callback_query", "edited_message", "my_chat_member", "chat_member")


def update_type(update: Update) -> str:
    for name in COMMON_TYPES:
        if getattr(update, name) is not None:
            return name
    return update.event_type


def error_code(exc: BaseException) -> str:
    for kind, code in ERROR_CODES:
        if isinstance(exc, kind):
            return code
    return "other"


class UpdateMetrics(BaseMiddleware):
    """The outermost of the dispatcher's own middlewares: it sees every update, a duplicate or a throttled one too,
    and times it to the end of the commit that stores what it changed (the update ledger's unit closes inside)."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        started = time.perf_counter()
        outcome = "error"
        try:
            result = await handler(event, data)
            outcome = "unhandled" if result is UNHANDLED else "handled"
            return result
        except DomainError:  # a rule said no (not allowed, not found, already decided): handlers/errors.py answers it
            outcome = "refused"  # and logs it at info only, so counting it as an error would send someone hunting
            raise
        except asyncio.CancelledError:  # a stop cut it short: not the handler's fault
            outcome = "cancelled"
            raise
        finally:
            kind = update_type(event) if isinstance(event, Update) else type(event).__name__
            self.metrics.update_done(kind, outcome, time.perf_counter() - started)


class SendFailures(BaseRequestMiddleware):
    """Counts Bot API calls that fail, by error code: the outbox sender's and the handlers' replies alike."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        try:
            return await make_request(bot, method)
        except Exception as exc:
            if not isinstance(method, NOT_SENDS):
                self.metrics.send_failed(error_code(exc))
            raise
