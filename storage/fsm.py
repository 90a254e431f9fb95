"""aiogram FSM state in SQLite, so a restart in the middle of a form loses nothing.

Reads come from an in-process cache (this process is the only writer of form state: the bot runs as one process
per database, and aiogram's event isolation serialises each chat's updates). Writes go into the update's write
unit and are committed, grouped with other updates' writes, before the bot next speaks to the user; a write that
fails to commit drops its cache entry, so the cache never runs ahead of the file.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StateType, StorageKey

from storage.database import Database
from storage.group_commit import GroupCommit
from storage.unit import write

UPSERT = (
    "INSERT INTO fsm (key, state, data) VALUES (?, ?, ?) "
    "ON CONFLICT (key) DO UPDATE SET state = excluded.state, data = excluded.data"
)
# Chats in the middle of something; older ones are read again from the database. Far above the updates in
# flight (the dispatcher's task cap), so an entry with a write not yet flushed is never the one evicted.
CACHE_SIZE = 20_000


class SqliteFsmStorage(BaseStorage):
    """Form state and data per chat and user. Data must be JSON: handlers store ids, text and numbers."""

    def __init__(
        self,
        db: Database,
        committer: GroupCommit | None = None,
        key_builder: KeyBuilder | None = None,
    ) -> None:
        self.db = db
        self.committer = committer or GroupCommit(db)
        self.key_builder = key_builder or DefaultKeyBuilder(with_destiny=True)
        # per chat: state, data (never handed out: get_data copies it, as aiogram's MemoryStorage does), data as JSON
        self._cache: OrderedDict[str, tuple[str | None, dict[str, Any], str]] = OrderedDict()

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        name = self.key_builder.build(key)
        _, data, text = await self._row(name)
        await self._store(name, (value, data, text))

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._row(self.key_builder.build(key)))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        name = self.key_builder.build(key)
        state, _, _ = await self._row(name)
        copied = dict(data)
        await self._store(name, (state, copied, json.dumps(copied, ensure_ascii=False)))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return dict((await self._row(self.key_builder.build(key)))[1])

    async def _store(self, name: str, row: tuple[str | None, dict[str, Any], str]) -> None:
        self._remember(name, row)
        # never committed (the database was locked past the busy timeout): forget it, so the next read returns
        # what is stored, not a step the user was told did not happen
        await write(self.committer, UPSERT, (name, row[0], row[2]), key=(UPSERT, name), undo=lambda: self._forget(name))

    def _forget(self, name: str) -> None:
        self._cache.pop(name, None)

    async def _row(self, name: str) -> tuple[str | None, dict[str, Any], str]:
        cached = self._cache.get(name)
        if cached is not None:
            self._cache.move_to_end(name)
            return cached
        async with (
            self.db.point_read() as conn,
            conn.execute("SELECT state, data FROM fsm WHERE key = ?", (name,)) as cursor,
        ):
            row = await cursor.fetchone()
        found = (row[0], dict(json.loads(row[1])), row[1]) if row else (None, {}, "{}")
        self._remember(name, found)
        return found

    def _remember(self, name: str, value: tuple[str | None, dict[str, Any], str]) -> None:
        self._cache[name] = value
        self._cache.move_to_end(name)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)

    async def close(self) -> None:
        """The database is closed by its owner, not by the dispatcher."""
