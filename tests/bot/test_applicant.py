"""After submitting: /my, /status, /withdraw, /lang."""

from approvals.models import Status
from tests.bot.conftest import Harness
from tests.bot.flows import card_in_group, submit


async def test_my_and_status_show_own_requests_with_days_left_and_history(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant)
    await h.applicant.send("/my")
    mine = await h.applicant.expect("我的申请")
    assert f"#{number} 城东污水处理厂扩建 · 已受理 · 剩余 10 个工作日" in mine["text"]
    mark = h.applicant.last_id()
    await h.applicant.send(f"/status {number}")
    history = await h.applicant.expect("办理记录", after=mark)
    assert "提交 · 王工" in history["text"]
    card = await h.applicant.expect(f"#{number} 城东污水处理厂扩建", after=mark)
    assert "承诺办结 2026-12-14" in card["text"]

    await h.applicant_en.send(f"/status {number}")  # someone else's request does not exist for them
    await h.applicant_en.expect(f"Request #{number} was not found.")
    await h.applicant_en.send("/my")
    await h.applicant_en.expect("You have no requests yet")
    await h.applicant_en.send("/status abc")
    await h.applicant_en.expect("Send the request number, e.g. /status 12")


async def test_withdraw_asks_for_confirmation_and_updates_the_card(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant)
    await card_in_group(h, number)
    await h.applicant.send(f"/withdraw {number}")
    ask = await h.applicant.expect("确定撤回")
    mark = h.applicant.last_id()
    await h.applicant.answer(await h.applicant.press(ask, "不撤回"))
    await h.applicant.expect("已保留", after=mark - 1)
    assert (await h.repos.requests.get(number)).status is Status.SUBMITTED

    await h.applicant.send(f"/withdraw {number}")
    ask = await h.applicant.expect("确定撤回", after=ask["message_id"])
    assert (await h.applicant.answer(await h.applicant.press(ask, "确认撤回")))["text"] == "已撤回。"
    assert (await h.repos.requests.get(number)).status is Status.WITHDRAWN
    card = await h.reviewer.expect("申请人已撤回", chat=h.group)
    labels = [b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["📎 材料"]  # nothing left to decide; the documents can still be read

    mark = h.applicant.last_id()
    await h.applicant.send(f"/withdraw {number}")
    refused = await h.applicant.expect("", after=mark)
    assert "确定撤回" not in refused["text"] and "已撤回" in refused["text"]  # no question it cannot act on
    answer = await h.applicant.answer(await h.applicant.press_data(ask, f"wd:{number}:1"))
    assert answer["show_alert"] is True  # the old question's Yes, pressed again: refused, not repeated


async def test_lang_switches_and_is_remembered(harness: Harness) -> None:
    h = harness
    await h.applicant.send("/lang")
    choose = await h.applicant.expect("请选择语言")
    answer = await h.applicant.answer(await h.applicant.press(choose, "English"))
    assert answer["text"] == "Language set to English."
    await h.applicant.send("/help")
    await h.applicant.expect("/submit — start a new approval request")
    await h.restart()
    await h.applicant.send("/my")
    await h.applicant.expect("You have no requests yet")


async def test_refusals_say_what_cannot_be_done_and_why(harness: Harness) -> None:
    h = harness
    approved, rejected = await submit(h.applicant), await submit(h.applicant, answers={"project_name": "第二个项目"})
    reviewer = await h.application.app.admin.actor(h.reviewer.id, "张审")
    await h.application.app.approvals.approve(reviewer, approved)
    await h.application.app.approvals.reject(reviewer, rejected, "位于水源保护区内")
    user = h.applicant
    await user.expect("已批复")
    await user.expect("不予批准")  # both notices in: what follows are replies to the commands

    async def reply(command: str) -> str:
        mark = user.last_id()
        await user.send(command)
        await user.world.wait_until(lambda: user.last_id() > mark + 1)
        return str(user.inbox()[-1]["text"])

    assert await reply(f"/withdraw {approved}") == f"申请 #{approved} 无法撤回：该申请已办结（已批复）。"
    assert await reply(f"/add {rejected}") == f"申请 #{rejected} 无法补充材料：该申请已办结（不予批准）。"
    for command in ("/status", "/withdraw", "/add"):
        answer = await reply(f"{command} 99999999999999999999999")
        assert answer == "没有这个编号的申请：申请编号范围为 1 到 1000000000。", command
    assert await reply("/status 十二") == "请发送申请编号，例如 /status 12"
