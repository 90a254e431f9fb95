"""Opening the store the settings name: one SQLite file, locked for this process and migrated at open; or, with a
database URL, a PostgreSQL pool that several instances share (migrated once, under an advisory lock).

The composition root calls ``open_storage`` and holds what it returns (``storage.ports.Storage``): the
repositories, and ``close`` at the end. Nothing else outside ``storage/`` names the database behind them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path

import asyncpg

from storage.database import Database
from storage.lock import DatabaseInUse as DatabaseInUse
from storage.lock import ProcessLock
from storage.migrations import SchemaTooNew as SchemaTooNew
from storage.postgres.committer import PostgresCommitter
from storage.postgres.outbox import PostgresOutbox
from storage.postgres.pool import open_pool
from storage.postgres.repositories import postgres_repositories
from storage.repositories import Repositories


@dataclass(frozen=True)
class SqliteStorage:
    """Implements ``storage.ports.Storage``; ``db`` is there for tests and tools that know it is SQLite."""

    db: Database
    repos: Repositories
    lock: ProcessLock

    async def close(self) -> None:
        await self.db.close()
        self.lock.release()


@dataclass(frozen=True)
class PostgresStorage:
    """Implements ``storage.ports.Storage`` over a pool; ``pool`` is there for tests that know it is PostgreSQL."""

    pool: asyncpg.Pool
    repos: Repositories

    async def close(self) -> None:
        try:
            if isinstance(self.repos.committer, PostgresCommitter):
                await self.repos.committer.stored()  # the writes left to be stored soon: form steps' ends
            if isinstance(self.repos.outbox, PostgresOutbox):
                await self.repos.outbox.close()  # its rows claimable, its sender lock and connection given back
        finally:
            await self.pool.close()  # waits for every connection: the outbox's must be back first


async def open_storage(
    database_path: Path,
    tz: tzinfo,
    *,
    database_url: str | None = None,
    locked: Callable[[], None] = lambda: None,
) -> SqliteStorage | PostgresStorage:
    """With ``database_url``: PostgreSQL, shared by every instance given the same URL (``SchemaTooNew`` when a newer
    program upgraded it). Else lock the SQLite file for this process (``DatabaseInUse`` when another holds it) —
    before anything reads or sends: one process per file — then open and migrate it (``SchemaTooNew`` likewise).
    ``locked`` runs in between: a second process refused the lock says only that, in one line."""
    if database_url:
        locked()  # no lock to take: several instances share the database
        pool = await open_pool(database_url)
        return PostgresStorage(pool, postgres_repositories(pool, tz))
    lock = ProcessLock.take(database_path)
    try:
        locked()
        db = await Database.open(database_path)
    except BaseException:
        lock.release()
        raise
    return SqliteStorage(db, Repositories.over(db, tz), lock)
