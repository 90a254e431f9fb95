"""Every copy of a request's card follows the request: recorded with its sent mark, adopted if a crash lost it."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from storage.outbox import Outgoing
from tests.bot.conftest import GROUP_ID, Harness
from tests.bot.flows import card_in_group, submit


def buttons(message: dict[str, Any]) -> list[str]:
    return [b["text"] for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]


async def test_a_card_sent_but_never_recorded_is_adopted_when_pressed_and_then_follows_every_change(
    harness: Harness,
) -> None:
    """Killed between Telegram's answer and the commit, a card is on screen but unknown; its first press records
    it and redraws it, and from then on the decision redraws it too — no live buttons on a decided request."""
    h = harness
    number = await submit(h.applicant)
    card = await card_in_group(h, number)
    async with h.db.transaction() as conn:  # what the crash leaves: the message exists, the record does not
        await conn.execute("DELETE FROM cards WHERE request_id = ?", (number,))
    assert await h.repos.cards.of(number) == []

    await h.reviewer.answer(await h.reviewer.press(card, "领取"))
    assert await h.repos.cards.of(number) == [(GROUP_ID, card["message_id"])]  # adopted
    await h.api.wait_until(lambda: "退回队列" in buttons(card))  # and redrawn to the claim
    mark = h.reviewer.last_id(h.group)
    await h.reviewer.answer(await h.reviewer.press(card, "批准"))
    prompt = await h.reviewer.expect(f"#{number}", chat=h.group, after=mark)
    await h.reviewer.answer(await h.reviewer.press(prompt, "批准并编发文号"))
    await h.api.wait_until(lambda: "批准" not in buttons(card) and "领取" not in buttons(card))


async def test_a_message_that_is_not_a_card_is_never_taken_for_one(harness: Harness) -> None:
    """The marker is the card's own Reject button for that request: a prompt or a list with review buttons is not
    recorded as a card copy (it would be overwritten with the card)."""
    h = harness
    number = await submit(h.applicant)
    card = await card_in_group(h, number)
    mark = h.reviewer.last_id(h.group)
    await h.reviewer.answer(await h.reviewer.press(card, "批准"))
    prompt = await h.reviewer.expect(f"#{number}", chat=h.group, after=mark)
    await h.reviewer.answer(await h.reviewer.press_data(prompt, f"rv:c:{number}"))  # card data on a prompt
    assert await h.repos.cards.of(number) == [(GROUP_ID, card["message_id"])]


async def test_a_posted_card_and_its_sent_mark_are_stored_together_or_not_at_all(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The card's message id and its outbox row's sent mark are one commit: a crash can no longer keep the mark
    and lose the id (the card posted again, the first copy unknown)."""
    h = harness
    number = await submit(h.applicant)
    await card_in_group(h, number)
    await h.application.jobs.sender.stop()  # the test sends the next card itself
    await h.repos.outbox.add([Outgoing(h.reviewer.id, kind="card", request_id=number)], h.clock.now())
    (row,) = [r for r in await h.repos.outbox.pending() if r.message.kind == "card"]
    async with h.db.transaction() as conn:  # the commit that would record the card fails
        await conn.execute(
            "CREATE TRIGGER refuse_sent BEFORE UPDATE OF status ON outbox WHEN new.id = "
            f"{row.id} BEGIN SELECT RAISE(ABORT, 'injected fault'); END"
        )
    try:
        with pytest.raises(sqlite3.IntegrityError):
            await h.application.jobs.sender.flush()
    finally:
        async with h.db.transaction() as conn:
            await conn.execute("DROP TRIGGER refuse_sent")
    with sqlite3.connect(f"file:{h.settings.database_path}?mode=ro", uri=True) as conn:
        status = conn.execute("SELECT status FROM outbox WHERE id = ?", (row.id,)).fetchone()[0]
        recorded = conn.execute("SELECT count(*) FROM cards WHERE chat_id = ?", (h.reviewer.id,)).fetchone()[0]
    assert (status, recorded) == ("pending", 0)  # neither half without the other


async def test_a_redraw_that_changes_nothing_is_not_sent_and_one_that_does_is(harness: Harness) -> None:
    """A card drawn after a quick second step already shows it; that step's redraw would be refused by Telegram
    ("message is not modified"), so it is not sent at all."""
    h = harness
    number = await submit(h.applicant)
    card = await card_in_group(h, number)
    sender = h.application.jobs.sender

    def edits() -> int:
        return len([c for c in h.api.calls("editMessageText") if c.params.get("message_id") == card["message_id"]])

    await sender.flush()  # waits for a pass in progress: every redraw queued so far is out
    before = edits()
    await h.repos.outbox.add(
        [Outgoing(GROUP_ID, kind="edit_card", request_id=number, edit_message_id=card["message_id"])], h.clock.now()
    )
    await sender.flush()
    assert await h.repos.outbox.pending() == [] and edits() == before  # handled, and not sent
    await h.reviewer.answer(await h.reviewer.press(card, "领取"))
    await h.api.wait_until(lambda: "退回队列" in buttons(card))
    assert edits() == before + 1
    assert [c.error for c in h.api.calls() if c.error] == []
