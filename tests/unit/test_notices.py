"""Public notices' periods and rules, against hand-counted dates across 2026's National Day and 2027's Spring
Festival (tests/unit/test_calendar.py: Oct 1-7 2026 off, Oct 8 and the make-up Saturday Oct 10 working, Sunday
Sep 20 a make-up day, Mid-Autumn Fri Sep 25 off; 2027: Fri Feb 5 - Wed Feb 10 off, estimated)."""

from datetime import UTC, date, datetime

import pytest

from approvals import notices as nt
from approvals import public_comments as pc
from approvals.calendar import WorkCalendar
from approvals.deadlines import DeadlinePolicy, compute_deadlines
from approvals.errors import HearingRequested, NoticeRunning, ProposeFirst
from approvals.models import ApprovalRequest, DocumentType, Lane, Status
from approvals.validation import InvalidField
from tests.factories import make_draft

NOW = datetime(2026, 9, 29, 2, tzinfo=UTC)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar.china(range(2025, 2029))


def make_request(
    status: Status = Status.SUBMITTED, approval_number: str | None = None, **draft: object
) -> ApprovalRequest:
    return ApprovalRequest(
        **make_draft(**draft).model_dump(),
        id=1,
        applicant_id=101,
        lane=Lane.STANDARD,
        status=status,
        submitted_at=NOW,
        updated_at=NOW,
        accepted_on=date(2026, 9, 28),
        promised_due=date(2026, 11, 6),
        statutory_due=date(2026, 11, 13),
        approval_number=approval_number,
    )


def notice(kind: nt.NoticeKind, opens: date, ends: date) -> nt.Notice:
    return nt.Notice(
        request_id=1,
        kind=kind,
        opened_at=NOW,
        opens_on=opens,
        ends_on=ends,
        project_name="p",
        organisation="o",
        location="l",
        summary="s",
    )


def test_the_intended_decisions_notice_runs_five_working_days_across_national_day(cal: WorkCalendar) -> None:
    # opened Tue Sep 29: Sep 30 (1) · Oct 1-7 off · Thu Oct 8 (2) · Fri Oct 9 (3) · make-up Sat Oct 10 (4) · Mon 12 (5)
    assert nt.notice_end(cal, date(2026, 9, 29), nt.INTENDED_DECISION_DAYS) == date(2026, 10, 12)
    ended = notice(nt.NoticeKind.INTENDED_DECISION, date(2026, 9, 29), date(2026, 10, 12))
    assert nt.decision_allowed_from(ended) == date(2026, 10, 13)
    assert nt.hearing_window_open(ended, date(2026, 10, 12)) and not nt.hearing_window_open(ended, date(2026, 10, 13))


def test_a_report_acceptance_notice_opened_on_mid_autumn_runs_ten_working_days(cal: WorkCalendar) -> None:
    # opened on Fri Sep 25 (Mid-Autumn, off): Sep 28, 29, 30 (3) · Oct 8, 9, 10 (6) · Oct 12, 13, 14, 15 (10)
    assert nt.notice_end(cal, date(2026, 9, 25), nt.ACCEPTANCE_DAYS[DocumentType.REPORT]) == date(2026, 10, 15)
    # a report form's, where the bureau notices those: Sep 28, 29, 30, Oct 8, 9
    assert nt.notice_end(cal, date(2026, 9, 25), nt.ACCEPTANCE_DAYS[DocumentType.REPORT_FORM]) == date(2026, 10, 9)


def test_notices_across_the_2027_spring_festival(cal: WorkCalendar) -> None:
    # intended decision opened Wed Feb 3: Thu Feb 4 (1) · Feb 5-10 off · Thu 11 (2) · Fri 12 (3) · Mon 15 (4) · Tue 16
    assert nt.notice_end(cal, date(2027, 2, 3), nt.INTENDED_DECISION_DAYS) == date(2027, 2, 16)
    # decision announced Thu Feb 4: Feb 11, 12, 15, 16, 17, 18, 19 (7)
    assert nt.notice_end(cal, date(2027, 2, 4), nt.DECISION_DAYS) == date(2027, 2, 19)
    assert cal.is_estimated(date(2027, 2, 19))  # 2027's schedule is not published: dates marked estimated


def test_the_last_day_to_propose_leaves_the_notice_inside_the_legal_limit(cal: WorkCalendar) -> None:
    # legal limit Mon Oct 12 2026: back Oct 10 (1), 9 (2), 8 (3), Sep 30 (4), Sep 29 (5)
    assert nt.last_day_to_propose(cal, date(2026, 10, 12)) == date(2026, 9, 29)
    # legal limit Tue Feb 16 2027: back Feb 15 (1), 12 (2), 11 (3), 4 (4), 3 (5)
    assert nt.last_day_to_propose(cal, date(2027, 2, 16)) == date(2027, 2, 3)
    # a limit on a rest day counts back from the working day before it: Sun Oct 11 -> Sat Oct 10, back to Sep 28
    assert nt.last_day_to_propose(cal, date(2026, 10, 11)) == date(2026, 9, 28)
    # proposing puts the notice's days back on the promise, never past the legal limit
    assert nt.promised_after_proposal(cal, date(2026, 9, 29), date(2026, 10, 30)) == date(2026, 10, 12)
    assert nt.promised_after_proposal(cal, date(2026, 9, 29), date(2026, 10, 9)) == date(2026, 10, 9)


