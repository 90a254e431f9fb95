"""Where a request stands, as people read it: working days left, risk, who holds it, who had the last word."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from approvals import deadlines as dl
from approvals.calendar import WorkCalendar
from approvals.clock_stops import ClockStop
from approvals.completeness import Stage, stage
from approvals.models import NOT_ACCEPTED, ApprovalRequest, AuditEvent, Status
from approvals.sign_off import SignOff
from approvals.states import holder_name, last_word


@dataclass(frozen=True)
class RequestView:
    request: ApprovalRequest
    history: list[AuditEvent]
    days_left: int | None  # working days to the promised deadline; None once decided
    statutory_days_left: int | None
    at_risk: bool
    estimated: bool  # a deadline falls in a year without a published holiday schedule
    holder: str = ""  # who holds a claimed request, by the name colleagues know them by
    last_word: AuditEvent | None = None  # the latest decision, request for material or revocation
    stage: Stage | None = None  # whom it waits on, until when
    sign_off: SignOff | None = None  # a proposal's signatures so far: for the bureau's readers only
    clock_stop: ClockStop | None = None  # the open stop of a request in excluded time (art. 45)
    notice_ended_on: date | None = None  # in notice: the last day of its intended-decision notice, once that has run

    @property
    def overdue(self) -> bool:
        """Past its promised day: overdue, which a reader is told instead of "at risk" (``at_risk`` covers both)."""
        return self.days_left is not None and self.days_left < 0


@dataclass(frozen=True)
class QueuePage:
    items: list[RequestView]
    page: int
    pages: int
    total: int
    own: frozenset[int] = frozenset()  # ids on this page the viewer submitted: listed, but a colleague reviews them
    excluded: list[RequestView] = field(default_factory=list)  # in excluded time: listed apart, never at risk
    excluded_total: int = 0


def request_view(
    request: ApprovalRequest,
    history: list[AuditEvent],
    today: date,
    *,
    calendar: WorkCalendar,
    policy: dl.DeadlinePolicy,
    holder: str = "",
) -> RequestView:
    """``holder``: the holder's name when ``history`` is not at hand (a queue page reads it separately)."""
    if request.status is Status.IN_REVIEW:
        holder = holder or holder_name(history)
    said = last_word(history)
    where = stage(request, calendar, policy)
    if request.is_final:
        return RequestView(request, history, None, None, False, False, holder, said, where)
    if request.status in NOT_ACCEPTED:  # the legal clock has not started: no working days are being used up
        estimated = where.until is not None and calendar.is_estimated(where.until)
        return RequestView(request, history, None, None, False, estimated, holder, said, where)
    as_of = request.paused_since or today  # the clock stands still during 补正 and excluded time
    return RequestView(
        request=request,
        history=history,
        days_left=dl.working_days_left(calendar, request.promised_due, as_of),
        statutory_days_left=dl.working_days_left(calendar, request.statutory_due, as_of),
        at_risk=(request.is_open or request.status is Status.SIGNING)
        and dl.is_at_risk(calendar, policy, request.promised_due, today),
        estimated=calendar.is_estimated(request.statutory_due),
        holder=holder,
        last_word=said,
        stage=where,
    )


def ever_accepted(request: ApprovalRequest, history: list[AuditEvent]) -> bool:
    """Whether the request was ever accepted (受理): a withdrawn one may never have been, and then has no dates."""
    if request.status in NOT_ACCEPTED:
        return False
    if request.status is not Status.WITHDRAWN:
        return True
    return any(e.to_status not in NOT_ACCEPTED and e.to_status is not Status.WITHDRAWN for e in history)
