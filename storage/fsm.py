"""aiogram FSM state in SQLite, so a restart in the middle of a form loses nothing."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StateType, StorageKey

from storage.database import Database


class SqliteFsmStorage(BaseStorage):
    """Form state and data per chat and user. Data must be JSON: handlers store ids, text and numbers."""

    def __init__(self, db: Database, key_builder: KeyBuilder | None = None) -> None:
        self.db = db
        self.key_builder = key_builder or DefaultKeyBuilder(with_destiny=True)

    def _key(self, key: StorageKey) -> str:
        return self.key_builder.build(key)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO fsm (key, state) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET state = excluded.state",
                (self._key(key), value),
            )

    async def get_state(self, key: StorageKey) -> str | None:
        row = await self._row(key)
        return row[0] if row else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO fsm (key, data) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET data = excluded.data",
                (self._key(key), json.dumps(dict(data), ensure_ascii=False)),
            )

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        row = await self._row(key)
        return dict(json.loads(row[1])) if row else {}

    async def _row(self, key: StorageKey) -> tuple[str | None, str] | None:
        async with (
            self.db.point_read() as conn,
            conn.execute("SELECT state, data FROM fsm WHERE key = ?", (self._key(key),)) as cursor,
        ):
            row = await cursor.fetchone()
        return (row[0], row[1]) if row else None

    async def close(self) -> None:
        """The database is closed by its owner, not by the dispatcher."""
