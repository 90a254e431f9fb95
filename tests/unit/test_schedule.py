"""The daily run's time: 08:30 in the bureau's zone whatever the host's zone, caught up after a late start."""

import os
import time as systime
from collections.abc import Iterator
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from approvals.calendar import WorkCalendar
from approvals.reminders import daily_run_due
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


@pytest.mark.parametrize(
    ("local", "due"),
    [
        (datetime(2026, 11, 30, 8, 29), None),
        (datetime(2026, 11, 30, 8, 30), "2026-11-30"),
        (datetime(2026, 11, 30, 9, 20), "2026-11-30"),  # started late: still that day's run
        (datetime(2026, 11, 30, 23, 59), "2026-11-30"),
    ],
)
def test_a_day_is_due_from_the_summary_time_on(local: datetime, due: str | None) -> None:
    now = local.replace(tzinfo=SHANGHAI).astimezone(UTC)
    found = daily_run_due(now, SHANGHAI, time(8, 30), CAL, workdays_only=False)
    assert (found.isoformat() if found else None) == due


def test_working_days_only_skips_weekends_and_holidays_but_not_make_up_saturdays() -> None:
    def due(y: int, m: int, d: int) -> bool:
        now = datetime(y, m, d, 9, tzinfo=SHANGHAI)
        return daily_run_due(now, SHANGHAI, time(8, 30), CAL, workdays_only=True) is not None

    assert not due(2026, 11, 28)  # Saturday
    assert not due(2026, 10, 1)  # National Day
    assert due(2026, 10, 10)  # make-up Saturday
    assert due(2026, 11, 30)
