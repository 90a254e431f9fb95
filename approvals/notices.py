"""Public notices (环办〔2013〕103号; 《环境影响评价公众参与办法》): their kinds, periods, what the public may send
while one is open, and what they forbid.

- Acceptance notice (受理公示): opened when a 报告书 is accepted (a 报告表 too where the bureau says so), for 10
  working days (报告书) or 5 (报告表).
- Notice of the intended decision (拟审批公示): approval is proposed first; the notice runs 5 working days and
  states the right to request a hearing (Administrative Licensing Law art. 47: within 5 days). No approval before
  it has ended, nor while a hearing request is open; no proposal while the acceptance notice still runs. A
  rejection needs no notice.
- Decision announcement (审批决定公告): 7 working days after an approval or a rejection, with the remedies
  (administrative review within 60 days, a lawsuit within 6 months).

Periods count working days from the day after the notice opens, as every period here does: a notice opened on
Monday 2026-11-30 for 5 working days ends on Monday 2026-12-07 (its last day); approval is possible from the 8th.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from approvals.calendar import WorkCalendar
from approvals.errors import HearingRequested, NoticeRunning, ProposeFirst
from approvals.models import ApprovalRequest, DocumentType, Status

INTENDED_DECISION_DAYS = 5  # art. 47: a hearing is requested within 5 days of being told
HEARING_DAYS = 20  # art. 47: the hearing is held within 20 days of its request (working days: art. 82)
DECISION_DAYS = 7
REVIEW_DAYS = 60  # Administrative Reconsideration Law art. 9 (calendar days): shown with the decision
LAWSUIT_MONTHS = 6  # Administrative Litigation Law art. 46
ACCEPTANCE_DAYS = {DocumentType.REPORT: 10, DocumentType.REPORT_FORM: 5}


class NoticeKind(StrEnum):
    ACCEPTANCE = "acceptance"  # 受理公示
    INTENDED_DECISION = "intended_decision"  # 拟审批公示
    DECISION = "decision"  # 审批决定公告


COMMENTABLE = frozenset({NoticeKind.ACCEPTANCE, NoticeKind.INTENDED_DECISION})  # an announcement takes none


class Notice(BaseModel):
    """One public notice of a request, and what it published (a snapshot: later edits do not change it)."""

    model_config = ConfigDict(frozen=True)

    id: int = 0
    request_id: int
    kind: NoticeKind
    opened_at: datetime
    opens_on: date
    ends_on: date  # its last day
    project_name: str
    organisation: str
    location: str
    summary: str
    eia_firm: str | None = None  # the firm that wrote the EIA document, where the request names one
    outcome: Status | None = None  # a decision announcement: approved or rejected
    approval_number: str | None = None
    closed_at: datetime | None = None  # the bot recorded its end (and told the reviewer)

    def is_open(self, today: date) -> bool:
        return self.opens_on <= today <= self.ends_on


def gets_acceptance_notice(document_type: DocumentType, *, report_forms: bool) -> bool:
    return document_type is DocumentType.REPORT or (report_forms and document_type is DocumentType.REPORT_FORM)


def notice_end(calendar: WorkCalendar, opened_on: date, days: int) -> date:
    """The last day of a notice opened on ``opened_on`` (a rest day: it runs from the next working day)."""
    return calendar.add_working_days(opened_on, days)


def subtract_working_days(calendar: WorkCalendar, day: date, count: int) -> date:
    """The working day ``count`` working days before ``day`` (``day`` itself when it is one and count is 0)."""
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    while count:
        day -= timedelta(days=1)
        if calendar.is_working_day(day):
            count -= 1
    return day


def promise_notice_days(document_type: DocumentType, *, excludes: bool, report_forms: bool) -> int:
    """Working days the promise moves by at acceptance: the acceptance notice's, when notices do not count inside
    the bureau's promise (PROMISE_EXCLUDES_NOTICES); when they do, minus the intended-decision notice that must
    still fit before the decision (it is added back when approval is proposed)."""
    if document_type not in ACCEPTANCE_DAYS:
        return 0  # a filing (登记表): no notices
    if not excludes:
        return -INTENDED_DECISION_DAYS
    return ACCEPTANCE_DAYS[document_type] if gets_acceptance_notice(document_type, report_forms=report_forms) else 0


def last_day_to_propose(calendar: WorkCalendar, statutory_due: date) -> date:
    """The last day approval can be proposed with its notice still inside the legal limit (notices always count
    there): after it, the request can only be decided late. The promise before proposal is capped at it, so a
    request whose legal limit cannot fit its notice any more is at risk at once."""
    return subtract_working_days(calendar, statutory_due, INTENDED_DECISION_DAYS)


def promised_after_proposal(calendar: WorkCalendar, promised_due: date, statutory_due: date) -> date:
    """The promise once approval is proposed: the notice's days added back (never beyond the legal limit)."""
    return min(calendar.add_working_days(promised_due, INTENDED_DECISION_DAYS), statutory_due)


