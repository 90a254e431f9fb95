"""Which days' daily run (the summary and the overdue list) is due: today's once its time has passed, and the days
a stopped process missed, oldest first."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time, timedelta, tzinfo

from approvals.calendar import WorkCalendar

CATCH_UP_DAYS = 7  # a week: enough for a holiday's outage; older summaries are history, not news


def daily_runs_due(
    now: datetime,
    tz: tzinfo,
    at: time,
    calendar: WorkCalendar,
    *,
    workdays_only: bool,
    first_day: date,
    done: Collection[date],
    catch_up_days: int = CATCH_UP_DAYS,
) -> list[date]:
    """The local days whose run is due at ``now`` and not in ``done``, oldest first.

    Today is due once the clock has passed ``at``: a process started later that day still sends it. A day
    before today whose run never happened (the process was down at ``at``) is due too, for ``catch_up_days``
    back, and never before ``first_day``, the first day on record: a fresh database is not owed a week of
    summaries from before the bot existed."""
    local = now.astimezone(tz)
    today = local.date()
    last = today if local.time() >= at else today - timedelta(days=1)
    first = max(first_day, today - timedelta(days=catch_up_days))
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [d for d in days if d not in done and (not workdays_only or calendar.is_working_day(d))]
