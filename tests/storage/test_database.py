import asyncio
import sqlite3
from pathlib import Path

import pytest

from storage.database import Database
from storage.migrations import MIGRATIONS, schema_version


async def test_migrations_apply_once_and_opening_again_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "green.db"
    first = await Database.open(path)
    assert await schema_version(first.writer) == len(MIGRATIONS)
    await first.close()
    second = await Database.open(path)  # idempotent: nothing re-run, nothing fails
    assert await schema_version(second.writer) == len(MIGRATIONS)
    async with second.reader.execute("PRAGMA journal_mode") as cursor:
        assert (await cursor.fetchone()) == ("wal",)
    async with second.writer.execute("PRAGMA synchronous") as cursor:
        assert (await cursor.fetchone()) == (2,)  # FULL
    async with second.writer.execute("PRAGMA foreign_keys") as cursor:
        assert (await cursor.fetchone()) == (1,)
    await second.close()


async def test_a_database_from_a_newer_program_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "green.db"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(RuntimeError, match="newer than this program"):
        await Database.open(path)


async def test_the_reader_cannot_write(db: Database) -> None:
    with pytest.raises(sqlite3.OperationalError):
        await db.reader.execute("INSERT INTO people (user_id) VALUES (1)")


async def test_a_failed_transaction_leaves_nothing(db: Database) -> None:
    with pytest.raises(ZeroDivisionError):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO people (user_id, name) VALUES (1, 'x')")
            raise ZeroDivisionError
    async with db.reader.execute("SELECT count(*) FROM people") as cursor:
        assert (await cursor.fetchone()) == (0,)


async def test_the_database_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    import stat

    path = tmp_path / "private.db"
    database = await Database.open(path)
    try:
        async with database.transaction() as conn:
            await conn.execute("INSERT INTO people (user_id) VALUES (1)")
        for file in (path, path.with_name("private.db-wal")):
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    finally:
        await database.close()


async def test_a_write_lock_held_elsewhere_is_waited_for_without_blocking_the_loop(db: Database) -> None:
    other = sqlite3.connect(db.path, isolation_level=None)  # another process, as far as SQLite can tell
    other.execute("BEGIN IMMEDIATE")
    ticks = 0
    busy_a_while = asyncio.Event()

    async def tick() -> None:  # runs only if the loop is free while the write waits
        nonlocal ticks
        while True:
            ticks += 1
            if ticks == 20:
                busy_a_while.set()
            await asyncio.sleep(0.002)

    async def write() -> None:
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO people (user_id, name) VALUES (1, 'x')")

    ticker = asyncio.create_task(tick())
    writing = asyncio.create_task(write())
    await asyncio.wait_for(busy_a_while.wait(), 5)
    assert not writing.done()  # still waiting for the lock, and the loop kept running meanwhile
    other.execute("COMMIT")
    await asyncio.wait_for(writing, 5)
    ticker.cancel()
    other.close()
    async with db.reader.execute("SELECT name FROM people") as cursor:
        assert await cursor.fetchall() == [("x",)]


async def test_a_write_lock_never_released_fails_after_the_busy_timeout(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("storage.database.BUSY_TIMEOUT_MS", 50)
    other = sqlite3.connect(db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            async with db.transaction() as conn:
                await conn.execute("INSERT INTO people (user_id) VALUES (1)")
    finally:
        other.close()
    async with db.transaction() as conn:  # nothing left half-open: the next write goes through
        await conn.execute("INSERT INTO people (user_id) VALUES (2)")


async def test_a_read_sees_the_last_commit_while_another_task_is_in_the_middle_of_its_own(db: Database) -> None:
    """Seen with the bare aiosqlite cursor: the reminders job's query sat between its execute and its fetch, and a
    read of the key-project list just imported came back as the list before it (and was cached as current)."""
    for n in range(1, 4):
        await db.run_transaction(lambda conn, n=n: conn.execute("INSERT INTO people (user_id) VALUES (?)", (n,)))
    opened, go_on = asyncio.Event(), asyncio.Event()

    async def slow_reader() -> int:
        async with db.reader.execute("SELECT user_id FROM people ORDER BY user_id") as cursor:
            first = await cursor.fetchone()
            opened.set()
            await go_on.wait()  # other work of this task between two fetches of one query
            return 1 + len(await cursor.fetchall()) if first else 0

    slow = asyncio.create_task(slow_reader())
    await asyncio.wait_for(opened.wait(), 30)
    await db.run_transaction(lambda conn: conn.execute("INSERT INTO people (user_id) VALUES (99)"))
    async with db.reader.execute("SELECT count(*) FROM people") as cursor:
        assert await cursor.fetchone() == (4,)  # the new row: not the other task's snapshot
    go_on.set()
    assert await asyncio.wait_for(slow, 30) == 3  # and that task reads what its query found
