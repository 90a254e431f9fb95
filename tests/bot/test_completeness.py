"""The completeness check through the chat: received first, accepted or one list of what is missing (ticked from
the checklist), the applicant supplying it, and the job's deemed acceptance and return (退件)."""

from typing import Any

import pytest

from approvals.models import Status
from tests.bot.conftest import Harness
from tests.bot.flows import card_in_group, pdf, steps, submit
from tests.factories import REVIEWER

pytestmark = pytest.mark.receipt_first


async def with_button(h: Harness, message_id: int, label: str) -> dict[str, Any]:
    """The group's message ``message_id`` once a button of it says ``label`` (a tick redraws the buttons only)."""

    def find() -> dict[str, Any] | None:
        for message in h.reviewer.inbox(h.group):
            if message["message_id"] == message_id and label in str(message.get("reply_markup")):
                return message
        return None

    return await h.api.world.wait_until(find, 5)  # type: ignore[no-any-return]


async def test_received_then_accepted_by_a_reviewer_from_the_card(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant)
    receipt = await h.applicant.expect(f"#{number}")
    assert "收件日 2026-11-30，尚未受理" in receipt["text"]
    assert "待本局处理：2026-12-07 前受理或一次性告知补正" in receipt["text"]  # Dec 1-4, 7
    card = await card_in_group(h, number)
    assert "批准" not in str(card.get("reply_markup"))  # no decision offered before acceptance
    mark = h.applicant.last_id()
    answer = await h.reviewer.answer(await h.reviewer.press(card, "受理"))
    assert answer["text"] == "已受理，受理日 2026-11-30。"
    told = await h.applicant.expect("已受理，受理日 2026-11-30", after=mark)
    assert "2026-12-14" in told["text"]  # promised: GREEN 报告表, 10 working days
    await h.reviewer.expect("待本局处理：审批决定，承诺 2026-12-14 前办结", chat=h.group)
    assert [e.action for e in await steps(h, number)] == ["submit", "accept"]


async def test_one_list_ticked_from_the_checklist_then_supplied_by_the_applicant(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant)
    card = await card_in_group(h, number)
    mark = h.reviewer.last_id(h.group)
    await h.reviewer.answer(await h.reviewer.press(card, "一次性告知补正"))
    checklist = await h.reviewer.expect("请勾选", chat=h.group, after=mark)
    await h.reviewer.answer(await h.reviewer.press(checklist, "☐ 规划选址意见"))
    ticked = await with_button(h, checklist["message_id"], "☑ 规划选址意见")
    await h.reviewer.answer(await h.reviewer.press(ticked, "下一步"))
    asked = await h.reviewer.expect("还缺少的其他材料", chat=h.group, after=mark)
    assert asked["message_id"] == checklist["message_id"]
    mark_applicant = h.applicant.last_id()
    await h.reviewer.send("噪声监测报告", chat=h.group)
    await h.reviewer.expect("申请人已收到", chat=h.group, after=mark)
    notice = await h.applicant.expect("材料不齐全", after=mark_applicant)
    assert "1. 规划选址意见" in notice["text"] and "2. 噪声监测报告" in notice["text"]
    assert "2026-12-21 前补正所列材料" in notice["text"]  # 15 working days: Dec 1-4, 7-11, 14-18, 21
    assert (await h.repos.requests.get(number)).status is Status.INCOMPLETE

    mark_applicant = h.applicant.last_id()
    await h.applicant.answer(await h.applicant.press(notice, "补正材料"))
    await h.applicant.expect("然后点击下方按钮", after=mark_applicant)
    mark_applicant = h.applicant.last_id()
    await h.applicant.send_document("noise.pdf", pdf("noise.pdf"))
    received = await h.applicant.expect("noise.pdf", after=mark_applicant)
    await h.applicant.answer(await h.applicant.press(received, "提交补正材料"))
    await h.applicant.expect("已重新收件", after=mark_applicant)
    await h.application.jobs.sender.flush()
    about = [
        m for m in h.applicant.inbox() if m["message_id"] > mark_applicant and f"第 {number} 号" in m.get("text", "")
    ]
    assert len(about) == 1, about  # one answer to the supply, not a second near-identical notice
    request = await h.repos.requests.get(number)
    assert request.status is Status.RECEIVED and [a.name for a in request.attachments] == ["eia.pdf", "noise.pdf"]
    await with_button(h, card["message_id"], "一次性告知补正")  # the card offers the check again


async def test_the_job_deems_a_request_no_one_checked_accepted_as_of_receipt(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant)
    h.clock.set_local(2026, 12, 7)  # the check's last day
    assert await h.application.jobs.periods() is None and (await h.repos.requests.get(number)).status is Status.RECEIVED
    h.clock.set_local(2026, 12, 8)
    mark = h.applicant.last_id()
    await h.application.jobs.periods()
    await h.application.jobs.periods()  # once only
    await h.applicant.expect("自收到申请材料之日（2026-11-30）起即为受理", after=mark)
    await h.reviewer.expect(f"第 {number} 号", chat=h.group)
    await h.reviewer.expect("视为自 2026-11-30 起受理", chat=h.group)
    request = await h.repos.requests.get(number)
    assert (request.status, request.accepted_on) == (Status.SUBMITTED, request.received_on)
    assert [(e.action, e.actor_id) for e in await steps(h, number)] == [("submit", h.applicant.id), ("deem_accept", 0)]


