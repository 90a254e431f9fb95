"""What the bot's infrastructure needs from storage, whichever database is behind it: the outbox, the ledgers of
updates and replies, the copies still to make, the health probe, the per-update unit of work. The domain's ports
are in ``approvals/`` (``approvals/ports.py`` and beside each service); these are the rest. ``handlers/`` and
``jobs/`` import nothing else from ``storage/`` (``tests/unit/test_layering.py``).

The plain values the ports carry live here too; the SQLite modules re-export them where they were first defined.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from approvals.key_service import KeyServiceStore

if TYPE_CHECKING:
    from storage.repositories import Repositories

Op = tuple[str, Sequence[Any]]  # one pending write, as its backend wrote it: opaque to the callers that carry it
Undo = Callable[[], None]


@dataclass(frozen=True)
class Outgoing:
    """A message to deliver: text, or a photo with ``text`` as its caption. ``reply_markup`` is Bot API JSON.

    ``kind`` 'card' posts request ``request_id``'s card; 'edit_card' redraws it in message ``edit_message_id``;
    'call' is any Bot API call, ``method`` with JSON ``payload`` (and its one file in ``photo``), as the reply
    journal holds them (``storage/replies.py``)."""

    chat_id: int
    text: str | None = None
    photo: bytes | None = None
    reply_markup: str | None = None
    kind: str = "message"
    request_id: int | None = None
    edit_message_id: int | None = None
    method: str | None = None
    payload: str | None = None


@dataclass(frozen=True)
class Queued:
    id: int
    message: Outgoing
    attempts: int
    next_attempt_at: datetime | None  # the sender's own clock; None: due at once
    event_id: int | None = None


@dataclass(frozen=True)
class Reply:
    chat_id: int  # 0 when the call names no chat (answering a button press)
    method: str
    payload: str
    file: bytes | None = None
    card_of: int | None = None  # the call posts this request's card: sent again, the new copy is recorded


@dataclass(frozen=True)
class PendingCopy:
    attachment_id: int
    request_id: int
    file_id: str
    name: str
    size: int
    sha256: str | None  # of the bytes checked at receipt (None: a document received before hashes were kept)
    attempts: int


@dataclass(frozen=True)
class OutboxBacklog:
    pending: int
    oldest: datetime | None  # when the oldest pending message was queued; None when nothing waits


@dataclass(frozen=True)
class IssuedNumber:
    year: int
    seq: int
    number: str
    request_id: int


class DatabaseNotWritable(Exception):
    """Why the database cannot take a write now, in words an operator can act on."""


class StorageBusy(Exception):
    """A write could not be made now (the database is locked or failing); trying again later may succeed."""


class ContentChanged(Exception):
    """The bytes fetched for a copy are not the bytes checked at receipt."""


class Committer(Protocol):
    async def commit(self, ops: Sequence[Op]) -> None: ...

    def commit_soon(self, ops: Sequence[Op]) -> None: ...


class Unit(Protocol):
    """One update's pending writes (``storage/unit.py``)."""

    def add(self, sql: str, params: Sequence[Any], key: object = None, undo: Undo | None = None) -> None: ...

    async def flush(self) -> None: ...


class Units(Protocol):
    def begin(self) -> AbstractAsyncContextManager[Unit]:
        """The unit of work of one update: current inside, its remaining writes stored soon at the end."""
        ...

    def current(self) -> Unit | None:
        """The unit of the update being handled in this task, if any."""
        ...


class Outbox(Protocol):
    async def add(self, messages: Sequence[Outgoing], now: datetime) -> None: ...

    async def pending(self, *, limit: int = 200) -> list[Queued]:
        """The oldest pending rows, due or not (the sender keeps each chat's messages in order)."""
        ...

    async def expand(self, expansions: Sequence[tuple[int, Sequence[Outgoing]]], now: datetime) -> None: ...

    async def mark_sent(self, row: int, now: datetime) -> None: ...

    async def retry_at(self, row: int, when: datetime, error: str) -> None: ...

    async def give_up(self, row: int, error: str) -> None: ...

    async def counts(self) -> dict[str, int]: ...

    @property
    def added(self) -> asyncio.Event:
        """Set after a commit that queued messages: wakes the sender."""
        ...

    def poke(self) -> None:
        """Wake the sender now (a row it waits on can go)."""
        ...

    async def leading(self) -> bool:
        """This instance is the one that sends: Telegram's rate limits are per bot, so one sender at a time."""
        ...


class Chats(Protocol):
    async def mark_undeliverable(self, chat_id: int, reason: str, now: datetime) -> None: ...

    async def deliverable_again(self, chat_id: int) -> None: ...

    async def undeliverable(self) -> set[int]: ...

    async def migrate(self, old_chat_id: int, new_chat_id: int) -> None: ...

    async def current(self, chat_id: int) -> int: ...


