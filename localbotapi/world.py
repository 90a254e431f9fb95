"""What the local server knows: users, chats, messages, files, pending updates, recorded calls, faults."""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# How long a test waits for the bot by default. It only bounds a failure — a passing wait returns as soon as its
# condition holds — so it is generous: on a shared two-core machine (other test runs, busy loops, another process's
# fsyncs) one form step was seen to stall for over 10 s.
PATIENCE = 30.0


class ApiError(Exception):
    """An error reply exactly as Telegram sends it."""

    def __init__(
        self, code: int, description: str, retry_after: int | None = None, migrate_to_chat_id: int | None = None
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        parameters = {"retry_after": self.retry_after, "migrate_to_chat_id": self.migrate_to_chat_id}
        if any(v is not None for v in parameters.values()):
            body["parameters"] = {k: v for k, v in parameters.items() if v is not None}
        return body


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]]
    error: dict[str, Any] | None = None
    at: float = field(default_factory=time.monotonic)


@dataclass
class Fault:
    method: str
    error: ApiError
    times: int
    rate: float = 1.0  # the share of calls that fail while ``times`` lasts (random faults)
    chat_id: int | None = None  # only calls for this chat


@dataclass
class StoredFile:
    file_id: str
    unique_id: str
    name: str
    mime: str
    data: bytes
    path: str


@dataclass
class World:
    bot_id: int
    bot_username: str
    users: dict[int, dict[str, Any]] = field(default_factory=dict)
    chats: dict[int, dict[str, Any]] = field(default_factory=dict)
    messages: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    files: dict[str, StoredFile] = field(default_factory=dict)
    file_paths: dict[str, StoredFile] = field(default_factory=dict)  # for downloads: a lookup, not a scan
    updates: list[dict[str, Any]] = field(default_factory=list)  # not yet confirmed by an offset
    polls: int = 0  # getUpdates calls so far: a long poll still waiting when this moves on is ended (409)
    history: list[dict[str, Any]] = field(default_factory=list)  # every update ever sent
    calls: list[Call] = field(default_factory=list)
    callback_answers: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    blocked: set[int] = field(default_factory=set)
    # people who never opened a private chat with the bot: it cannot write to them until they do
    not_started: set[int] = field(default_factory=set)
    faults: list[Fault] = field(default_factory=list)
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    webhook: dict[str, Any] | None = None
    webhook_connections: int = 40  # how many deliveries may be in flight at once (setWebhook's max_connections)
    webhook_allowed_updates: list[str] | None = None
    webhook_error: tuple[int, str] | None = None  # the last failed delivery: (unix time, what went wrong)
    # called with (call, result) after every answered call: load drivers react at once, without polling
    listeners: list[Callable[[Call, Any], None]] = field(default_factory=list)
    # called with each call as it arrives, before it is answered (a long poll is answered only when it ends)
    arrivals: list[Callable[[Call], None]] = field(default_factory=list)
    keep_calls: bool = True  # calls and history; a long load run turns this off so they do not grow unbounded
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    random: random.Random = field(default_factory=lambda: random.Random(1))
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _message_ids: dict[int, itertools.count[int]] = field(default_factory=dict)
    first_message_id: int = 1  # where each chat's message ids start (``continue_after``)
    _file_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def bot_user(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": "Green Channel", "username": self.bot_username}

    def next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(self.first_message_id)))

    def continue_after(self, update_id: int, message_id: int) -> None:
        """Number new updates and messages above these, as Telegram would after a restart of the bot: a stand-in
        started afresh beside a database that remembers (the sandbox) must not reuse ids it has handled."""
        self._update_ids = itertools.count(update_id + 1)
        self.first_message_id = message_id + 1
        self._message_ids.clear()

    def store_file(self, name: str, mime: str, data: bytes, *, file_id: str | None = None) -> StoredFile:
        """A file as Telegram would hold it; ``file_id``: a fixed id instead of a fresh one (sample data)."""
        n = next(self._file_ids)
        stored = StoredFile(
            file_id or f"BQACAgIAAx-file-{n}", f"AgAD{n}", name, mime, data, f"documents/file_{n}_{name}"
        )
        self.files[stored.file_id] = stored
        self.file_paths[stored.path] = stored
        return stored

    async def notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    async def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), kind: payload}
        self.updates.append(update)
        if self.keep_calls:
            self.history.append(update)
        await self.notify()
        return update

    def take_fault(self, method: str, chat_id: Any = None) -> ApiError | None:
        for fault in self.faults:
            if fault.chat_id is not None and fault.chat_id != chat_id:
                continue
            if fault.method == method and fault.times > 0 and self.random.random() < fault.rate:
                fault.times -= 1
                return fault.error
        return None

    async def wait_until(self, condition: Callable[[], Any], timeout: float = PATIENCE, poll: float = 0.5) -> Any:
        """Wait for a condition, re-checked after every call and update (and every ``poll`` seconds, for
        conditions on things outside the world, like a database); return its value."""
        deadline = time.monotonic() + timeout
        async with self.changed:
            while not (value := condition()):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("condition not met in time")
                # not asyncio.wait_for: on Python 3.11 it swallows a cancel that lands just as the wait ends, and
                # this loop would then run on to its deadline (the webhook pusher's is an hour: a stop hung on it)
                try:
                    async with asyncio.timeout(min(remaining, poll)):
                        await self.changed.wait()
                except TimeoutError:
                    continue
            return value
