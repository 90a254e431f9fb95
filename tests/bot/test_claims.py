"""Claims and oversight in the chat: the queue's pages and buttons, /claim and /release, removing a reviewer,
reassigning, revoking and correcting decisions, confirming a rejection, approval numbers' form, internal notes."""

from typing import Any

from approvals.models import Status
from tests.bot.conftest import ADMIN_ID, Harness
from tests.bot.flows import card_in_group, steps
from tests.bot.test_review import buttons
from tests.factories import APPLICANT, REVIEWER, make_draft


async def in_group(h: Harness) -> tuple[int, dict[str, Any]]:
    """A request submitted by the applicant (through the service: the form has its own tests) and its card."""
    request = await h.application.app.approvals.submit(APPLICANT, make_draft())
    return request.id, await card_in_group(h, request.id)


async def redrawn(h: Harness, card: dict[str, Any], check: Any) -> dict[str, Any]:
    """The card as it is once ``check(card)`` holds (cards are edited in place through the outbox)."""
    key = (card["chat"]["id"], card["message_id"])
    return await h.api.world.wait_until(lambda: check(h.api.world.messages[key]) and h.api.world.messages[key])  # type: ignore[no-any-return]


async def test_a_double_press_on_approve_gives_one_prompt(harness: Harness) -> None:
    h = harness
    number, card = await in_group(h)
    mark = h.reviewer.last_id(h.group)
    await h.reviewer.answer(await h.reviewer.press(card, "批准"))
    second = await h.reviewer.answer(await h.reviewer.press(card, "批准"))
    assert second["text"].startswith("已在上方提问")
    await h.reviewer.expect(f"批准 #{number}", chat=h.group, after=mark)
    await h.reviewer.send("/cancel", chat=h.group)  # handled after both presses: one update at a time per person
    await h.reviewer.expect("已取消", chat=h.group, after=mark)
    prompts = [m for m in h.reviewer.inbox(h.group) if m["message_id"] > mark and "下一个批复文号" in m.get("text", "")]
    assert len(prompts) == 1


async def test_where_the_bureau_issues_numbers_a_typed_one_is_refused_and_the_prompt_stays(harness: Harness) -> None:
    h = harness
    number, card = await in_group(h)
    mark = h.reviewer.last_id(h.group)
    await h.reviewer.answer(await h.reviewer.press(card, "批准"))
    prompt = await h.reviewer.expect("下一个批复文号", chat=h.group, after=mark)
    await h.reviewer.send("区环审〔2026〕99号", chat=h.group, reply_to=prompt)
    refused = await h.reviewer.expect("不能手工填写", chat=h.group, after=mark)
    assert "请按上方的“批准并编发文号”" in refused["text"]
    assert (await h.repos.requests.get(number)).status is Status.SUBMITTED
    assert await h.repos.numbers.issued(2026) == []
    assert (await h.reviewer.answer(await h.reviewer.press(prompt, "批准并编发文号")))["text"] == "已批准。"
    await h.reviewer.expect(f"✅ #{number} 已批准，批复文号 区环审〔2026〕1号。", chat=h.group, after=mark)
    await redrawn(h, card, lambda m: "批复文号 区环审〔2026〕1号" in m["text"])


async def test_an_approval_number_of_another_shape_is_asked_again_with_an_example(harness: Harness) -> None:
    h = harness
    await h.typed_numbers()
    number, card = await in_group(h)
    mark = h.reviewer.last_id(h.group)
    await h.reviewer.answer(await h.reviewer.press(card, "批准"))
    prompt = await h.reviewer.expect("批复文号", chat=h.group, after=mark)
    await h.reviewer.send("21号", chat=h.group, reply_to=prompt)
    again = await h.reviewer.expect("区环审〔2026〕21号", chat=h.group, after=mark)
    assert "这不像批复文号" in again["text"]
    assert (await h.repos.requests.get(number)).status is Status.SUBMITTED
    await h.reviewer.send("区环审（2026）7号", chat=h.group, reply_to=prompt)  # other brackets are fine
    await h.reviewer.expect("当前状态为“已批复”", chat=h.group, after=mark)
    await redrawn(h, card, lambda m: "批复文号 区环审（2026）7号" in m["text"])


