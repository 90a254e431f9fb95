"""Files and names sent to hurt the bot or fool a reviewer: bombs, polyglots, lies about size, control characters.

Spreadsheet bombs reach the bot as any file does and are parsed by its confined worker (the worker's memory and time
bound), never in the test process.
"""

from __future__ import annotations

import io
import re
from typing import Any

from openpyxl import load_workbook

from localbotapi import ChatUser
from tests import hostile_files as hostile
from tests.bot.conftest import Harness
from tests.bot.flows import PDF, card_in_group, fill_form, pdf, steps, submit

APOLOGY = "抱歉，系统出现问题"
NOTHING_IMPORTED = "未导入任何数据"
TOO_BIG = "文件不能超过 20 MB"
WORKER_TIMEOUT = 90.0  # a busy machine: the worker's own wall-clock bound is 45 s


async def documents_step(user: ChatUser) -> dict[str, Any]:
    """The form, filled and back at "send the documents" (with none kept)."""
    confirm = await fill_form(user)
    mark = user.last_id()
    await user.press(confirm, "修改")
    fields = await user.expect("您要修改哪一项", after=mark)
    mark = user.last_id()
    await user.press(fields, "材料")
    listed = await user.expect("上传申报材料", after=mark)
    await user.answer(await user.press(listed, "✖ 1. eia.pdf"))  # the file sent is kept until removed
    return await user.expect("已删除 eia.pdf", after=mark)


async def sent(user: ChatUser, name: str, data: bytes, expected: str, **options: Any) -> dict[str, Any]:
    mark = user.last_id()
    await user.send_document(name, data, **options)
    return await user.expect(expected, after=mark, timeout=WORKER_TIMEOUT)


async def test_spreadsheet_bombs_are_refused_by_the_confined_reader_and_everyone_is_still_answered(
    harness: Harness,
) -> None:
    h = harness
    # 1.5 KB declaring every cell of the sheet, one of them in the last row: once padded every row to 16,384 cells
    report = await sent(h.admin, "重点项目.xlsx", hostile.dimension_bomb(), NOTHING_IMPORTED)
    assert "文件中没有项目" in report["text"]  # its one cell is far right of any column the list has
    # 260 KB that unpacks to a 256 MB shared string: refused from the archive's directory, before any XML is read
    report = await sent(h.admin, "重点项目.xlsx", hostile.shared_string_bomb(256), NOTHING_IMPORTED)
    assert "解压后超过 16 MB" in report["text"]
    await h.applicant.send("/help")
    await h.applicant.expect("命令")
    assert await h.repos.key_projects.all() == []


async def test_reading_a_large_key_project_file_does_not_hold_up_other_users(harness: Harness) -> None:
    """5,000 projects of 30 columns took 3-6 s to parse on the event loop, and every user waited. Now another user
    asking for /help once the file has been fetched is answered before the file's preview: the reading happens
    elsewhere (an order of events, not a timing)."""
    h = harness
    data = hostile.rows_xlsx(5000, columns=30)
    await h.admin.send_document("重点项目.xlsx", data)
    await h.api.wait_until(lambda: h.api.calls("getFile"), timeout=WORKER_TIMEOUT)  # fetched: reading begins
    await h.applicant.send("/help")
    await h.applicant.expect("命令", timeout=WORKER_TIMEOUT)
    preview = await h.admin.expect("导入预览", timeout=WORKER_TIMEOUT)
    sent = [c for c in h.api.calls("sendMessage") if c.error is None]
    help_at = next(n for n, c in enumerate(sent) if c.params.get("chat_id") == h.applicant.id)
    preview_at = next(n for n, c in enumerate(sent) if "导入预览" in str(c.params.get("text")))
    assert help_at < preview_at  # /help was not kept waiting behind the spreadsheet
    mark = h.admin.last_id()
    assert (await h.admin.answer(await h.admin.press(preview, "确认")))["text"] == "已处理。"
    held = await h.admin.expect("重点项目名单现有", after=mark)
    assert held["text"] == "✅ 重点项目名单现有 5000 个项目。"


async def test_a_key_project_file_claiming_to_be_too_big_is_refused_before_it_is_fetched(harness: Harness) -> None:
    h = harness
    small = "项目编号,项目名称,建设单位\nKP-01,城东污水处理厂,区水务集团\n".encode()
    report = await sent(h.admin, "重点项目.csv", small, NOTHING_IMPORTED, mime="text/csv", size=6 * 1024 * 1024)
    assert "文件超过 5 MB" in report["text"]
    assert h.api.calls("getFile") == []
    assert await h.repos.key_projects.all() == []


