"""Group commit, the per-update write unit, and the caches on the hot path (form state, people, update ids)."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiogram.fsm.storage.base import StorageKey

from approvals.ledger import KeyProject
from approvals.models import Role
from storage.database import Database
from storage.fsm import SqliteFsmStorage
from storage.group_commit import GroupCommit
from storage.key_projects import SqliteKeyProjectStore
from storage.people import SqlitePeopleStore
from storage.repositories import Repositories
from storage.unit import UnitOfWork
from storage.updates import SqliteUpdates
from tests.storage.test_queue_sql import seed

NOW = datetime(2026, 11, 18, 2, tzinfo=UTC)
INSERT = "INSERT INTO processed_updates (update_id, at) VALUES (?, ?)"


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    """What another connection sees: only committed data."""
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


async def test_many_callers_share_few_transactions_and_all_are_committed(db: Database) -> None:
    committer = GroupCommit(db)
    await asyncio.gather(*(committer.commit([(INSERT, (n, "t"))]) for n in range(200)))
    assert rows(db.path, "SELECT count(*) FROM processed_updates") == [(200,)]
    assert committer.commits < 20  # 200 callers arriving together: a handful of commits, not 200


async def test_a_bad_statement_fails_only_its_own_caller(db: Database) -> None:
    committer = GroupCommit(db)
    good = [committer.commit([(INSERT, (n, "t"))]) for n in range(1, 6)]
    bad = committer.commit([("INSERT INTO no_such_table VALUES (?)", (1,))])
    results = await asyncio.gather(*good, bad, return_exceptions=True)
    assert results[:5] == [None] * 5
    assert isinstance(results[5], sqlite3.OperationalError)
    assert rows(db.path, "SELECT count(*) FROM processed_updates") == [(5,)]


async def test_a_unit_holds_writes_until_flushed_and_flushes_on_exit(db: Database) -> None:
    committer = GroupCommit(db)
    fsm = SqliteFsmStorage(db, committer)
    key = StorageKey(bot_id=1, chat_id=5, user_id=5)
    with pytest.raises(RuntimeError):
        async with UnitOfWork(committer) as unit:
            await fsm.set_state(key, "Form:name")
            await fsm.set_data(key, {"name": "城东"})
            assert await fsm.get_state(key) == "Form:name"  # the update reads its own writes at once
            assert rows(db.path, "SELECT * FROM fsm") == []  # nothing committed yet
            await unit.flush()  # what happens before the bot sends anything
            assert rows(db.path, "SELECT state, data FROM fsm") == [("Form:name", '{"name": "城东"}')]
            await fsm.set_state(key, None)
            raise RuntimeError("the handler failed")
    # the writes made before the failure are still committed when the unit ends, and the rest soon after
    await asyncio.wait_for(committer.stored(), 10)
    assert rows(db.path, "SELECT state FROM fsm") == [(None,)]
    fresh = SqliteFsmStorage(db, committer)  # a restarted bot reads it back from the file
    assert await fresh.get_data(key) == {"name": "城东"}


async def test_a_form_step_setting_data_then_state_writes_its_row_once(db: Database) -> None:
    committer = GroupCommit(db)
    fsm = SqliteFsmStorage(db, committer)
    key = StorageKey(bot_id=1, chat_id=5, user_id=5)
    before = db.writer.total_changes
    async with UnitOfWork(committer):
        await fsm.set_data(key, {"name": "城东"})
        await fsm.set_state(key, "Form:organisation")
    await asyncio.wait_for(committer.stored(), 10)
    assert db.writer.total_changes - before == 1  # one upsert of the row, not one per call
    assert rows(db.path, "SELECT state, data FROM fsm") == [("Form:organisation", '{"name": "城东"}')]


async def test_a_transaction_run_on_the_database_thread_commits_or_leaves_nothing(db: Database) -> None:
    def insert_two(conn: sqlite3.Connection) -> int:
        conn.execute(INSERT, (1, "t"))
        conn.execute(INSERT, (2, "t"))
        return 2

    assert await db.run_transaction(insert_two) == 2

    def insert_then_fail(conn: sqlite3.Connection) -> None:
        conn.execute(INSERT, (3, "t"))
        conn.execute(INSERT, (1, "t"))  # primary key taken

    with pytest.raises(sqlite3.IntegrityError):
        await db.run_transaction(insert_then_fail)
    assert rows(db.path, "SELECT update_id FROM processed_updates ORDER BY 1") == [(1,), (2,)]
    assert not db.writer.in_transaction  # rolled back: the next transaction can begin
    await db.run_transaction(lambda conn: conn.execute(INSERT, (3, "t")))
    assert rows(db.path, "SELECT count(*) FROM processed_updates") == [(3,)]


async def test_handled_update_ids_survive_a_restart_and_new_ones_need_no_query(db: Database) -> None:
    committer = GroupCommit(db)
    updates = SqliteUpdates(db, committer)
    assert not await updates.seen(10)
    await updates.record(10, NOW)
    assert await updates.seen(10)  # this process remembers
    assert not await updates.seen(11)
    restarted = SqliteUpdates(db, committer)
    assert await restarted.seen(10)  # at or below the stored high-water mark: looked up in the file
    assert not await restarted.seen(9)
    assert not await restarted.seen(12)


async def test_people_cache_drops_a_person_on_every_change(db: Database) -> None:
    people = SqlitePeopleStore(db)
    assert await people.get(7) is None
    await people.grant(7, Role.REVIEWER)
    found = await people.get(7)
    assert found is not None and Role.REVIEWER in found.roles
    await people.revoke(7, Role.REVIEWER)
    found = await people.get(7)
    assert found is not None and Role.REVIEWER not in found.roles  # revoked: counts from the next update
    await people.set_locale(7, "en")
    found = await people.get(7)
    assert found is not None and found.locale == "en"


async def test_request_counts_follow_every_change(repos: Repositories, db: Database) -> None:
    await seed(repos, 40, random.Random(3))  # the same varied requests the queue tests use
    async with db.transaction() as conn:  # decisions and lane changes straight in SQL
        await conn.execute("UPDATE requests SET status = 'approved' WHERE id % 3 = 0")
        await conn.execute("UPDATE requests SET lane = 2 WHERE id % 5 = 0")
    kept = rows(db.path, "SELECT status, lane, n FROM request_counts WHERE n > 0 ORDER BY status, lane")
    counted = rows(db.path, "SELECT status, lane, count(*) FROM requests GROUP BY status, lane ORDER BY status, lane")
    assert kept == counted


async def test_remembering_someone_unchanged_writes_nothing(db: Database) -> None:
    people = SqlitePeopleStore(db)
    await people.remember(7, "王工", "zh_CN")
    assert await people.get(7) is not None  # now cached
    before = db.writer.total_changes
    await people.remember(7, "王工", "zh_CN")
    await people.remember(7, "", None)
    assert db.writer.total_changes == before
    await people.remember(7, "王工程师", None)  # a new name is stored
    found = await people.get(7)
    assert found is not None and (found.name, found.seen_locale) == ("王工程师", "zh_CN")


async def test_a_role_granted_while_a_read_waits_is_not_hidden_by_that_read(db: Database) -> None:
    """Another process holds the write lock; a read and a grant queue behind it: the read's older answer must not
    outlive the grant in the cache."""
    people = SqlitePeopleStore(db)
    other = sqlite3.connect(db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    waiting = asyncio.create_task(people.remember(8, "someone"))  # holds this process's write lock meanwhile
    await asyncio.sleep(0)  # each task runs until it waits for the lock, in the order started (FIFO)
    reading = asyncio.create_task(people.get(7))
    await asyncio.sleep(0)
    granting = asyncio.create_task(people.grant(7, Role.REVIEWER))
    await asyncio.sleep(0)
    other.execute("COMMIT")
    other.close()
    await asyncio.wait_for(asyncio.gather(waiting, reading, granting), 5)
    assert reading.result() is None  # it read the row as it was before the grant
    found = await people.get(7)
    assert found is not None and Role.REVIEWER in found.roles


async def test_a_key_project_import_is_seen_even_if_a_read_ran_while_it_waited(db: Database) -> None:
    store = SqliteKeyProjectStore(db)
    await store.replace_all([KeyProject(code="K1", name="旧", owner="x")])
    other = sqlite3.connect(db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process writing: the import waits
    importing = asyncio.create_task(store.replace_all([KeyProject(code="K2", name="新", owner="x")]))
    await asyncio.sleep(0)  # the import runs until it waits for the lock
    assert [p.code for p in await store.all()] == ["K1"]  # read meanwhile: the list as committed so far
    other.execute("COMMIT")
    other.close()
    await asyncio.wait_for(importing, 5)
    assert [p.code for p in await store.all()] == ["K2"]


async def test_a_cancelled_waiter_does_not_stall_the_others_in_its_batch(db: Database) -> None:
    committer = GroupCommit(db)
    other = sqlite3.connect(db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process writing: the batch waits for the lock
    stopped = asyncio.create_task(committer.commit([(INSERT, (1, "t"))]))
    kept = asyncio.create_task(committer.commit([(INSERT, (2, "t"))]))
    await asyncio.sleep(0.05)  # both are queued in one batch, waiting for the lock (not a synchronisation)
    stopped.cancel()  # e.g. the outbox sender stopped while its "sent" mark was queued
    other.execute("COMMIT")
    other.close()
    await asyncio.wait_for(kept, 10)  # the batch's other waiter still gets its answer
    assert rows(db.path, "SELECT update_id FROM processed_updates ORDER BY 1") == [(1,), (2,)]
    await asyncio.wait_for(committer.commit([(INSERT, (3, "t"))]), 10)  # and the committer still works


async def test_a_failed_flush_returns_the_form_state_cache_to_what_is_stored(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("storage.database.BUSY_TIMEOUT_MS", 200)  # give up on the lock quickly
    committer = GroupCommit(db)
    fsm = SqliteFsmStorage(db, committer)
    updates = SqliteUpdates(db, committer)
    key = StorageKey(bot_id=1, chat_id=5, user_id=5)
    async with UnitOfWork(committer):
        await fsm.set_state(key, "Form:project_name")
    await asyncio.wait_for(committer.stored(), 10)
    other = sqlite3.connect(db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock past the busy timeout
    try:
        with pytest.raises(sqlite3.OperationalError):
            async with UnitOfWork(committer) as unit:
                await updates.record(41, NOW)
                await fsm.update_data(key, {"project_name": "城东污水处理厂"})
                await fsm.set_state(key, "Form:organisation")
                await unit.flush()  # the bot is about to ask the next question: this fails ("nothing changed")
    finally:
        other.execute("ROLLBACK")
        other.close()
    # the user was told nothing changed: the form is still at the project name, and the update can be retried
    assert await fsm.get_state(key) == "Form:project_name"
    assert await fsm.get_data(key) == {}
    assert not await updates.seen(41)


async def test_what_is_left_at_a_units_end_goes_with_the_next_transaction(db: Database) -> None:
    committer = GroupCommit(db)
    fsm = SqliteFsmStorage(db, committer)
    key = StorageKey(bot_id=1, chat_id=5, user_id=5)
    async with UnitOfWork(committer):
        await fsm.set_state(key, "Form:name")  # the update ends without showing anything
    assert db.riders == 1 and rows(db.path, "SELECT * FROM fsm") == []  # not waited for, not yet stored
    await committer.commit([(INSERT, (7, "t"))])  # someone else's commit takes it along
    assert db.riders == 0
    assert rows(db.path, "SELECT state FROM fsm") == [("Form:name",)]
    assert committer.commits == 1  # no transaction of its own


async def test_a_failed_transaction_keeps_what_rode_along_for_the_next_one(db: Database) -> None:
    committer = GroupCommit(db)
    db.ride_along([(INSERT, (8, "t"))])
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await conn.execute(INSERT, (9, "t"))
            raise RuntimeError("the caller's work failed")
    assert rows(db.path, "SELECT update_id FROM processed_updates") == []
    committer.commit_soon([(INSERT, (10, "t"))])  # and with none to ride along, one is made soon
    await asyncio.wait_for(committer.stored(), 10)
    assert rows(db.path, "SELECT update_id FROM processed_updates ORDER BY 1") == [(8,), (10,)]


async def test_what_rides_along_is_stored_when_the_database_closes(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "close.db")
    db.ride_along([(INSERT, (11, "t"))])
    await db.close()
    assert rows(tmp_path / "close.db", "SELECT update_id FROM processed_updates") == [(11,)]
