"""Everyone reads the bot in their language: private messages in the recipient's, group cards in GROUP_LOCALE."""

from __future__ import annotations

from typing import Any

from approvals.models import Actor, Role
from jobs.summary import send_daily_summary
from tests.bot.conftest import Harness
from tests.bot.flows import card_in_group
from tests.factories import make_draft

APPLICANT = Actor(user_id=101, name="王工")
ZHANG = Actor(user_id=201, name="张审", roles=frozenset({Role.REVIEWER}))


def buttons(message: dict[str, Any]) -> list[str]:
    return [b["text"] for row in message["reply_markup"]["inline_keyboard"] for b in row]


async def test_an_english_reviewers_next_card_is_in_english(harness: Harness) -> None:
    h = harness
    number = (await h.application.app.approvals.submit(APPLICANT, make_draft())).id
    await card_in_group(h, number)  # the group reads Chinese (GROUP_LOCALE's default)
    mark = h.reviewer_2.last_id()
    await h.reviewer_2.send("/next")  # Bob never sent /start: his Telegram app is in English all the same
    card = await h.reviewer_2.expect(f"#{number} ", after=mark)
    assert "Claimed by Bob" in card["text"] and "Organisation:" in card["text"]
    assert buttons(card)[:2] == ["Release", "Approve"]


async def test_a_card_handed_to_an_english_reviewer_later_is_in_english_and_redrawn_in_english(
    harness: Harness,
) -> None:
    h = harness
    mark = h.reviewer_2.last_id()
    await h.reviewer_2.send("/queue")  # the one message Bob ever sent: his app's language is remembered
    await h.reviewer_2.expect("Queue · 0 open", after=mark)
    number = (await h.application.app.approvals.submit(APPLICANT, make_draft())).id
    await card_in_group(h, number)
    await h.application.app.approvals.claim(ZHANG, number)
    mark = h.admin.last_id()
    await h.admin.send(f"/reassign {number} {h.reviewer_2.id}")
    await h.admin.expect("已转交 Bob 办理", after=mark)
    handed = await h.reviewer_2.expect(f"#{number} ")  # sent from the outbox, not in answer to Bob
    assert "Claimed by Bob" in handed["text"]
    await h.admin.send(f"/release {number}")
    key = (h.reviewer_2.id, handed["message_id"])
    redrawn = await h.api.wait_until(
        lambda: "Claim" in buttons(h.api.world.messages[key]) and h.api.world.messages[key]
    )
    assert "Accepted" in redrawn["text"]  # the redraw speaks Bob's language too


async def test_group_cards_and_the_daily_summary_follow_group_locale(harness: Harness) -> None:
    h = harness
    await h.stop()
    h.settings = h.settings.model_copy(update={"group_locale": "en"})
    await h.start()
    number = (await h.application.app.approvals.submit(APPLICANT, make_draft())).id
    card = await h.reviewer.expect(f"#{number} ", chat=h.group)
    assert buttons(card)[:2] == ["Claim", "Approve"]
    await h.reviewer.answer(await h.reviewer.press(card, "Claim"))  # 张审 reads Chinese; the group does not
    key = (h.group["id"], card["message_id"])
    claimed = await h.api.wait_until(lambda: "Claimed by 张审" in h.api.world.messages[key]["text"])
    assert claimed
    assert "正在" not in h.api.world.messages[key]["text"]
    app = h.application.app
    assert await send_daily_summary(app, app.approvals.today(), h.clock.now())
    await h.reviewer.expect("projects approved so far", chat=h.group)


async def test_a_private_chat_with_no_known_language_gets_the_default_and_a_group_never_a_persons(
    harness: Harness,
) -> None:
    app = harness.application.app
    assert await app.locale_for_chat(424242) == "zh_CN"  # never wrote: the bureau's default
    assert await app.locale_for_chat(harness.group["id"]) == "zh_CN"
