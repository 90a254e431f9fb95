"""Admins manage reviewers and the key-project list, and export everything."""

import io
from datetime import datetime

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from approvals.models import Role
from tests.bot.conftest import Harness
from tests.bot.flows import import_key_projects, submit
from tests.factories import REVIEWER


async def test_reviewers_are_listed_added_and_removed_by_admins_only(harness: Harness) -> None:
    h = harness
    await h.admin.send("/reviewers")
    listing = await h.admin.expect("审批人员")
    assert "201 " in listing["text"]
    assert "202 " in listing["text"]
    await h.admin.send("/reviewers add 666")
    await h.admin.expect("666 已设为审批人员")
    await h.stranger.send("/queue")
    await h.stranger.expect("Queue · 0 open")  # Mallory is a reviewer now (her Telegram is in English)
    await h.admin.send("/reviewers remove 666")
    await h.admin.expect("666 已不再是审批人员")
    await h.admin.send("/reviewers add bob")
    await h.admin.expect("请发送 Telegram 用户 ID")
    await h.reviewer.send("/reviewers add 777")
    await h.reviewer.expect("您无权进行此操作")
    assert (await h.repos.people.get(777)) is None


async def test_admins_give_the_chief_and_director_roles_in_the_chat(harness: Harness) -> None:
    h = harness
    for command, reply in (
        ("/reviewers add 301 chief", "301 已设为审核人（科长）"),
        ("/reviewers add 302 签发", "302 已设为签发人（局长）"),  # the Chinese word for the step works too
        (f"/reviewers add {h.reviewer.id} chief", f"{h.reviewer.id} 已设为审核人（科长）"),
        ("/reviewers add 303 boss", "用法：/reviewers、/reviewers add ID [chief|director]"),
    ):
        mark = h.admin.last_id()
        await h.admin.send(command)
        await h.admin.expect(reply, after=mark)
    assert (await h.repos.people.get(301)).roles == {Role.CHIEF}
    assert (await h.repos.people.get(302)).roles == {Role.DIRECTOR}
    assert (await h.repos.people.get(303)) is None
    mark = h.admin.last_id()
    await h.admin.send("/reviewers")
    listing = (await h.admin.expect("审批人员", after=mark))["text"]
    assert f"{h.reviewer.id} · 审批人员、审核人（科长）" in listing  # (no name on record until they write)
    assert "301 · 审核人（科长）" in listing and "302 · 签发人（局长）" in listing
    mark = h.admin.last_id()
    await h.admin.send(f"/reviewers remove {h.reviewer.id} chief")
    await h.admin.expect(f"{h.reviewer.id} 已不再是审核人（科长）", after=mark)
    assert (await h.repos.people.get(h.reviewer.id)).roles == {Role.REVIEWER}  # still a reviewer
    mark = h.reviewer.last_id()
    await h.reviewer.send("/reviewers add 304 director")
    await h.reviewer.expect("您无权进行此操作", after=mark)
    assert (await h.repos.people.get(304)) is None


async def test_reviewers_add_and_remove_say_what_actually_happened(harness: Harness) -> None:
    h = harness
    admin = h.admin

    async def reply(command: str) -> str:
        mark = admin.last_id()
        await admin.send(command)
        await admin.world.wait_until(lambda: admin.last_id() > mark + 1)
        return str(admin.inbox()[-1]["text"])

    removed = await reply(f"/reviewers remove {admin.id}")
    assert removed == f"{admin.id} 是管理员（ADMIN_IDS）：管理员始终是审批人员，无法在此移除。"
    await h.applicant.send("/start")  # someone the bot knows
    await h.applicant.expect("欢迎")
    assert await reply(f"/reviewers add {h.applicant.id}") == f"{h.applicant.id} 已设为审批人员。"
    assert await reply(f"/reviewers add {h.applicant.id}") == f"{h.applicant.id} 原本就是审批人员，无需重复设置。"
    assert await reply(f"/reviewers add {h.reviewer.id}") == f"{h.reviewer.id} 原本就是审批人员，无需重复设置。"
    assert await reply(f"/reviewers add {admin.id}") == f"{admin.id} 原本就是审批人员，无需重复设置。"
    stranger = await reply("/reviewers add 123456789")  # nobody the bot has heard from: accepted, with a warning
    assert stranger.startswith("123456789 已设为审批人员。\n注意：123456789 尚未与机器人对话过")
    assert (await h.application.app.admin.actor(123456789)).is_reviewer
    assert "/reviewers remove 123456789" in await reply("/reviewers remove x")
    assert "/reviewers add 123456789" in await reply("/reviewers add x")


