"""The update ledger's, inbox's and reply journal's contract, on every backend: an update is marked handled with
its unit's writes (and lets go of its inbox row then), the inbox gives back what was not finished, oldest first,
and a journalled reply is sent by the outbox after a crash unless it was marked sent."""

from __future__ import annotations

import asyncio
import json

import pytest

from storage.ports import Reply
from tests.storage.contract.conftest import NOW, Backend

SUPERGROUP = -1001234567890


async def handle(backend: Backend, update_id: int) -> None:
    """What the ledger's middleware does for an update that writes nothing else."""
    async with backend.units.begin() as unit:
        await backend.updates.record(update_id, NOW)
        await unit.flush()


async def test_a_handled_update_is_seen_here_and_by_another_instance(backend: Backend) -> None:
    assert not await backend.updates.seen(10)
    await handle(backend, 10)
    assert await backend.updates.seen(10) and backend.updates.recorded(10)
    async with backend.another() as other:
        assert await other.updates.seen(10)
        assert not other.updates.recorded(10)  # recorded by the first instance, not this one
        assert not await other.updates.seen(9)
        assert not await other.updates.seen(11)
    assert await backend.updates.highest() == 10


async def test_a_mark_whose_unit_fails_is_not_kept_and_can_be_settled_alone(backend: Backend) -> None:
    with pytest.raises(Exception, match="no_such_table"):
        async with backend.units.begin() as unit:
            await backend.updates.record(41, NOW)
            unit.add("INSERT INTO no_such_table VALUES (1)", ())
            await unit.flush()
    assert not backend.updates.recorded(41)
    assert not await backend.updates.seen(41)
    await backend.updates.settle(41, NOW)
    assert backend.updates.recorded(41) and await backend.updates.seen(41)
    await backend.updates.settle(41, NOW)  # twice is harmless
    assert await backend.rows("SELECT update_id FROM processed_updates") == [(41,)]


async def test_the_inbox_gives_back_what_was_not_handled_oldest_first(backend: Backend) -> None:
    await backend.inbox.store([(7, '{"update_id": 7}'), (5, '{"update_id": 5}')], NOW)
    await backend.inbox.store([(5, '{"update_id": 5, "again": true}'), (6, '{"update_id": 6}')], NOW)
    assert await backend.inbox.count() == 3
    assert await backend.updates.highest() == 7
    await handle(backend, 6)
    await backend.updates.settle(7, NOW)
    async with backend.another() as restarted:
        unhandled = await restarted.inbox.unhandled()
    assert [(n, json.loads(text)) for n, text in unhandled] == [(5, {"update_id": 5})]  # the first copy kept
    await backend.updates.skipped(5)  # delivered again after being handled: the inbox lets it go
    await backend.settled()
    assert await backend.inbox.count() == 0
    assert await backend.updates.highest() == 7


async def test_rows_stored_ahead_are_stored_before_the_mark_that_removes_them(backend: Backend) -> None:
    stored = backend.inbox.store_ahead([(8, "{}"), (9, "{}")], NOW)
    async with backend.units.begin():
        await backend.updates.record(8, NOW)  # the update ends showing nothing: its writes are stored soon
    await asyncio.wait_for(stored, 30)
    await asyncio.wait_for(backend.settled(), 30)
    assert await backend.rows("SELECT update_id FROM inbox") == [(9,)]
    assert await backend.updates.seen(8)


async def test_a_journalled_reply_goes_to_the_outbox_after_a_crash_unless_marked_sent(backend: Backend) -> None:
    request = await backend.request()
    sent = Reply(SUPERGROUP, "sendMessage", '{"chat_id": 1, "text": "已受理"}')
    lost = Reply(201, "sendPhoto", '{"chat_id": 201}', file=b"\x89PNG", card_of=request)
    async with backend.units.begin() as unit:
        await backend.updates.record(12, NOW)
        first, journal = await backend.replies.entry(sent, NOW)
        unit.add(*journal)
        second, journal = await backend.replies.entry(lost, NOW)
        unit.add(*journal)
        await unit.flush()
        unit.add(*backend.replies.done(first))
    await backend.settled()
    assert first != second
    assert await backend.rows("SELECT method FROM replies") == [("sendPhoto",)]
    async with backend.another() as restarted:
        assert await restarted.replies.requeue(NOW) == 1
        assert await restarted.replies.requeue(NOW) == 0
    assert await backend.queued() == [(201, "call", None, request, None)]
    (row,) = await backend.rows("SELECT method, payload, photo FROM outbox WHERE kind = 'call'")
    assert (row[0], json.loads(row[1]), bytes(row[2])) == ("sendPhoto", {"chat_id": 201}, b"\x89PNG")
