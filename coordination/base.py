"""The seam: what the dispatcher and the jobs ask of coordination, whichever backend answers."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol

from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage


class TokenBuckets(Protocol):
    """Per-user flood control: a token bucket per user."""

    async def take(self, user_id: int, now: float | None = None) -> tuple[bool, bool]:
        """(allowed, tell the user to slow down: only the first refusal after being allowed says so).

        ``now`` (seconds) is for tests; left out, the backend's own clock counts."""
        ...


class Coordination(Protocol):
    def form_storage(self, durable: BaseStorage | None) -> BaseStorage:
        """Where form state lives: ``durable`` (this process's database) or a store every instance shares. ``durable``
        is None when the database keeps no form state: only a shared store will do then."""
        ...

    def events_isolation(self) -> BaseEventIsolation:
        """One update at a time per user and chat, across every instance that shares this coordination."""
        ...

    def buckets(self, rate: float, burst: float) -> TokenBuckets: ...

    async def claim_update(self, update_id: int) -> bool:
        """True for exactly one caller, unless its holder dies (then for one caller after it). A caller that finds
        the update in hand waits: False once it is done, True if its holder died first."""
        ...

    async def update_done(self, update_id: int) -> None:
        """The claimed update was handled: it is refused to later claims (a redelivery)."""
        ...

    def job_gate(self, name: str, window: float) -> AbstractAsyncContextManager[bool]:
        """Yields True for one instance per ``window`` seconds: that one runs the job, the others skip it."""
        ...

    async def close(self) -> None: ...