async def test_reject_shows_the_reason_with_yes_or_no_and_no_changes_nothing(harness: Harness) -> None:
    h = harness
    number, card = await in_group(h)
    for answer in ("否", "是"):
        mark = h.reviewer.last_id(h.group)
        await h.reviewer.answer(await h.reviewer.press(card, "不予批准"))
        prompt = await h.reviewer.expect("理由", chat=h.group, after=mark)
        await h.reviewer.send("选址位于饮用水源保护区", chat=h.group, reply_to=prompt)
        question = await h.reviewer.expect(f"确定不予批准 #{number}", chat=h.group, after=mark)
        assert "选址位于饮用水源保护区" in question["text"] and buttons(question) == ["是", "否"]
        assert (await h.repos.requests.get(number)).status is Status.SUBMITTED  # nothing yet
        await h.reviewer.answer(await h.reviewer.press(question, answer))
        if answer == "否":
            await h.reviewer.expect("已取消", chat=h.group, after=mark)
            assert (await h.repos.requests.get(number)).status is Status.SUBMITTED
            assert not [m for m in h.applicant.inbox() if "不予批准" in (m.get("text") or "")]
    await redrawn(h, card, lambda m: "❌ 张审 不予批准：选址位于饮用水源保护区" in m["text"])
    await h.applicant.expect("不予批准")


async def test_queue_n_opens_page_n_where_each_request_is_opened_or_claimed_and_holders_are_named(
    harness: Harness,
) -> None:
    h = harness
    numbers = [
        (await h.application.app.approvals.submit(APPLICANT, make_draft(project_name=f"项目 {n}"))).id
        for n in range(12)
    ]
    mark = h.reviewer.last_id()
    await h.reviewer.send("/queue 2")
    page = await h.reviewer.expect("第 2/2 页", after=mark)
    assert f"#{numbers[10]}</b>" in h.api.world.messages[(h.reviewer.id, page["message_id"])]["html"]
    assert f"#{numbers[0]} " not in page["text"]
    assert {f"#{numbers[10]} 打开", f"#{numbers[11]} 领取", "◀ 上一页"} <= set(buttons(page))
    answer = await h.reviewer.answer(await h.reviewer.press(page, f"#{numbers[11]} 领取"))
    assert answer["text"] == "已领取，由您办理。"
    page = await redrawn(h, page, lambda m: "🔒 张审" in m["text"])  # the list is redrawn, naming the holder
    assert f"#{numbers[11]} 领取" not in buttons(page) and f"#{numbers[11]} 打开" in buttons(page)

    mark = h.reviewer_2.last_id()
    await h.reviewer_2.send("/queue 99")  # past the end: the last page
    theirs = await h.reviewer_2.expect("page 2/2", after=mark)
    assert "🔒 张审" in theirs["text"]
    mark = h.reviewer_2.last_id()
    opened = await h.reviewer_2.answer(await h.reviewer_2.press(theirs, f"#{numbers[10]} Open"))
    assert opened["text"] == "Shown below."  # pressed in the private chat: the card comes below
    card = await h.reviewer_2.expect(f"#{numbers[10]} ", after=mark)
    assert buttons(card)[:2] == ["Claim", "Approve"]  # in Bob's language, as everything else he is shown
    mark = h.reviewer_2.last_id()
    await h.reviewer_2.send(f"/claim {numbers[0]}")
    mine = await h.reviewer_2.expect("🔒 Claimed by Bob", after=mark)
    assert f"#{numbers[0]} " in mine["text"]
    assert (await h.repos.requests.get(numbers[0])).claimed_by == h.reviewer_2.id
    mark = h.reviewer.last_id()
    await h.reviewer.send("/queue ２")
    await h.reviewer.expect("请发送页码，例如 /queue 2", after=mark)


