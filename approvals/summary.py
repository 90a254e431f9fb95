"""The figures leadership asks for every day. Data only: each front end words them in its own language."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from statistics import median

from approvals.calendar import WorkCalendar
from approvals.deadlines import DeadlinePolicy
from approvals.key_attention import KeyAttention, key_projects_needing_attention
from approvals.models import ApprovalRequest, Lane, Status
from approvals.ports import ApprovalStore, DecisionRecord, KeyProjectStore, SummarySource

# The stages before a decision, in the procedure's order; each is counted (a resubmitted request is back in the
# queue with the accepted ones, so it counts there).
STAGES = (
    Status.RECEIVED,
    Status.INCOMPLETE,
    Status.SUBMITTED,
    Status.IN_REVIEW,
    Status.NEEDS_INFO,
    Status.EXCLUDED,  # art. 45: waiting on an assessment, expert review or hearing
    Status.IN_NOTICE,  # the notice of the intended decision runs
    Status.SIGNING,  # a proposed decision awaiting the sign-off chain's signatures
)
COUNTED_AS = {Status.RESUBMITTED: Status.SUBMITTED}
WAITING_ON_APPLICANTS = (Status.INCOMPLETE, Status.NEEDS_INFO)  # the listed material (受理前) or that asked in review


@dataclass(frozen=True)
class LaneTiming:
    decided: int
    median_days: float | None  # working days from acceptance to decision, pauses excluded
    within_promise: int


@dataclass(frozen=True)
class SummaryFigures:
    today: date
    approved_today: int
    approved_this_year: int
    approved_total: int
    key_approved: int
    key_total: int
    backlog: dict[Lane, int]
    waiting_on_applicants: int
    at_risk: int  # due within the risk window, not yet overdue
    overdue_promise: int
    overdue_statutory: int
    at_risk_items: list[ApprovalRequest]  # at risk or overdue, most urgent first
    days_left: dict[int, int]  # working days to the promised deadline per at-risk request (negative: overdue)
    timing: dict[Lane, LaneTiming]
    calendar_estimated: bool  # today's year has no published holiday schedule
    approvals_by_day: dict[date, int]  # the last 30 days, every day present
    key_attention: list[KeyAttention] = field(default_factory=list)  # the whole list's, most urgent first
    stages: dict[Status, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))  # undecided, per stage

    @property
    def backlog_total(self) -> int:
        return sum(self.backlog.values())


def lane_timing(calendar: WorkCalendar, records: list[DecisionRecord]) -> dict[Lane, LaneTiming]:
    timing: dict[Lane, LaneTiming] = {}
    for lane in Lane:
        mine = [r for r in records if r.lane == lane]
        taken = [
            max(calendar.working_days_between(r.accepted_on, r.decided_on) - r.paused_working_days, 0) for r in mine
        ]
        timing[lane] = LaneTiming(
            decided=len(mine),
            median_days=float(median(taken)) if taken else None,
            within_promise=sum(1 for r in mine if r.decided_on <= r.promised_due),
        )
    return timing


async def stage_counts(source: SummarySource) -> dict[Status, int]:
    counts = dict.fromkeys(STAGES, 0)
    for status in (*STAGES, *COUNTED_AS):
        counts[COUNTED_AS.get(status, status)] += await source.count_status(status)
    return counts


async def summary_figures(
    *,
    source: SummarySource,
    requests: ApprovalStore,
    key_projects: KeyProjectStore,
    calendar: WorkCalendar,
    policy: DeadlinePolicy,
    today: date,
    at_risk_list: int = 10,
) -> SummaryFigures:
    cutoff = calendar.add_working_days(today, policy.risk_days)
    yesterday = date.fromordinal(today.toordinal() - 1)
    year_start = date(today.year, 1, 1)
    listed = await key_projects.all()
    registered = {p.code for p in listed}  # the current list: archived codes count in neither figure
    approved_codes = await source.approved_key_codes()
    due_by_cutoff = await source.count_open_due_by(cutoff)
    overdue = await source.count_open_due_by(yesterday)
    stages = await stage_counts(source)
    queue_top = [r for r in await requests.queue(risk_cutoff=cutoff, limit=at_risk_list) if r.promised_due <= cutoff]
    return SummaryFigures(
        today=today,
        approved_today=await source.count_approved(today, today),
        approved_this_year=await source.count_approved(year_start, today),
        approved_total=await source.count_approved(None, None),
        key_approved=len(approved_codes & registered),
        key_total=len(registered),
        backlog=await source.backlog_by_lane(),
        waiting_on_applicants=sum(stages[s] for s in WAITING_ON_APPLICANTS),
        at_risk=due_by_cutoff - overdue,
        overdue_promise=overdue,
        overdue_statutory=await source.count_open_due_by(yesterday, statutory=True),
        at_risk_items=queue_top,
        days_left={r.id: calendar.working_days_between(today, r.promised_due) for r in queue_top},
        timing=lane_timing(calendar, await source.decisions_between(year_start, today)),
        calendar_estimated=calendar.is_estimated(today),
        approvals_by_day=await _per_day(source, today, days=30),
        key_attention=key_projects_needing_attention(
            listed,
            await source.undecided_key_requests(),
            approved_codes,
            calendar=calendar,
            today=today,
            risk_cutoff=cutoff,
        ),
        stages=stages,
    )


async def _per_day(source: SummarySource, today: date, *, days: int) -> dict[date, int]:
    first = date.fromordinal(today.toordinal() - days + 1)
    counts = await source.approvals_per_day(first, today)
    return {
        date.fromordinal(first.toordinal() + n): counts.get(date.fromordinal(first.toordinal() + n), 0)
        for n in range(days)
    }
