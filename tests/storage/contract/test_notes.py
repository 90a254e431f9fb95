"""The notes store's contract, on every backend: append-only notes, each redrawing every copy of its card."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from approvals.models import Note
from tests.storage.contract.conftest import Backend

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
SUPERGROUP = -1001234567890


def note(request_id: int, text: str, minutes: int = 0, author_id: int = 201) -> Note:
    return Note(
        request_id=request_id, author_id=author_id, author_name="张审", at=NOW + timedelta(minutes=minutes), text=text
    )


async def test_each_note_redraws_every_copy_of_its_card_in_the_order_they_were_posted(backend: Backend) -> None:
    request, other = await backend.request(), await backend.request()
    await backend.add_card(request, SUPERGROUP, 5)
    await backend.add_card(request, 201, 9)
    await backend.add_card(other, SUPERGROUP, 6)
    assert await backend.notes.add(note(request, "已电话联系建设单位")) == 1
    assert await backend.notes.add(note(request, "现场踏勘定于周四", 1)) == 2
    edits = [(SUPERGROUP, "edit_card", None, request, 5), (201, "edit_card", None, request, 9)]
    assert await backend.queued() == edits * 2
    assert await backend.notes.count(request) == 2
    assert await backend.notes.count(other) == 0


async def test_a_note_on_a_request_without_a_card_queues_nothing(backend: Backend) -> None:
    request = await backend.request()
    assert await backend.notes.add(note(request, "无卡片")) == 1
    assert await backend.queued() == []


async def test_the_latest_notes_come_oldest_first_with_their_authors_and_times(backend: Backend) -> None:
    request, other = await backend.request(), await backend.request()
    shanghai = ZoneInfo("Asia/Shanghai")
    for n in range(5):
        await backend.notes.add(note(request, f"第{n}条", n, author_id=SUPERGROUP if n == 4 else 201))
    await backend.notes.add(
        Note(request_id=other, author_id=202, at=datetime(2026, 12, 1, 9, 30, 0, 123456, tzinfo=shanghai), text="别的")
    )
    latest = await backend.notes.of(request, limit=3)
    assert [n.text for n in latest] == ["第2条", "第3条", "第4条"]
    assert latest[-1] == note(request, "第4条", 4, author_id=SUPERGROUP)
    (elsewhere,) = await backend.notes.of(other, limit=10)
    assert (elsewhere.author_name, elsewhere.at) == ("", datetime(2026, 12, 1, 1, 30, 0, 123456, tzinfo=UTC))
    assert await backend.notes.of(await backend.request(), limit=10) == []


async def test_a_note_is_kept_only_with_the_redraws_of_its_card(backend: Backend) -> None:
    request = await backend.request()
    await backend.add_card(request, SUPERGROUP, 5)
    async with backend.refusing_messages_to(SUPERGROUP):
        with pytest.raises(backend.fault):
            await backend.notes.add(note(request, "写不进去"))
    assert await backend.notes.count(request) == 0
    assert await backend.queued() == []


async def test_notes_are_append_only(backend: Backend) -> None:
    request = await backend.request()
    await backend.notes.add(note(request, "原文"))
    assert await backend.rows("SELECT text FROM notes") == [("原文",)]
    with pytest.raises(Exception, match="append-only"):
        await backend.rows("UPDATE notes SET text = '改过' RETURNING text")
    with pytest.raises(Exception, match="append-only"):
        await backend.rows("DELETE FROM notes RETURNING text")
    assert await backend.rows("SELECT text FROM notes") == [("原文",)]