async def test_key_project_import_reports_bad_rows_and_keeps_the_old_list(harness: Harness) -> None:
    h = harness
    good = "项目编号,项目名称,建设单位\nKP-01,城东污水处理厂,区水务集团\nKP-02,实验学校,区教育局\n".encode()
    assert await import_key_projects(h.admin, "重点项目.csv", good, mime="text/csv") == "✅ 重点项目名单现有 2 个项目。"
    bad = b"code,name,owner,planned_start\nKP-03,A,B,\n,C,D,\nKP-03,E,F,\nKP-05,G,H,someday\n"
    await h.admin.send_document("list.csv", bad, mime="text/csv")
    report = await h.admin.expect("未导入任何数据")
    for line in ("第 3 行：编号为空", "第 4 行：编号 KP-03 与第 2 行重复", "第 5 行：计划开工日期：someday 不是"):
        assert line in report["text"]
    # columns are named as the instructions name them, not by the file's keys
    for header, missing in (
        (b"code,name\n", "第 1 行：缺少列：建设单位"),
        (b"x,y\n", "缺少列：编号、项目名称、建设单位"),
    ):
        mark = h.admin.last_id()
        await h.admin.send_document("list.csv", header + b"KP-1,A\n", mime="text/csv")
        report = await h.admin.expect("未导入任何数据", after=mark)
        assert missing in report["text"]
        assert "owner" not in report["text"]
    await h.admin.send("/keyprojects")
    board = await h.admin.expect("重点项目：已批复 0 个，共 2 个")
    assert "KP-01 城东污水处理厂" in board["text"]
    # a reviewer sending a CSV is just a file, not an import
    await h.reviewer.send_document("list.csv", good, mime="text/csv")
    await h.reviewer.send("/keyprojects")
    await h.reviewer.expect("共 2 个")


async def test_export_is_an_xlsx_of_requests_and_history(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant, answers={"project_name": "=HYPERLINK(1)"})
    await h.application.app.approvals.approve(REVIEWER, number)  # issued: 区环审〔2026〕1号
    await h.admin.send("/export")
    sent = await h.admin.expect("共 1 件申请")
    data = h.api.world.files[sent["document"]["file_id"]].data
    book = load_workbook(io.BytesIO(data), read_only=True)
    requests = list(book.worksheets[0].iter_rows(values_only=True))
    assert requests[0][:2] == ("编号", "项目")
    assert requests[1][0] == number
    assert requests[1][1] == "=HYPERLINK(1)"  # user text, as typed, never a formula
    history = list(book.worksheets[1].iter_rows(values_only=True))
    assert history[1][2] == "提交"
    approved = next(row for row in history if row[2] == "批准")  # (the bureau's copy of the file may come first)
    assert history[0][7:9] == ("批复文号", "相关审批人员") and approved[7] == "区环审〔2026〕1号"  # what each step set
    book.close()
    await h.reviewer.send("/export")
    await h.reviewer.expect("您无权进行此操作")


async def test_the_export_is_a_spreadsheet_to_work_in(harness: Harness) -> None:
    """Filters on a frozen header, columns as wide as their contents, real dates, the lane in words, and text that
    looks like a formula kept as the text it is, with no apostrophe showing."""
    h = harness
    answers = {
        "project_name": "=1+1",
        "organisation": "+86 区水务集团",
        "contact_name": "-王工",
        "location": "@" + "城东街道" * 40,
    }
    number = await submit(h.applicant, answers=answers)
    await h.application.app.approvals.approve(REVIEWER, number)  # issued: 区环审〔2026〕1号
    await h.admin.send("/export")
    sent = await h.admin.expect("共 1 件申请")
    book = load_workbook(io.BytesIO(h.api.world.files[sent["document"]["file_id"]].data))
    sheet, history = book.worksheets
    header = [cell.value for cell in sheet[1]]
    row = {name: cell for name, cell in zip(header, sheet[2], strict=True)}

    for name, typed in (
        ("项目", "=1+1"),
        ("建设单位", "+86 区水务集团"),
        ("联系人", "-王工"),
        ("建设地点", answers["location"]),
    ):
        assert (row[name].value, row[name].data_type) == (typed, "s")
    assert row["通道"].value == "绿色通道"  # the lane in words, no emoji
    assert row["提交时间"].value == datetime(2026, 11, 30, 10, 0) and row["提交时间"].is_date
    assert row["提交时间"].number_format == "yyyy-mm-dd hh:mm"
    for name in ("受理日期", "承诺办结日期", "法定期限", "办结日期"):
        assert isinstance(row[name].value, datetime) and row[name].is_date, name  # openpyxl reads dates back so
        assert row[name].number_format == "yyyy-mm-dd", name
    assert row["受理日期"].value == datetime(2026, 11, 30)
    assert row["总投资（万元）"].data_type == "n"
    at = history.cell(2, 2)
    assert at.is_date and at.number_format == "yyyy-mm-dd hh:mm:ss"

    for worksheet, columns in ((sheet, len(header)), (history, history.max_column)):
        assert worksheet.freeze_panes == "A2"
        assert worksheet.auto_filter.ref == f"A1:{get_column_letter(columns)}{worksheet.max_row}"
    widths = {name: sheet.column_dimensions[get_column_letter(n)].width for n, name in enumerate(header, start=1)}
    assert widths["编号"] < widths["建设单位"] < widths["建设地点"] == 60  # as wide as the contents, within bounds
    book.close()
