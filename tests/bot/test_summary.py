"""The daily summary and reminders through the real bot: once per day, in each reader's language, with charts."""

from datetime import time

from approvals.ledger import KeyProject
from approvals.models import Actor, Category, Role
from storage.outbox import Outgoing
from tests.bot.conftest import ADMIN_ID, Harness
from tests.bot.flows import submit
from tests.factories import make_draft
from tests.faults import refusing_messages_to

BOSS = Actor(user_id=9001, name="局长", roles=frozenset({Role.ADMIN, Role.REVIEWER}))


async def seed(h: Harness) -> list[int]:
    """50 key projects; two of them approved, one green request waiting."""
    app = h.application.app
    await h.repos.key_projects.replace_all(
        [KeyProject(code=f"KP-{n:02}", name=f"重点项目{n}", owner="区政府") for n in range(1, 51)]
    )
    applicant = Actor(user_id=h.applicant.id, name="王工")
    numbers = []
    for code in ("KP-01", "KP-02"):
        request = await app.approvals.submit(applicant, make_draft(key_code=code, category=Category.OTHER))
        await app.approvals.approve(BOSS, request.id)
        numbers.append(request.id)
    numbers.append((await app.approvals.submit(applicant, make_draft())).id)
    return numbers


async def photos_in(h: Harness, chat_id: int) -> int:
    return sum(1 for (cid, _), m in h.api.world.messages.items() if cid == chat_id and "photo" in m)


async def with_summary_at(h: Harness, at: time) -> None:
    await h.stop()
    h.settings = h.settings.model_copy(update={"summary_time": at})
    await h.start()
    await h.application.jobs.catch_up_done()


async def test_a_late_start_sends_the_days_summary_once_in_each_language(harness: Harness) -> None:
    h = harness
    await seed(h)
    await h.applicant_en.send("/subscribe")
    await h.applicant_en.expect("Your request was sent to the administrators.")
    ask = await h.admin.expect("申请订阅每日简报")
    assert (await h.admin.answer(await h.admin.press(ask, "批准")))["text"] == "已处理。"
    await h.applicant_en.expect("You will receive the daily summary.")

    await with_summary_at(h, time(8, 30))  # it is 10:00 in Shanghai: the 08:30 run was missed
    text = await h.reviewer.expect("累计已批复 2 个项目，其中重点项目 2 个（共 50 个）", chat=h.group)
    assert "今日批复：2" in text["text"]
    assert "待办：1 件" in text["text"]
    english = await h.applicant_en.expect("2 projects approved so far, 2 of the 50 key projects.")
    assert "Backlog: 1" in english["text"]
    await h.applicant_en.expect("Key projects: 2 of 50 approved")
    await h.api.wait_until(lambda: h.api.calls("sendPhoto") and len(h.api.calls("sendPhoto")) >= 4)
    assert await photos_in(h, h.group["id"]) == 2
    assert await photos_in(h, h.applicant_en.id) == 2

    sent_before = len(h.api.calls("sendMessage")) + len(h.api.calls("sendPhoto"))
    await with_summary_at(h, time(8, 30))  # a double start: nothing new
    await h.application.jobs.sender.flush()
    assert len(h.api.calls("sendMessage")) + len(h.api.calls("sendPhoto")) == sent_before
    assert await h.application.jobs.run_daily() is False


def sent(h: Harness) -> int:
    return len(h.api.calls("sendMessage")) + len(h.api.calls("sendPhoto"))


