"""Several instances sharing one Redis (redis-py asyncio): update claims, a shared token bucket, per-chat locks that
a dead instance cannot hold for long, form state (aiogram's ``RedisStorage``), one job run per window."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager

from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StorageKey
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage
from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.exceptions import LockError, RedisError

log = logging.getLogger(__name__)

# A claim lives this long unless its holder renews it (every third of it, however long the handler runs): a killed
# instance's updates are taken over by a redelivery or another instance's inbox replay after this long at most.
CLAIM_SECONDS = 10.0
CLAIM_POLL_SECONDS = 0.1  # how often a redelivery waiting for an update in hand elsewhere asks again
# A handled update is refused for this long; a later redelivery is caught by the database's ledger of updates.
DONE_SECONDS = 3600.0
# A chat's lock outlives a killed holder by at most this long; a live holder renews it every third of it.
LOCK_SECONDS = 10.0
LOCK_POLL_SECONDS = 0.05  # how often an update waiting for its chat's lock asks again

# The holder's renewal: only while the claim is still its own.
RENEW_CLAIM = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""

# One round trip per update: refill by elapsed time (Redis's clock unless the caller gives one), take a token,
# remember whether the user was already told to slow down. A bucket left alone refills, so it may expire then.
TOKEN_BUCKET = """
local rate, burst, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local b = redis.call('HMGET', KEYS[1], 'tokens', 'stamp', 'warned')
local tokens = tonumber(b[1]) or burst
local stamp = tonumber(b[2]) or now
local warned = b[3] == '1'
tokens = math.min(burst, tokens + math.max(0, now - stamp) * rate)
local allowed, tell = 0, 0
if tokens >= 1 then
  tokens = tokens - 1
  warned = false
  allowed = 1
else
  if not warned then tell = 1 end
  warned = true
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'stamp', tostring(now), 'warned', warned and '1' or '0')
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return {allowed, tell}
"""


class RedisBuckets:
    def __init__(self, redis: Redis, prefix: str, rate: float, burst: float) -> None:
        self.prefix = prefix
        self.rate = rate
        self.burst = burst
        self.script = redis.register_script(TOKEN_BUCKET)

    async def take(self, user_id: int, now: float | None = None) -> tuple[bool, bool]:
        allowed, tell = await self.script(
            keys=[f"{self.prefix}:throttle:{user_id}"], args=[self.rate, self.burst, -1 if now is None else now]
        )
        return bool(allowed), bool(tell)


class RenewingEventIsolation(RedisEventIsolation):
    """aiogram's Redis isolation with a short lock that its live holder keeps renewing: a handler may run as long
    as it needs, and a chat whose holder was killed waits at most ``seconds`` (aiogram's default is 60).

    Within one instance a chat's updates first queue on an in-process lock, in arrival order as before (Redis's
    lock is polled, so its waiters would go in any order) and only the head of that queue asks Redis."""

    def __init__(self, redis: Redis, key_builder: KeyBuilder, seconds: float = LOCK_SECONDS) -> None:
        super().__init__(redis, key_builder=key_builder)
        self.seconds = seconds
        self.here = SimpleEventIsolation()

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        async with self.here.lock(key), self._shared(key):
            yield

    @asynccontextmanager
    async def _shared(self, key: StorageKey) -> AsyncGenerator[None, None]:
        held = Lock(self.redis, self.key_builder.build(key, "lock"), timeout=self.seconds, sleep=LOCK_POLL_SECONDS)
        await held.acquire()
        renewing = asyncio.create_task(self._renew(held))
        try:
            yield
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
            try:
                await held.release()
            except LockError:  # it expired (the loop stalled past the timeout): nothing left to release
                log.warning("chat lock expired before release key=%s", held.name)

    async def _renew(self, held: Lock) -> None:
        while True:
            await asyncio.sleep(self.seconds / 3)
            try:
                await held.reacquire()
            except LockError:
                log.warning("chat lock lost while held key=%s", held.name)
                return
            except RedisError as exc:  # Redis unreachable for a moment: the next renewal may still be in time
                log.warning("chat lock not renewed key=%s: %s", held.name, exc)


class RedisCoordination:
    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str,
        lock_seconds: float = LOCK_SECONDS,
        claim_seconds: float = CLAIM_SECONDS,
        done_seconds: float = DONE_SECONDS,
    ) -> None:
        self.redis = redis
        self.prefix = prefix
        self.lock_seconds = lock_seconds
        self.claim_ms = int(claim_seconds * 1000)
        self.done_ms = int(done_seconds * 1000)
        self.instance = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"  # who holds a claim: for an operator
        self.key_builder = DefaultKeyBuilder(prefix=f"{prefix}:fsm", with_destiny=True)
        self.renew_claim = redis.register_script(RENEW_CLAIM)
        self._renewing: dict[int, asyncio.Task[None]] = {}

    @classmethod
    def from_url(cls, url: str, *, prefix: str) -> RedisCoordination:
        return cls(Redis.from_url(url), prefix=prefix)

    def form_storage(self, durable: BaseStorage | None) -> RedisStorage:
        return RedisStorage(self.redis, key_builder=self.key_builder)

    def events_isolation(self) -> RenewingEventIsolation:
        return RenewingEventIsolation(self.redis, self.key_builder, self.lock_seconds)

    def buckets(self, rate: float, burst: float) -> RedisBuckets:
        return RedisBuckets(self.redis, self.prefix, rate, burst)

    async def claim_update(self, update_id: int) -> bool:
        key = f"{self.prefix}:update:{update_id}"
        while True:
            if await self.redis.set(key, self.instance, nx=True, px=self.claim_ms):
                self._renewing[update_id] = asyncio.create_task(self._renew(key))
                return True
            if await self.redis.get(key) == b"done":
                return False
            # in hand elsewhere: wait until it is done (refused then) or its holder died (the claim expires)
            await asyncio.sleep(CLAIM_POLL_SECONDS)

    async def _renew(self, key: str) -> None:
        while True:
            await asyncio.sleep(self.claim_ms / 3000)
            try:
                if not await self.renew_claim(keys=[key], args=[self.instance, self.claim_ms]):
                    log.warning("update claim lost while in hand key=%s", key)
                    return
            except RedisError as exc:  # the next renewal may still be in time
                log.warning("update claim not renewed key=%s: %s", key, exc)

    async def update_done(self, update_id: int) -> None:
        renewing = self._renewing.pop(update_id, None)
        if renewing is not None:
            renewing.cancel()
        try:
            await self.redis.set(f"{self.prefix}:update:{update_id}", "done", px=self.done_ms)
        except RedisError as exc:  # the claim then expires; the database's ledger still refuses a redelivery
            log.warning("update not marked done in Redis update_id=%d: %s", update_id, exc)

    @asynccontextmanager
    async def job_gate(self, name: str, window: float) -> AsyncIterator[bool]:
        # kept until the window ends, not released after the run: an instance whose timer fires a moment later
        # must not run the job again
        taken = await self.redis.set(f"{self.prefix}:job:{name}", self.instance, nx=True, px=int(window * 1000))
        yield bool(taken)

    async def close(self) -> None:
        for renewing in self._renewing.values():
            renewing.cancel()
        await self.redis.aclose()
