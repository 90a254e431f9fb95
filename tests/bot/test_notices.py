"""Public notices through the chat (issue 16 §3): approval proposed, refused until the notice of the intended
decision has run (naming its last day), a hearing request that blocks it, comments on the card, the acceptance
notice of a 报告书 (none for a 报告表 by default), and the decision announced with the remedies."""

import pytest

from approvals.models import Status
from approvals.notices import NoticeKind
from approvals.public_comments import InputKind
from tests.bot.conftest import Harness
from tests.bot.flows import card_in_group, submit
from tests.factories import REVIEWER

pytestmark = pytest.mark.notice_first


def buttons(message: dict) -> list[str]:
    return [b["text"] for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]


async def approve_from(h: Harness, card: dict) -> None:
    mark = h.reviewer.last_id(h.group)
    await h.reviewer.answer(await h.reviewer.press(card, "批准"))
    prompt = await h.reviewer.expect("批复文号", chat=h.group, after=mark)
    assert (await h.reviewer.answer(await h.reviewer.press(prompt, "批准并编发文号")))["text"] == "已批准。"


async def propose(h: Harness, number: int) -> dict:
    card = await card_in_group(h, number)
    assert buttons(card)[:2] == ["领取", "拟批准（公示）"]  # not Approve: the notice comes first
    query = await h.reviewer.press(card, "拟批准（公示）")
    # proposed Mon 2026-11-30: Dec 1, 2, 3, 4, 7
    assert (await h.reviewer.answer(query))["text"] == "已拟批准：拟审批公示至 2026-12-07。"
    return await h.reviewer.expect("📣 拟审批公示至 2026-12-07：此前可申请听证", chat=h.group)


async def test_approval_is_proposed_refused_until_the_notice_ends_then_given(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant)
    card = await propose(h, number)
    assert "拟审批公示中" in card["text"]
    assert buttons(card) == ["不予批准", "📎 材料"]  # while it runs: rejection only
    await h.applicant.expect(f"申请 #{number} 城东污水处理厂扩建：我局拟予批准。拟审批公示至 2026-12-07")

    h.clock.set_local(2026, 12, 7)  # its last day: a stale or forged Approve is refused, naming the end
    refused = await h.reviewer.answer(await h.reviewer.press_data(card, f"rv:a:{number}"))
    assert refused["text"] == "尚不能批准：拟审批公示于 2026-12-07 结束，期满后方可批准。"
    assert (await h.repos.requests.get(number)).status is Status.IN_NOTICE

    h.clock.set_local(2026, 12, 8)
    await h.application.jobs.periods()
    await h.reviewer.expect(
        f"📣 #{number} 城东污水处理厂扩建 的拟审批公示已期满：#{number} 现在可以批准。"
    )  # privately
    card = await h.reviewer.expect("📣 拟审批公示已于 2026-12-07 期满", chat=h.group)
    assert buttons(card)[:2] == ["批准", "不予批准"]
    # it reads as ended everywhere, no longer as running
    assert "公示已期满，待作出决定" in card["text"] and "拟审批公示中" not in card["text"]
    for user, command, shown in (
        (h.reviewer, "/queue", "待办队列"),
        (h.applicant, "/my", "#"),
        (h.applicant, f"/status {number}", "#"),
    ):
        mark = user.last_id()
        await user.send(command)
        said = (await user.expect(shown, after=mark))["text"]
        assert "公示已期满" in said and "公示中" not in said, (command, said)
    await approve_from(h, card)
    card = await h.reviewer.expect("📢 审批决定公告至 2026-12-17", chat=h.group)  # Dec 9-11, 14-17: 7 working days
    assert "救济途径：自知道该决定之日起 60 日内可申请行政复议，或 6 个月内提起行政诉讼。" in card["text"]
    told = await h.applicant.expect(f"✅ 申请 #{number} 城东污水处理厂扩建 已批复。批复文号：区环审〔2026〕1号")
    assert told["text"].endswith("或 6 个月内提起行政诉讼。")  # the remedies, with the decision
    announced = (await h.repos.notices.of(number))[-1]
    assert (announced.kind, announced.outcome, announced.approval_number) == (
        NoticeKind.DECISION,
        Status.APPROVED,
        "区环审〔2026〕1号",
    )