async def test_a_day_missed_while_the_bot_was_down_is_sent_the_next_morning_once_marked_late(
    harness: Harness,
) -> None:
    h = harness
    numbers = await seed(h)
    await h.applicant_en.send("/subscribe")
    await h.admin.answer(await h.admin.press(await h.admin.expect("申请订阅每日简报"), "批准"))
    await h.applicant_en.expect("You will receive the daily summary.")
    await with_summary_at(h, time(8, 30))  # Monday 10:00: Monday's summary, on time
    await h.reviewer.expect("绿色通道 · 2026-11-30", chat=h.group)

    h.clock.set_local(2026, 12, 1, hour=8)  # Tuesday 08:00: one approval, then the bot stops until Wednesday
    await h.application.app.approvals.approve(BOSS, numbers[2])
    await h.restart()
    await h.application.jobs.catch_up_done()
    await h.stop()
    h.clock.set_local(2026, 12, 2, hour=8)
    mark = h.reviewer.last_id(h.group)
    await h.start()
    await h.application.jobs.catch_up_done()

    late = await h.reviewer.expect("补发：2026-12-01 的每日汇总", chat=h.group, after=mark)
    assert late["text"].split("\n")[:3] == [
        "补发：2026-12-01 的每日汇总",
        "2026-12-01 当日批复 1 件；以下为 2026-12-02 的最新数字。",
        "绿色通道 · 2026-12-02",
    ]
    assert "累计已批复 3 个项目" in late["text"]
    english = await h.applicant_en.expect("Sent late: the daily summary for 2026-12-01")
    assert english["text"].split("\n")[1] == (
        "1 request was approved on 2026-12-01; the figures below are as they stand on 2026-12-02."
    )
    await h.application.jobs.sender.flush()
    before = sent(h)
    await h.restart()  # still 08:00 on Wednesday: Tuesday is done, Wednesday not yet due
    await h.application.jobs.catch_up_done()
    await h.application.jobs.sender.flush()
    assert sent(h) == before
    summaries = [m for m in h.reviewer.inbox(h.group) if "补发" in (m.get("text") or "")]
    assert len(summaries) == 1

    h.clock.set_local(2026, 12, 2, hour=9)
    assert await h.application.jobs.run_daily() is True  # Wednesday's own summary, on time: not marked late
    today = await h.reviewer.expect("绿色通道 · 2026-12-02", chat=h.group, after=summaries[0]["message_id"])
    assert "补发" not in today["text"]


async def test_a_missed_days_overdue_list_is_sent_late_once(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant)  # promised 2026-12-14
    h.clock.set_local(2026, 12, 14, hour=9)
    await with_summary_at(h, time(8, 30))
    await h.stop()  # down from Monday 09:00 until Wednesday 08:00: Tuesday's run is missed
    h.clock.set_local(2026, 12, 16, hour=8)
    await h.start()
    await h.application.jobs.catch_up_done()
    listing = await h.reviewer.expect("补发：2026-12-15 的超期清单", chat=h.group)
    assert f"#{number} 城东污水处理厂扩建 · 承诺 2026-12-14 · 已超 1 个工作日" in listing["text"]
    await h.restart()
    await h.application.jobs.catch_up_done()
    await h.application.jobs.sender.flush()
    lists = [m for m in h.reviewer.inbox(h.group) if "超期申请" in (m.get("text") or "")]
    assert len(lists) == 1


async def test_summary_on_demand_for_reviewers_only(harness: Harness) -> None:
    h = harness
    await seed(h)
    await h.reviewer_2.send("/summary")
    await h.reviewer_2.expect("Key projects: 2 of 50 approved")
    await h.api.wait_until(lambda: len(h.api.calls("sendPhoto")) == 2)
    await h.stranger.send("/summary")
    await h.stranger.expect("You are not allowed to do that.")


async def test_reminders_reach_the_right_reviewer_once_across_restarts(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant)
    h.clock.set_local(2026, 12, 7)  # 5 of the 10 promised working days used
    await h.application.jobs.reminders()
    await h.application.jobs.sender.flush()
    reminder = await h.reviewer.expect(f"⏰ #{number}", chat=h.group)
    assert "承诺时限已用 5/10 个工作日" in reminder["text"]
    await h.restart()
    await h.application.jobs.catch_up_done()
    await h.application.jobs.reminders()
    await h.application.jobs.sender.flush()
    texts = [m["text"] for m in h.reviewer.inbox(h.group) if m.get("text", "").startswith("⏰")]
    assert len(texts) == 1


async def test_a_day_another_process_claimed_is_not_sent_again(harness: Harness) -> None:
    """Only one process may hold the database at a time (storage/lock.py); the day's claim is what keeps a process
    started after another one — or a second one racing it on a shared server — from sending the summary twice."""
    from assembly import create_application

    h = harness
    await seed(h)
    await h.stop()
    h.settings = h.settings.model_copy(update={"summary_time": time(8, 30)})
    other = await create_application(h.settings, clock=h.clock)  # another process, same file
    try:
        first_claim = await other.jobs.run_daily()
    finally:
        await other.close()
    await h.start()
    await with_summary_at(h, time(8, 30))
    assert first_claim is True
    assert await h.application.jobs.run_daily() is False
    await h.application.jobs.sender.flush()
    summaries = [m for m in h.reviewer.inbox(h.group) if "累计已批复" in (m.get("text") or "")]
    assert len(summaries) == 1


