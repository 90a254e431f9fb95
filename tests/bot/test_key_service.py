"""The key-project service through the real bot: an admin assigns a liaison from /keyprojects, the liaison gets the
card of the project's request privately (the group still does), their /my lists the project with its stage and
days left, a consultation recorded by reply, /bulletin and /ledger on demand, and the weekly bulletin sent once per
week across restarts, at its minute."""

from __future__ import annotations

import io
from datetime import time
from typing import Any

from openpyxl import load_workbook

from approvals.key_stages import KeyStage
from approvals.ledger import KeyProject
from approvals.models import Actor, Category
from handlers.key_service_kb import KsAction, KsCB
from sandbox.app import Sandbox
from sandbox.cast import CAST
from tests.bot.conftest import Harness
from tests.factories import make_draft

FORBIDDEN = "您无权进行此操作。"
PROJECTS = [
    KeyProject(code="KP-01", name="城东污水处理厂", owner="区水务集团"),
    KeyProject(code="KP-02", name="实验学校", owner="区教育局"),
]


def documents(h: Harness, chat_id: int) -> list[dict[str, Any]]:
    return [m for (cid, _), m in sorted(h.api.world.messages.items()) if cid == chat_id and "document" in m]


async def assigned(h: Harness, code: str = "KP-01", user: int | None = None, before: str = "未指定") -> None:
    """The admin opens the project from /keyprojects and makes the first reviewer (or ``user``) its liaison."""
    mark = h.admin.last_id()
    await h.admin.send("/keyprojects")
    board = await h.admin.expect("重点项目", after=mark)
    await h.admin.answer(await h.admin.press(board, code))
    page = await h.admin.expect(f"帮包人：{before}", after=mark)
    await h.admin.answer(await h.admin.press(page, "指定帮包人"))
    choose = await h.admin.expect(f"请选择 {code} 的帮包人", after=mark)
    pick = KsCB(action=KsAction.PICK, code=code, user=user or h.reviewer.id).pack()
    assert (await h.admin.answer(await h.admin.press(choose, pick)))["text"] == "已处理。"
    await h.admin.expect("阶段：未申报", after=mark)


async def test_an_assigned_liaison_gets_the_projects_card_privately_and_sees_it_on_my(harness: Harness) -> None:
    h = harness
    await h.repos.key_projects.replace_all(PROJECTS)
    await h.reviewer.send("/start")  # known to the bot by name
    await assigned(h)
    await h.reviewer.expect("您已被指定为重点项目 KP-01 城东污水处理厂 的帮包人")

    applicant = Actor(user_id=h.applicant.id, name="王工")
    draft = make_draft(project_name="城东污水处理厂扩建", key_code="KP-01", category=Category.OTHER)
    request = await h.application.app.approvals.submit(applicant, draft)
    card = await h.reviewer.expect(f"#{request.id}")  # in the liaison's private chat
    assert "城东污水处理厂扩建" in card["text"] and card["reply_markup"]["inline_keyboard"]
    await h.reviewer.expect(f"#{request.id}", chat=h.group)  # and in the group, as ever
    assert not [m for m in h.reviewer_2.inbox() if f"#{request.id}" in (m.get("text") or "")]

    mark = h.reviewer.last_id()
    await h.reviewer.send("/my")
    mine = await h.reviewer.expect("您帮包的重点项目", after=mark)
    assert "KP-01 城东污水处理厂 · 已受理，自 2026-11-30 起（0 个工作日） · 剩余" in mine["text"]
    assert "KP-02" not in mine["text"]

    other = h.reviewer_2.last_id()
    await h.reviewer_2.send("/my")
    assert "liaison" not in (await h.reviewer_2.expect("You have no requests yet.", after=other))["text"]


async def test_each_liaison_is_told_in_their_own_language_not_the_admins(harness: Harness) -> None:
    h = harness
    await h.repos.key_projects.replace_all(PROJECTS)
    await h.reviewer_2.send("/start")  # their app speaks English: remembered for them
    await h.reviewer.send("/start")
    await assigned(h, user=h.reviewer_2.id)  # the admin works in Chinese
    await h.reviewer_2.expect("You are now the liaison (帮包) of key project KP-01 城东污水处理厂")
    await assigned(h, before=h.reviewer_2.user["first_name"])
    await h.reviewer_2.expect("You are no longer the liaison of key project KP-01 城东污水处理厂.")
    await h.reviewer.expect("您已被指定为重点项目 KP-01 城东污水处理厂 的帮包人")


async def test_only_an_admin_assigns_and_the_liaison_records_a_consultation(harness: Harness) -> None:
    h = harness
    await h.repos.key_projects.replace_all(PROJECTS)
    press = KsCB(action=KsAction.ASSIGN, code="KP-02").pack()
    mark = h.reviewer.last_id()
    await h.reviewer.send("/keyprojects")
    board = await h.reviewer.expect("重点项目", after=mark)
    await h.reviewer.answer(await h.reviewer.press(board, "KP-02"))
    page = await h.reviewer.expect("帮包人：未指定", after=mark)
    assert "指定帮包人" not in str(page.get("reply_markup"))
    refused = await h.reviewer.answer(await h.reviewer.press_data(page, press))  # a forged Assign button
    assert refused["text"] == FORBIDDEN
    assert await h.application.app.key_service.liaison_of("KP-02") is None  # type: ignore[union-attr]

    await assigned(h, "KP-02")
    mark = h.reviewer.last_id()
    await h.reviewer.send("/keyprojects")
    board = await h.reviewer.expect("重点项目", after=mark)
    await h.reviewer.answer(await h.reviewer.press(board, "KP-02"))
    page = await h.reviewer.expect("帮包人：", after=mark)
    await h.reviewer.answer(await h.reviewer.press(page, "记录前期对接"))
    await h.reviewer.expect("请回复 KP-02 实验学校 的前期对接", after=mark)
    await h.reviewer.send("上周三 见了业主")
    await h.reviewer.expect("请先写日期（YYYY-MM-DD），再写说明", after=mark)
    await h.reviewer.send("2026-11-27 与区教育局现场对接，确定编制报告表")
    await h.reviewer.expect("前期对接已记录。", after=mark)
    shown = await h.reviewer.expect("阶段：前期对接中，自 2026-11-27 起（1 个工作日）", after=mark)
    assert "2026-11-27 与区教育局现场对接，确定编制报告表" in shown["text"]