async def test_a_hearing_request_stops_the_clock_until_the_hearing_is_held(harness: Harness) -> None:
    """Art. 47's hearing is excluded time (art. 45): the clock stops when the public asks, the applicant is told in
    writing; the reviewer records the hearing's result on the card, the request is back in its notice, and once the
    notice has run it is approved with no second notice."""
    h = harness
    number = await submit(h.applicant)
    await propose(h, number)
    approvals = h.application.app.approvals
    mark_applicant = h.applicant.last_id()
    await approvals.add_public_input(
        number, InputKind.HEARING, name="李四", contact="13912345678", text="厂界噪声影响我村 <夜间>"
    )
    said = await h.reviewer.expect(f"⚖️ 李四 申请就 #{number} 城东污水处理厂扩建 举行听证", chat=h.group)
    assert "&lt;夜间&gt;" in h.api.world.messages[(h.group["id"], said["message_id"])]["html"]
    card = await h.reviewer.expect("⏸ 听证：", chat=h.group)  # the card: the clock stopped for the hearing
    assert "⚖️ 1 项听证申请待处理" in card["text"]
    assert "公众意见" not in card["text"]  # a hearing request is not a comment
    told = await h.applicant.expect("第四十五条", after=mark_applicant)  # the written notice of the stop
    assert "听证" in told["text"] and "20 个工作日" in told["text"]
    assert (await h.repos.requests.get(number)).status is Status.EXCLUDED

    h.clock.set_local(2026, 12, 8)  # the notice has run; the hearing is held
    mark = h.reviewer.last_id(h.group)
    await h.reviewer.answer(await h.reviewer.press(card, "恢复计时"))
    await h.reviewer.expect("请回复本消息，填写第", chat=h.group, after=mark)
    await h.reviewer.send("12月8日举行听证，意见已采纳", chat=h.group)
    await h.reviewer.expect("恢复计时", chat=h.group, after=mark)
    request = await h.repos.requests.get(number)
    assert request.status is Status.IN_NOTICE and request.paused_working_days == 6  # Dec 1-4, 7, 8
    (hearing,) = await approvals.public_inputs(REVIEWER, number)
    assert hearing.outcome == "12月8日举行听证，意见已采纳"  # the hearing request is answered with it
    key = (h.group["id"], card["message_id"])
    await h.api.wait_until(lambda: "听证申请待处理" not in h.api.world.messages[key]["text"])  # redrawn
    assert "⚖️ 已举行听证，结果：12月8日举行听证，意见已采纳" in h.api.world.messages[key]["text"]
    await approve_from(h, h.api.world.messages[key])
    assert (await h.repos.requests.get(number)).status is Status.APPROVED


async def test_a_report_is_noticed_on_acceptance_and_comments_reach_the_card(harness: Harness) -> None:
    h = harness
    form = await submit(h.applicant, answers={"project_name": "报告表项目"})
    report = await submit(h.applicant, document="环境影响报告书")
    assert await h.repos.notices.of(form) == []  # a 报告表: no acceptance notice by default
    (noticed,) = await h.repos.notices.of(report)
    assert (noticed.kind, noticed.ends_on.isoformat()) == (NoticeKind.ACCEPTANCE, "2026-12-14")  # 10 working days
    await h.reviewer.expect("📣 受理公示至 2026-12-14", chat=h.group)
    await h.applicant.expect("受理公示至 2026-12-14")  # the applicant is told of it with the acceptance
    mark = h.applicant.last_id()
    await h.applicant.send(f"/status {report}")
    assert "受理公示至 2026-12-14" in (await h.applicant.expect(f"#{report} ", after=mark))["text"]

    await h.application.app.approvals.add_public_input(
        report, InputKind.COMMENT, name="张三", contact="zhang@example.cn", text="<b>请</b>关注夜间施工噪声"
    )
    await h.reviewer.expect(
        f"💬 张三 对 #{report} 城东污水处理厂扩建 提出公众意见：<b>请</b>关注夜间施工噪声", chat=h.group
    )
    card = await h.reviewer.expect("💬 公众意见 1 条；最新一条，张三：<b>请</b>关注夜间施工噪声", chat=h.group)
    assert "&lt;b&gt;请&lt;/b&gt;" in h.api.world.messages[(h.group["id"], card["message_id"])]["html"]
    mark = h.reviewer.last_id()
    await h.reviewer.send(f"/status {report}")
    history = await h.reviewer.expect("办理记录", after=mark)
    assert "公众意见 · 张三 — <b>请</b>关注夜间施工噪声" in history["text"]  # kept with the request, for staff
    mark = h.applicant.last_id()
    await h.applicant.send(f"/status {report}")
    history = await h.applicant.expect("办理记录", after=mark)
    assert "张三" not in history["text"]  # the public's names are the bureau's to see


async def test_approval_is_not_proposed_while_the_acceptance_notice_runs(harness: Harness) -> None:
    """The trial's item 12: the card's 拟批准（公示） is refused until the acceptance notice (受理公示) has run,
    naming its last day; the request stays where it was."""
    h = harness
    report = await submit(h.applicant, document="环境影响报告书")
    card = await h.reviewer.expect("📣 受理公示至 2026-12-14", chat=h.group)
    h.clock.set_local(2026, 12, 14)  # its last day
    refused = await h.reviewer.answer(await h.reviewer.press(card, "拟批准（公示）"))
    assert refused["text"] == "尚不能拟批准：受理公示于 2026-12-14 结束，期满后方可提出拟批准。"
    assert refused["show_alert"] is True
    assert (await h.repos.requests.get(report)).status is Status.SUBMITTED
    assert [n.kind for n in await h.repos.notices.of(report)] == [NoticeKind.ACCEPTANCE]
    h.clock.set_local(2026, 12, 15)
    answer = await h.reviewer.answer(await h.reviewer.press(card, "拟批准（公示）"))
    assert answer["text"] == "已拟批准：拟审批公示至 2026-12-22。"  # Dec 16-18, 21, 22