@pytest.mark.parametrize(
    ("excludes", "report_forms", "promised"),
    [
        # 5 promised: Sep 29, 30, Oct 8, 9, 10
        (True, False, date(2026, 10, 10)),
        # + the acceptance notice's 5: Oct 12, 13, 14, 15, 16
        (True, True, date(2026, 10, 16)),
        # notices inside the promise: the intended decision's 5 must fit in it, so proposal is due on acceptance
        (False, False, date(2026, 9, 28)),
    ],
)
def test_the_promise_before_proposal_follows_promise_excludes_notices(
    cal: WorkCalendar, excludes: bool, report_forms: bool, promised: date
) -> None:
    policy = DeadlinePolicy(promise_excludes_notices=excludes, notice_report_forms=report_forms)
    dues = compute_deadlines(
        cal, policy, lane=Lane.KEY, document_type=DocumentType.REPORT_FORM, accepted_on=date(2026, 9, 28)
    )
    assert dues.promised == promised
    assert dues.statutory == date(2026, 11, 13)  # notices always count inside the legal limit


def test_a_request_whose_legal_limit_cannot_fit_its_notice_is_capped_so_it_is_at_risk(cal: WorkCalendar) -> None:
    # a standard 报告表 promises the law's 30: proposal must come 5 working days before Nov 13, on Nov 6
    dues = compute_deadlines(
        cal, DeadlinePolicy(), lane=Lane.STANDARD, document_type=DocumentType.REPORT_FORM, accepted_on=date(2026, 9, 28)
    )
    assert (dues.promised, dues.statutory) == (date(2026, 11, 6), date(2026, 11, 13))
    registration = compute_deadlines(
        cal, DeadlinePolicy(), lane=Lane.KEY, document_type=DocumentType.REGISTRATION, accepted_on=date(2026, 9, 28)
    )
    assert registration.promised == registration.statutory == date(2026, 9, 28)  # a filing has no notices


def test_the_decision_waits_for_the_notice_and_for_every_hearing_request() -> None:
    running = notice(nt.NoticeKind.INTENDED_DECISION, date(2026, 12, 4), date(2026, 12, 11))
    with pytest.raises(ProposeFirst):
        nt.check_decision(1, None, 0, date(2026, 12, 20))
    with pytest.raises(NoticeRunning) as caught:
        nt.check_decision(1, running, 0, date(2026, 12, 11))  # its last day
    assert caught.value.until == date(2026, 12, 11)
    with pytest.raises(HearingRequested):
        nt.check_decision(1, running, 1, date(2026, 12, 14))
    nt.check_decision(1, running, 0, date(2026, 12, 12))  # the day after: allowed


def test_approval_is_proposed_only_once_the_acceptance_notice_has_run(cal: WorkCalendar) -> None:
    # a report accepted Wed Sep 30: Oct 8, 9, make-up Sat 10 (3) · Oct 12-16 (8) · Mon 19 (9) · Tue Oct 20 (10)
    ends = nt.notice_end(cal, date(2026, 9, 30), nt.ACCEPTANCE_DAYS[DocumentType.REPORT])
    assert ends == date(2026, 10, 20)
    acceptance = notice(nt.NoticeKind.ACCEPTANCE, date(2026, 9, 30), ends)
    with pytest.raises(NoticeRunning) as caught:
        nt.check_proposal(1, acceptance, date(2026, 10, 20))  # its last day: comments may still come
    assert (caught.value.until, caught.value.kind) == (date(2026, 10, 20), "acceptance")
    nt.check_proposal(1, acceptance, date(2026, 10, 21))  # the day after: allowed
    nt.check_proposal(1, None, date(2026, 9, 30))  # a report form (no acceptance notice): at once


def test_which_steps_open_which_notices(cal: WorkCalendar) -> None:
    report = make_request(document_type=DocumentType.REPORT)
    form = make_request(document_type=DocumentType.REPORT_FORM)
    today = date(2026, 9, 29)

    def kinds(action: str, request: object, report_forms: bool = False) -> list[nt.NoticeKind]:
        opened = nt.to_open(action, request, now=NOW, today=today, calendar=cal, report_forms=report_forms)  # type: ignore[arg-type]
        return [n.kind for n in opened]

    assert kinds("accept", report) == kinds("deem_accept", report) == [nt.NoticeKind.ACCEPTANCE]
    assert kinds("accept", form) == [] and kinds("accept", form, True) == [nt.NoticeKind.ACCEPTANCE]
    assert kinds("propose_approval", form) == [nt.NoticeKind.INTENDED_DECISION]
    assert kinds("approve", form) == kinds("reject", form) == [nt.NoticeKind.DECISION]
    assert kinds("claim", report) == kinds("request_info", report) == []
    approved = make_request(status=Status.APPROVED, approval_number="区环审〔2026〕3号")
    (announced,) = nt.to_open("approve", approved, now=NOW, today=today, calendar=cal, report_forms=False)
    assert (announced.outcome, announced.approval_number) == (Status.APPROVED, "区环审〔2026〕3号")
    assert announced.ends_on == date(2026, 10, 14)  # Sep 30 · Oct 8, 9, 10 · Oct 12, 13, 14 (7)


def test_what_the_public_sends_is_bounded_and_cleaned() -> None:
    assert pc.clean_name("  李\u202e四  ") == "李四"
    assert pc.clean_contact("138 1234 5678") == "+86 138 1234 5678"  # as the request form stores numbers
    assert pc.clean_contact("li.si@example.cn") == "li.si@example.cn"
    assert pc.clean_body(" 噪声扰民\x00 ") == "噪声扰民"
    for bad in ("", "x" * (pc.MAX_NAME + 1)):
        with pytest.raises(InvalidField):
            pc.clean_name(bad)
    for bad in ("not a contact", "12", "a@b", "x" * (pc.MAX_CONTACT + 1)):
        with pytest.raises(InvalidField):
            pc.clean_contact(bad)
    for bad in ("好", "字" * (pc.MAX_TEXT + 1)):
        with pytest.raises(InvalidField):
            pc.clean_body(bad)
