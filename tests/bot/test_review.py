"""Reviewers decide in the chat: cards, reasons, approval numbers, races, and what applicants hear."""

import asyncio

from approvals.models import Status
from tests.bot.conftest import Harness
from tests.bot.flows import card_in_group, pdf, steps, submit


def buttons(message: dict) -> list[str]:
    return [b["text"] for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]


async def test_claim_ask_for_material_resubmit_and_approve_with_a_number(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant)
    card = await card_in_group(h, number)

    query = await h.reviewer.press(card, "领取")
    assert (await h.reviewer.answer(query))["text"] == "已领取，由您办理。"
    card = await h.reviewer.expect("🔒 张审 办理中", chat=h.group)
    assert "退回队列" in buttons(card)

    mark = h.reviewer.last_id(h.group)
    await h.reviewer.answer(await h.reviewer.press(card, "要求补正"))
    prompt = await h.reviewer.expect("请回复本消息填写", chat=h.group, after=mark)
    await h.reviewer.send("请补充噪声影响评价 <附表3>", chat=h.group, reply_to=prompt)
    await h.reviewer.expect("待补正", chat=h.group, after=mark)
    card = await h.reviewer.expect("📎 张审 要求补正：请补充噪声影响评价 <附表3>", chat=h.group)
    assert buttons(card) == ["📎 材料"]  # no step left to take here; the documents can still be read

    news = await h.applicant.expect("需要补正材料")
    assert "请补充噪声影响评价 <附表3>" in news["text"]  # shown as text: escaped in the HTML sent
    assert "&lt;附表3&gt;" in h.api.world.messages[(h.applicant.id, news["message_id"])]["html"]
    assert (await h.repos.requests.get(number)).status is Status.NEEDS_INFO

    h.clock.set_local(2026, 12, 2)  # two working days pass while the applicant works
    mark = h.applicant.last_id()
    await h.applicant.answer(await h.applicant.press(news, "补正材料"))
    await h.applicant.expect("请以文字发送说明", after=mark)
    await h.applicant.send("已补充噪声评价")
    mark = h.applicant.last_id()
    await h.applicant.send_document("noise.pdf", pdf("noise.pdf"))
    received = await h.applicant.expect("已收到 noise.pdf", after=mark)
    mark = h.applicant.last_id()
    await h.applicant.answer(await h.applicant.press(received, "提交补正材料"))
    back = await h.applicant.expect("已重新提交", after=mark)
    assert "2026-12-16" in back["text"]  # the promise moved by the two paused working days

    fresh = await h.reviewer.expect("已补正", chat=h.group, after=card["message_id"])
    stored = await h.repos.requests.get(number)
    assert stored.status is Status.RESUBMITTED
    assert [a.name for a in stored.attachments] == ["eia.pdf", "noise.pdf"]

    mark = h.reviewer_2.last_id(h.group)
    await h.reviewer_2.answer(await h.reviewer_2.press(fresh, "批准"))
    prompt = await h.reviewer_2.expect("next approval number", chat=h.group, after=mark)  # issued, not typed
    assert buttons(prompt) == ["Approve and issue the number", "Cancel"]
    assert (await h.reviewer_2.answer(await h.reviewer_2.press(prompt, "Approve and issue the number")))["text"] == (
        "Approved."
    )
    await h.reviewer_2.expect("approved: approval number 区环审〔2026〕1号", chat=h.group, after=mark)
    card = await h.reviewer.expect("✅ Bob 于 2026-12-02 批准，批复文号 区环审〔2026〕1号", chat=h.group)
    assert buttons(card) == ["📎 材料"]  # no step left to take here; the documents can still be read
    done = await h.applicant.expect("已批复")
    assert "区环审〔2026〕1号" in done["text"]  # the applicant is told the number issued
    assert [(n.seq, n.request_id) for n in await h.repos.numbers.issued(2026)] == [(1, number)]
    history = await steps(h, number)
    assert [e.action for e in history] == [
        "submit",
        "accept",
        "claim",
        "request_info",
        "resubmit",
        "propose_approval",  # its notice taken as run (tests/conftest.py notice_served)
        "approve",
    ]
    assert history[-1].actor_name == "Bob"


