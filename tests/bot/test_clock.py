"""Excluded time (art. 45) through the chat: a reviewer stops the clock from the card (kind, then days), the
applicant is told in writing, the card, /status, /queue and /stats show it; the result restarts the clock and both
deadlines move by the working days left out; or the job restarts it at the stated end, the group reminded the
working day before. Requests are accepted on Mon 2026-11-30: a green 报告表 is promised by Dec 14 (Dec 1-4, 7-11,
14) with the legal limit Jan 12 2027 (元旦 Jan 1 off)."""

from datetime import date

from approvals.models import Status
from tests.bot.conftest import Harness
from tests.bot.flows import card_in_group, steps, submit


async def test_a_reviewer_stops_the_clock_from_the_card_and_restarts_it_with_the_result(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant)
    card = await card_in_group(h, number)
    mark = h.reviewer.last_id(h.group)
    await h.reviewer.answer(await h.reviewer.press(card, "中止计时"))
    kinds = await h.reviewer.expect("因何中止计时", chat=h.group, after=mark)
    await h.reviewer.answer(await h.reviewer.press(kinds, "专家评审"))
    asked = await h.reviewer.expect("需要多少个工作日", chat=h.group, after=mark)
    mark_applicant = h.applicant.last_id()
    answer = await h.reviewer.answer(await h.reviewer.press(asked, "10"))
    assert answer["text"] == "已处理。"
    await h.reviewer.expect(f"第 {number} 号：已因专家评审中止计时，10 个工作日", chat=h.group, after=mark)

    # art. 45: the applicant is told what is left out, why, for how long and until when
    notice = await h.applicant.expect("需要进行专家评审", after=mark_applicant)
    assert "2026-11-30 起中止计时，自次日起的工作日不计入期限，最长 10 个工作日，至迟 2026-12-14 止" in notice["text"]
    # if it runs its length: promised Dec 14 + 10 = Dec 28, legal Jan 12 + 10 = Jan 26 (Jan 13-15, 18-22, 25, 26)
    assert "承诺办结日为 2026-12-28（法定期限 2027-01-26）" in notice["text"]
    redrawn = await h.reviewer.expect(
        "⏸ 专家评审：2026-11-30 起中止计时，自次日起的工作日不计入期限，最长 10 个工作日，至迟 2026-12-14 止",
        chat=h.group,
    )
    assert redrawn["message_id"] == card["message_id"]
    assert "批准" not in str(redrawn.get("reply_markup"))  # no decision in excluded time
    request = await h.repos.requests.get(number)
    assert (request.status, request.paused_since) == (Status.EXCLUDED, date(2026, 11, 30))

    mark = h.applicant.last_id()
    await h.applicant.send(f"/status {number}")
    status = await h.applicant.expect("中止计时", after=mark)
    assert "至迟 2026-12-14 止" in status["text"] and "剩余 10 个工作日" in status["text"]  # frozen

    mark = h.reviewer.last_id()
    await h.reviewer.send("/queue")
    queue = await h.reviewer.expect("中止计时", after=mark)
    assert f"第 {number} 号" in queue["text"] and "专家评审至 2026-12-14" in queue["text"]
    mark = h.reviewer.last_id()
    await h.reviewer.send("/stats")
    await h.reviewer.expect("中止计时 1", after=mark)
    mark = h.reviewer.last_id()
    await h.reviewer.send(f"/stopclock {number} hearing 5")  # a second stop: refused, saying until when
    await h.reviewer.expect(f"第 {number} 号申请已因专家评审中止计时，至迟 2026-12-14 止。", after=mark)

    h.clock.set_local(2026, 12, 3)  # Dec 1, 2, 3 left out
    mark = h.reviewer.last_id(h.group)
    await h.reviewer.answer(await h.reviewer.press(redrawn, "恢复计时"))
    await h.reviewer.expect("请回复本消息，填写第", chat=h.group, after=mark)
    mark_applicant = h.applicant.last_id()
    await h.reviewer.send("专家评审通过，需补充降噪措施", chat=h.group)
    done = await h.reviewer.expect("恢复计时；承诺 2026-12-17 前办结 · 法定期限 2027-01-15", chat=h.group, after=mark)
    assert done["chat"]["id"] == h.group["id"]
    told = await h.applicant.expect("专家评审已完成", after=mark_applicant)
    assert "结果：专家评审通过，需补充降噪措施" in told["text"]
    assert "不计入期限：3 个工作日。承诺 2026-12-17 前办结 · 法定期限 2027-01-15" in told["text"]
    request = await h.repos.requests.get(number)
    assert (request.status, request.paused_working_days) == (Status.SUBMITTED, 3)
    assert (request.promised_due, request.statutory_due) == (date(2026, 12, 17), date(2027, 1, 15))
    events = [(e.action, e.actor_id, e.reason) for e in await steps(h, number)]
    assert events[-2:] == [
        ("stop_clock", h.reviewer.id, "expert_review 10"),
        ("resume_clock", h.reviewer.id, "专家评审通过，需补充降噪措施"),
    ]


