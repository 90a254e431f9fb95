"""Replies are journalled with the change they confirm, so a crash between the commit and the send loses nothing.

While an update is being handled, a call that shows the user something commits first — the update's pending
writes and a journal row holding the call, in one transaction — and is then sent; the row is removed once sent (or
once the handler has seen it fail). A process killed in between leaves the row, and the next start hands it to the
outbox. Calls that show nothing (fetching a file, stopping a button's spinner) neither wait for a commit nor are
journalled: a redelivered update makes them again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from enum import Enum
from functools import cache
from typing import Any

import aiogram.methods
from aiogram import Bot
from aiogram.client.default import Default
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import AnswerCallbackQuery, Response, SendChatAction, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import BufferedInputFile, InputFile

from approvals.ports import Clock
from storage.ports import Replies, Reply, Units

log = logging.getLogger(__name__)
FILE = "attach://file"  # where the call's one file goes; the bytes travel beside the JSON

_best_effort: ContextVar[bool] = ContextVar("green_channel_best_effort", default=False)
_card_of: ContextVar[int | None] = ContextVar("green_channel_card_of", default=None)


@contextmanager
def posting_card(request_id: int) -> Iterator[None]:
    """The call sent inside posts ``request_id``'s card: if it has to be sent again at the next start, the copy
    sent then is recorded as that request's card."""
    token = _card_of.set(request_id)
    try:
        yield
    finally:
        _card_of.reset(token)


@contextmanager
def best_effort() -> Iterator[None]:
    """Send without journalling: for telling a user that their action failed (nothing changed to confirm, and the
    database may be the thing that failed)."""
    token = _best_effort.set(True)
    try:
        yield
    finally:
        _best_effort.reset(token)


def shows_something(method: TelegramMethod[Any]) -> bool:
    if isinstance(method, AnswerCallbackQuery):
        return method.text is not None  # a toast or alert says something; a bare answer stops the spinner
    return not isinstance(method, SendChatAction) and not method.__api_method__.startswith("get")


def dump_call(bot: Bot, method: TelegramMethod[Any]) -> Reply:
    """The call as JSON, defaults (parse mode) resolved as they would be sent; a file's bytes kept apart."""
    files: list[InputFile] = []

    def special(value: Any) -> Any:  # json.dumps asks only for what it cannot write itself: no walk of every value
        if isinstance(value, Default):
            return bot.default[value.name]
        if isinstance(value, InputFile):
            files.append(value)
            return FILE
        if isinstance(value, Enum):
            return value.value
        raise TypeError(f"{type(value).__name__} cannot be journalled")

    params = method.model_dump(warnings=False, exclude_none=True)
    payload = json.dumps(params, ensure_ascii=False, default=special)
    if len(files) > 1 or (files and not isinstance(files[0], BufferedInputFile)):
        raise ValueError(f"{method.__api_method__}: only one in-memory file can be journalled")
    data = files[0].data if files else None
    if files:
        payload = json.dumps({**json.loads(payload), "__file_name__": files[0].filename}, ensure_ascii=False)
    chat_id = params.get("chat_id")
    return Reply(chat_id if isinstance(chat_id, int) else 0, method.__api_method__, payload, data, _card_of.get())


@cache
def _methods() -> dict[str, type[TelegramMethod[Any]]]:
    found: dict[str, type[TelegramMethod[Any]]] = {}
    for value in vars(aiogram.methods).values():
        if isinstance(value, type) and issubclass(value, TelegramMethod) and hasattr(value, "__api_method__"):
            found[value.__api_method__] = value
    return found


def load_call(method: str, payload: str, file: bytes | None) -> TelegramMethod[Any]:
    """The call ``dump_call`` wrote, ready to send again."""
    params = json.loads(payload)
    name = params.pop("__file_name__", "file")
    if file is not None:
        params = {k: BufferedInputFile(file, name) if v == FILE else v for k, v in params.items()}
    return _methods()[method].model_validate(params)


class JournalReplies(BaseRequestMiddleware):
    """Bot session middleware: commit, then send, then forget (see the module docstring)."""

    def __init__(self, replies: Replies, units: Units, clock: Clock) -> None:
        self.replies = replies
        self.units = units
        self.clock = clock

    async def __call__(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot, method: TelegramMethod[TelegramType]
    ) -> Response[TelegramType]:
        unit = self.units.current()
        if isinstance(method, AnswerCallbackQuery):
            return await self._answer(make_request, bot, method, unit is not None)
        if unit is None or not shows_something(method):
            return await make_request(bot, method)
        return await self._journalled(make_request, bot, method)

    async def _answer(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: AnswerCallbackQuery,
        handling: bool,
    ) -> Response[TelegramType]:
        """A press handled again (its update replayed after a crash) was answered the first time: Telegram then
        refuses a second answer, and the handler must carry on as if this one had gone through."""
        try:
            if handling and shows_something(method):
                return await self._journalled(make_request, bot, method)  # type: ignore[arg-type]
            return await make_request(bot, method)  # type: ignore[arg-type]
        except TelegramBadRequest as exc:
            if "query is too old" not in exc.message and "query ID is invalid" not in exc.message:
                raise
            log.info("button press already answered or expired: %s", exc.message)
            return Response[TelegramType](ok=True, result=True)  # type: ignore[arg-type]

    async def _journalled(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot, method: TelegramMethod[TelegramType]
    ) -> Response[TelegramType]:
        unit = self.units.current()
        assert unit is not None
        if _best_effort.get():
            with suppress(Exception):  # what failed may be the database: the user still hears that it failed
                await unit.flush()
            return await make_request(bot, method)
        reply_id, journal = await self.replies.entry(dump_call(bot, method), self.clock.now())
        unit.add(*journal)
        await unit.flush()
        try:
            return await make_request(bot, method)
        finally:
            unit.add(*self.replies.done(reply_id))  # sent, or failed in front of the handler: either way done
