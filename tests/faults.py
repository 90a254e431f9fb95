"""Faults injected into a real database file, for tests that prove what a crash mid-change leaves behind."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from storage.database import Database


@asynccontextmanager
async def refusing_messages_to(db: Database, chat_id: int) -> AsyncIterator[None]:
    """Every outbox row for ``chat_id`` fails to be written while this is open.

    A write that fails inside a transaction leaves what a process killed before its commit leaves; one that fails
    after an earlier transaction committed leaves what a kill between the two leaves."""
    async with db.transaction() as conn:
        await conn.execute(
            f"CREATE TRIGGER refuse_chat BEFORE INSERT ON outbox WHEN new.chat_id = {int(chat_id)} "
            "BEGIN SELECT RAISE(ABORT, 'injected fault'); END"
        )
    try:
        yield
    finally:
        async with db.transaction() as conn:
            await conn.execute("DROP TRIGGER refuse_chat")