async def test_removing_a_reviewer_releases_their_claims_audited_with_the_group_card_redrawn(
    harness: Harness,
) -> None:
    h = harness
    number, card = await in_group(h)
    await h.reviewer.answer(await h.reviewer.press(card, "领取"))
    await redrawn(h, card, lambda m: "🔒 张审 办理中" in m["text"])
    mark = h.admin.last_id()
    await h.admin.send(f"/reviewers remove {h.reviewer.id}")
    reply = await h.admin.expect("已不再是审批人员", after=mark)
    assert f"退回队列：#{number}" in reply["text"]
    card = await redrawn(h, card, lambda m: "🔒" not in m["text"] and "领取" in buttons(m))
    stored = await h.repos.requests.get(number)
    assert (stored.status, stored.claimed_by) == (Status.SUBMITTED, None)
    last = (await steps(h, number))[-1]
    assert (last.action, last.actor_id, last.target_id, last.target_name) == ("force_release", ADMIN_ID, 201, "张审")


async def test_an_admin_releases_any_claim_from_their_private_chat(harness: Harness) -> None:
    h = harness
    number, card = await in_group(h)
    await h.reviewer.answer(await h.reviewer.press(card, "领取"))
    await redrawn(h, card, lambda m: "🔒 张审 办理中" in m["text"])
    mark = h.reviewer_2.last_id()
    await h.reviewer_2.send(f"/release {number}")
    await h.reviewer_2.expect("张审 is working on this request", after=mark)  # a colleague may not
    mark = h.admin.last_id()
    await h.admin.send(f"/release {number}")
    await h.admin.expect(f"#{number} 已退回队列", after=mark)
    await redrawn(h, card, lambda m: "领取" in buttons(m))
    assert (await steps(h, number))[-1].action == "force_release"


async def test_an_admin_hands_a_claim_to_another_reviewer_who_then_decides(harness: Harness) -> None:
    h = harness
    await h.reviewer_2.send("/start")  # Bob's name is known from his first message to the bot
    await h.reviewer_2.expect("Commands")
    number, card = await in_group(h)
    await h.reviewer.answer(await h.reviewer.press(card, "领取"))
    await redrawn(h, card, lambda m: "🔒 张审 办理中" in m["text"])
    mark = h.admin.last_id()
    await h.admin.send(f"/reassign {number}")
    choice = await h.admin.expect("转交给哪位审批人员", after=mark)
    assert buttons(choice) == ["Bob"]  # not the holder
    assert (await h.admin.answer(await h.admin.press(choice, "Bob")))["text"] == "已转交。"
    await h.admin.expect(f"#{number} 已转交 Bob 办理", after=mark)
    await redrawn(h, card, lambda m: "🔒 Bob 办理中" in m["text"])
    handed = await h.reviewer_2.expect(f"#{number} ")  # the card, in Bob's private chat
    refused = await h.reviewer.answer(await h.reviewer.press(card, "批准"))
    assert refused["show_alert"] and "Bob 正在办理" in refused["text"]
    mark = h.reviewer_2.last_id()
    await h.reviewer_2.answer(await h.reviewer_2.press(handed, "Approve"))
    prompt = await h.reviewer_2.expect("approval number", after=mark)
    await h.reviewer_2.answer(await h.reviewer_2.press(prompt, "Approve and issue the number"))
    await redrawn(h, card, lambda m: "✅ Bob 于" in m["text"])
    last = (await steps(h, number))[-3]  # then Bob's proposal (its notice taken as run) and approval
    assert (last.action, last.actor_id, last.target_id) == ("reassign", ADMIN_ID, h.reviewer_2.id)


