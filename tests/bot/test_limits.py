"""No text breaks a message: long fields are shortened with the rest one press away, an overlong message goes out
short rather than not at all, and the local server counts length as Telegram does (UTF-16 units, after parsing)."""

from typing import Any

from approvals.models import Status
from tests.bot.conftest import Harness
from tests.bot.flows import card_in_group, fill_form, pdf, steps, submit
from tests.factories import APPLICANT, REVIEWER

# Fields as long as the form takes them; the description of a factory, with the emoji applicants put in
STOP = "⏸ 中止计时（第四十五条）"  # excluded time (art. 45), on every card of a request with the bureau
DESCRIPTION = ("🏭🌊本项目新建日处理4万吨污水处理设施，配套管网与中水回用工程；" * 70)[:2000]
LONG_ANSWERS = {
    "project_name": ("城东污水处理厂扩建及配套管网工程" * 7)[:100],
    "organisation": ("区水务集团有限公司" * 12)[:100],
    "location": ("城东街道滨江路以东、纬三路以南地块" * 12)[:200],
    "description": DESCRIPTION,
}
SIX_LONG_NAMES = tuple((f"{n}-" + "环境影响报告表附件及专家评审意见" * 16)[:251] + ".pdf" for n in range(6))
REASON = ("请补充施工期噪声、扬尘及夜间施工对周边居民影响的预测与防治措施，并附监测点位图；" * 30)[:1000]


def buttons(message: dict[str, Any]) -> list[str]:
    return [b["text"] for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]


def joined(messages: list[dict[str, Any]]) -> str:
    """The text of continuation messages as one string (a field split across messages joins up again)."""
    return "".join("".join(m.get("text", "").split("\n")) for m in messages)


def since(messages: list[dict[str, Any]], mark: int) -> list[dict[str, Any]]:
    return [m for m in messages if m["message_id"] > mark]


def refused(h: Harness) -> list[Any]:
    return [c.error for c in h.api.calls() if c.error and c.error["error_code"] == 400]


async def test_a_2000_character_description_and_six_long_file_names_reach_the_confirmation_and_the_card(
    harness: Harness,
) -> None:
    h = harness
    screen = await fill_form(h.applicant, answers=LONG_ANSWERS, files=SIX_LONG_NAMES)
    assert "…" in screen["text"] and "详情" in buttons(screen)  # shortened, and the rest one press away
    mark = h.applicant.last_id()
    await h.applicant.answer(await h.applicant.press(screen, "详情"))
    again = await h.applicant.expect("请核对", after=mark)  # the screen again, below the answers in full
    full = joined([m for m in since(h.applicant.inbox(), mark) if m["message_id"] < again["message_id"]])
    assert DESCRIPTION in full and all(name in full for name in SIX_LONG_NAMES)

    mark = h.applicant.last_id()
    assert (await h.applicant.answer(await h.applicant.press(again, "提交")))["text"] == "已提交。"
    receipt = await h.applicant.expect("已收到申请", after=mark)
    number = int(receipt["text"].split("#")[1].split("：")[0])
    card = await card_in_group(h, number)
    assert "…" in card["text"] and buttons(card) == ["领取", "批准", "要求补正", "不予批准", STOP, "详情", "📎 材料"]

    mark = h.reviewer.last_id()
    answer = await h.reviewer.answer(await h.reviewer.press(card, "详情"))
    assert answer["text"] == "已发到您与我的私聊中。"  # the applicant's data, to who asked for it only
    await h.reviewer.expect(f"申请 #{number} 全文", after=mark)
    await h.api.wait_until(lambda: DESCRIPTION in joined(since(h.reviewer.inbox(), mark)))
    assert all(name in joined(since(h.reviewer.inbox(), mark)) for name in SIX_LONG_NAMES)
    assert refused(h) == []

    h.api.world.blocked.add(h.reviewer_2.id)  # someone the bot cannot write to privately is told how to fix it
    answer = await h.reviewer_2.answer(await h.reviewer_2.press(card, "详情"))
    assert answer["show_alert"] and "Start" in answer["text"]


async def test_a_long_rejection_reason_leaves_the_card_decided_without_live_buttons(harness: Harness) -> None:
    h = harness
    answers = {"description": ("本项目新建日处理4万吨污水处理设施，配套管网与中水回用工程；" * 70)[:2000]}
    number = await submit(h.applicant, answers=answers, files=SIX_LONG_NAMES[:4])
    card = await card_in_group(h, number)
    await h.reviewer.answer(await h.reviewer.press(card, "领取"))
    card = await h.reviewer.expect("🔒 张审 办理中", chat=h.group)
    mark = h.reviewer.last_id(h.group)
    await h.reviewer.answer(await h.reviewer.press(card, "不予批准"))
    prompt = await h.reviewer.expect("请回复本消息填写", chat=h.group, after=mark)
    mark = h.reviewer.last_id(h.group)
    await h.reviewer.send(REASON, chat=h.group, reply_to=prompt)
    question = await h.reviewer.expect(f"确定不予批准 #{number}", chat=h.group, after=mark)  # shown back, then Yes
    await h.reviewer.answer(await h.reviewer.press(question, "是"))

    card = await h.reviewer.expect("❌ 张审 不予批准：", chat=h.group)
    assert buttons(card) == ["详情", "📎 材料"]  # nothing left to press but the full text and the files
    assert "…" in card["text"]
    notice = await h.applicant.expect("不予批准")
    assert REASON in notice["text"]  # the applicant hears the reason in full
    assert refused(h) == []