async def test_the_job_returns_a_submission_whose_listed_material_never_came(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant)
    card = await card_in_group(h, number)
    mark = h.reviewer.last_id(h.group)
    await h.reviewer.answer(await h.reviewer.press(card, "一次性告知补正"))
    checklist = await h.reviewer.expect("请勾选", chat=h.group, after=mark)
    await h.reviewer.answer(await h.reviewer.press(checklist, "☐ 建设单位营业执照"))
    ticked = await with_button(h, checklist["message_id"], "☑ 建设单位营业执照")
    await h.reviewer.answer(await h.reviewer.press(ticked, "发送补正清单"))
    await h.applicant.expect("材料不齐全")
    h.clock.set_local(2026, 12, 22)  # the day after the 15th working day
    mark = h.applicant.last_id()
    await h.application.jobs.periods()
    returned = await h.applicant.expect("已退件", after=mark)
    assert "2026-12-21" in returned["text"] and "+00:00" not in returned["text"]  # the day the material was due
    await h.reviewer.expect("申请人未在期限内补正所列材料", chat=h.group)
    mark = h.applicant.last_id()
    await h.applicant.send(f"/status {number}")
    shown = await h.applicant.expect(f"#{number}", after=mark)
    history = await h.applicant.expect("办理记录", after=mark)
    assert "受理日期" not in shown["text"] and "承诺办结" not in shown["text"]  # never accepted: no dates
    assert "已退件 · 系统" in history["text"] and " · 0" not in history["text"]  # the bot's step, in words
    assert "一次性告知补正 · " in history["text"] and "list_missing" not in history["text"]
    request = await h.repos.requests.get(number)
    assert request.status is Status.RETURNED and [a.name for a in request.attachments] == ["eia.pdf"]
    assert [e.action for e in await steps(h, number)] == ["submit", "list_missing", "return"]


async def test_an_admin_replaces_a_checklist_and_reviewers_tick_from_it(harness: Harness) -> None:
    h = harness
    mark = h.admin.last_id()
    await h.admin.send("/materials report_form\n监测报告\n  监测报告 \n排污许可证")
    shown = await h.admin.expect("1. 监测报告", after=mark)
    assert "2. 排污许可证" in shown["text"] and "3." not in shown["text"]  # trimmed, once each
    mark = h.reviewer.last_id()
    await h.reviewer.send("/materials report_form\n我也想改")
    await h.reviewer.expect("无权", after=mark)
    number = await submit(h.applicant)
    card = await card_in_group(h, number)
    mark = h.reviewer.last_id(h.group)
    await h.reviewer.answer(await h.reviewer.press(card, "一次性告知补正"))
    checklist = await h.reviewer.expect("请勾选", chat=h.group, after=mark)
    assert "☐ 排污许可证" in str(checklist["reply_markup"]) and "营业执照" not in str(checklist["reply_markup"])
    mark = h.admin.last_id()
    await h.admin.send("/materials report_form reset")
    await h.admin.expect("建设单位营业执照", after=mark)


async def test_stats_count_each_stage_in_both_languages_and_the_queue_names_the_stage(harness: Harness) -> None:
    h = harness
    approvals = h.application.app.approvals
    received = await submit(h.applicant)
    listed = await submit(h.applicant, answers={"project_name": "第二个项目"})
    accepted = await submit(h.applicant, answers={"project_name": "第三个项目"})
    await approvals.list_missing(REVIEWER, listed, "1. 申请书")
    await approvals.accept(REVIEWER, accepted)
    mark = h.reviewer.last_id()
    await h.reviewer.send("/stats")
    stats = await h.reviewer.expect("各阶段", after=mark)
    assert "各阶段：待受理 1 · 待补正（受理前） 1 · 待领取 1 · 审查中 0 · 待补正（审查中） 0" in stats["text"]
    assert "等待申请人补正：1 件" in stats["text"]  # the listed material counts as waiting on the applicant
    mark = h.reviewer_2.last_id()
    await h.reviewer_2.send("/stats")
    stats = await h.reviewer_2.expect("By stage", after=mark)
    assert (
        "By stage: awaiting acceptance 1 · awaiting listed material 1 · in the queue 1 · in review 0 · "
        "material asked in review 0"
    ) in stats["text"]

    mark = h.reviewer.last_id()
    await h.reviewer.send("/queue")
    queue = await h.reviewer.expect("待办队列", after=mark)
    lines = queue["text"].split("\n")
    assert lines[lines.index(next(x for x in lines if f"#{received} " in x)) + 1].strip() == (
        "待受理 · 2026-12-07 前受理或告知补正"  # received Mon Nov 30: Dec 1-4, 7
    )
    assert (
        lines[lines.index(next(x for x in lines if f"#{accepted} " in x)) + 1]
        .strip()
        .startswith(
            "待领取 · 2026-12-14 · "  # accepted Mon Nov 30: 10 working days, Dec 1-4, 7-11, 14
        )
    )
    assert f"#{listed} " not in queue["text"]  # with the applicant, not in the bureau's queue


