"""The completeness check's periods against dates counted by hand, over 2026's National Day (make-up Sunday 20
September and Saturday 10 October) and 2027's Spring Festival (with a bureau's make-up Saturday, 20 February)."""

from datetime import UTC, date, datetime

import pytest

from approvals import completeness as c
from approvals import deadlines as dl
from approvals.calendar import CalendarOverrides, WorkCalendar
from approvals.effects import effects
from approvals.errors import ListAlreadySent, NotYetAccepted, PeriodNotOver, PeriodOver
from approvals.models import Actor, ApprovalRequest, Attachment, DocumentType, Lane, Status
from approvals.rules import judge
from approvals.states import Action
from tests.factories import APPLICANT, REVIEWER, make_draft

POLICY = dl.DeadlinePolicy()
PDF = Attachment(file_id="f1", name="a.pdf", size=1)
BOT = Actor(user_id=0)


@pytest.fixture(scope="module")
def spring() -> WorkCalendar:
    """2027 as a bureau that set Saturday 20 February 2027 as a make-up workday (调休) in CALENDAR_FILE."""
    return WorkCalendar.china(range(2025, 2029), CalendarOverrides(workdays=frozenset({date(2027, 2, 20)})))


def received(day: date, status: Status = Status.RECEIVED, **changes: object) -> ApprovalRequest:
    at = datetime(day.year, day.month, day.day, 2, tzinfo=UTC)
    return ApprovalRequest(
        **make_draft(attachments=changes.pop("attachments", ())).model_dump(),
        id=1,
        applicant_id=101,
        lane=Lane.GREEN,
        status=status,
        submitted_at=at,
        updated_at=at,
        accepted_on=day,
        received_on=day,
        promised_due=day,
        statutory_due=day,
        **changes,
    )


@pytest.mark.parametrize(
    ("receipt", "last_day"),
    [
        (date(2026, 9, 30), date(2026, 10, 13)),  # Oct 8, 9, Sat 10 (make-up), 12, 13
        (date(2026, 9, 18), date(2026, 9, 24)),  # Sun 20 (make-up), 21, 22, 23, 24
        (date(2026, 9, 20), date(2026, 9, 28)),  # received on the make-up Sunday: 21-24, then 25 (中秋) and 26-27 off
        (date(2027, 2, 4), date(2027, 2, 17)),  # Feb 5-10 Spring Festival: 11, 12, 15, 16, 17
    ],
)
def test_the_check_ends_on_the_fifth_working_day_after_receipt(
    calendar: WorkCalendar, spring: WorkCalendar, receipt: date, last_day: date
) -> None:
    cal = spring if receipt.year == 2027 else calendar
    assert c.check_due(cal, receipt) == last_day
    assert dl.working_days_left(cal, last_day, receipt) == 5  # the other direction: 5 left on the day of receipt
    request = received(receipt)
    assert c.overdue_step(request, last_day, cal, POLICY) is None  # a reviewer may still act on the last day
    assert c.overdue_step(request, last_day.replace(day=last_day.day + 1), cal, POLICY) is Action.DEEM_ACCEPT
    assert c.stage(request, cal, POLICY).until == last_day


def test_days_left_of_the_check_across_national_day(calendar: WorkCalendar) -> None:
    due = date(2026, 10, 13)
    assert dl.working_days_left(calendar, due, date(2026, 10, 1)) == 5  # Oct 8, 9, Sat 10, 12, 13
    assert dl.working_days_left(calendar, due, date(2026, 10, 8)) == 4  # 9, Sat 10, 12, 13
    assert dl.working_days_left(calendar, due, date(2026, 10, 11)) == 2  # a Sunday: 12, 13
    assert dl.working_days_left(calendar, due, date(2026, 10, 14)) == -1  # the day the law accepts it


@pytest.mark.parametrize(
    ("listed", "last_day"),
    [
        # Sep 30, Oct 8, 9, Sat 10, 12-16 (9), 19-23 (14), 26 (15)
        (date(2026, 9, 29), date(2026, 10, 26)),
        # Feb 11, 12, 15-19 (7), Sat 20 (make-up, 8), 22-26 (13), Mar 1, 2 (15)
        (date(2027, 2, 4), date(2027, 3, 2)),
    ],
)
def test_the_listed_material_is_due_on_the_fifteenth_working_day(
    calendar: WorkCalendar, spring: WorkCalendar, listed: date, last_day: date
) -> None:
    cal = spring if listed.year == 2027 else calendar
    assert c.completion_due(cal, POLICY, listed) == last_day
    assert dl.working_days_left(cal, last_day, listed) == 15
    request = received(listed, Status.INCOMPLETE, listed_on=listed, listed_documents=0)
    assert c.overdue_step(request, last_day, cal, POLICY) is None
    with pytest.raises(PeriodNotOver):
        c.check_timing(request, Action.RETURN, last_day, cal, POLICY)
    c.check_timing(request, Action.SUPPLY, last_day, cal, POLICY)  # supplied on the last day: in time
    after = cal.next_working_day(date.fromordinal(last_day.toordinal() + 1))
    assert c.overdue_step(request, after, cal, POLICY) is Action.RETURN
    with pytest.raises(PeriodOver):
        c.check_timing(request, Action.SUPPLY, after, cal, POLICY)