async def test_key_project_files_that_cannot_be_read_get_a_row_report_not_an_apology(harness: Harness) -> None:
    h = harness
    report = await sent(h.admin, "重点项目.xlsx", hostile.entity_sheet(), NOTHING_IMPORTED)
    assert "无法作为表格读取该文件" in report["text"]
    mixed = "code,name,owner\nKP-1,城东,水务\n".encode() + "KP-2,城西,水务\n".encode("gbk")
    report = await sent(h.admin, "list.csv", mixed, NOTHING_IMPORTED, mime="text/csv")
    assert "第 3 行：从该行起文本编码不同" in report["text"]
    assert not [m for m in h.admin.inbox() if APOLOGY in (m.get("text") or "")]


async def test_a_long_list_of_bad_rows_is_cut_at_fifty_with_a_count_of_the_rest(harness: Harness) -> None:
    h = harness
    bad = "".join(f"KP {n},A,B\n" for n in range(200))
    mark = h.admin.last_id()
    await sent(h.admin, "list.csv", f"code,name,owner\n{bad}".encode(), "另有 150 行有问题", mime="text/csv")
    text = "\n".join(m["text"] for m in h.admin.inbox() if m["message_id"] > mark)
    assert text.count("第 ") == 50
    assert "第 51 行" in text
    assert "第 52 行" not in text


async def test_a_document_that_lies_about_its_size_is_cut_off_at_the_limit(harness: Harness) -> None:
    user = harness.applicant
    await documents_step(user)
    huge = PDF + b" " * (21 * 1024 * 1024)  # ends without a trailer, but nothing past 20 MB is ever looked at
    await sent(user, "eia.pdf", huge, TOO_BIG, size=1024)
    await sent(user, "eia.pdf", PDF, "共 1 份")


async def test_documents_are_checked_to_their_end_and_a_zip_holds_documents_only(harness: Harness) -> None:
    user = harness.applicant
    await documents_step(user)
    await sent(user, "report.pdf", hostile.pdf_zip_polyglot(), "文件内容与文件名不符")
    await sent(user, "report.pdf", b"%PDF-1.4 cut short in the upload", "文件已损坏或不完整")
    setup = hostile.zip_of({"eia.pdf": PDF, "setup.exe": b"MZ\x90\x00 a Windows program"})
    await sent(user, "material.zip", setup, "不能包含 setup.exe", mime="application/zip")
    disguised = hostile.zip_of({"eia.pdf": b"MZ\x90\x00 a Windows program"})
    await sent(user, "material.zip", disguised, "不能包含 eia.pdf", mime="application/zip")
    await sent(user, "material.zip", hostile.zip_bomb(201), "解压后超过 200 MB", mime="application/zip")
    good = hostile.zip_of({"eia/report.pdf": PDF, "eia/drawings.docx": b"PK\x03\x04 a docx"})
    await sent(user, "material.zip", good, "共 1 份", mime="application/zip")


async def test_control_and_bidi_characters_are_cleaned_from_names_and_the_export_still_works(
    harness: Harness,
) -> None:
    h = harness
    hostile_user = ChatUser(h.api.world, 103, "Eve\x0b Lyn\u202e", "zh-hans")
    await documents_step(hostile_user)
    received = await sent(hostile_user, "invoice\u202eexe.pdf", PDF, "已收到")
    assert "invoiceexe.pdf" in received["text"]
    mark = hostile_user.last_id()
    await hostile_user.send_document("notes\x0b.pdf", pdf("notes.pdf"))  # (the same bytes would be one document)
    done = await hostile_user.expect("共 2 份", after=mark)
    mark = hostile_user.last_id()
    await hostile_user.press(done, "完成")
    confirm = await hostile_user.expect("请核对", after=mark)
    mark = hostile_user.last_id()
    await hostile_user.answer(await hostile_user.press(confirm, "提交"))
    receipt = await hostile_user.expect("已收到申请", after=mark)
    number = int(re.findall(r"#(\d+)", receipt["text"])[0])
    card = await card_in_group(h, number)
    assert "invoiceexe.pdf、notes.pdf" in card["text"]  # listed as Chinese lists things
    submitted = (await steps(h, number))[0]  # (then accepted by a reviewer: tests/conftest.py accept_on_receipt)
    assert (submitted.action, submitted.actor_name) == ("submit", "Eve Lyn")

    await submit(h.applicant)
    await h.admin.send("/export")
    sent_file = await h.admin.expect("共 2 件申请")
    book = load_workbook(io.BytesIO(h.api.world.files[sent_file["document"]["file_id"]].data), read_only=True)
    requests = list(book.worksheets[0].iter_rows(values_only=True))
    history = list(book.worksheets[1].iter_rows(values_only=True))
    book.close()
    assert requests[1][-2] == "invoiceexe.pdf, notes.pdf"  # (the last column: their hashes)
    assert history[1][3] == "Eve Lyn"