async def test_two_reviewers_racing_get_one_decision_and_already_decided(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant)
    card = await card_in_group(h, number)
    prompts = []
    for reviewer in (h.reviewer, h.reviewer_2):
        mark = reviewer.last_id(h.group)
        await reviewer.answer(await reviewer.press(card, "批准"))
        prompts.append(await reviewer.expect(f"#{number}", chat=h.group, after=mark))
    queries = await asyncio.gather(
        h.reviewer.press(prompts[0], "批准并编发文号"), h.reviewer_2.press(prompts[1], "Approve and issue the number")
    )
    answers = [await h.reviewer.answer(queries[0]), await h.reviewer_2.answer(queries[1])]
    texts = sorted(a["text"] for a in answers)
    assert any(text in ("已批准。", "Approved.") for text in texts)
    # the loser is told who decided, or — when its proposal met the winner's (tests/conftest.py notice_served) —
    # who holds the request in notice
    told = ("已由", "Already approved by", "Bob 正在办理", "张审 is working on")
    assert any(text.startswith(told) for text in texts), texts
    history = await steps(h, number)
    assert [e.action for e in history].count("approve") == 1
    assert [n.seq for n in await h.repos.numbers.issued(2026)] == [1]  # the loser took no number
    # a double press on the stale card is answered, not decided again (its data: the card may be redrawn already)
    late = await h.reviewer.press_data(card, f"rv:a:{number}")
    assert "已由" in (await h.reviewer.answer(late))["text"]


async def test_non_reviewers_get_an_alert_and_nothing_changes(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant)
    card = await card_in_group(h, number)
    for label in ("批准", "领取", "不予批准"):
        answer = await h.stranger.answer(await h.stranger.press(card, label))
        assert answer["show_alert"] is True
        assert "not allowed" in answer["text"]
    stored = await h.repos.requests.get(number)
    assert (stored.status, stored.version) == (Status.SUBMITTED, 2)  # as accepted (受理) on receipt
    await h.stranger.send("/queue")
    await h.stranger.expect("You are not allowed to do that.")


async def test_forged_and_stale_callback_data_get_an_answer(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant)
    card = await card_in_group(h, number)
    for data in ("rv:a:999999", "rv:zz:1", "garbage", "fm:s", f"wd:{number}:1"):
        answer = await h.reviewer.answer(await h.reviewer.press_data(card, data))
        assert answer["text"]
    assert (await h.repos.requests.get(number)).status is Status.SUBMITTED  # the forged withdraw did nothing


async def test_reject_needs_a_reason_and_tells_the_applicant(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant)
    card = await card_in_group(h, number)
    mark = h.reviewer_2.last_id(h.group)
    await h.reviewer_2.answer(await h.reviewer_2.press(card, "不予批准"))
    prompt = await h.reviewer_2.expect("reason", chat=h.group, after=mark)
    mark = h.reviewer_2.last_id(h.group)
    await h.reviewer_2.send("x", chat=h.group, reply_to=prompt)
    await h.reviewer_2.expect("Too short", chat=h.group, after=mark)
    mark = h.reviewer_2.last_id(h.group)
    await h.reviewer_2.send("Inside the water source protection zone", chat=h.group, reply_to=prompt)
    question = await h.reviewer_2.expect(f"Reject #{number}", chat=h.group, after=mark)
    await h.reviewer_2.answer(await h.reviewer_2.press(question, "Yes"))
    await h.reviewer.expect("❌ Bob 不予批准", chat=h.group)
    told = await h.applicant.expect("不予批准")
    assert "Inside the water source protection zone" in told["text"]


async def test_queue_next_and_stats(harness: Harness) -> None:
    h = harness
    numbers = [await submit(h.applicant, answers={"project_name": f"项目{n:02}"}) for n in range(12)]
    await h.reviewer.send("/queue")
    page = await h.reviewer.expect("待办队列")
    assert "共 12 件 · 第 1/2 页" in page["text"]
    mark = h.reviewer.last_id()
    await h.reviewer.answer(await h.reviewer.press(page, "下一页"))
    await h.reviewer.expect("第 2/2 页", after=mark - 1)
    mark = h.reviewer.last_id()
    await h.reviewer.send("/next")
    mine = await h.reviewer.expect("🔒 张审 办理中", after=mark)
    assert f"#{numbers[0]} " in mine["text"]  # same lane and deadline: the earliest submission first
    await h.reviewer_2.send("/stats")
    stats = await h.reviewer_2.expect("Green channel · 2026-11-30")
    assert "Backlog: 12" in stats["text"]


