from datetime import date, datetime, time

import pytest

from approvals.calendar import WorkCalendar
from approvals.deadlines import (
    DeadlinePolicy,
    acceptance_day,
    compute_deadlines,
    is_at_risk,
    paused_days,
    working_days_left,
)
from approvals.models import ApprovalRequest, DocumentType, Lane, Status
from approvals.progress import request_view
from tests.factories import make_draft


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar.china(range(2025, 2029))


def test_report_form_handed_in_on_mid_autumn_runs_across_national_day(cal: WorkCalendar) -> None:
    # Mid-Autumn Festival: accepted the next working day
    accepted = acceptance_day(cal, DeadlinePolicy(), datetime(2026, 9, 25, 10), DocumentType.REPORT_FORM)
    assert accepted == date(2026, 9, 28)
    dues = compute_deadlines(
        cal, DeadlinePolicy(), lane=Lane.STANDARD, document_type=DocumentType.REPORT_FORM, accepted_on=accepted
    )
    # Sep 29-30 (2) · Oct 8-10 incl. make-up Sat (5) · Oct 12-Nov 6 (25) · Nov 9-13 (30)
    assert dues.statutory == date(2026, 11, 13)
    # the standard lane promises only the law, less the notice of the intended decision that must fit inside it:
    # approval proposed by Nov 6, its 5 working days Nov 9-13
    assert dues.promised == date(2026, 11, 6)


def test_green_report_form_promise_is_ten_working_days(cal: WorkCalendar) -> None:
    dues = compute_deadlines(
        cal, DeadlinePolicy(), lane=Lane.GREEN, document_type=DocumentType.REPORT_FORM, accepted_on=date(2026, 9, 28)
    )
    assert dues.promised == date(2026, 10, 16)  # Sep 29, 30, Oct 8, 9, 10, 12, 13, 14, 15, 16


def test_report_gets_sixty_and_key_report_ten_working_days(cal: WorkCalendar) -> None:
    dues = compute_deadlines(
        cal, DeadlinePolicy(), lane=Lane.KEY, document_type=DocumentType.REPORT, accepted_on=date(2026, 11, 2)
    )
    # 10 promised + the acceptance notice's 10 (PROMISE_EXCLUDES_NOTICES): Nov 3-6 (4) · 9-13 (9) · 16-20 (14) ·
    # 23-27 (19) · Nov 30 (20)
    assert dues.promised == date(2026, 11, 30)
    assert cal.working_days_between(date(2026, 11, 2), dues.statutory) == 60
    # where notices count inside the promise, approval must be proposed 5 working days before it: Nov 3-6, 9
    inside = DeadlinePolicy(promise_excludes_notices=False)
    dues = compute_deadlines(
        cal, inside, lane=Lane.KEY, document_type=DocumentType.REPORT, accepted_on=date(2026, 11, 2)
    )
    assert dues.promised == date(2026, 11, 9)


def test_registration_form_is_filed_the_same_working_day(cal: WorkCalendar) -> None:
    dues = compute_deadlines(
        cal, DeadlinePolicy(), lane=Lane.GREEN, document_type=DocumentType.REGISTRATION, accepted_on=date(2026, 12, 1)
    )
    assert dues.promised == dues.statutory == date(2026, 12, 1)


def test_paused_days_push_both_deadlines_back_day_for_day(cal: WorkCalendar) -> None:
    # asked for material on Fri Nov 6, answered Tue Nov 10: Mon and Tue stood still
    paused = paused_days(cal, date(2026, 11, 6), date(2026, 11, 10))
    assert paused == 2
    base = compute_deadlines(
        cal, DeadlinePolicy(), lane=Lane.GREEN, document_type=DocumentType.REPORT, accepted_on=date(2026, 11, 2)
    )
    moved = compute_deadlines(
        cal,
        DeadlinePolicy(),
        lane=Lane.GREEN,
        document_type=DocumentType.REPORT,
        accepted_on=date(2026, 11, 2),
        paused_working_days=paused,
    )
    assert cal.working_days_between(base.promised, moved.promised) == 2
    assert cal.working_days_between(base.statutory, moved.statutory) == 2


def test_promises_are_configurable_but_never_exceed_the_law() -> None:
    policy = DeadlinePolicy(promises={(Lane.GREEN, DocumentType.REPORT): 20})
    assert policy.promised_limit(Lane.GREEN, DocumentType.REPORT) == 20
    assert policy.promised_limit(Lane.KEY, DocumentType.REPORT) == 60  # unset: the statutory limit
    with pytest.raises(ValueError, match="between 0 and 30"):
        DeadlinePolicy(promises={(Lane.KEY, DocumentType.REPORT_FORM): 31})


