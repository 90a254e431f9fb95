"""Which instance sends the outbox, and what wakes it.

Telegram's ~30 messages a second are per bot, not per instance: N senders pacing themselves alone would send N
times that and be answered 429. So one instance sends at a time: the one holding a session advisory lock (one per
schema), taken on a connection this class keeps for the purpose. A killed instance's connection closes with it and
PostgreSQL releases the lock; another instance's sender takes it at its next pass (within its idle second).

The same connection LISTENs: a trigger on the outbox notifies at the commit of every insert, from any instance, so
the sender wakes for a message queued elsewhere as it does for one queued in its own process."""

from __future__ import annotations

import asyncio
import logging

import asyncpg

log = logging.getLogger(__name__)

# two int4 keys: a fixed class id (ASCII "GrSn") and the schema's hash, as the migrations' lock does
SENDER_LOCK_CLASS = 0x4772536E
CHANNEL = "green_channel_outbox"  # channels are per database: the payload names the schema that queued


class OutboxLeader:
    def __init__(self, pool: asyncpg.Pool, added: asyncio.Event) -> None:
        self.pool = pool
        self.added = added
        self._conn: asyncpg.pool.PoolConnectionProxy | None = None
        self._schema = ""
        self._holding = False
        self._guard = asyncio.Lock()

    async def holds(self) -> bool:
        """True while this instance may send: it holds the lock now (taking it if it is free)."""
        async with self._guard:
            try:
                conn = await self._connection()
                if not self._holding:
                    self._holding = bool(
                        await conn.fetchval(
                            "SELECT pg_try_advisory_lock($1, hashtext(current_schema()))", SENDER_LOCK_CLASS
                        )
                    )
                    if self._holding:
                        log.info("this instance now sends the outbox")
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("outbox sender lock unavailable: %s", exc)
                await self._drop()
            return self._holding

    async def _connection(self) -> asyncpg.pool.PoolConnectionProxy:
        if self._conn is not None and _alive(self._conn):
            return self._conn
        await self._drop()  # a closed connection took the lock with it
        conn = await self.pool.acquire()
        try:
            self._schema = str(await conn.fetchval("SELECT current_schema()"))
            await conn.add_listener(CHANNEL, self._heard)
        except BaseException:
            await self.pool.release(conn)
            raise
        self._conn = conn
        self.added.set()  # rows may have been queued while nobody listened
        return conn

    def _heard(self, _conn: object, _pid: int, _channel: str, schema: str) -> None:
        if schema == self._schema:
            self.added.set()

    async def _drop(self) -> None:
        conn, self._conn, self._holding = self._conn, None, False
        if conn is None:
            return
        if _alive(conn):
            try:
                await conn.remove_listener(CHANNEL, self._heard)  # released with a listener, asyncpg warns
            except Exception as exc:
                log.debug("outbox sender connection unlistened badly: %s", exc)
        try:
            await self.pool.release(conn)  # asyncpg's reset unlocks; a broken connection the pool discards
        except asyncpg.InterfaceError as exc:  # lost: the pool took it back already
            log.debug("outbox sender connection already released: %s", exc)

    async def close(self) -> None:
        """Give the lock up (another instance sends from its next pass) and the connection back to the pool."""
        async with self._guard:
            await self._drop()


def _alive(conn: asyncpg.pool.PoolConnectionProxy) -> bool:
    try:
        return not conn.is_closed()
    except asyncpg.InterfaceError:  # a lost connection is taken back by the pool, and its proxy says so
        return False
