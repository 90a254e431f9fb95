"""Receipt and the completeness check (Administrative Licensing Law art. 32), and where a request stands.

A report (报告书) or report form (报告表) is first received (收件). Within ``CHECK_DAYS`` working days of receipt a
reviewer accepts it (受理) or sends one list of everything missing (一次性告知补正); if no one does, it is deemed
accepted as of the day of receipt (art. 32(4)). Listed material not supplied within the completion period has the
submission returned (退件). A registration form (登记表) is a filing: it is accepted on receipt.

Periods count working days from the day after their start, as every deadline here does: "5 working days of receipt"
ends on the 5th working day after the day of receipt; the bot acts on the day after that.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from approvals import deadlines as dl
from approvals.calendar import WorkCalendar
from approvals.errors import ListAlreadySent, NotYetAccepted, PeriodNotOver, PeriodOver
from approvals.models import NOT_ACCEPTED, ApprovalRequest, DocumentType, Status
from approvals.states import ACCEPTANCES, TRANSITIONS, WAITS_ON, Action, Party

CHECK_DAYS = 5  # art. 32(4): fixed by law, not a setting
MAX_CHECKLIST_ITEMS = 20  # each is a button on the reviewer's checklist
MAX_ITEM_LENGTH = 60

# The standard materials, as keys the front end names in the reader's language. An admin may replace a list
# (free text items); these are what a bureau starts with (生态环境部 guidance on what an application holds).
DEFAULT_CHECKLISTS: Mapping[DocumentType, tuple[str, ...]] = MappingProxyType(
    {
        DocumentType.REPORT: (
            "application",
            "report",
            "redaction_note",
            "public_participation",
            "project_filing",
            "site_opinion",
            "business_licence",
            "emission_quota",
        ),
        DocumentType.REPORT_FORM: (
            "application",
            "report_form",
            "redaction_note",
            "project_filing",
            "site_opinion",
            "business_licence",
        ),
    }
)
STANDARD_MATERIALS = frozenset(item for items in DEFAULT_CHECKLISTS.values() for item in items)


def needs_check(document_type: DocumentType) -> bool:
    """A filing (登记表) is accepted on receipt; a report or report form is checked first."""
    return document_type in DEFAULT_CHECKLISTS


def first_status(document_type: DocumentType) -> Status:
    return Status.RECEIVED if needs_check(document_type) else Status.SUBMITTED


def check_due(calendar: WorkCalendar, received_on: date) -> date:
    """The last day a reviewer can accept or send the list."""
    return calendar.add_working_days(received_on, CHECK_DAYS)


def completion_due(calendar: WorkCalendar, policy: dl.DeadlinePolicy, listed_on: date) -> date:
    """The last day the applicant can supply the listed material."""
    return calendar.add_working_days(listed_on, policy.completion_days)


def _received(request: ApprovalRequest) -> date:
    return request.received_on or request.accepted_on


def _listed(request: ApprovalRequest) -> date:
    return request.listed_on or _received(request)


@dataclass(frozen=True)
class Stage:
    """Where a request stands: its status, whom it waits on (None: done) and the last day of their period
    (None: no period runs, as while the bureau waits for material asked for during review)."""

    status: Status
    waits_on: Party | None
    until: date | None


def stage(request: ApprovalRequest, calendar: WorkCalendar, policy: dl.DeadlinePolicy) -> Stage:
    status = request.status
    party = WAITS_ON.get(status)
    if status is Status.RECEIVED:
        until: date | None = check_due(calendar, _received(request))
    elif status is Status.INCOMPLETE:
        until = completion_due(calendar, policy, _listed(request))
    elif party is Party.BUREAU:
        until = request.promised_due
    else:
        until = None
    return Stage(status, party, until)


def check_timing(
    request: ApprovalRequest, action: Action, today: date, calendar: WorkCalendar, policy: dl.DeadlinePolicy
) -> None:
    """Raise if ``action`` is allowed from the request's status but not today, or not again."""
    if request.status is Status.RECEIVED:
        due = check_due(calendar, _received(request))
        if action is Action.DEEM_ACCEPT and today <= due:
            raise PeriodNotOver(action.value, due)
        if action in (Action.ACCEPT, Action.LIST_MISSING) and today > due:
            raise PeriodOver(action.value, due)  # the law has accepted it as of receipt: the bot records that
        if action is Action.LIST_MISSING and request.listed_documents == len(request.attachments):
            raise ListAlreadySent(request.id, request.listed_on)
    if request.status is Status.INCOMPLETE:
        due = completion_due(calendar, policy, _listed(request))
        if action is Action.RETURN and today <= due:
            raise PeriodNotOver(action.value, due)
        if action is Action.SUPPLY and today > due:
            raise PeriodOver(action.value, due)


def refuse_before_acceptance(request: ApprovalRequest, action: Action) -> None:
    """A step the transition table has no row for, on a request never accepted, is one the law forbids."""
    if request.status in NOT_ACCEPTED and not request.is_final and (request.status, action) not in TRANSITIONS:
        raise NotYetAccepted(request.id, request.status.value, action.value)


def overdue_step(
    request: ApprovalRequest, today: date, calendar: WorkCalendar, policy: dl.DeadlinePolicy
) -> Action | None:
    """The step the bot owes a request today, if a period ran out: deemed acceptance or return."""
    if request.status is Status.RECEIVED and today > check_due(calendar, _received(request)):
        return Action.DEEM_ACCEPT
    if request.status is Status.INCOMPLETE and today > completion_due(calendar, policy, _listed(request)):
        return Action.RETURN
    return None


def accepted_on(action: Action, request: ApprovalRequest, today: date, calendar: WorkCalendar) -> date:
    """The day an acceptance counts from: a reviewer's, the working day they accept; a deemed one, receipt."""
    assert action in ACCEPTANCES
    if action is Action.DEEM_ACCEPT:
        return _received(request)
    return calendar.next_working_day(today)


def clean_checklist(items: Sequence[str]) -> tuple[str, ...]:
    """An admin's list: trimmed, blank and repeated items dropped, each and the list within their bounds."""
    seen: list[str] = []
    for raw in items:
        item = " ".join(raw.split())[:MAX_ITEM_LENGTH]
        if item and item not in seen:
            seen.append(item)
    return tuple(seen[:MAX_CHECKLIST_ITEMS])


def supply_due(request: ApprovalRequest, calendar: WorkCalendar, policy: dl.DeadlinePolicy) -> date:
    """The last day the listed material could be supplied: what a return (退件) names."""
    return completion_due(calendar, policy, _listed(request))
