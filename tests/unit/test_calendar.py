from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from approvals.calendar import CalendarOverrides, WorkCalendar


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar.china(range(2025, 2029))


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


# the statutory days off of 2027 and 2028 (放假办法 as amended in 2024): lunar and solar-term dates from the almanac
ESTIMATED_DAYS_OFF = [
    (date(2027, 1, 1), "元旦, a Friday"),
    (date(2027, 2, 5), "农历除夕 (the lunar new year is Saturday 2027-02-06)"),
    (date(2027, 2, 8), "春节, third day of the first lunar month"),
    (date(2027, 2, 9), "春节 day given back for Saturday 6 February (art. 6)"),
    (date(2027, 2, 10), "春节 day given back for Sunday 7 February"),
    (date(2027, 4, 5), "清明, the solar term day"),
    (date(2027, 5, 3), "劳动节: 1 May, a Saturday, given back"),
    (date(2027, 5, 4), "劳动节: 2 May, a Sunday, given back"),
    (date(2027, 6, 9), "端午, 5th of the 5th lunar month"),
    (date(2027, 9, 15), "中秋, 15th of the 8th lunar month"),
    (date(2027, 10, 1), "国庆"),
    (date(2027, 10, 4), "国庆: 2 October, a Saturday, given back"),
    (date(2027, 10, 5), "国庆: 3 October, a Sunday, given back"),
    (date(2028, 1, 3), "元旦 falls on a Saturday: given back on Monday"),
    (date(2028, 1, 25), "农历除夕 (the lunar new year is 2028-01-26)"),
    (date(2028, 1, 28), "春节, third day"),
    (date(2028, 4, 4), "清明 falls on 4 April in 2028"),
    (date(2028, 5, 2), "劳动节, second day"),
    (date(2028, 5, 29), "端午 falls on Sunday 28 May: given back on Monday"),
    (date(2028, 10, 3), "国庆 and 中秋 on the same day"),
    (date(2028, 10, 4), "国庆: 1 October, a Sunday, given back"),
]


@pytest.mark.parametrize(("day", "why"), ESTIMATED_DAYS_OFF, ids=[day.isoformat() for day, _ in ESTIMATED_DAYS_OFF])
def test_statutory_holidays_are_known_in_years_without_a_published_schedule(
    cal: WorkCalendar, day: date, why: str
) -> None:
    assert not cal.is_working_day(day), why
    assert cal.is_estimated(day)  # the make-up days (调休) are unknown, so the date may still move


def test_an_estimated_year_loses_exactly_the_statutory_thirteen_weekdays_and_guesses_no_make_up_days(
    cal: WorkCalendar,
) -> None:
    days = [date(2027, 1, 1) + timedelta(n) for n in range(365)]
    assert sum(1 for d in days if d.weekday() < 5 and not cal.is_working_day(d)) == 13  # 1+4+1+2+1+1+3
    assert not any(cal.is_working_day(d) for d in days if d.weekday() >= 5)
    for day in (date(2027, 2, 11), date(2027, 5, 5), date(2027, 10, 6), date(2028, 1, 31), date(2028, 10, 5)):
        assert cal.is_working_day(day), day  # the first working day after each break
    assert not cal.is_estimated(date(2026, 12, 31))
    assert cal.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)  # over New Year's Day


def test_overrides_add_days_off_and_workdays() -> None:
    overrides = CalendarOverrides.from_toml(
        "holidays = [2026-12-31]\nworkdays = [2026-12-26]\nofficial_years = [2027]\n"
    )
    cal = WorkCalendar.china([2026, 2027], overrides)
    assert not cal.is_working_day(date(2026, 12, 31))
    assert cal.is_working_day(date(2026, 12, 26))  # a Saturday the bureau opens
    assert not cal.is_estimated(date(2027, 3, 1))
    # a year the bureau checked by hand is counted from its file alone, without the estimate's days off
    assert cal.is_working_day(date(2027, 2, 9))


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