def test_a_bureau_sets_its_own_completion_period(calendar: WorkCalendar) -> None:
    assert c.completion_due(calendar, dl.DeadlinePolicy(completion_days=5), date(2026, 9, 29)) == date(2026, 10, 12)
    # Sep 30, Oct 8, 9, Sat 10, 12


def test_deemed_acceptance_counts_the_legal_clock_from_receipt(calendar: WorkCalendar) -> None:
    request = received(date(2026, 9, 30))
    change = effects(
        Action.DEEM_ACCEPT,
        request,
        actor=BOT,
        target=None,
        reason=None,
        approval_number=None,
        attachments=(),
        now=datetime(2026, 10, 14, 2, tzinfo=UTC),
        today=date(2026, 10, 14),
        calendar=calendar,
        policy=POLICY,
    )
    assert change["accepted_on"] == date(2026, 9, 30)
    assert change["promised_due"] == date(2026, 10, 20)  # GREEN 报告表, 10: Oct 8, 9, 10, 12-16, 19, 20
    assert change["statutory_due"] == date(2026, 11, 17)  # 30: ... Oct 21-23, 26-30, Nov 2-6, 9-13, 16, 17


def test_a_reviewers_acceptance_counts_from_the_day_they_accept(calendar: WorkCalendar) -> None:
    request = received(date(2026, 9, 28))
    change = effects(
        Action.ACCEPT,
        request,
        actor=REVIEWER,
        target=None,
        reason=None,
        approval_number=None,
        attachments=(),
        now=datetime(2026, 10, 10, 2, tzinfo=UTC),
        today=date(2026, 10, 10),  # the make-up Saturday is a working day
        calendar=calendar,
        policy=POLICY,
    )
    assert change["accepted_on"] == date(2026, 10, 10)
    assert change["promised_due"] == date(2026, 10, 23)  # 12-16, 19-23 (10)


def test_no_decision_claim_or_request_for_information_before_acceptance() -> None:
    at = datetime(2026, 9, 30, 2, tzinfo=UTC)
    for status in (Status.RECEIVED, Status.INCOMPLETE):
        for action in (Action.APPROVE, Action.REJECT, Action.CLAIM, Action.REQUEST_INFO):
            with pytest.raises(NotYetAccepted):
                judge(REVIEWER, received(date(2026, 9, 30), status), action, at=at, reason="x")


def test_one_list_per_receipt_unless_the_documents_changed(calendar: WorkCalendar) -> None:
    day = date(2026, 9, 30)
    listed_before = received(day, listed_on=day, listed_documents=1, attachments=(PDF,))
    with pytest.raises(ListAlreadySent):
        c.check_timing(listed_before, Action.LIST_MISSING, day, calendar, POLICY)
    changed = listed_before.model_copy(update={"attachments": (PDF, PDF.model_copy(update={"file_id": "f2"}))})
    c.check_timing(changed, Action.LIST_MISSING, day, calendar, POLICY)
    c.check_timing(received(day), Action.LIST_MISSING, day, calendar, POLICY)  # the first list


def test_after_the_check_period_the_reviewer_can_no_longer_list_and_the_bot_accepts(calendar: WorkCalendar) -> None:
    request = received(date(2026, 9, 30))
    with pytest.raises(PeriodNotOver):
        c.check_timing(request, Action.DEEM_ACCEPT, date(2026, 10, 13), calendar, POLICY)
    with pytest.raises(PeriodOver):
        c.check_timing(request, Action.LIST_MISSING, date(2026, 10, 14), calendar, POLICY)


def test_a_filing_is_accepted_on_receipt_and_reports_are_checked_first() -> None:
    assert c.first_status(DocumentType.REGISTRATION) is Status.SUBMITTED
    assert c.first_status(DocumentType.REPORT) is Status.RECEIVED
    assert c.first_status(DocumentType.REPORT_FORM) is Status.RECEIVED
    assert "public_participation" in c.DEFAULT_CHECKLISTS[DocumentType.REPORT]
    assert "public_participation" not in c.DEFAULT_CHECKLISTS[DocumentType.REPORT_FORM]


def test_an_admins_checklist_is_trimmed_and_bounded() -> None:
    assert c.clean_checklist(["  监测报告 ", "", "监测报告", "x" * 100]) == ("监测报告", "x" * c.MAX_ITEM_LENGTH)
    assert len(c.clean_checklist([str(n) for n in range(50)])) == c.MAX_CHECKLIST_ITEMS


def test_a_supply_is_a_new_receipt_that_may_have_its_own_list_even_if_only_a_note_came(
    calendar: WorkCalendar,
) -> None:
    day = date(2026, 9, 30)
    waiting = received(day, Status.INCOMPLETE, listed_on=day, listed_documents=1, attachments=(PDF,))
    change = effects(
        Action.SUPPLY,
        waiting,
        actor=APPLICANT,
        target=None,
        reason="只有说明",
        approval_number=None,
        attachments=(),  # a note, no document
        now=datetime(2026, 10, 3, 2, tzinfo=UTC),
        today=date(2026, 10, 3),  # National Day: received on the next working day
        calendar=calendar,
        policy=POLICY,
    )
    assert (change["received_on"], change["listed_documents"]) == (date(2026, 10, 8), None)
    again = waiting.model_copy(update={"status": Status.RECEIVED, **change})
    c.check_timing(again, Action.LIST_MISSING, date(2026, 10, 8), calendar, POLICY)  # not ListAlreadySent