async def test_the_job_reminds_the_day_before_and_restarts_the_clock_at_the_stated_end(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant)
    mark = h.reviewer.last_id(h.group)
    await h.reviewer.send(f"/stopclock {number} 听证 5", chat=h.group)
    await h.reviewer.expect(f"第 {number} 号：已因听证中止计时，5 个工作日", chat=h.group, after=mark)
    await h.applicant.expect("至迟 2026-12-07 止")  # Dec 1-4, 7

    h.clock.set_local(2026, 12, 3)
    await h.application.jobs.periods()
    h.clock.set_local(2026, 12, 4)  # the working day before the stated end
    await h.application.jobs.periods()
    await h.application.jobs.periods()  # once only
    reminder = await h.reviewer.expect("听证告知的结束日为 2026-12-07", chat=h.group, after=mark)
    reminders = [m for m in h.reviewer.inbox(h.group) if "告知的结束日为" in (m.get("text") or "")]
    assert [m["message_id"] for m in reminders] == [reminder["message_id"]]
    assert (await h.repos.requests.get(number)).status is Status.EXCLUDED

    h.clock.set_local(2026, 12, 7, 0, 30)  # the stated end: the clock runs again by itself
    mark_applicant = h.applicant.last_id()
    await h.application.jobs.periods()
    await h.application.jobs.periods()
    told = await h.applicant.expect("听证的告知期间已届满，恢复计时", after=mark_applicant)
    # +5: promised Dec 15-18, 21; legal Jan 13-15, 18, 19
    assert "不计入期限：5 个工作日。承诺 2026-12-21 前办结 · 法定期限 2027-01-19" in told["text"]
    request = await h.repos.requests.get(number)
    assert (request.status, request.promised_due, request.statutory_due) == (
        Status.SUBMITTED,
        date(2026, 12, 21),
        date(2027, 1, 19),
    )
    clock_steps = [(e.action, e.actor_id) for e in await steps(h, number) if "clock" in e.action]
    assert clock_steps == [("stop_clock", h.reviewer.id), ("resume_clock", 0)]  # the bot's own step
    await h.reviewer.expect("待本局处理：审批决定，承诺 2026-12-21 前办结", chat=h.group)  # back in the queue


async def test_only_a_reviewer_stops_the_clock_and_the_days_are_bounded(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant)
    mark = h.applicant.last_id()
    await h.applicant.send(f"/stopclock {number} 听证 5")
    await h.applicant.expect("无权", after=mark)
    mark = h.reviewer.last_id(h.group)
    await h.reviewer.send(f"/stopclock {number} 听证 121", chat=h.group)
    await h.reviewer.expect("请发送 1 到 120 之间的整数", chat=h.group, after=mark)
    card = await card_in_group(h, number)
    await h.reviewer.answer(await h.reviewer.press(card, "中止计时"))
    kinds = await h.reviewer.expect("因何中止计时", chat=h.group, after=mark)
    await h.reviewer.answer(await h.reviewer.press(kinds, "技术评估"))
    await h.reviewer.expect("需要多少个工作日", chat=h.group, after=mark)
    await h.reviewer.send("0", chat=h.group)
    await h.reviewer.expect("请重新回复工作日数", chat=h.group, after=mark)
    await h.reviewer.send("15", chat=h.group)
    await h.reviewer.expect("已因技术评估中止计时，15 个工作日", chat=h.group, after=mark)
    assert (await h.repos.requests.get(number)).status is Status.EXCLUDED