async def test_an_admin_revokes_a_decision_with_a_confirmed_reason_and_the_applicant_is_told(
    harness: Harness,
) -> None:
    h = harness
    number, card = await in_group(h)
    await h.application.app.approvals.approve(REVIEWER, number)
    await redrawn(h, card, lambda m: "✅ 张审 于" in m["text"])
    await h.applicant.expect("已批复")
    mark = h.reviewer.last_id()
    await h.reviewer.send(f"/revoke {number}")
    await h.reviewer.expect("您无权进行此操作", after=mark)
    mark = h.admin.last_id()
    await h.admin.send(f"/revoke {number}")
    await h.admin.expect(f"撤销 #{number} 审批决定（已批复）的理由", after=mark)
    await h.admin.send("批复依据的规划已调整")
    question = await h.admin.expect(f"确定撤销 #{number}", after=mark)
    assert (await h.repos.requests.get(number)).status is Status.APPROVED  # not before Yes
    await h.admin.answer(await h.admin.press(question, "是"))
    await h.admin.expect("当前状态为“已受理”", after=mark)
    told = await h.applicant.expect("已撤销原审批决定")
    assert "批复依据的规划已调整" in told["text"]
    await redrawn(h, card, lambda m: "↩️ 局长 已撤销审批决定：批复依据的规划已调整" in m["text"])
    fresh = await h.reviewer.expect(f"#{number} ", chat=h.group, after=card["message_id"])  # back in the queue
    assert "领取" in buttons(fresh)
    last = (await steps(h, number))[-1]
    assert (last.action, last.actor_id, last.approval_number) == ("revoke", ADMIN_ID, "区环审〔2026〕1号")


async def test_an_admin_corrects_an_approval_number_in_the_bureaus_form_and_the_applicant_is_told(
    harness: Harness,
) -> None:
    h = harness
    await h.typed_numbers()
    number, card = await in_group(h)
    await h.application.app.approvals.approve(REVIEWER, number, "区环审〔2026〕12号")
    await h.applicant.expect("已批复")
    mark = h.admin.last_id()
    await h.admin.send(f"/correct {number}")
    await h.admin.expect("当前：区环审〔2026〕12号", after=mark)
    await h.admin.send("31")
    await h.admin.expect("请按此格式填写：区环审〔2026〕21号", after=mark)
    await h.admin.send("区环审〔2026〕31号")
    await h.admin.expect("请回复更正理由", after=mark)
    await h.admin.send("笔误：应为31号")
    await h.admin.expect("当前状态为“已批复”", after=mark)
    told = await h.applicant.expect("批复文号已更正为 区环审〔2026〕31号")
    assert "笔误：应为31号" in told["text"]
    await redrawn(h, card, lambda m: "✅ 张审 于 2026-11-30 批准，批复文号 区环审〔2026〕31号" in m["text"])


async def test_internal_notes_are_counted_on_the_card_and_read_in_full_by_reviewers_in_private(
    harness: Harness,
) -> None:
    h = harness
    number, card = await in_group(h)
    mark = h.reviewer.last_id(h.group)
    await h.reviewer.send(f"/note {number} 已电话联系建设单位，补充图件周四到", chat=h.group)
    await h.reviewer.expect("现有内部备注 1 条", chat=h.group, after=mark)
    await redrawn(h, card, lambda m: f"📝 内部备注 1 条：/notes {number}" in m["text"])
    mark = h.reviewer_2.last_id()
    await h.reviewer_2.send(f"/note {number}\n<b>Site visit</b> on Thursday")
    await h.reviewer_2.expect("it has 2 internal notes", after=mark)
    await redrawn(h, card, lambda m: "📝 内部备注 2 条" in m["text"])
    mark = h.reviewer.last_id(h.group)
    await h.reviewer.send(f"/notes {number}", chat=h.group)
    await h.reviewer.expect("请在与机器人的私聊中查看", chat=h.group, after=mark)
    assert "补充图件" not in h.reviewer.inbox(h.group)[-1]["text"]
    mark = h.reviewer.last_id()
    await h.reviewer.send(f"/notes {number}")
    notes = await h.reviewer.expect(f"#{number} 的内部备注", after=mark)
    assert "已电话联系建设单位，补充图件周四到" in notes["text"] and "<b>Site visit</b> on Thursday" in notes["text"]
    mark = h.applicant.last_id()
    await h.applicant.send(f"/status {number}")
    status = await h.applicant.expect("办理记录", after=mark)
    seen = " ".join(m.get("text") or "" for m in h.applicant.inbox())
    assert "内部备注" not in seen and "补充图件" not in seen and "Site visit" not in seen, status
    await h.applicant.send(f"/notes {number}")
    await h.applicant.expect("您无权进行此操作", after=mark)