def test_days_left_and_risk_window(cal: WorkCalendar) -> None:
    policy = DeadlinePolicy(risk_days=3)
    due = date(2026, 12, 4)  # Friday
    assert working_days_left(cal, due, date(2026, 11, 30)) == 4
    assert not is_at_risk(cal, policy, due, date(2026, 11, 30))
    assert is_at_risk(cal, policy, due, date(2026, 12, 1))
    assert working_days_left(cal, due, date(2026, 12, 8)) == -2
    assert is_at_risk(cal, policy, due, date(2026, 12, 8))


@pytest.mark.parametrize(
    ("submitted", "document", "accepted"),
    [
        (datetime(2026, 12, 1, 17, 29), DocumentType.REGISTRATION, date(2026, 12, 1)),
        (datetime(2026, 12, 1, 17, 30), DocumentType.REGISTRATION, date(2026, 12, 2)),  # the office has closed
        (datetime(2026, 12, 1, 23, 59), DocumentType.REGISTRATION, date(2026, 12, 2)),
        (datetime(2026, 12, 2, 0, 5), DocumentType.REGISTRATION, date(2026, 12, 2)),  # before opening: that day
        (datetime(2026, 12, 4, 18, 0), DocumentType.REGISTRATION, date(2026, 12, 7)),  # Friday evening: Monday
        (datetime(2026, 12, 5, 18, 0), DocumentType.REGISTRATION, date(2026, 12, 7)),  # a Saturday anyway
        (datetime(2026, 12, 31, 18, 0), DocumentType.REGISTRATION, date(2027, 1, 4)),  # over New Year's Day 2027
        (datetime(2026, 12, 1, 18, 0), DocumentType.REPORT_FORM, date(2026, 12, 1)),  # its count starts tomorrow
        (datetime(2026, 12, 1, 18, 0), DocumentType.REPORT, date(2026, 12, 1)),
    ],
)
def test_a_registration_filed_after_office_hours_is_due_the_next_working_day(
    cal: WorkCalendar, submitted: datetime, document: DocumentType, accepted: date
) -> None:
    day = acceptance_day(cal, DeadlinePolicy(), submitted, document)
    assert day == accepted
    dues = compute_deadlines(cal, DeadlinePolicy(), lane=Lane.GREEN, document_type=document, accepted_on=day)
    if document is DocumentType.REGISTRATION:
        assert dues.promised == dues.statutory == accepted


def test_office_hours_end_is_the_bureaus_setting(cal: WorkCalendar) -> None:
    late = DeadlinePolicy(office_hours_end=time(18, 0))
    assert acceptance_day(cal, late, datetime(2026, 12, 1, 17, 45), DocumentType.REGISTRATION) == date(2026, 12, 1)
    assert acceptance_day(cal, late, datetime(2026, 12, 1, 18, 0), DocumentType.REGISTRATION) == date(2026, 12, 2)


def test_a_deadline_in_an_estimated_year_counts_around_its_statutory_holidays(cal: WorkCalendar) -> None:
    dues = compute_deadlines(
        cal, DeadlinePolicy(), lane=Lane.KEY, document_type=DocumentType.REPORT_FORM, accepted_on=date(2027, 2, 1)
    )
    # Feb 2, 3, 4 · Spring Festival Feb 5-10 (eve, three days, two given back for the weekend) · Feb 11, 12
    assert dues.promised == date(2027, 2, 12)
    assert cal.is_estimated(dues.promised)


def test_a_view_past_its_promise_reads_as_overdue_not_only_at_risk(cal: WorkCalendar) -> None:
    """The card said 「已超期 1 个工作日 ⚠️临近期限」: a view says overdue, which the card tells instead of at risk."""
    now = datetime(2026, 11, 30, 10)
    request = ApprovalRequest(
        **make_draft().model_dump(),
        id=1,
        applicant_id=5,
        lane=Lane.GREEN,
        status=Status.IN_REVIEW,
        submitted_at=now,
        updated_at=now,
        accepted_on=date(2026, 11, 30),
        promised_due=date(2026, 12, 4),
        statutory_due=date(2027, 1, 12),
    )
    policy = DeadlinePolicy(risk_days=3)
    late = request_view(request, [], date(2026, 12, 7), calendar=cal, policy=policy)
    assert (late.days_left, late.overdue, late.at_risk) == (-1, True, True)
    due_today = request_view(request, [], date(2026, 12, 4), calendar=cal, policy=policy)
    assert (due_today.days_left, due_today.overdue, due_today.at_risk) == (0, False, True)
    early = request_view(request, [], date(2026, 11, 30), calendar=cal, policy=policy)
    assert (early.overdue, early.at_risk) == (False, False)
