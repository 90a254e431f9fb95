"""Chats that cannot receive messages (they blocked the bot) and groups that became supergroups, on PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import asyncpg


class PostgresChats:
    """Implements ``storage.ports.Chats``, as ``SqliteChats`` does (``storage/outbox.py``)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def mark_undeliverable(self, chat_id: int, reason: str, now: datetime) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO undeliverable_chats (chat_id, since, reason) VALUES ($1, $2, $3) "
                "ON CONFLICT (chat_id) DO UPDATE SET since = excluded.since, reason = excluded.reason",
                chat_id,
                now,
                reason[:200],
            )

    async def deliverable_again(self, chat_id: int) -> None:
        """The person wrote to the bot, so they have unblocked it."""
        async with self.pool.acquire() as conn:
            await conn.execute("DELETE FROM undeliverable_chats WHERE chat_id = $1", chat_id)

    async def undeliverable(self) -> set[int]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch("SELECT chat_id FROM undeliverable_chats")
        return {int(row["chat_id"]) for row in rows}

    async def migrate(self, old_chat_id: int, new_chat_id: int) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "INSERT INTO chat_migrations (old_chat_id, new_chat_id) VALUES ($1, $2) "
                "ON CONFLICT (old_chat_id) DO UPDATE SET new_chat_id = excluded.new_chat_id",
                old_chat_id,
                new_chat_id,
            )
            # messages still waiting for the old chat follow it
            await conn.execute(
                "UPDATE outbox SET chat_id = $1 WHERE chat_id = $2 AND status = 'pending'", new_chat_id, old_chat_id
            )
            await conn.execute("UPDATE cards SET chat_id = $1 WHERE chat_id = $2", new_chat_id, old_chat_id)

    async def current(self, chat_id: int) -> int:
        """Follow migrations: the id a chat has now."""
        async with self.pool.acquire() as conn:
            found = await conn.fetchval("SELECT new_chat_id FROM chat_migrations WHERE old_chat_id = $1", chat_id)
        return int(found) if found is not None else chat_id
