"""Opening the store the settings name: today one SQLite file, locked for this process, migrated at open.

The composition root calls ``open_storage`` and holds what it returns (``storage.ports.Storage``): the
repositories, and ``close`` at the end. Nothing else outside ``storage/`` names the database behind them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path

from storage.database import Database
from storage.lock import DatabaseInUse as DatabaseInUse
from storage.lock import ProcessLock
from storage.migrations import SchemaTooNew as SchemaTooNew
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


async def open_storage(database_path: Path, tz: tzinfo, *, locked: Callable[[], None] = lambda: None) -> SqliteStorage:
    """Lock the file for this process (``DatabaseInUse`` when another holds it) — before anything reads or sends:
    one process per file — then open and migrate it (``SchemaTooNew`` when a newer program upgraded it).
    ``locked`` runs in between: a second process refused the lock says only that, in one line."""
    lock = ProcessLock.take(database_path)
    try:
        locked()
        db = await Database.open(database_path)
    except BaseException:
        lock.release()
        raise
    return SqliteStorage(db, Repositories.over(db, tz), lock)
