"""Counts are shown with ngettext: "1 project", "2 projects" in English; Chinese has one form."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from aiogram.utils.i18n import I18n
from babel.messages.extract import extract_from_dir

from approvals.models import Lane
from approvals.summary import LaneTiming, SummaryFigures
from catalogues import compiled_locales
from handlers import texts as t
from handlers import views
from sandbox.labels import labels

ROOT = Path(__file__).resolve().parents[2]
# a count placeholder (an {id} is a number, not a count), up to two words, then an English noun in the plural:
# "{n} working days", "{total} projects"
COUNTED = re.compile(
    r"\{(?!id\})\w+\}(?: [\w-]+){0,2} (?:projects|requests|days|rows|messages|files|documents|notes|events|claims|"
    r"reviewers|items|matches|subscribers)\b"
)


def singular_only_messages() -> list[str]:
    """Every msgid passed to plain gettext (not ngettext) in the code people read."""
    return [
        message
        for package in ("handlers", "jobs", "sandbox")
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package,
            method_map=[("**.py", "python")],
            keywords={"_": None, "gettext": None, "ngettext": (1, 2)},
        )
        if isinstance(message, str)
    ]


def test_no_count_is_shown_with_a_fixed_plural() -> None:
    assert [m for m in singular_only_messages() if COUNTED.search(m)] == []


@pytest.fixture(scope="module")
def i18n() -> I18n:
    return I18n(path=compiled_locales(ROOT / "locales"), default_locale="zh_CN", domain="messages")


def figures(approved: int, key_total: int, median: float) -> SummaryFigures:
    return SummaryFigures(
        today=date(2026, 12, 1),
        approved_today=approved,
        approved_this_year=approved,
        approved_total=approved,
        key_approved=min(approved, key_total),
        key_total=key_total,
        backlog={},
        waiting_on_applicants=0,
        at_risk=0,
        overdue_promise=0,
        overdue_statutory=0,
        at_risk_items=[],
        days_left={},
        timing={Lane.KEY: LaneTiming(1, median, 1)},
        calendar_estimated=False,
        approvals_by_day={},
    )


@pytest.mark.parametrize(
    ("locale", "approved", "key_total", "median", "shown"),
    [
        ("en", 1, 1, 1.0, ["1 project approved so far, 1 of the 1 key project.", "median 1 working day,"]),
        ("en", 2, 50, 2.0, ["2 projects approved so far, 2 of the 50 key projects.", "median 2 working days,"]),
        ("en", 1, 1, 1.5, ["median 1.5 working days,"]),
        ("zh_CN", 1, 1, 1.0, ["累计已批复 1 个项目，其中重点项目 1 个（共 1 个）。", "中位用时 1 个工作日"]),
        ("zh_CN", 2, 50, 2.0, ["累计已批复 2 个项目，其中重点项目 2 个（共 50 个）。"]),
    ],
)
def test_stats_count_projects_and_days_in_the_right_number(
    i18n: I18n, locale: str, approved: int, key_total: int, median: float, shown: list[str]
) -> None:
    with i18n.context(), i18n.use_locale(locale):
        text = views.stats(figures(approved, key_total, median))
    for part in shown:
        assert part in text


@pytest.mark.parametrize(
    ("locale", "left", "shown"),
    [
        ("en", 1, "1 working day left"),
        ("en", 0, "0 working days left"),
        ("en", -1, "overdue by 1 working day"),
        ("en", -3, "overdue by 3 working days"),
        ("zh_CN", 1, "剩余 1 个工作日"),
        ("zh_CN", -1, "已超期 1 个工作日"),
    ],
)
def test_days_to_a_deadline_are_counted_in_the_right_number(i18n: I18n, locale: str, left: int, shown: str) -> None:
    with i18n.context(), i18n.use_locale(locale):
        assert t.days_left(left) == shown


def test_the_sandbox_page_gets_both_forms_of_a_counted_label(i18n: I18n) -> None:
    english = labels(i18n, "en")
    assert "{count} message to" in english["queued_one"]
    assert "{count} messages to" in english["queued_other"]
    chinese = labels(i18n, "zh_CN")
    assert chinese["queued_one"] == chinese["queued_other"] == "每日汇总已排队：共 {count} 条消息，发往审批群和订阅人。"
