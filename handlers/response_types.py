"""A session middleware for any aiogram bot (the benchmark's baseline uses it too): imports only aiogram."""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType


class PinResponseTypes(BaseRequestMiddleware):
    """aiogram parses every answer with ``Response[ReturnType]``, a pydantic generic class that pydantic caches
    only weakly: once garbage-collected it is built again (~1 ms), which the profile showed on ~7 % of samples.
    Holding each one the bot has used keeps it built."""

    def __init__(self) -> None:
        self._held: dict[type[Any], type[Any]] = {}

    async def __call__(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot, method: TelegramMethod[TelegramType]
    ) -> Response[TelegramType]:
        kind = type(method)
        if kind not in self._held:
            self._held[kind] = Response[method.__returning__]  # type: ignore[name-defined]
        return await make_request(bot, method)
