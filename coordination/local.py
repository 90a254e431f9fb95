"""One process: everything in its memory. What the bot did before it could scale out, unchanged."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import SimpleEventIsolation

MAX_USERS = 50_000  # buckets kept; the longest idle go first (a full bucket is the same as none)
DONE_KEPT = 10_000  # handled update ids remembered; older redeliveries are caught by the database's ledger


@dataclass
class Bucket:
    tokens: float
    stamp: float
    warned: bool = False


class LocalBuckets:
    """Token buckets in bounded memory: checked before any database work, so a flood costs almost nothing."""

    def __init__(self, rate: float, burst: float, *, max_users: int = MAX_USERS) -> None:
        self.rate = rate  # updates per second a user may keep up
        self.burst = burst  # how many may come at once (a form's answers, several documents)
        self.max_users = max_users
        self.buckets: OrderedDict[int, Bucket] = OrderedDict()

    async def take(self, user_id: int, now: float | None = None) -> tuple[bool, bool]:
        return self.allow(user_id, now)

    def allow(self, user_id: int, now: float | None = None) -> tuple[bool, bool]:
        now = time.monotonic() if now is None else now
        bucket = self.buckets.pop(user_id, None) or Bucket(self.burst, now)
        self.buckets[user_id] = bucket  # most recent last: the oldest are evicted first
        if len(self.buckets) > self.max_users:
            self.buckets.popitem(last=False)
        bucket.tokens = min(self.burst, bucket.tokens + max(0.0, now - bucket.stamp) * self.rate)
        bucket.stamp = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            return True, False
        tell = not bucket.warned
        bucket.warned = True
        return False, tell


class LocalCoordination:
    def __init__(self) -> None:
        self._in_hand: dict[int, asyncio.Event] = {}  # set when the update is done
        self._done: OrderedDict[int, None] = OrderedDict()

    def form_storage(self, durable: BaseStorage | None) -> BaseStorage:
        if durable is None:  # config.py refuses DATABASE_URL without REDIS_URL: reached only by a wiring mistake
            raise RuntimeError("this database keeps no form state: set REDIS_URL to share it between instances")
        return durable

    def events_isolation(self) -> BaseEventIsolation:
        return SimpleEventIsolation()

    def buckets(self, rate: float, burst: float) -> LocalBuckets:
        return LocalBuckets(rate, burst)

    async def claim_update(self, update_id: int) -> bool:
        in_hand = self._in_hand.get(update_id)
        if in_hand is not None:
            await in_hand.wait()  # a second delivery of an update in hand: refused once the first is done
            return False
        if update_id in self._done:
            return False
        self._in_hand[update_id] = asyncio.Event()
        return True

    async def update_done(self, update_id: int) -> None:
        in_hand = self._in_hand.pop(update_id, None)
        if in_hand is not None:
            in_hand.set()
        self._done[update_id] = None
        while len(self._done) > DONE_KEPT:
            self._done.popitem(last=False)

    @asynccontextmanager
    async def job_gate(self, name: str, window: float) -> AsyncIterator[bool]:
        yield True  # the only instance: it always runs (the once-per-day rows still guard each day)

    async def close(self) -> None:
        return None
