"""The WAL is copied back by the checkpointer, never by a COMMIT, and stays bounded while the bot writes."""

import asyncio
import os
import sqlite3
from pathlib import Path

from storage.checkpoint import JOURNAL_SIZE_LIMIT, Pass
from storage.database import Database

PAGE = 4096
WRITES = 3000  # three times SQLite's default checkpoint threshold (1,000 pages)


def wal_bytes(db: Database) -> int:
    return os.path.getsize(f"{db.path}-wal")


async def write_pages(db: Database, count: int) -> None:
    """``count`` transactions, each adding a page of its own to the WAL."""
    for _ in range(count):
        await db.run_transaction(lambda c: c.execute("INSERT INTO scratch (b) VALUES (?)", (b"x" * 3000,)))


def restarted(last: Pass) -> bool:
    """A pass found the WAL started over: a few frames, those of the last transaction (~6 here)."""
    return last.wal_frames <= 16


async def test_a_commit_never_checkpoints_the_checkpointer_does(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "green.db")
    try:
        await db.run_transaction(lambda c: c.execute("CREATE TABLE scratch (n INTEGER PRIMARY KEY, b BLOB)"))
        await db.checkpointer.stop()
        await write_pages(db, WRITES)
        # SQLite's own checkpoint would have run inside three of these COMMITs and restarted the WAL each time
        assert wal_bytes(db) >= WRITES * PAGE

        await db.checkpointer.checkpoint()
        assert db.checkpointer.last is not None and db.checkpointer.last.complete
        # the database file itself now holds every row: a reader of the file alone (the WAL set aside) sees them
        copy = tmp_path / "file-alone.db"
        copy.write_bytes(db.path.read_bytes())
        with sqlite3.connect(copy) as conn:
            assert conn.execute("SELECT count(*) FROM scratch").fetchone() == (WRITES,)

        db.checkpointer.start()
        await write_pages(db, 1)  # starts the WAL over from its beginning: a complete checkpoint came before
        await asyncio.wait_for(db.checkpointer.until(restarted), 60)
    finally:
        await db.close()


async def test_the_wal_starts_over_while_writes_go_on_and_is_cut_back_after(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "green.db")
    try:
        await db.run_transaction(lambda c: c.execute("CREATE TABLE scratch (n INTEGER PRIMARY KEY, b BLOB)"))
        # writes that never pause long, the loop free in between as in the bot: a background pass never catches up
        # (each commit during it leaves frames uncopied), so one holds the writer back and copies all of it
        for _ in range(10 * WRITES):
            await write_pages(db, 1)
            await asyncio.sleep(0)
            if db.checkpointer.catch_ups:
                break
        assert db.checkpointer.catch_ups == 1
        await write_pages(db, 1)  # the WAL starts over, and its file is cut back to the limit
        await asyncio.wait_for(db.checkpointer.until(restarted), 60)
        assert wal_bytes(db) <= JOURNAL_SIZE_LIMIT
    finally:
        await db.close()


async def test_a_reader_holding_a_snapshot_is_waited_out_without_holding_the_writer_back(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "green.db")
    try:
        await db.run_transaction(lambda c: c.execute("CREATE TABLE scratch (n INTEGER PRIMARY KEY, b BLOB)"))
        backup = sqlite3.connect(db.path, isolation_level=None)  # a backup's read transaction, held throughout
        backup.execute("BEGIN")
        backup.execute("SELECT count(*) FROM scratch").fetchone()
        held_back = 0
        for _ in range(10 * WRITES):  # past the catch-up threshold while the reader holds its snapshot
            await write_pages(db, 1)
            await asyncio.sleep(0)
            last = db.checkpointer.last
            if last is not None and last.wal_frames > 4096 and last.copied < last.wal_frames:
                held_back += 1
                if held_back >= 3:
                    break
        assert held_back >= 3
        assert db.checkpointer.catch_ups == 0  # the writer was never held for a pass the reader would block
        backup.execute("COMMIT")
        backup.close()
        await write_pages(db, 1)
        last = await asyncio.wait_for(db.checkpointer.until(lambda p: p.complete), 60)
        assert last.copied == last.wal_frames  # once the reader is gone, the WAL is copied back
    finally:
        await db.close()
