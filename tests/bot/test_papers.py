"""Written notices (文书) through the real bot and the local Bot API server: the applicant receives the acceptance
notice and the decision as PDF files, reviewers the DOCX on /files, /status lists them, and a step delivered
again never makes a second, different document."""

from __future__ import annotations

import hashlib
import io
import sqlite3
from contextlib import closing
from datetime import date
from typing import Any

import pypdfium2 as pdfium
import pytest
from docx import Document

from approvals import completeness
from approvals.clock_stops import StopKind
from paperwork.fields import ESTIMATED, chinese_due
from tests.bot.conftest import Harness
from tests.bot.flows import card_in_group, submit
from tests.factories import REVIEWER

pytestmark = pytest.mark.papers
RENDER = 120.0  # a render is a child process of a few seconds: generous on a busy machine


def file_of(h: Harness, message: dict[str, Any]) -> tuple[str, bytes]:
    stored = h.api.world.files[message["document"]["file_id"]]
    return stored.name, stored.data


def pdf_text(data: bytes) -> str:
    """The text as a viewer extracts it (PDFium, Chrome's PDF engine), lines joined."""
    document = pdfium.PdfDocument(data)
    try:
        return "".join(page.get_textpage().get_text_range() for page in document).replace("\r\n", "")
    finally:
        document.close()


def notices(h: Harness) -> list[dict[str, Any]]:
    """The acceptance notices the applicant received as files."""
    return [m for m in h.applicant.inbox() if (m.get("caption") or "").startswith("📄 受理通知书")]


async def approve(h: Harness, number: int) -> None:
    card = await card_in_group(h, number)
    mark = h.reviewer_2.last_id(h.group)
    await h.reviewer_2.answer(await h.reviewer_2.press(card, "批准"))
    prompt = await h.reviewer_2.expect("next approval number", chat=h.group, after=mark)
    await h.reviewer_2.answer(await h.reviewer_2.press(prompt, "Approve and issue the number"))


async def test_applicant_receives_acceptance_and_approval_as_files_listed_in_status_and_files(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant)  # accepted at once by a colleague (tests/conftest.py accept_on_receipt)
    notice = await h.applicant.expect("📄 受理通知书 ·", timeout=RENDER)
    name, data = file_of(h, notice)
    assert name == f"受理通知书-{number}.pdf"
    text = pdf_text(data)
    for expected in (
        "受理通知书",
        "测试市城东区生态环境局",
        f"申请编号：{number}",
        "2026年11月30日",
        "城东污水处理厂扩建",
    ):
        assert expected in text
    accepted = await h.repos.requests.get(number)
    assert accepted is not None and accepted.statutory_due.year == 2027  # a year without a published schedule
    calendar = h.application.app.approvals.calendar
    legal = chinese_due(accepted.statutory_due, calendar)
    assert legal.endswith(ESTIMATED) and legal in text  # the written notice carries the card's caveat

    await approve(h, number)
    decision = await h.applicant.expect("📄 批复 ·", after=notice["message_id"], timeout=RENDER)
    name, data = file_of(h, decision)
    assert name == f"批复-{number}.pdf"
    text = pdf_text(data)
    assert "区环审〔2026〕1号" in text
    assert "我局同意你单位" in text  # the decision's content

    papers = await h.repos.papers.of(number)
    assert [p.kind.value for p in papers] == ["acceptance", "approval"]
    # the bytes sent are the archive's, and the audit log names their hashes
    archive = h.settings.files_dir
    assert hashlib.sha256(data).hexdigest() == papers[1].pdf_sha256
    assert (archive / papers[1].pdf_sha256[:2] / papers[1].pdf_sha256[2:]).read_bytes() == data
    issued = {e.sha256 for e in await h.repos.requests.history(number) if e.action == "issue_paper"}
    assert issued == {p.pdf_sha256 for p in papers} | {p.docx_sha256 for p in papers}

    mark = h.applicant.last_id()
    await h.applicant.send(f"/status {number}")
    status = await h.applicant.expect("书面文书", after=mark)
    assert "受理通知书 2026-11-30" in status["text"] and "批复 2026-11-30" in status["text"]

    # /files: the reviewer gets the DOCX to edit, with the same number in it
    mark = h.reviewer.last_id()
    await h.reviewer.send(f"/files {number}")
    docx_message = await h.reviewer.expect("📄 批复 ·", after=mark, timeout=RENDER)
    name, data = file_of(h, docx_message)
    assert name == f"批复-{number}.docx"
    body = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert "区环审〔2026〕1号" in body and "测试市城东区生态环境局" in body and "2026年11月30日" in body


