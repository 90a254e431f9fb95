"""Excluded time (Administrative Licensing Law art. 45): a technical assessment (技术评估), expert review (专家评审)
or hearing (听证) the decision depends on is not counted in the time limits. The applicant is told in writing
what is excluded and for how long.

A stop is counted as 补正 is (approvals/deadlines.py): the working days after the day the clock stopped, up to and
including the day it runs again, are added to both the promised and the legal deadline. The clock runs again when a
reviewer records the result, or at the stated end at the latest: days after that end are not excluded, even if the
bot was down when it came. Several stops in sequence add up; two cannot overlap (a request has one status).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from approvals import deadlines as dl
from approvals import validation as v
from approvals.calendar import WorkCalendar
from approvals.models import ApprovalRequest

MIN_DAYS = 1
MAX_DAYS = 120  # a hearing or an expert review of a large project runs weeks, not half a year
REMIND_DAYS = 1  # the reviewers are reminded this many working days before the stated end


class StopKind(StrEnum):
    TECHNICAL_ASSESSMENT = "technical_assessment"  # 技术评估
    EXPERT_REVIEW = "expert_review"  # 专家评审
    HEARING = "hearing"  # 听证


@dataclass(frozen=True)
class ClockStop:
    """One stop: when the clock stopped, for what, until when at the latest, and how it ended."""

    request_id: int
    kind: StopKind
    days: int  # the stated length in working days
    started_on: date  # the bureau's local date the clock stopped: the days after it are excluded
    started_at: datetime
    expected_end: date  # the last excluded day if it runs its stated length
    id: int = 0  # 0 until stored
    ended_on: date | None = None
    ended_at: datetime | None = None
    ended_by: int | None = None  # who recorded the result (the bot's id when the stated end came)
    result: str | None = None
    excluded_days: int | None = None  # working days the stop added to the deadlines, once ended

    @property
    def is_open(self) -> bool:
        return self.ended_on is None


def clean_days(value: int | str) -> int:
    """The stated length: whole working days within MIN_DAYS..MAX_DAYS, or InvalidField."""
    number = v.parse_number(str(value).strip(), low=MIN_DAYS, high=MAX_DAYS)
    if number is None:
        raise v.InvalidField("days", "out_of_range", low=MIN_DAYS, high=MAX_DAYS)
    return number


def expected_end(calendar: WorkCalendar, started_on: date, days: int) -> date:
    return calendar.add_working_days(started_on, days)


def start(
    request_id: int, kind: StopKind, days: int, *, today: date, now: datetime, calendar: WorkCalendar
) -> ClockStop:
    days = clean_days(days)
    return ClockStop(
        request_id=request_id,
        kind=kind,
        days=days,
        started_on=today,
        started_at=now,
        expected_end=expected_end(calendar, today, days),
    )


def first_excluded_day(calendar: WorkCalendar, stop: ClockStop) -> date:
    """The first working day the stop leaves out: the one after the day the clock stopped."""
    return calendar.add_working_days(stop.started_on, 1)


def excluded_days(calendar: WorkCalendar, stop: ClockStop, ended_on: date) -> int:
    """Working days in (started_on, min(ended_on, expected_end)]: never past the stated end."""
    return dl.paused_days(calendar, stop.started_on, min(ended_on, stop.expected_end))


def end(
    stop: ClockStop, *, today: date, now: datetime, by: int, result: str | None, calendar: WorkCalendar
) -> ClockStop:
    """The stop as it ends today (or, the bot having been down, as it ended at its stated end)."""
    ended_on = min(today, stop.expected_end)
    days = excluded_days(calendar, stop, ended_on)
    return replace(stop, ended_on=ended_on, ended_at=now, ended_by=by, result=result, excluded_days=days)


def is_due_to_end(stop: ClockStop, today: date) -> bool:
    """The stated end has come: the clock runs again without waiting for a result."""
    return stop.is_open and today >= stop.expected_end


def is_due_reminder(calendar: WorkCalendar, stop: ClockStop, today: date) -> bool:
    """The working day before the stated end (a reminder that could not go then is not sent late: the job ends
    the stop itself that day)."""
    left = calendar.working_days_between(today, stop.expected_end)
    return stop.is_open and 0 < left <= REMIND_DAYS


def reminder_key(stop: ClockStop) -> str:
    """Sent once per stop (a request may be stopped several times)."""
    return f"clock_end:{stop.started_at.isoformat()}"


def stop_effects(request: ApprovalRequest, stop: ClockStop) -> dict[str, Any]:
    """The clock stands still from the stop's day, as during 补正; the claim is given up meanwhile."""
    return {"claimed_by": None, "paused_since": stop.started_on}


def resume_effects(
    request: ApprovalRequest, ended: ClockStop, calendar: WorkCalendar, policy: dl.DeadlinePolicy
) -> dict[str, Any]:
    """Both deadlines move by the stop's excluded working days, added to those already paused."""
    paused = request.paused_working_days + (ended.excluded_days or 0)
    return {"paused_since": None, "paused_working_days": paused, **moved_dues(request, paused, calendar, policy)}


def moved_dues(
    request: ApprovalRequest, paused: int, calendar: WorkCalendar, policy: dl.DeadlinePolicy
) -> dict[str, Any]:
    """Both deadlines with ``paused`` working days left out in all (excluded time, 补正), as a ``model_copy``
    update (see ``moved``)."""
    dues = moved(request, paused, calendar, policy)
    return {"promised_due": dues.promised, "statutory_due": dues.statutory}


def moved(request: ApprovalRequest, paused: int, calendar: WorkCalendar, policy: dl.DeadlinePolicy) -> dl.Deadlines:
    """Both deadlines with ``paused`` working days left out in all: moved from where they stand, so a promise a
    proposal's notice extended keeps its added days. The one computation behind what the system holds, the
    chat's notice and the written 特殊程序告知书."""
    dues = _deadlines(request, paused, calendar, policy)
    before = _deadlines(request, request.paused_working_days, calendar, policy)
    return dl.Deadlines(
        promised=dl.moved_promise(calendar, before, dues, request.promised_due), statutory=dues.statutory
    )


def projected(
    request: ApprovalRequest, stop: ClockStop, calendar: WorkCalendar, policy: dl.DeadlinePolicy
) -> dl.Deadlines | None:
    """The deadlines if the stop runs its stated length (what the applicant is told when it starts, and what
    ``resume_effects`` sets if it does); None once the request is no longer in this stop (its end moved them by
    what it really took)."""
    if not stop.is_open or request.paused_since != stop.started_on:
        return None
    return moved(request, request.paused_working_days + stop.days, calendar, policy)


def _deadlines(
    request: ApprovalRequest, paused: int, calendar: WorkCalendar, policy: dl.DeadlinePolicy
) -> dl.Deadlines:
    return dl.compute_deadlines(
        calendar,
        policy,
        lane=request.lane,
        document_type=request.document_type,
        accepted_on=request.accepted_on,
        paused_working_days=paused,
    )


def audit_reason(kind: StopKind, days: int) -> str:
    """How the audit log records a stop: its kind and stated length, e.g. "hearing 10"."""
    return f"{kind.value} {days}"


def parse_audit_reason(reason: str | None) -> tuple[StopKind, int] | None:
    kind, _, days = (reason or "").partition(" ")
    if kind not in StopKind.__members__.values() or not days.isdigit():
        return None
    return StopKind(kind), int(days)
