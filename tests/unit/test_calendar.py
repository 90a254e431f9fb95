from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from approvals.calendar import CalendarOverrides, WorkCalendar


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar.china(range(2025, 2028))


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 10, 1), False),  # National Day
        (date(2026, 10, 7), False),
        (date(2026, 10, 8), True),
        (date(2026, 10, 10), True),  # make-up Saturday (调休)
        (date(2026, 9, 20), True),  # make-up Sunday
        (date(2026, 9, 25), False),  # Mid-Autumn Festival, a Friday
        (date(2026, 2, 14), True),  # make-up Saturday before Spring Festival
        (date(2026, 2, 17), False),  # Spring Festival
        (date(2026, 11, 28), False),  # ordinary Saturday
        (date(2026, 11, 30), True),
    ],
)
def test_china_2026_schedule(cal: WorkCalendar, day: date, working: bool) -> None:
    assert cal.is_working_day(day) is working


def test_count_runs_over_national_day_and_a_make_up_saturday(cal: WorkCalendar) -> None:
    # Sep 29-30 (2), Oct 8, 9, 10 (Saturday make-up) -> 5th working day after Sep 28 is Oct 10
    assert cal.add_working_days(date(2026, 9, 28), 5) == date(2026, 10, 10)
    assert cal.add_working_days(date(2026, 9, 28), 6) == date(2026, 10, 12)


def test_zero_days_is_the_same_day_or_the_next_working_day(cal: WorkCalendar) -> None:
    assert cal.add_working_days(date(2026, 11, 30), 0) == date(2026, 11, 30)
    assert cal.add_working_days(date(2026, 10, 1), 0) == date(2026, 10, 8)


def test_working_days_between_counts_end_not_start_and_is_signed(cal: WorkCalendar) -> None:
    assert cal.working_days_between(date(2026, 9, 28), date(2026, 10, 12)) == 6
    assert cal.working_days_between(date(2026, 10, 12), date(2026, 9, 28)) == -6
    assert cal.working_days_between(date(2026, 12, 1), date(2026, 12, 1)) == 0


def test_years_without_a_published_schedule_count_weekdays_and_are_flagged(cal: WorkCalendar) -> None:
    assert not cal.is_estimated(date(2026, 12, 31))
    assert cal.is_estimated(date(2027, 1, 1))
    # the package's rule-based 2027 guesses are not used: New Year's Day 2027 (a Friday) counts as a weekday
    assert cal.is_working_day(date(2027, 1, 1))
    assert cal.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 1)


def test_overrides_add_days_off_and_workdays() -> None:
    overrides = CalendarOverrides.from_toml(
        "holidays = [2026-12-31]\nworkdays = [2026-12-26]\nofficial_years = [2027]\n"
    )
    cal = WorkCalendar.china([2026, 2027], overrides)
    assert not cal.is_working_day(date(2026, 12, 31))
    assert cal.is_working_day(date(2026, 12, 26))  # a Saturday the bureau opens
    assert not cal.is_estimated(date(2027, 3, 1))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("holidays = ['tomorrow']", "list of dates"),
        ("holiday = [2026-12-31]", "unknown calendar keys"),
        ("holidays = [2026-12-31]\nworkdays = [2026-12-31]", "both holiday and workday"),
        ("official_years = ['2027']", "official_years"),
    ],
)
def test_bad_override_files_are_refused_with_the_reason(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        CalendarOverrides.from_toml(text)


def test_negative_counts_are_refused(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="negative"):
        cal.add_working_days(date(2026, 1, 5), -1)


@given(st.dates(date(2023, 1, 1), date(2028, 12, 31)), st.dates(date(2023, 1, 1), date(2028, 12, 31)))
@settings(max_examples=300, deadline=None)
def test_working_days_between_matches_counting_day_by_day(cal: WorkCalendar, start: date, end: date) -> None:
    low, high = min(start, end), max(start, end)
    walked = sum(1 for n in range(1, (high - low).days + 1) if cal.is_working_day(low + timedelta(days=n)))
    assert cal.working_days_between(start, end) == (walked if end >= start else -walked)