async def test_a_card_or_notice_refused_as_too_long_goes_out_short_and_the_buttons_follow_the_state(
    harness: Harness,
) -> None:
    h = harness
    number = await submit(h.applicant)
    card = await card_in_group(h, number)
    h.api.inject("editMessageText", 400, "Bad Request: message is too long", chat_id=h.group["id"])
    await h.reviewer.answer(await h.reviewer.press(card, "领取"))
    card = await h.reviewer.expect("🔒 张审 办理中", chat=h.group)
    assert buttons(card) == ["退回队列", "批准", "要求补正", "不予批准", STOP, "详情", "📎 材料"]
    assert "区水务集团" not in card["text"]  # the compact card: the rest is behind "Details"

    await h.applicant.expect("已受理")  # the notices before it are out: the refusal meets the rejection's
    h.api.inject("sendMessage", 400, "Bad Request: message is too long", chat_id=h.applicant.id)
    mark = h.applicant.last_id()
    await h.application.app.approvals.reject(REVIEWER, number, "选址位于饮用水水源保护区")
    notice = await h.applicant.expect(f"/status {number}", after=mark)
    assert "不予批准" in notice["text"] and "选址位于饮用水水源保护区" in notice["text"]
    card = await h.reviewer.expect("❌ 张审 不予批准", chat=h.group)
    assert buttons(card) == ["📎 材料"]


async def test_status_shows_the_newest_history_first_and_counts_what_does_not_fit(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant)
    approvals = h.application.app.approvals
    for n in range(12):
        h.clock.advance(hours=1)
        await approvals.request_info(REVIEWER, number, f"第{n}轮：{REASON}"[:1000])
        h.clock.advance(hours=1)
        await approvals.resubmit(APPLICANT, number, (f"第{n}轮答复：" + "已补充噪声预测与防治措施。" * 80)[:1000])
    mark = h.applicant.last_id()
    await h.applicant.send(f"/status {number}")
    history = await h.applicant.expect("办理记录", after=mark)
    lines = history["text"].split("\n")
    assert "补正提交 · 王工 — 第11轮答复" in lines[1]  # the newest first
    assert lines[-1].startswith("……另有更早的")  # the oldest counted on a whole last line, none cut off
    assert "详情" in buttons(history)
    assert refused(h) == []


async def test_a_supplement_note_over_the_limit_is_refused_when_typed_and_files_are_kept(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant)
    await h.application.app.approvals.request_info(REVIEWER, number, "请补充噪声影响评价")
    news = await h.applicant.expect("需要补正材料")
    mark = h.applicant.last_id()
    await h.applicant.answer(await h.applicant.press(news, "补正材料"))
    await h.applicant.expect("请以文字发送说明", after=mark)
    mark = h.applicant.last_id()
    await h.applicant.send_document("noise.pdf", pdf("noise.pdf"))
    await h.applicant.expect("已收到 noise.pdf", after=mark)
    first = "已补充昼间与夜间噪声预测结果。" * 40  # 600 characters
    mark = h.applicant.last_id()
    await h.applicant.send(first)
    await h.applicant.expect("已记录", after=mark)

    mark = h.applicant.last_id()
    await h.applicant.send("另附监测报告说明。" * 60)  # 540 more: over the 1,000 the reply may hold
    refusal = await h.applicant.expect("太长：最多 1000 个字符", after=mark)
    assert "之前发送的内容均已保留" in refusal["text"]
    mark = h.applicant.last_id()
    await h.applicant.answer(await h.applicant.press(refusal, "提交补正材料"))
    await h.applicant.expect("已重新提交", after=mark)
    stored = await h.repos.requests.get(number)
    assert stored.status is Status.RESUBMITTED
    assert [a.name for a in stored.attachments] == ["eia.pdf", "noise.pdf"]
    assert (await steps(h, number))[-1].reason == first


async def test_a_resubmitted_card_shows_what_was_asked_and_the_reply(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant)
    reply = ("已按要求补充施工期噪声预测，夜间不施工，监测点位图见附件。" * 40)[:1000]
    await h.application.app.approvals.request_info(REVIEWER, number, REASON)
    await h.application.app.approvals.resubmit(APPLICANT, number, reply)
    fresh = await h.reviewer.expect("↩️ 申请人答复：", chat=h.group)
    assert f"📎 张审 要求补正：{REASON[:100]}" in fresh["text"]
    assert f"↩️ 申请人答复：{reply[:100]}" in fresh["text"]
    assert "…" in fresh["text"] and buttons(fresh) == ["领取", "批准", "要求补正", "不予批准", STOP, "详情", "📎 材料"]

    mark = h.reviewer.last_id()
    await h.reviewer.answer(await h.reviewer.press(fresh, "详情"))
    await h.reviewer.expect(f"申请 #{number} 全文", after=mark)
    await h.api.wait_until(lambda: reply in joined(since(h.reviewer.inbox(), mark)))
    assert REASON in joined(since(h.reviewer.inbox(), mark))
