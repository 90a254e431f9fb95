"""A fetched batch's inbox rows lead the next transaction (``Database.ride_ahead``): stored before anything the
batch's updates write, so polling need not commit them on their own, and awaited before the offset moves on."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.database import Database
from storage.group_commit import GroupCommit
from storage.inbox import SqliteInbox
from storage.unit import UnitOfWork, write

NOW = datetime(2026, 12, 1, 2, tzinfo=UTC)
DONE = "DELETE FROM inbox WHERE update_id = ?"


def inbox_ids(path: Path) -> list[int]:
    with sqlite3.connect(path) as conn:  # another connection: only what is committed
        return [row[0] for row in conn.execute("SELECT update_id FROM inbox ORDER BY 1")]


async def test_the_rows_wait_for_the_first_transaction_and_are_durable_when_their_future_is_done(db: Database) -> None:
    committer = GroupCommit(db)
    inbox = SqliteInbox(db, committer)
    stored = inbox.store_ahead([(1, "{}"), (2, "{}")], NOW)
    assert not stored.done() and inbox_ids(db.path) == []  # no transaction of their own yet
    await committer.commit([("INSERT INTO processed_updates (update_id, at) VALUES (?, ?)", (1, "t"))])
    assert stored.done() and inbox_ids(db.path) == [1, 2]  # they went with the first writes after them
    assert committer.commits == 1


async def test_with_no_other_write_they_are_stored_soon_on_their_own(db: Database) -> None:
    committer = GroupCommit(db)
    await asyncio.wait_for(SqliteInbox(db, committer).store_ahead([(3, "{}")], NOW), 10)
    assert inbox_ids(db.path) == [3]


async def test_an_update_that_ends_before_its_row_is_stored_still_leaves_the_inbox(db: Database) -> None:
    """The handled mark deletes the row; run before the row's insert it would leave the update to be replayed
    (riders of one statement are grouped and sorted: a DELETE would sort before the INSERT)."""
    committer = GroupCommit(db)
    stored = SqliteInbox(db, committer).store_ahead([(4, "{}")], NOW)
    async with UnitOfWork(committer):
        await write(committer, DONE, (4,))  # the update ends showing nothing: its writes ride along
    await asyncio.wait_for(stored, 10)
    await asyncio.wait_for(committer.stored(), 10)
    assert inbox_ids(db.path) == []


async def test_a_failed_transaction_keeps_them_first_for_the_next(db: Database) -> None:
    committer = GroupCommit(db)
    stored = SqliteInbox(db, committer).store_ahead([(5, "{}")], NOW)
    db.ride_along([(DONE, (5,))])
    with pytest.raises(RuntimeError):
        async with db.transaction():
            raise RuntimeError("the caller's work failed")
    assert not stored.done() and inbox_ids(db.path) == []
    await asyncio.wait_for(stored, 10)  # the group commit's sweep stores them, still ahead of the delete
    await asyncio.wait_for(committer.stored(), 10)
    assert inbox_ids(db.path) == []


async def test_rows_that_cannot_be_stored_fail_their_waiter_not_the_transaction(db: Database) -> None:
    committer = GroupCommit(db)
    broken = db.ride_ahead([("INSERT INTO no_such_table VALUES (?)", (1,))])
    await committer.commit([("INSERT INTO processed_updates (update_id, at) VALUES (?, ?)", (6, "t"))])
    with pytest.raises(sqlite3.OperationalError):
        await broken
    assert db.riders == 0