def hearing_window_open(notice: Notice | None, today: date) -> bool:
    """A hearing may be requested while the intended-decision notice is open (its 5 working days)."""
    return notice is not None and notice.kind is NoticeKind.INTENDED_DECISION and notice.is_open(today)


def decision_allowed_from(notice: Notice) -> date:
    """The first day approval is possible: the day after the notice's last."""
    return notice.ends_on + timedelta(days=1)


def opened_by(
    request: ApprovalRequest, kind: NoticeKind, *, now: datetime, today: date, calendar: WorkCalendar
) -> Notice:
    """The notice ``kind`` opened today for ``request`` as it now stands (a decision's: with its outcome)."""
    days = {
        NoticeKind.ACCEPTANCE: ACCEPTANCE_DAYS.get(request.document_type, 0),
        NoticeKind.INTENDED_DECISION: INTENDED_DECISION_DAYS,
        NoticeKind.DECISION: DECISION_DAYS,
    }[kind]
    decided = kind is NoticeKind.DECISION
    return Notice(
        request_id=request.id,
        kind=kind,
        opened_at=now,
        opens_on=today,
        ends_on=notice_end(calendar, today, days),
        project_name=request.project_name,
        organisation=request.organisation,
        location=request.location,
        summary=request.description,
        eia_firm=request.eia_firm,
        outcome=request.status if decided else None,
        approval_number=request.approval_number if decided else None,
    )


def to_open(
    action: str, request: ApprovalRequest, *, now: datetime, today: date, calendar: WorkCalendar, report_forms: bool
) -> tuple[Notice, ...]:
    """The notices a step opens, with the request as the step left it: acceptance (of a 报告书, or a 报告表 where
    the bureau notices those too), a proposed approval, a decision. Opened at once: within the 1 working day."""
    if action in ("accept", "deem_accept"):
        if not gets_acceptance_notice(request.document_type, report_forms=report_forms):
            return ()
        kind = NoticeKind.ACCEPTANCE
    elif action == "propose_approval":
        kind = NoticeKind.INTENDED_DECISION
    elif action in ("approve", "reject"):
        kind = NoticeKind.DECISION
    else:
        return ()
    return (opened_by(request, kind, now=now, today=today, calendar=calendar),)


def check_proposal(request_id: int, acceptance: Notice | None, today: date) -> None:
    """Raise while the acceptance notice (受理公示) still runs: the public's comments on the request are not all in,
    so approval cannot be proposed yet (a rejection needs no notice)."""
    if acceptance is not None and today <= acceptance.ends_on:
        raise NoticeRunning(request_id, acceptance.ends_on, NoticeKind.ACCEPTANCE.value)


def check_decision(request_id: int, notice: Notice | None, open_hearings: int, today: date) -> None:
    """Raise unless the final approval may be given today: its notice has run and no hearing request is open."""
    if notice is None or notice.kind is not NoticeKind.INTENDED_DECISION:
        raise ProposeFirst(request_id)
    if today <= notice.ends_on:
        raise NoticeRunning(request_id, notice.ends_on)
    if open_hearings:
        raise HearingRequested(request_id, open_hearings)
