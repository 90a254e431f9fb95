"""The key-project list through the real bot: an import previewed and confirmed, archived codes, /keyprojects pages
and search, and the few key projects /stats names."""

from typing import Any

from approvals.ledger import KeyProject
from approvals.models import Actor, Role
from handlers.callbacks import KeyBoardCB
from tests.bot.conftest import Harness
from tests.factories import make_draft

BOSS = Actor(user_id=9001, name="局长", roles=frozenset({Role.ADMIN, Role.REVIEWER}))
OLD = [
    KeyProject(code="KP-01", name="城东污水处理厂", owner="区水务集团"),
    KeyProject(code="KP-02", name="实验学校", owner="区教育局"),
    KeyProject(code="KP-03", name="城北道路", owner="区交通局"),
]


def button(message: dict[str, Any], label: str) -> str:
    """A button's data as the message shows it now (a client may still press it after the bot removed it)."""
    rows = message["reply_markup"]["inline_keyboard"]
    return next(b["callback_data"] for row in rows for b in row if label in b["text"])


NEW = (
    "项目编号,项目名称,建设单位\n"
    "KP-01,城东污水处理厂,区水务集团\nKP-02,实验学校新校区,区教育局\nKP-04,体育馆,区体育局\n"
)


async def test_a_key_project_file_is_previewed_and_replaces_the_list_only_on_confirm(harness: Harness) -> None:
    h = harness
    await h.repos.key_projects.replace_all(OLD)
    applicant = Actor(user_id=h.applicant.id, name="王工")
    naming = await h.application.app.approvals.submit(applicant, make_draft(project_name="城北道路", key_code="KP-03"))

    mark = h.admin.last_id()
    await h.admin.send_document("重点项目.csv", NEW.encode(), mime="text/csv")
    preview = await h.admin.expect("导入预览", after=mark)
    for line in (
        "文件中有 3 个项目；现有名单 3 个。",
        "+ KP-04 体育馆",
        "− KP-03 城北道路 · 1 件申请引用",
        "✎ KP-02 实验学校 → 实验学校新校区",
        "有 1 件申请引用了被移出的编号",
    ):
        assert line in preview["text"]
    await h.admin.send("/keyprojects")
    board = await h.admin.expect("共 3 个", after=mark)
    assert "KP-03 城北道路" in board["text"]  # nothing has changed yet

    confirm = button(preview, "确认")
    await h.restart()  # the preview waits in the database, not in the process
    mark = h.admin.last_id()
    assert (await h.admin.answer(await h.admin.press_data(preview, confirm)))["text"] == "已处理。"
    await h.admin.expect("重点项目名单现有 3 个项目。1 个编号已归档。", after=mark)  # no space between them
    await h.admin.send("/keyprojects")
    board = await h.admin.expect("KP-04 体育馆", after=mark)
    assert "KP-03" not in board["text"] and "KP-02 实验学校新校区" in board["text"]
    assert "reply_markup" not in preview or not preview["reply_markup"]  # the preview lost its buttons
    again = await h.admin.answer(await h.admin.press_data(preview, confirm))  # pressed again all the same
    assert again == {"text": "该导入已确认过。", "show_alert": True}

    await h.applicant.send(f"/status {naming.id}")  # the request keeps its code, and shows the name it had
    await h.applicant.expect("重点项目：KP-03 城北道路（已不在重点项目名单中）")


async def test_a_cancelled_preview_changes_nothing_and_cannot_be_confirmed_after(harness: Harness) -> None:
    h = harness
    await h.repos.key_projects.replace_all(OLD)
    mark = h.admin.last_id()
    await h.admin.send_document("重点项目.csv", NEW.encode(), mime="text/csv")
    preview = await h.admin.expect("导入预览", after=mark)
    confirm = button(preview, "确认")
    await h.admin.answer(await h.admin.press(preview, "取消"))
    await h.admin.expect("已取消，重点项目名单未变。", after=mark)
    late = await h.admin.answer(await h.admin.press_data(preview, confirm))
    assert late["text"] == "该预览已取消。如需导入，请重新发送文件。"
    assert [p.code for p in await h.repos.key_projects.all()] == ["KP-01", "KP-02", "KP-03"]