async def test_an_answered_prompt_loses_its_buttons_and_a_stale_press_cancels_nothing(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant)
    card = await card_in_group(h, number)
    mark = h.reviewer.last_id(h.group)
    await h.reviewer.answer(await h.reviewer.press(card, "要求补正"))
    prompt = await h.reviewer.expect("请回复本消息填写", chat=h.group, after=mark)
    assert buttons(prompt) == ["取消"]
    shown = dict(prompt)  # as the reviewer's client still shows it (the world's copy is edited in place)
    await h.reviewer.send("请补充噪声影响评价", chat=h.group, reply_to=prompt)
    await h.reviewer.expect("当前状态为", chat=h.group, after=mark)
    await h.api.world.wait_until(lambda: not buttons(h.api.world.messages[(h.group["id"], prompt["message_id"])]))
    # the copy the reviewer's client still shows, pressed late: told the truth, nothing claims to be cancelled
    answer = await h.reviewer.answer(await h.reviewer.press(shown, "取消"))
    assert answer["text"] == "此提示已答复或已过期。"
    assert "请回复本消息填写" in h.api.world.messages[(h.group["id"], prompt["message_id"])]["text"]

    # the approval prompt: answered (the number issued), then its stale buttons pressed again
    other = await submit(h.applicant, answers={"project_name": "第二个项目"})
    card = await card_in_group(h, other)
    mark = h.reviewer.last_id(h.group)
    await h.reviewer.answer(await h.reviewer.press(card, "批准"))
    prompt = await h.reviewer.expect("批复文号", chat=h.group, after=mark)
    shown = dict(prompt)
    await h.reviewer.answer(await h.reviewer.press(prompt, "批准并编发文号"))
    await h.reviewer.expect(f"#{other} 已批准，批复文号 区环审〔2026〕1号", chat=h.group, after=mark)
    await h.api.world.wait_until(lambda: not buttons(h.api.world.messages[(h.group["id"], prompt["message_id"])]))
    answer = await h.reviewer.answer(await h.reviewer.press(shown, "批准并编发文号"))
    assert answer["text"] == "已由 张审 办理，当前状态：已批复。"  # decided, and by whom: nothing approved again
    answer = await h.reviewer.answer(await h.reviewer.press(shown, "取消"))
    assert answer["text"] == "此提示已答复或已过期。"


async def test_a_typed_number_prompt_answered_loses_its_buttons_and_its_stale_cancel_cancels_nothing(
    harness: Harness,
) -> None:
    h = harness
    await h.typed_numbers()
    other = await submit(h.applicant, answers={"project_name": "第二个项目"})
    card = await card_in_group(h, other)
    mark = h.reviewer.last_id(h.group)
    await h.reviewer.answer(await h.reviewer.press(card, "批准"))
    prompt = await h.reviewer.expect("批复文号", chat=h.group, after=mark)
    shown = dict(prompt)
    await h.reviewer.send("区环审〔2026〕12号", chat=h.group, reply_to=prompt)
    await h.reviewer.expect("当前状态为", chat=h.group, after=mark)
    await h.api.world.wait_until(lambda: not buttons(h.api.world.messages[(h.group["id"], prompt["message_id"])]))
    answer = await h.reviewer.answer(await h.reviewer.press(shown, "批准（暂无文号）"))
    assert answer["text"] == "已由 张审 办理，当前状态：已批复。"  # decided, and by whom: nothing approved again
    answer = await h.reviewer.answer(await h.reviewer.press(shown, "取消"))
    assert answer["text"] == "此提示已答复或已过期。"


async def test_cancel_on_an_older_prompt_leaves_the_open_one_open(harness: Harness) -> None:
    h = harness
    first = await submit(h.applicant)
    second = await submit(h.applicant, answers={"project_name": "第二个项目"})
    prompts = []
    for number in (first, second):
        card = await card_in_group(h, number)
        mark = h.reviewer.last_id(h.group)
        await h.reviewer.answer(await h.reviewer.press(card, "要求补正"))
        prompts.append(dict(await h.reviewer.expect(f"#{number} 的理由", chat=h.group, after=mark)))
    answer = await h.reviewer.answer(await h.reviewer.press(prompts[0], "取消"))
    assert answer["text"] == "此提示已答复或已过期。"
    mark = h.reviewer.last_id(h.group)
    await h.reviewer.send("请补充噪声影响评价", chat=h.group, reply_to=prompts[1])  # the open one still takes it
    await h.reviewer.expect(f"#{second} 当前状态为", chat=h.group, after=mark)
    answer = await h.reviewer.answer(await h.reviewer.press(prompts[1], "取消"))
    assert answer["text"] == "此提示已答复或已过期。"


async def test_approve_without_a_number_on_a_superseded_prompt_approves_nothing(harness: Harness) -> None:
    h = harness
    first = await submit(h.applicant)
    second = await submit(h.applicant, answers={"project_name": "第二个项目"})
    card = await card_in_group(h, first)
    mark = h.reviewer.last_id(h.group)
    await h.reviewer.answer(await h.reviewer.press(card, "批准"))
    old = dict(await h.reviewer.expect(f"#{first}", chat=h.group, after=mark))
    card = await card_in_group(h, second)
    mark = h.reviewer.last_id(h.group)
    await h.reviewer.answer(await h.reviewer.press(card, "要求补正"))
    prompt = await h.reviewer.expect(f"#{second} 的理由", chat=h.group, after=mark)
    answer = await h.reviewer.answer(await h.reviewer.press(old, "批准并编发文号"))
    assert answer["text"] == "此提示已答复或已过期。"
    assert (await h.repos.requests.get(first)).status is Status.SUBMITTED
    mark = h.reviewer.last_id(h.group)
    await h.reviewer.send("请补充噪声影响评价", chat=h.group, reply_to=prompt)  # the open prompt is still open
    await h.reviewer.expect(f"#{second} 当前状态为", chat=h.group, after=mark)