async def test_overdue_requests_are_listed_every_day_until_decided(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant)
    h.clock.set_local(2026, 12, 15)  # promised 2026-12-14: one working day late
    await with_summary_at(h, time(8, 30))
    listing = await h.reviewer.expect("超期申请", chat=h.group)
    assert f"#{number} 城东污水处理厂扩建 · 承诺 2026-12-14 · 已超 1 个工作日" in listing["text"]
    h.clock.set_local(2026, 12, 16)
    assert await h.application.jobs.run_daily() is True
    await h.application.jobs.sender.flush()
    lists = [m for m in h.reviewer.inbox(h.group) if "超期申请" in (m.get("text") or "")]
    assert len(lists) == 2
    assert "已超 2 个工作日" in lists[-1]["text"]


async def test_unsubscribe(harness: Harness) -> None:
    h = harness
    await h.applicant.send("/unsubscribe")
    await h.applicant.expect("您尚未订阅")
    await h.repos.subscribers.request(h.applicant.id, [], h.clock.now())
    await h.repos.subscribers.approve(h.applicant.id, Outgoing(h.applicant.id, "welcome"), h.clock.now())
    await h.applicant.send("/unsubscribe")
    await h.applicant.expect("已退订每日简报")
    assert await h.repos.subscribers.active() == []


async def on_file(h: Harness) -> list[tuple[int, str]]:
    async with h.db.reader.execute("SELECT user_id, status FROM subscribers ORDER BY user_id") as cursor:
        return [(int(user_id), str(status)) for user_id, status in await cursor.fetchall()]


async def test_an_approval_whose_notice_cannot_be_written_changes_nothing_and_can_be_pressed_again(
    harness: Harness,
) -> None:
    h = harness
    await h.applicant_en.send("/subscribe")
    await h.applicant_en.expect("Your request was sent to the administrators.")
    ask = await h.admin.expect("申请订阅每日简报")
    async with refusing_messages_to(h.db, h.applicant_en.id):  # as if killed before the notice was written
        failed = await h.admin.answer(await h.admin.press(ask, "批准"))
    assert failed["text"] == "抱歉，系统出现问题，未作任何更改，请重试。"
    assert await on_file(h) == [(h.applicant_en.id, "pending")]
    assert (await h.admin.answer(await h.admin.press(ask, "批准")))["text"] == "已处理。"
    await h.applicant_en.expect("You will receive the daily summary.")
    assert await on_file(h) == [(h.applicant_en.id, "active")]
    late_decline = await h.admin.press_data(ask, f"sb:{h.applicant_en.id}:0")  # a copy of the buttons left over
    assert (await h.admin.answer(late_decline))["text"] == "已处理过。"
    assert await h.repos.subscribers.active() == [h.applicant_en.id]


async def test_a_decline_reaches_the_applicant(harness: Harness) -> None:
    h = harness
    await h.applicant.send("/subscribe")
    ask = await h.admin.expect("申请订阅每日简报")
    assert (await h.admin.answer(await h.admin.press(ask, "拒绝")))["text"] == "已处理。"
    await h.applicant.expect("您的订阅申请未获批准")
    assert await on_file(h) == []


async def test_a_request_to_subscribe_the_admins_cannot_hear_of_is_not_kept(harness: Harness) -> None:
    h = harness
    async with refusing_messages_to(h.db, ADMIN_ID):  # as if killed before the admins' notice was written
        await h.applicant_en.send("/subscribe")
        await h.applicant_en.expect("Nothing was changed; please try again.")
    assert await on_file(h) == []  # no request that no admin will ever see
    await h.applicant_en.send("/subscribe")
    await h.applicant_en.expect("Your request was sent to the administrators.")
    await h.admin.expect("申请订阅每日简报")
    assert await on_file(h) == [(h.applicant_en.id, "pending")]