async def test_bulletin_and_ledger_on_demand(harness: Harness) -> None:
    h = harness
    await h.repos.key_projects.replace_all(PROJECTS)
    await assigned(h)
    applicant = Actor(user_id=h.applicant.id, name="王工")
    draft = make_draft(project_name="实验学校", key_code="KP-02", category=Category.OTHER)
    await h.application.app.approvals.submit(applicant, draft)

    mark = h.reviewer.last_id()
    await h.reviewer.send("/bulletin")
    text = await h.reviewer.expect("重点项目周通报", after=mark)
    assert "🔴 红 0 · 🟡 黄 0 · 🟢 绿 2" in text["text"]
    assert "本周动态" in text["text"] and "已受理 1" in text["text"]
    assert "张审 (1): 🟢KP-01" in text["text"]
    sheet = await h.reviewer.expect("周通报（2026-11-30）", after=mark)
    book = load_workbook(io.BytesIO(h.api.world.files[sheet["document"]["file_id"]].data))
    assert book.sheetnames == ["红", "黄", "绿", "本周动态"]
    assert [r[0].value for r in book["绿"].iter_rows(min_row=2)] == ["KP-01", "KP-02"]
    await h.api.wait_until(lambda: any("photo" in m for m in h.reviewer.inbox()))

    await h.reviewer.send("/ledger")
    ledger = await h.reviewer.expect("重点项目台账：共 2 个项目", after=mark)
    rows = list(load_workbook(io.BytesIO(h.api.world.files[ledger["document"]["file_id"]].data)).active.values)
    assert rows[1][:5] == ("KP-01", "城东污水处理厂", "区水务集团", "张审", "未申报")
    assert rows[2][4] == "已受理" and rows[2][12:] == (0, 5, 30)  # the KEY lane's promise; a 报告表's legal 30

    mark = h.applicant.last_id()
    await h.applicant.send("/bulletin")
    await h.applicant.expect(FORBIDDEN, after=mark)


async def with_bulletin_at(h: Harness, at: time) -> None:
    await h.stop()
    h.settings = h.settings.model_copy(update={"bulletin_day": "monday", "bulletin_time": at})
    await h.start()
    assert h.application.bulletin is not None
    await h.application.bulletin.catch_up_done()


async def test_the_weekly_bulletin_goes_out_once_per_week_across_restarts_at_its_minute(harness: Harness) -> None:
    h = harness
    await h.repos.key_projects.replace_all(PROJECTS)
    group = h.group["id"]
    h.clock.set_local(2026, 11, 30, 8, 58)  # Monday, before the bulletin's 08:59
    await with_bulletin_at(h, time(8, 59))
    assert h.application.bulletin is not None
    assert not await h.application.bulletin.run()  # 08:58: not yet
    h.clock.set_local(2026, 11, 30, 8, 59)
    assert await h.application.bulletin.run()  # what the weekly job runs at 08:59
    await h.reviewer.expect("重点项目周通报", chat=h.group)
    await h.api.wait_until(lambda: len(documents(h, group)) == 1)
    await h.api.wait_until(lambda: any("photo" in m for m in h.reviewer.inbox(h.group)))

    h.clock.set_local(2026, 12, 2, 11, 0)  # Wednesday: restarted twice, nothing more this week
    await with_bulletin_at(h, time(8, 59))
    await h.restart()
    assert h.application.bulletin is not None
    await h.application.bulletin.catch_up_done()
    assert not await h.application.bulletin.run()
    assert len(documents(h, group)) == 1

    h.clock.set_local(2026, 12, 7, 10, 0)  # the next Monday, down at 08:59: caught up at start, once
    await with_bulletin_at(h, time(8, 59))
    await h.api.wait_until(lambda: len(documents(h, group)) == 2)
    await h.restart()
    assert h.application.bulletin is not None
    await h.application.bulletin.catch_up_done()
    assert not await h.application.bulletin.run()
    assert len(documents(h, group)) == 2
    texts = [m.get("text") or "" for m in h.reviewer.inbox(h.group)]
    assert sum("重点项目周通报" in text for text in texts) == 2


async def test_the_sandbox_sample_data_has_liaisons_consultations_and_every_kind_of_stage(sandbox: Sandbox) -> None:
    assert sandbox.application is not None and sandbox.application.app.key_service is not None
    keys = sandbox.application.app.key_service
    liaisons = await keys.store.liaisons()
    assert len(liaisons) == 50 and set(liaisons.values()) == {CAST[2].user_id, CAST[3].user_id}
    stages = await keys.stages(await sandbox.application.app.repos.key_projects.all())
    assert stages["S01"].stage is KeyStage.APPROVED
    assert stages["S02"].stage is KeyStage.WAITING_MATERIAL  # asked for more material (待补正)
    assert stages["S03"].stage is KeyStage.PREPARING and len((await keys.view("S03")).consultations) == 2
    assert stages["S50"].stage is KeyStage.NO_EIA
    assert stages["S10"].stage is KeyStage.NOT_APPLIED
