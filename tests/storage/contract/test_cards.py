"""Where request cards were posted, on every backend: a card recorded with its outbox row's mark, a copy found on
screen adopted once, and the highest message id a stand-in Telegram must continue above."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.ports import Outgoing
from tests.storage.contract.conftest import Backend

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
GROUP = -1004012345678


async def test_cards_are_listed_in_the_order_they_were_recorded_and_each_once(backend: Backend) -> None:
    request = await backend.request()
    assert await backend.cards.of(request) == []
    await backend.cards.add(request, GROUP, 7)
    await backend.cards.add(request, 201, 3)
    await backend.cards.add(request, GROUP, 7)  # again: nothing new
    assert await backend.cards.of(request) == [(GROUP, 7), (201, 3)]
    assert await backend.cards.known(request, 201, 3)
    assert not await backend.cards.known(request, 201, 4)
    assert not await backend.cards.known(request + 1, GROUP, 7)


async def test_a_posted_card_is_recorded_with_its_outbox_row_marked_sent(backend: Backend) -> None:
    request = await backend.request()
    await backend.outbox.add([Outgoing(GROUP, kind="card", request_id=request)], NOW)
    [row] = [q for q in await backend.outbox.pending() if q.message.kind == "card"]  # this sender's to send
    await backend.cards.posted(row.id, request, GROUP, 12, NOW)
    assert await backend.cards.of(request) == [(GROUP, 12)]
    assert await backend.rows(f"SELECT status FROM outbox WHERE id = {row.id}") == [("sent",)]
    assert [q.id for q in await backend.outbox.pending()] == []


async def test_a_copy_found_on_screen_is_adopted_once_and_redrawn(backend: Backend) -> None:
    request = await backend.request()
    assert await backend.cards.adopt(request, GROUP, 40, NOW)
    assert not await backend.cards.adopt(request, GROUP, 40, NOW)  # known now: no second redraw
    assert await backend.cards.of(request) == [(GROUP, 40)]
    assert await backend.queued() == [(GROUP, "edit_card", None, request, 40)]


async def test_the_highest_message_id_counts_cards_and_queued_edits(backend: Backend) -> None:
    assert await backend.cards.highest_message_id() == 0
    request = await backend.request()
    await backend.cards.add(request, GROUP, 9)
    assert await backend.cards.highest_message_id() == 9
    await backend.outbox.add([Outgoing(201, kind="edit_card", request_id=request, edit_message_id=30)], NOW)
    assert await backend.cards.highest_message_id() == 30