async def test_a_step_delivered_again_sends_the_same_document(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant)
    first = await h.applicant.expect("📄 受理通知书 ·", timeout=RENDER)
    _, sent_first = file_of(h, first)
    [paper] = await h.repos.papers.of(number)

    # a crash between sending and marking sent: the row goes again; and the step's event expanded a second time
    def marked_sent() -> bool:  # the sent mark rides a later group commit than the upload
        with closing(sqlite3.connect(h.settings.database_path)) as conn:
            sent = conn.execute("SELECT count(*) FROM outbox WHERE kind = 'paper' AND status = 'sent'").fetchone()
        return bool(sent[0] == 1)

    await h.api.world.wait_until(marked_sent, RENDER)
    async with h.db.transaction() as conn:
        await conn.execute("UPDATE outbox SET status = 'pending' WHERE kind = 'paper'")
        await conn.execute(
            "INSERT INTO outbox (chat_id, kind, event_id, request_id, created_at, next_attempt_at) "
            "SELECT 0, 'event', id, request_id, at, '' FROM audit_events WHERE request_id = ? AND action = 'accept'",
            (number,),
        )
    h.db.poke_outbox()
    await h.api.world.wait_until(lambda: len(notices(h)) >= 3, RENDER)
    copies = [file_of(h, m)[1] for m in notices(h)]
    assert copies == [sent_first] * 3  # the same bytes each time
    assert await h.repos.papers.of(number) == [paper]  # one document on record
    assert len([e for e in await h.repos.requests.history(number) if e.action == "issue_paper"]) == 2  # docx + pdf


@pytest.mark.receipt_first
async def test_the_list_the_stop_and_the_rejection_each_reach_the_applicant_as_their_document(
    harness: Harness,
) -> None:
    """Steps taken through the real use cases; their documents through the real sender, bot and server."""
    h = harness
    approvals = h.application.app.approvals
    listed = await submit(h.applicant)
    await approvals.list_missing(REVIEWER, listed, "1. 建设项目环境影响报告表全本\n2. 公众参与说明")
    completion = pdf_text(file_of(h, await h.applicant.expect("📄 补正通知书 ·", timeout=RENDER))[1])
    due = completeness.supply_due(await h.repos.requests.get(listed), approvals.calendar, approvals.policy)
    assert due == date(2026, 12, 21)  # 15 working days after Monday 2026-11-30
    for expected in ("1. 建设项目环境影响报告表全本", "2. 公众参与说明", "2026年12月21日前补正", f"申请编号：{listed}"):
        assert expected in completion

    stopped = await submit(h.applicant, answers={"project_name": "城西供热管网改造"})
    await approvals.accept(REVIEWER, stopped)
    await h.applicant.expect(f"📄 受理通知书 · 申请 #{stopped}", timeout=RENDER)
    await approvals.stop_clock(REVIEWER, stopped, StopKind.EXPERT_REVIEW, 10)
    special = pdf_text(file_of(h, await h.applicant.expect("📄 特殊程序告知书 ·", timeout=RENDER))[1])
    for expected in ("组织专家评审", "10个工作日", "2026年12月14日", "第四十五条", "测试市城东区生态环境局"):
        assert expected in special  # ten working days from Tuesday 2026-12-01: Monday 2026-12-14

    refused = await submit(h.applicant, answers={"project_name": "城南化工园区扩区"})
    await approvals.accept(REVIEWER, refused)
    mark = (await h.applicant.expect(f"📄 受理通知书 · 申请 #{refused}", timeout=RENDER))["message_id"]
    await approvals.reject(REVIEWER, refused, "项目选址位于饮用水水源二级保护区内")
    name, data = file_of(h, await h.applicant.expect("📄 不予批准决定书 ·", after=mark, timeout=RENDER))
    assert name == f"不予批准决定书-{refused}.pdf"
    for expected in ("饮用水水源二级保护区", "决定不予批准", "60日内依法申请行政复议", "6个月内", "2026年11月30日"):
        assert expected in pdf_text(data)
    kinds = {r: [p.kind.value for p in await h.repos.papers.of(r)] for r in (listed, stopped, refused)}
    assert kinds == {
        listed: ["completion"],
        stopped: ["acceptance", "special_procedure"],
        refused: ["acceptance", "rejection"],
    }
