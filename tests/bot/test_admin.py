"""Admins manage reviewers and the key-project list, and export everything."""

import io

from openpyxl import load_workbook

from tests.bot.conftest import Harness
from tests.bot.flows import submit
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


async def test_key_project_import_reports_bad_rows_and_keeps_the_old_list(harness: Harness) -> None:
    h = harness
    good = "项目编号,项目名称,建设单位\nKP-01,城东污水处理厂,区水务集团\nKP-02,实验学校,区教育局\n".encode()
    await h.admin.send_document("重点项目.csv", good, mime="text/csv")
    await h.admin.expect("已导入 2 个重点项目")
    bad = b"code,name,owner,planned_start\nKP-03,A,B,\n,C,D,\nKP-03,E,F,\nKP-05,G,H,someday\n"
    await h.admin.send_document("list.csv", bad, mime="text/csv")
    report = await h.admin.expect("未导入任何数据")
    for line in ("第 3 行：code 为空", "第 4 行：编号 KP-03 与第 2 行重复", "第 5 行：planned_start：someday 不是"):
        assert line in report["text"]
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
    await h.application.app.approvals.approve(REVIEWER, number, "区环审〔2026〕5号")
    await h.admin.send("/export")
    sent = await h.admin.expect("共 1 件申请")
    data = h.api.world.files[sent["document"]["file_id"]].data
    book = load_workbook(io.BytesIO(data), read_only=True)
    requests = list(book.worksheets[0].iter_rows(values_only=True))
    assert requests[0][:2] == ("编号", "项目")
    assert requests[1][0] == number
    assert requests[1][1] == "'=HYPERLINK(1)"  # user text never becomes a formula
    history = list(book.worksheets[1].iter_rows(values_only=True))
    assert history[1][2] == "提交"
    approved = next(row for row in history if row[2] == "批准")  # (the bureau's copy of the file may come first)
    assert history[0][7:9] == ("批复文号", "相关审批人员") and approved[7] == "区环审〔2026〕5号"  # what each step set
    book.close()
    await h.reviewer.send("/export")
    await h.reviewer.expect("您无权进行此操作")
