"""The daily run's time: 08:30 in the bureau's zone whatever the host's zone; missed days caught up, a week back."""

import os
import time as systime
from collections.abc import Collection, Iterator
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from approvals.calendar import WorkCalendar
from approvals.schedule import CATCH_UP_DAYS, daily_runs_due
from jobs.scheduler import ScheduleSettings, summary_trigger

SHANGHAI = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar.china([2026, 2027])


@pytest.fixture(params=["UTC", "America/New_York", "Asia/Shanghai"])
def host_zone(request: pytest.FixtureRequest) -> Iterator[str]:
    saved = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    systime.tzset()
    yield request.param
    if saved is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = saved
    systime.tzset()


def test_the_trigger_fires_at_half_past_eight_in_shanghai_whatever_the_host_zone(host_zone: str) -> None:
    trigger = summary_trigger(SHANGHAI, ScheduleSettings())
    now = datetime(2026, 11, 29, 20, 0, tzinfo=UTC)  # Monday 04:00 in Shanghai
    fire = trigger.get_next_fire_time(None, now)
    assert fire is not None
    assert fire.astimezone(UTC) == datetime(2026, 11, 30, 0, 30, tzinfo=UTC)
    host_hour = {"UTC": 0, "America/New_York": 19, "Asia/Shanghai": 8}[host_zone]
    assert datetime.fromtimestamp(fire.timestamp()).hour == host_hour  # the host's clock really reads differently


def due(
    local: datetime,
    *,
    first_day: date = date(2026, 1, 1),
    done: Collection[date] = (),
    workdays_only: bool = False,
) -> list[str]:
    now = local.replace(tzinfo=SHANGHAI).astimezone(UTC)
    found = daily_runs_due(now, SHANGHAI, time(8, 30), CAL, workdays_only=workdays_only, first_day=first_day, done=done)
    return [day.isoformat() for day in found]


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (datetime(2026, 11, 30, 8, 29), []),
        (datetime(2026, 11, 30, 8, 30), ["2026-11-30"]),
        (datetime(2026, 11, 30, 9, 20), ["2026-11-30"]),  # started late: still that day's run, not marked late
        (datetime(2026, 11, 30, 23, 59), ["2026-11-30"]),
    ],
)
def test_a_day_is_due_from_the_summary_time_on(local: datetime, expected: list[str]) -> None:
    assert due(local, first_day=date(2026, 11, 30)) == expected


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        # down at 08:30 on Monday, back on Tuesday before 08:30: Monday is still owed
        (datetime(2026, 12, 1, 8, 0), ["2026-11-30"]),
        # back after 08:30: Monday first, then Tuesday
        (datetime(2026, 12, 1, 8, 30), ["2026-11-30", "2026-12-01"]),
        # back on Thursday: every day since Monday, oldest first
        (datetime(2026, 12, 3, 9, 0), ["2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03"]),
    ],
)
def test_days_missed_since_the_last_run_are_due_oldest_first(local: datetime, expected: list[str]) -> None:
    done = {date(2026, 11, 27), date(2026, 11, 28), date(2026, 11, 29)}
    assert due(local, first_day=date(2026, 11, 27), done=done) == expected


def test_days_already_done_are_not_due_again() -> None:
    done = {date(2026, 11, 30), date(2026, 12, 2)}
    assert due(datetime(2026, 12, 3, 8, 0), first_day=date(2026, 11, 30), done=done) == ["2026-12-01"]


def test_catching_up_reaches_back_one_week_at_most() -> None:
    found = due(datetime(2026, 12, 20, 8, 0), first_day=date(2026, 11, 1))  # down for three weeks
    assert found == [f"2026-12-{d:02}" for d in range(13, 20)]
    assert len(found) == CATCH_UP_DAYS


def test_nothing_before_the_first_day_on_record_is_due() -> None:
    # a fresh database first started on Thursday morning: the days before it were never this bot's to send
    assert due(datetime(2026, 12, 3, 8, 0), first_day=date(2026, 12, 3)) == []
    assert due(datetime(2026, 12, 3, 9, 0), first_day=date(2026, 12, 3)) == ["2026-12-03"]
    assert due(datetime(2026, 12, 4, 8, 0), first_day=date(2026, 12, 3)) == ["2026-12-03"]


def test_working_days_only_skips_weekends_and_holidays_but_not_make_up_saturdays() -> None:
    def is_due(y: int, m: int, d: int) -> bool:
        return due(datetime(y, m, d, 9), first_day=date(y, m, d), workdays_only=True) != []

    assert not is_due(2026, 11, 28)  # Saturday
    assert not is_due(2026, 10, 1)  # National Day
    assert is_due(2026, 10, 10)  # make-up Saturday
    assert is_due(2026, 11, 30)


@pytest.mark.parametrize(
    ("local", "last_done", "expected"),
    [
        # down over the National Day week (1-7 October off), back Monday 12 October before 08:30: the working
        # days missed are the 8th, the 9th and the make-up Saturday the 10th
        (datetime(2026, 10, 12, 8, 0), date(2026, 9, 30), ["2026-10-08", "2026-10-09", "2026-10-10"]),
        # down from Friday morning over the weekend, back Monday morning: Friday only
        (datetime(2026, 11, 30, 8, 0), date(2026, 11, 26), ["2026-11-27"]),
    ],
)
def test_working_days_only_catches_up_missed_working_days_only(
    local: datetime, last_done: date, expected: list[str]
) -> None:
    done = {date.fromordinal(last_done.toordinal() - n) for n in range(CATCH_UP_DAYS)}
    assert due(local, first_day=date(2026, 9, 1), done=done, workdays_only=True) == expected