class Updates(Protocol):
    async def seen(self, update_id: int) -> bool: ...

    async def record(self, update_id: int, now: datetime) -> None: ...

    async def settle(self, update_id: int, now: datetime) -> None:
        """Record an update as handled now, on its own; ``StorageBusy`` when that cannot be done now."""
        ...

    def recorded(self, update_id: int) -> bool: ...

    async def skipped(self, update_id: int) -> None: ...

    async def highest(self) -> int: ...


class Denials(Protocol):
    async def record(self, user_id: int, error: str, detail: str, now: datetime) -> None: ...

    async def of(self, user_id: int) -> list[tuple[str, str]]: ...


class Runs(Protocol):
    async def claim_daily(self, kind: str, day: date, messages: Sequence[Outgoing], now: datetime) -> bool: ...

    async def is_claimed(self, kind: str, day: date) -> bool: ...

    async def counting_from(self, today: date, now: datetime) -> date: ...

    async def done_days(self, kinds: Sequence[str], *, since: date) -> set[date]: ...

    async def reminders_sent(self) -> set[tuple[int, str]]: ...

    async def claim_reminder(self, request_id: int, kind: str, messages: Sequence[Outgoing], now: datetime) -> bool: ...


class Subscribers(Protocol):
    async def request(self, user_id: int, notices: Sequence[Outgoing], now: datetime) -> str: ...

    async def approve(self, user_id: int, notice: Outgoing, now: datetime) -> bool: ...

    async def decline(self, user_id: int, notice: Outgoing, now: datetime) -> bool: ...

    async def remove(self, user_id: int) -> bool: ...

    async def active(self) -> list[int]: ...


class Inbox(Protocol):
    async def store(self, updates: Sequence[tuple[int, str]], now: datetime) -> None: ...

    def store_ahead(self, updates: Sequence[tuple[int, str]], now: datetime) -> asyncio.Future[None]: ...

    async def unhandled(self) -> list[tuple[int, str]]: ...

    async def count(self) -> int: ...


class Replies(Protocol):
    async def entry(self, reply: Reply, now: datetime) -> tuple[int, Op]:
        """A journal row for ``reply`` (its id, and the write that stores it with the update's other writes)."""
        ...

    def done(self, reply_id: int) -> Op: ...

    async def requeue(self, now: datetime) -> int: ...


class CardStore(Protocol):
    async def add(self, request_id: int, chat_id: int, message_id: int) -> None: ...

    async def posted(self, outbox_row: int, request_id: int, chat_id: int, message_id: int, now: datetime) -> None: ...

    async def adopt(self, request_id: int, chat_id: int, message_id: int, now: datetime) -> bool: ...

    async def known(self, request_id: int, chat_id: int, message_id: int) -> bool: ...

    async def of(self, request_id: int) -> list[tuple[int, int]]: ...

    async def highest_message_id(self) -> int: ...


class Copies(Protocol):
    async def due(self, now: datetime, *, limit: int = 20) -> list[PendingCopy]: ...

    async def next_attempt(self) -> datetime | None:
        """When the earliest pending copy is due (``datetime.min`` for at once), or None when none is pending."""
        ...

    async def kept(self, copy: PendingCopy, *, sha256: str, size: int, at: datetime) -> None: ...

    async def retry_at(self, attachment_id: int, when: datetime, error: str) -> None: ...

    async def give_up(self, attachment_id: int, error: str) -> None: ...

    async def counts(self) -> dict[str, int]: ...

    @property
    def added(self) -> asyncio.Event:
        """Set after a commit that stored documents: wakes their copier."""
        ...


class Blobs(Protocol):
    """The bureau's own copies of files, named by their SHA-256 (``storage/blobs.py``). Blocking: run on a thread."""

    def keep(self, data: bytes, expected: str | None = None) -> tuple[str, bool]: ...

    def read(self, sha256: str, *, limit: int) -> bytes: ...


class ApprovalNumbers(Protocol):
    async def issued(self, year: int) -> list[IssuedNumber]: ...


class Health(Protocol):
    async def outbox_backlog(self) -> OutboxBacklog: ...

    async def requests_by_state_and_lane(self) -> list[tuple[str, int, int]]: ...

    async def last_runs(self, kinds: Sequence[str]) -> dict[str, datetime]: ...

    async def probe_write(self, *, min_free_bytes: int) -> None:
        """``DatabaseNotWritable`` when a write would fail now."""
        ...


class KeyServiceRecords(KeyServiceStore, Protocol):
    """The key-project service's store, and the weekly bulletin's claim (sent once a week, by one process)."""

    async def bulletin_claimed(self, week: date) -> bool: ...

    async def claim_bulletin(self, week: date, messages: Sequence[Outgoing], now: datetime) -> bool: ...


class Storage(Protocol):
    """An open store: its repositories, closed once at the end of the run (``storage/open.py``)."""

    @property
    def repos(self) -> Repositories: ...

    async def close(self) -> None: ...
