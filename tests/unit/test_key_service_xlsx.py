"""The bulletin's workbook (one sheet per colour) and the ledger (台账), read back with openpyxl; the bulletin's
message within Telegram's limits."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

from aiogram.utils.i18n import I18n
from openpyxl import load_workbook

from approvals.bulletin import KeyStep, Thresholds, build_bulletin
from approvals.calendar import WorkCalendar
from approvals.key_stages import KeyRequestFacts, stage_of
from approvals.ledger import KeyProject
from approvals.models import DocumentType, Status
from handlers import limits
from handlers import texts as t
from handlers.key_service_texts import bulletin_text, my_projects
from handlers.key_service_xlsx import bulletin_workbook, ledger_workbook

LOCALES = Path(__file__).resolve().parents[2] / "locales"
TODAY = date(2026, 10, 12)


def i18n() -> I18n:
    return I18n(path=LOCALES, default_locale="zh_CN", domain="messages")


def facts(code: str, status: Status, **extra: object) -> KeyRequestFacts:
    values: dict[str, object] = {
        "request_id": int(code[-1]),
        "code": code,
        "status": status,
        "document_type": DocumentType.REPORT_FORM,
        "received_on": date(2026, 9, 17),
        "accepted_on": date(2026, 9, 24),
        "status_since": date(2026, 9, 24),
        "promised_due": date(2026, 11, 30),
        "statutory_due": date(2026, 12, 15),
    }
    values.update(extra)
    return KeyRequestFacts(**values)  # type: ignore[arg-type]


PROJECTS = [
    KeyProject(code="KP-1", name='=HYPERLINK("x")城东污水厂', owner="区水务集团"),
    KeyProject(code="KP-2", name="实验学校", owner="区教育局"),
    KeyProject(code="KP-3", name="城北道路", owner="区交通局"),
]
REQUESTS = {
    "KP-1": [facts("KP-1", Status.IN_REVIEW, promised_due=date(2026, 10, 9))],  # overdue: red
    "KP-2": [
        facts(
            "KP-2",
            Status.APPROVED,
            decided_on=date(2026, 10, 12),
            notice_on=date(2026, 10, 8),
            approval_number="区环审〔2026〕7号",
            paused_working_days=2,
            promised_due=date(2026, 10, 15),
            statutory_due=date(2026, 10, 22),
        )
    ],
    "KP-3": [],
}


def stages(calendar: WorkCalendar) -> dict:
    return {
        code: stage_of(found, [], no_eia_since=None, today=TODAY, calendar=calendar, risk_days=3)
        for code, found in REQUESTS.items()
    }


def test_the_bulletin_workbook_has_a_sheet_per_colour_formatted_as_the_export(calendar: WorkCalendar) -> None:
    bulletin = build_bulletin(
        PROJECTS, stages(calendar), {}, {"KP-1": 201}, [], today=TODAY, calendar=calendar, thresholds=Thresholds()
    )
    translations = i18n()
    with translations.context(), translations.use_locale("zh_CN"):
        data = bulletin_workbook(bulletin, {201: "张审"})
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["红", "黄", "绿", "本周动态"]
    red = book["红"]
    assert [c.value for c in red[1]][:6] == ["编号", "项目", "建设单位", "帮包人", "阶段", "起始日期"]
    assert red.freeze_panes == "A2" and red.auto_filter.ref == "A1:K2"
    row = [c for c in red[2]]
    assert row[0].value == "KP-1" and row[3].value == "张审"
    assert row[1].value.startswith("=HYPERLINK") and row[1].data_type == "s"  # text, never a formula
    assert row[5].value == datetime(2026, 9, 29) and row[5].number_format == "yyyy-mm-dd"  # at risk from then
    assert row[8].value == datetime(2026, 10, 9)  # promised by
    assert row[10].value == "超过承诺时限"
    assert book["黄"].max_row == 1  # the header alone
    assert [r[0].value for r in book["绿"].iter_rows(min_row=2)] == ["KP-2", "KP-3"]


def test_the_workbooks_movements_are_the_messages_movements_one_row_per_request_and_kind(
    calendar: WorkCalendar,
) -> None:
    day = date(2026, 10, 9)
    noise = [KeyStep(1, "KP-1", Status.NEEDS_INFO, Status.NEEDS_INFO, day) for _ in range(9)]  # comments, copies
    steps = [
        KeyStep(2, "KP-2", Status.SUBMITTED, Status.RECEIVED, date(2026, 10, 8)),
        KeyStep(2, "KP-2", Status.APPROVED, Status.IN_NOTICE, date(2026, 10, 12)),
        *[KeyStep(2, "KP-2", Status.APPROVED, Status.APPROVED, date(2026, 10, 12)) for _ in range(5)],
        KeyStep(1, "KP-1", Status.NEEDS_INFO, Status.IN_REVIEW, day),
        *noise,
        KeyStep(1, "KP-1", Status.RESUBMITTED, Status.NEEDS_INFO, day),
        KeyStep(1, "KP-1", Status.NEEDS_INFO, Status.RESUBMITTED, day),  # returned again: the same request
    ]
    bulletin = build_bulletin(
        PROJECTS, stages(calendar), {}, {}, steps, today=TODAY, calendar=calendar, thresholds=Thresholds()
    )
    translations = i18n()
    with translations.context(), translations.use_locale("zh_CN"):
        data = bulletin_workbook(bulletin, {})
        text = "\n".join(bulletin_text(bulletin, {}))
    assert "<b>本周动态</b>：已受理 1 · 已批复 1 · 退回申请人 1" in text
    sheet = load_workbook(io.BytesIO(data))["本周动态"]
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=2)] == [
        ["已受理", "KP-2", 2, datetime(2026, 10, 8)],
        ["已批复", "KP-2", 2, datetime(2026, 10, 12)],
        ["退回申请人", "KP-1", 1, datetime(2026, 10, 9)],
    ]


def test_the_ledger_has_the_bureaus_columns_and_days_used(calendar: WorkCalendar) -> None:
    found = stages(calendar)
    entries = [(p, found[p.code], (REQUESTS[p.code] or [None])[0], 201 if p.code == "KP-2" else None) for p in PROJECTS]
    translations = i18n()
    with translations.context(), translations.use_locale("en"):
        data = ledger_workbook(entries, {201: "Bob"}, TODAY, calendar)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Key-project ledger"
    assert [c.value for c in sheet[1]] == [
        "Code",
        "Project",
        "Owner",
        "Liaison",
        "Stage",
        "Since",
        "Request",
        "Received on",
        "Accepted on",
        "Notice from",
        "Decided on",
        "Approval number",
        "Working days used",
        "Promised limit (working days)",
        "Legal limit (working days)",
    ]
    approved = [c.value for c in sheet[3]]
    assert approved[:6] == ["KP-2", "实验学校", "区教育局", "Bob", "approved", datetime(2026, 10, 12)]
    assert approved[7:] == [
        datetime(2026, 9, 17),
        datetime(2026, 9, 24),
        datetime(2026, 10, 8),
        datetime(2026, 10, 12),
        "区环审〔2026〕7号",
        5,  # 7 working days from 24 Sep to 12 Oct across the holiday, 2 with the clock stopped
        8,
        13,
    ]
    not_applied = [c.value for c in sheet[4]]
    assert not_applied[4] == "not yet applied" and not_applied[6:] == [None] * 9


def test_the_bulletin_message_fits_telegram_whatever_the_list(calendar: WorkCalendar) -> None:
    many = [KeyProject(code=f"K{n:04}", name="很长的项目名称" * 20, owner="区政府") for n in range(500)]
    late = facts("K0000", Status.IN_REVIEW, promised_due=date(2026, 10, 9))
    found = {p.code: stage_of([late], [], no_eia_since=None, today=TODAY, calendar=calendar, risk_days=3) for p in many}
    steps = [KeyStep(1, "K0001", Status.APPROVED, Status.IN_NOTICE, TODAY)]
    bulletin = build_bulletin(
        many, found, {}, {p.code: 201 for p in many}, steps, today=TODAY, calendar=calendar, thresholds=Thresholds()
    )
    translations = i18n()
    with translations.context(), translations.use_locale("zh_CN"):
        blocks = bulletin_text(bulletin, {201: "张审"})
        messages = t.chunks(blocks)
    assert len(messages) == 1 and limits.units(limits.visible(messages[0])) <= limits.TEXT
    assert "🔴 红 500 · 🟡 黄 0 · 🟢 绿 0" in messages[0]
    assert "… 另有 492 个（见附表）" in messages[0]
    assert "张审 (500)" in messages[0] and "已批复 1" in messages[0]


def test_a_liaisons_my_lines_name_the_stage_and_the_days_left(calendar: WorkCalendar) -> None:
    found = stages(calendar)
    translations = i18n()
    with translations.context(), translations.use_locale("en"):
        lines = my_projects([(PROJECTS[0], found["KP-1"]), (PROJECTS[2], found["KP-3"])], TODAY, calendar)
    assert lines[0] == "<b>Your key projects as liaison</b> (2)"
    # promised Fri 9 Oct: Sat 10 Oct (a make-up working day) and Mon 12 Oct have passed since
    assert "at risk since 2026-09-29 (5 working days) · 2 working days overdue" in lines[1]
    assert lines[2].endswith("KP-3 城北道路 · not yet applied")


def test_the_bulletin_chart_is_a_phone_sized_png() -> None:
    from approvals.bulletin import Colour
    from reports.bulletin_chart import bulletin_chart

    labels = {Colour.RED: "红", Colour.YELLOW: "黄", Colour.GREEN: "绿"}
    png = bulletin_chart({Colour.RED: 3, Colour.GREEN: 42}, labels, {"未申报": 30, "已受理": 10}, title="重点项目")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (720, 900)
