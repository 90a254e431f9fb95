"""Chats the bot cannot reach, on every backend: a chat that blocked the bot until it writes again, and a group that
became a supergroup, whose waiting messages and cards follow it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from approvals.models import Note
from tests.storage.contract.conftest import Backend

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
GROUP = -4012345678
SUPERGROUP = -1004012345678


async def test_a_chat_that_blocked_the_bot_is_undeliverable_until_it_writes_again(backend: Backend) -> None:
    assert await backend.chats.undeliverable() == set()
    await backend.chats.mark_undeliverable(101, "Forbidden: bot was blocked by the user", NOW)
    await backend.chats.mark_undeliverable(SUPERGROUP, "Forbidden: bot was kicked", NOW)
    await backend.chats.mark_undeliverable(101, "Forbidden: " + "x" * 300, NOW + timedelta(hours=1))  # again
    assert await backend.chats.undeliverable() == {101, SUPERGROUP}
    assert await backend.rows("SELECT reason FROM undeliverable_chats WHERE chat_id = 101") == [
        ("Forbidden: " + "x" * 189,)  # the latest reason, cut short
    ]
    await backend.chats.deliverable_again(101)
    await backend.chats.deliverable_again(102)  # never blocked: nothing to do
    assert await backend.chats.undeliverable() == {SUPERGROUP}


async def test_a_group_that_became_a_supergroup_takes_its_waiting_messages_and_cards_along(backend: Backend) -> None:
    request = await backend.request()
    await backend.add_card(request, GROUP, 5)
    await backend.add_card(request, 201, 9)
    await backend.notes.add(Note(request_id=request, author_id=201, at=NOW, text="第一条"))
    await backend.rows("UPDATE outbox SET status = 'sent' WHERE chat_id = 201 RETURNING id")  # delivered
    await backend.chats.migrate(GROUP, SUPERGROUP)
    assert await backend.queued() == [(SUPERGROUP, "edit_card", None, request, 5)]
    assert await backend.rows(f"SELECT count(*) FROM outbox WHERE chat_id = {GROUP}") == [(0,)]
    await backend.notes.add(Note(request_id=request, author_id=201, at=NOW, text="第二条"))  # redraws where the card is
    assert await backend.queued() == [
        (SUPERGROUP, "edit_card", None, request, 5),
        (SUPERGROUP, "edit_card", None, request, 5),
        (201, "edit_card", None, request, 9),
    ]
    assert await backend.chats.current(GROUP) == SUPERGROUP
    assert await backend.chats.current(SUPERGROUP) == SUPERGROUP
    assert await backend.chats.current(101) == 101
    await backend.chats.migrate(GROUP, SUPERGROUP - 1)  # told again, of another id: the latest counts
    assert await backend.chats.current(GROUP) == SUPERGROUP - 1


async def test_messages_already_sent_to_the_old_chat_stay_as_they_were_sent(backend: Backend) -> None:
    request = await backend.request()
    await backend.add_card(request, GROUP, 5)
    await backend.notes.add(Note(request_id=request, author_id=201, at=NOW, text="已发出"))
    await backend.rows("UPDATE outbox SET status = 'sent' RETURNING id")
    await backend.chats.migrate(GROUP, SUPERGROUP)
    assert await backend.rows("SELECT chat_id, status FROM outbox WHERE kind = 'edit_card'") == [(GROUP, "sent")]
