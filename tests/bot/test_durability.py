"""What the user is shown is stored first; a failed commit leaves the form where the database has it."""

from __future__ import annotations

import sqlite3
from asyncio import Future
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pytest

from localbotapi.world import Call
from storage.inbox import SqliteInbox
from tests.bot.conftest import GROUP_ID, Harness
from tests.bot.flows import card_in_group, submit


def committed_state(h: Harness, chat_id: int, user_id: int) -> Any:
    """The form state another connection sees: only what is committed."""
    with sqlite3.connect(f"file:{h.settings.database_path}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT key, state FROM fsm").fetchall()
    return next((state for key, state in rows if f":{chat_id}:{user_id}:" in key), None)


def inbox_empty(h: Harness) -> bool:
    with sqlite3.connect(f"file:{h.settings.database_path}?mode=ro", uri=True) as conn:
        return bool(conn.execute("SELECT count(*) FROM inbox").fetchone()[0] == 0)


async def test_cancelled_is_shown_only_once_the_cleared_prompt_is_stored(harness: Harness) -> None:
    """A reviewer presses Reject, then Cancel: if "Cancelled." could be shown before the cleared state was
    committed, a crash would leave the prompt open and the reviewer's next line in the group would become the
    rejection reason."""
    h = harness
    number = await submit(h.applicant)
    card = await card_in_group(h, number)
    mark = h.reviewer.last_id(h.group)
    await h.reviewer.answer(await h.reviewer.press(card, "不予批准"))
    prompt = await h.reviewer.expect(f"#{number}", chat=h.group, after=mark)
    assert committed_state(h, GROUP_ID, h.reviewer.id) is not None  # the prompt is open, and stored
    at_toast: list[Any] = []

    def on_arrival(call: Call) -> None:
        if call.method == "answerCallbackQuery" and call.params.get("text") == "已取消。":
            at_toast.append(committed_state(h, GROUP_ID, h.reviewer.id))

    h.api.world.arrivals.append(on_arrival)
    await h.reviewer.answer(await h.reviewer.press(prompt, "取消"))
    assert at_toast == [None]  # when the toast left the bot, the cleared state was already committed


async def test_an_answer_that_could_not_be_stored_is_asked_again_not_taken_for_the_next_one(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process takes the write lock just after the answer was fetched and holds it past the busy timeout:
    the answer fails ("nothing was changed"), and the same answer sent again is the project name still — not the
    organisation."""
    monkeypatch.setattr("storage.database.BUSY_TIMEOUT_MS", 300)
    h = harness
    mark = h.applicant.last_id()
    await h.applicant.send("/submit")
    await h.applicant.expect("第一步", after=mark)
    other = sqlite3.connect(h.settings.database_path, isolation_level=None)
    store = SqliteInbox.store_ahead

    def store_then_lock(inbox: SqliteInbox, updates: Sequence[tuple[int, str]], now: datetime) -> Future[None]:
        stored = store(inbox, updates, now)
        if any("城东污水处理厂扩建" in payload for _, payload in updates) and not other.in_transaction:
            other.execute("BEGIN IMMEDIATE")  # its handler will find the database locked
        return stored

    monkeypatch.setattr(SqliteInbox, "store_ahead", store_then_lock)
    try:
        mark = h.applicant.last_id()
        await h.applicant.send("城东污水处理厂扩建")
        await h.applicant.expect("未作任何更改", after=mark)
    finally:
        monkeypatch.setattr(SqliteInbox, "store_ahead", store)
        if other.in_transaction:
            other.execute("ROLLBACK")
        other.close()
    mark = h.applicant.last_id()
    await h.applicant.send("城东污水处理厂扩建")
    question = await h.applicant.expect("？", after=mark)
    assert "建设单位" in question["text"]  # the organisation is asked next: the retry was the project name
    # and the failed update will not come back from the inbox at the next start
    assert await h.api.wait_until(lambda: inbox_empty(h), timeout=30, poll=0.1)
