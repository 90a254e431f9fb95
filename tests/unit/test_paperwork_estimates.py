"""A deadline in a year whose holiday schedule is not yet published is an estimate: the written notices say so
beside the date, as the request's card does (handlers/card.py), in every document that states one."""

from __future__ import annotations

import re
from datetime import date

import pytest

from approvals.calendar import WorkCalendar
from paperwork import PaperKind, Templates, render
from paperwork.fields import ESTIMATED, chinese_due
from tests.unit.test_paperwork import CREATED, docx_text, fields, pdf_text

DUE_FIELDS = ("legal_due", "promised_due", "supply_due", "stop_until")


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar.china(range(2024, 2029))  # 2026 published (调休 known); 2027 not yet


def test_a_date_in_a_year_without_a_published_schedule_carries_the_caveat(cal: WorkCalendar) -> None:
    assert cal.is_estimated(date(2027, 1, 14)) and not cal.is_estimated(date(2026, 12, 16))
    assert chinese_due(date(2027, 1, 14), cal) == "2027年1月14日（估算：节假日安排尚未公布）"
    assert chinese_due(date(2026, 12, 16), cal) == "2026年12月16日"


def test_every_document_stating_a_deadline_carries_the_caveat(cal: WorkCalendar) -> None:
    templates = Templates.load()
    estimated = {name: chinese_due(date(2027, 1, 14), cal) for name in DUE_FIELDS}
    stating = 0
    for kind in PaperKind:
        names = {n for b in templates[kind].lines for n in re.findall(r"\{\{(\w+)\}\}", b.text)} & set(DUE_FIELDS)
        done = render(templates, kind, fields(**estimated), created=CREATED)
        for text in (pdf_text(done.pdf), docx_text(done.docx)):
            assert text.count("2027年1月14日" + ESTIMATED) == text.count("2027年1月14日"), kind
            assert (ESTIMATED in text) == bool(names), kind
        stating += bool(names)
    assert stating >= 4  # acceptance, deemed acceptance, completion, not accepted, special procedure
