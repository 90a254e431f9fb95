"""Legal and promised time limits, in working days, and the dates they fall on.

EIA Law art. 22: a 报告书 is decided within 60 days and a 报告表 within 30 of acceptance; a 登记表 is only filed.
Administrative Licensing Law art. 82 counts these in working days, and art. 45 leaves time the applicant spends
supplementing material (补正) out of the count, so a pause pushes both dates back day for day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from types import MappingProxyType

from approvals import notices
from approvals.calendar import WorkCalendar
from approvals.models import DocumentType, Lane

STATUTORY_LIMITS: Mapping[DocumentType, int] = MappingProxyType(
    {DocumentType.REPORT: 60, DocumentType.REPORT_FORM: 30, DocumentType.REGISTRATION: 0}
)

DEFAULT_PROMISES: Mapping[tuple[Lane, DocumentType], int] = MappingProxyType(
    {
        (Lane.KEY, DocumentType.REPORT): 10,
        (Lane.KEY, DocumentType.REPORT_FORM): 5,
        (Lane.GREEN, DocumentType.REPORT): 15,
        (Lane.GREEN, DocumentType.REPORT_FORM): 10,
        (Lane.STANDARD, DocumentType.REPORT): 60,
        (Lane.STANDARD, DocumentType.REPORT_FORM): 30,
    }
)


@dataclass(frozen=True)
class DeadlinePolicy:
    """The bureau's published promises per lane and document type, when a request counts as at risk, and when
    the office closes (local time)."""

    promises: Mapping[tuple[Lane, DocumentType], int] = field(default_factory=lambda: DEFAULT_PROMISES)
    risk_days: int = 3
    office_hours_end: time = time(17, 30)
    completion_days: int = 15  # working days an applicant has to supply the material a list asked for (补正)
    promise_excludes_notices: bool = True  # notice days do not count inside the promise (always in the law's)
    notice_report_forms: bool = False  # a 报告表's acceptance is publicly noticed too (a 报告书's always is)

    def __post_init__(self) -> None:
        if self.risk_days < 0:
            raise ValueError("risk_days must not be negative")
        if self.completion_days < 1:
            raise ValueError("completion_days must be at least 1")
        for (_, doc), days in self.promises.items():
            if not 0 <= days <= STATUTORY_LIMITS[doc]:
                raise ValueError(f"promise for {doc} must be between 0 and {STATUTORY_LIMITS[doc]} working days")

    def statutory_limit(self, doc: DocumentType) -> int:
        return STATUTORY_LIMITS[doc]

    def promised_limit(self, lane: Lane, doc: DocumentType) -> int:
        """A promise can only shorten the legal limit, never lengthen it."""
        legal = STATUTORY_LIMITS[doc]
        return min(self.promises.get((lane, doc), legal), legal)


@dataclass(frozen=True)
class Deadlines:
    promised: date
    statutory: date


def acceptance_day(
    calendar: WorkCalendar, policy: DeadlinePolicy, submitted_at: datetime, document_type: DocumentType
) -> date:
    """The day a request handed in at ``submitted_at`` (the bureau's local time) is accepted (受理).

    A request handed in on a rest day is accepted on the next working day. A 登记表 is filed the day it is
    accepted, which the office cannot do for one arriving once it has closed (``office_hours_end``): that one is
    accepted, and due, the next working day. A report or report form keeps its day whatever the hour: its count
    only starts the day after acceptance."""
    day = submitted_at.date()
    if document_type is DocumentType.REGISTRATION and submitted_at.time() >= policy.office_hours_end:
        day += timedelta(days=1)
    return calendar.next_working_day(day)


def compute_deadlines(
    calendar: WorkCalendar,
    policy: DeadlinePolicy,
    *,
    lane: Lane,
    document_type: DocumentType,
    accepted_on: date,
    paused_working_days: int = 0,
) -> Deadlines:
    """The limits counted from the day after acceptance, extended by the working days spent in 补正.

    The promise is what the bureau's part must be done by before approval is proposed: moved by the public
    notices (approvals/notices.py ``promise_notice_days``) and never so late that the notice of the intended
    decision no longer fits inside the legal limit."""
    extra = max(paused_working_days, 0)
    statutory = calendar.add_working_days(accepted_on, policy.statutory_limit(document_type) + extra)
    notice_days = notices.promise_notice_days(
        document_type, excludes=policy.promise_excludes_notices, report_forms=policy.notice_report_forms
    )
    promised = calendar.add_working_days(
        accepted_on, max(policy.promised_limit(lane, document_type) + extra + notice_days, 0)
    )
    if document_type in notices.ACCEPTANCE_DAYS:
        promised = min(promised, notices.last_day_to_propose(calendar, statutory))
    return Deadlines(promised=promised, statutory=statutory)


def moved_promise(calendar: WorkCalendar, before: Deadlines, after: Deadlines, promised_due: date) -> date:
    """The promise once the clock has stood still (``before`` and ``after`` computed without and with the days
    left out): moved as the deadlines are, keeping the days a proposal's notice added back to it
    (approvals/notices.py ``promised_after_proposal``), never past the legal limit."""
    added = max(calendar.working_days_between(before.promised, promised_due), 0)
    return min(calendar.add_working_days(after.promised, added), after.statutory)


def paused_days(calendar: WorkCalendar, paused_since: date, resumed_on: date) -> int:
    """Working days the clock stood still: those after the request for information up to the reply."""
    return max(calendar.working_days_between(paused_since, resumed_on), 0)


def working_days_left(calendar: WorkCalendar, due: date, today: date) -> int:
    """Working days from ``today`` to ``due``: 0 on the due day, negative once overdue."""
    return calendar.working_days_between(today, due)


def is_at_risk(calendar: WorkCalendar, policy: DeadlinePolicy, due: date, today: date) -> bool:
    """At risk: the deadline falls within ``risk_days`` working days (or has passed)."""
    return due <= calendar.add_working_days(today, policy.risk_days)
