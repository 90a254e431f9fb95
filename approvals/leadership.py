"""The figures the district's leadership asks for (issue 19 §3): how long decisions take from receipt against the
promise, per lane over the last 30 and 365 days; what was approved this year and its investment; the pollution
cut by confirmed reduction projects this year. Data only: each front end words them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from statistics import median
from typing import Protocol

from approvals.calendar import WorkCalendar
from approvals.models import Lane

WINDOWS = (30, 365)  # days back from today, today included
REPORTED_REDUCTIONS = ("COD", "SO2", "NOx")  # the pollutants the district's reduction targets name


@dataclass(frozen=True)
class DecisionTime:
    """One decided request, as the time-to-decision figures need it."""

    lane: Lane
    received_on: date  # the working day of receipt (of the supplied material, after a list)
    decided_on: date
    paused_working_days: int  # excluded time (art. 45) and waiting for the applicant: not the bureau's
    promised_due: date


@dataclass(frozen=True)
class LaneWindow:
    decided: int
    median_days: float | None  # working days from receipt to decision, pauses excluded
    median_promise: float | None  # working days the promise allowed, from the same receipt
    within: int  # decided on or before the promised day

    @property
    def share_within(self) -> float | None:
        return self.within / self.decided if self.decided else None


@dataclass(frozen=True)
class LeadershipFigures:
    windows: dict[int, dict[Lane, LaneWindow]]  # per window (days), per lane
    approved_this_year: int
    investment_this_year: Decimal  # 万元
    reduced_this_year: dict[str, Decimal]  # tonnes a year, per pollutant in REPORTED_REDUCTIONS


class LeadershipSource(Protocol):
    async def decision_times(self, first_day: date, last_day: date) -> list[DecisionTime]:
        """Approvals and rejections decided between the two local dates, inclusive."""
        ...

    async def approved_investment(self, first_day: date, last_day: date) -> tuple[int, Decimal]:
        """How many requests were approved between the two dates, and their investment together (万元)."""
        ...


class ReductionSource(Protocol):
    async def reduced_between(self, first: date, last: date) -> dict[str, Decimal]: ...


def _median(values: list[int]) -> float | None:
    return float(median(values)) if values else None


def lane_windows(calendar: WorkCalendar, records: list[DecisionTime]) -> dict[Lane, LaneWindow]:
    found = {}
    for lane in Lane:
        mine = [r for r in records if r.lane is lane]
        taken = [
            max(calendar.working_days_between(r.received_on, r.decided_on) - r.paused_working_days, 0) for r in mine
        ]
        promised = [calendar.working_days_between(r.received_on, r.promised_due) - r.paused_working_days for r in mine]
        found[lane] = LaneWindow(
            decided=len(mine),
            median_days=_median(taken),
            median_promise=_median([max(p, 0) for p in promised]),
            within=sum(1 for r in mine if r.decided_on <= r.promised_due),
        )
    return found


async def leadership_figures(
    source: LeadershipSource, reductions: ReductionSource, calendar: WorkCalendar, today: date
) -> LeadershipFigures:
    longest = max(WINDOWS)
    records = await source.decision_times(today - timedelta(days=longest - 1), today)
    windows = {
        days: lane_windows(calendar, [r for r in records if r.decided_on > today - timedelta(days=days)])
        for days in WINDOWS
    }
    year_start = date(today.year, 1, 1)
    approved, investment = await source.approved_investment(year_start, today)
    reduced = await reductions.reduced_between(year_start, today)
    return LeadershipFigures(
        windows=windows,
        approved_this_year=approved,
        investment_this_year=investment,
        reduced_this_year={p: reduced.get(p, Decimal(0)) for p in REPORTED_REDUCTIONS},
    )