async def test_the_group_is_reminded_of_a_check_the_working_day_before_it_ends(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant)
    await card_in_group(h, number)
    mark = h.reviewer.last_id(h.group)

    async def reminded() -> list[str]:
        await h.application.jobs.sender.flush()
        return [m["text"] for m in h.reviewer.inbox(h.group) if m["message_id"] > mark and "📥" in m.get("text", "")]

    h.clock.set_local(2026, 12, 3)  # two working days left (Dec 4, 7): not yet
    await h.application.jobs.reminders()
    assert await reminded() == []
    h.clock.set_local(2026, 12, 4)
    await h.application.jobs.reminders()
    await h.application.jobs.reminders()  # once only
    said = await h.reviewer.expect(f"📥 #{number} ", chat=h.group, after=mark)
    assert "请于 2026-12-07 前受理或一次性告知补正" in said["text"]
    assert len(await reminded()) == 1


async def test_next_offers_a_received_request_to_check_before_claiming_one(harness: Harness) -> None:
    h = harness
    first = await submit(h.applicant)
    second = await submit(h.applicant, answers={"project_name": "第二个项目"})
    mark = h.reviewer.last_id()
    await h.reviewer.send("/next")
    card = await h.reviewer.expect(f"#{first} ", after=mark)  # the earliest receipt first: its check ends first
    assert "受理" in str(card["reply_markup"]) and (await h.repos.requests.get(first)).status is Status.RECEIVED
    await h.reviewer.answer(await h.reviewer.press(card, "受理"))
    mark = h.reviewer.last_id()
    await h.reviewer.send("/next")
    await h.reviewer.expect(f"#{second} ", after=mark)  # still one to check: before any claim
    await h.application.app.approvals.accept(REVIEWER, second)
    mark = h.reviewer.last_id()
    await h.reviewer.send("/next")
    claimed = await h.reviewer.expect("办理中", after=mark)
    assert f"#{first} " in claimed["text"] and (await h.repos.requests.get(first)).claimed_by == h.reviewer.id
    mark = h.applicant.last_id()
    await h.applicant.send("/next")  # not a reviewer: nothing offered
    await h.applicant.expect("无权", after=mark)


async def list_missing(h: Harness, card: dict[str, Any], item: str) -> dict[str, Any]:
    """Send a list of one item typed by the reviewer; the applicant's notice of it."""
    mark, mark_applicant = h.reviewer.last_id(h.group), h.applicant.last_id()
    await h.reviewer.answer(await h.reviewer.press(card, "一次性告知补正"))
    checklist = await h.reviewer.expect("请勾选", chat=h.group, after=mark)
    await h.reviewer.answer(await h.reviewer.press(checklist, "下一步"))
    await h.reviewer.expect("还缺少的其他材料", chat=h.group, after=mark)
    await h.reviewer.send(item, chat=h.group)
    await h.reviewer.expect("申请人已收到", chat=h.group, after=mark)
    return await h.applicant.expect("材料不齐全", after=mark_applicant)


async def test_material_supplied_as_a_note_only_is_a_new_receipt_with_its_own_list(harness: Harness) -> None:
    """The trial's dead end: the applicant answered a list with a note only; the reviewer can list again."""
    h = harness
    number = await submit(h.applicant)
    card = await card_in_group(h, number)
    notice = await list_missing(h, card, "噪声监测报告")
    mark_applicant = h.applicant.last_id()
    await h.applicant.answer(await h.applicant.press(notice, "补正材料"))
    await h.applicant.expect("然后点击下方按钮", after=mark_applicant)
    mark_applicant = h.applicant.last_id()
    await h.applicant.send("监测报告下周出具")
    received = await h.applicant.expect("已记录", after=mark_applicant)
    await h.applicant.answer(await h.applicant.press(received, "提交补正材料"))
    await h.applicant.expect("已重新收件", after=mark_applicant)
    assert (await h.repos.requests.get(number)).status is Status.RECEIVED
    await with_button(h, card["message_id"], "一次性告知补正")
    # the reviewer reads what came with the material before checking it again
    redrawn = h.api.world.messages[(h.group["id"], card["message_id"])]["text"]
    assert "噪声监测报告" in redrawn and "监测报告下周出具" in redrawn, redrawn
    again = await list_missing(h, card, "噪声监测报告（仍未提交）")
    assert "噪声监测报告（仍未提交）" in again["text"]
    assert (await h.repos.requests.get(number)).status is Status.INCOMPLETE
    actions = [e.action for e in await steps(h, number)]
    assert actions == ["submit", "list_missing", "supply", "list_missing"]