async def test_keyprojects_pages_through_the_list_and_searches_it(harness: Harness) -> None:
    h = harness
    await h.repos.key_projects.replace_all(
        [KeyProject(code=f"KP-{n:02}", name=f"城东污水处理厂{n}期", owner="区水务集团") for n in range(1, 13)]
        + [KeyProject(code=f"KP-{n:02}", name=f"实验学校{n}", owner="区教育局") for n in range(13, 26)]
    )
    await h.reviewer.send("/keyprojects")
    first = await h.reviewer.expect("第 1/3 页")
    assert "KP-10 " in first["text"] and "KP-11 " not in first["text"]
    mark = h.reviewer.last_id()
    await h.reviewer.answer(await h.reviewer.press(first, "下一页"))
    second = await h.reviewer.expect("第 2/3 页")
    assert second["message_id"] == first["message_id"] <= mark  # the same message, turned over
    assert "KP-11 " in second["text"] and "KP-21 " not in second["text"]

    await h.reviewer.send("/keyprojects 污水")
    found = await h.reviewer.expect("12 个匹配“污水”")
    assert "第 1/2 页" in found["text"] and "实验学校" not in found["text"]
    await h.reviewer.answer(await h.reviewer.press(found, "下一页"))
    turned = await h.reviewer.expect("第 2/2 页")
    assert "KP-11 城东污水处理厂11期" in turned["text"] and "KP-13" not in turned["text"]
    buttons = [button["callback_data"] for row in found["reply_markup"]["inline_keyboard"] for button in row]
    pages = [data for data in buttons if data.startswith(f"{KeyBoardCB.__prefix__}:")]
    assert pages and all(data.startswith("ks:o:") for data in buttons if data not in pages)  # a button per project
    for data in pages:
        assert KeyBoardCB.unpack(data).search > 0  # the button names the search; its text stays in the chat state

    await h.reviewer.send("/keyprojects 学校")
    await h.reviewer.expect("13 个匹配“学校”")
    stale = await h.reviewer.answer(await h.reviewer.press(turned, "上一页"))  # a page of the search before
    assert stale["text"] == "该搜索已过期：请重新发送 /keyprojects 加编号或名称。"
    await h.stranger.send("/keyprojects")
    await h.stranger.expect("You are not allowed to do that.")


async def test_stats_names_a_few_key_projects_needing_attention_and_counts_the_rest(harness: Harness) -> None:
    h = harness
    await h.repos.key_projects.replace_all(
        [KeyProject(code=f"KP-{n:02}", name=f"重点项目{n}", owner="区政府") for n in range(1, 51)]
    )
    approvals = h.application.app.approvals
    applicant = Actor(user_id=h.applicant.id, name="王工")

    async def submitted(n: int) -> int:
        return (await approvals.submit(applicant, make_draft(project_name=f"重点项目{n}", key_code=f"KP-{n:02}"))).id

    h.clock.set_local(2026, 11, 16)
    overdue = [await submitted(n) for n in (1, 2, 3, 4)]  # report forms: promised in 5 working days, 11-23
    h.clock.set_local(2026, 11, 25)
    at_risk = [await submitted(n) for n in (5, 6)]  # due 12-02: within the 3 working days of risk
    waiting = await submitted(7)
    await approvals.request_info(BOSS, waiting, "请补充监测报告")
    approved = await submitted(8)
    await approvals.approve(BOSS, approved)
    h.clock.set_local(2026, 11, 30)
    await submitted(9)  # due 12-07: on time, nothing to say

    await h.reviewer.send("/stats")
    stats = await h.reviewer.expect("需要关注的重点项目 7 个")
    text = stats["text"]
    shown = [f"· KP-0{n} 重点项目{n} — " for n in (1, 2, 3, 4, 5)]
    assert all(line in text for line in shown)
    assert f"· KP-01 重点项目1 — 已逾期：应于 2026-11-23 办结 (#{overdue[0]})" in text
    assert f"· KP-05 重点项目5 — 临期：应于 2026-12-02 办结，剩 2 个工作日 (#{at_risk[0]})" in text
    assert "……另有 2 个，见 /keyprojects" in text
    for quiet in ("KP-07 ", "KP-08 ", "KP-09 ", "KP-30 "):  # beyond the few lines, approved, on time, not submitted
        assert quiet not in text
    assert "已批复 1 个，共 50 个" in text
