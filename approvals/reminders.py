"""Deadline reminders: which request has crossed which threshold today. Each is sent once (storage keeps count)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from approvals.calendar import WorkCalendar
from approvals.completeness import check_due
from approvals.models import ApprovalRequest, Status

STATUTORY_WARNING_DAYS = 3
CHECK_WARNING_DAYS = 1  # the completeness check: the day before its last day (and on it, if that one was missed)


class ReminderKind(StrEnum):
    HALF = "promise_50"  # half the promised time used
    MOST = "promise_80"  # four fifths used
    STATUTORY = "statutory_3"  # three working days before the legal deadline
    CHECK = "check_1"  # received, not yet checked: one working day before the law accepts it as of receipt


@dataclass(frozen=True)
class Reminder:
    request: ApprovalRequest
    kind: ReminderKind
    used: int  # working days of the promise used so far (more than ``promised`` once overdue)
    promised: int  # the promise in working days, as moved: the days the clock stood still are in neither
    statutory_left: int
    recipient: int | None  # the claiming reviewer, or None for the reviewers' group
    until: date | None = None  # CHECK: the check's last day

    @property
    def key(self) -> str:
        """Sent once per key: a check's reminder once per receipt (material supplied after a list is received again)."""
        return self.kind.value if self.until is None else f"{self.kind.value}:{self.until.isoformat()}"


def due_reminders(calendar: WorkCalendar, requests: Iterable[ApprovalRequest], today: date) -> list[Reminder]:
    """Every threshold an open request has reached by ``today`` (the caller drops those already sent).

    Requests waiting for the applicant's material are skipped: their clock stands still. A received request has
    no clock running yet: the group is reminded of its completeness check instead."""
    found: list[Reminder] = []
    for r in requests:
        if r.status is Status.RECEIVED:
            found += _check_reminder(calendar, r, today)
            continue
        if r.status not in (Status.SUBMITTED, Status.RESUBMITTED, Status.IN_REVIEW, Status.SIGNING):
            continue
        promised = promised_days(calendar, r)
        used = promised - calendar.working_days_between(today, r.promised_due)
        statutory_left = calendar.working_days_between(today, r.statutory_due)
        recipient = r.claimed_by if r.status is Status.IN_REVIEW else None
        kinds = []
        if promised > 0 and used * 2 >= promised:
            kinds.append(ReminderKind.HALF)
        if promised > 0 and used * 10 >= promised * 8:
            kinds.append(ReminderKind.MOST)
        if statutory_left <= STATUTORY_WARNING_DAYS:
            kinds.append(ReminderKind.STATUTORY)
        found += [Reminder(r, kind, used, promised, statutory_left, recipient) for kind in kinds]
    return found


def promised_days(calendar: WorkCalendar, r: ApprovalRequest) -> int:
    """The working days the promise gives the bureau: from acceptance to the promised day, less those the clock
    stood still (补正, excluded time), which moved that day without being the bureau's to use."""
    return calendar.working_days_between(r.accepted_on, r.promised_due) - r.paused_working_days


def _check_reminder(calendar: WorkCalendar, r: ApprovalRequest, today: date) -> list[Reminder]:
    due = check_due(calendar, r.received_on or r.accepted_on)
    left = calendar.working_days_between(today, due)
    if not 0 <= left <= CHECK_WARNING_DAYS:
        return []  # in good time; or over, when the job deems it accepted
    return [Reminder(r, ReminderKind.CHECK, 0, 0, 0, None, until=due)]
