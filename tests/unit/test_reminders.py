from datetime import UTC, date, datetime
from pathlib import Path

from aiogram.utils.i18n import I18n

from approvals.calendar import WorkCalendar
from approvals.models import ApprovalRequest, Lane, Status
from approvals.reminders import ReminderKind, due_reminders
from catalogues import compiled_locales
from jobs.reminders import reminder_text
from tests.factories import make_draft

CAL = WorkCalendar.china([2026, 2027])
ROOT = Path(__file__).resolve().parents[2]


def request(status: Status = Status.SUBMITTED, claimed_by: int | None = None) -> ApprovalRequest:
    # accepted Mon 2026-11-30, promised 10 working days (2026-12-14), legal 30 (2027-01-12, after New Year's Day)
    now = datetime(2026, 11, 30, 2, tzinfo=UTC)
    return ApprovalRequest(
        **make_draft().model_dump(),
        id=1,
        applicant_id=5,
        lane=Lane.GREEN,
        status=status,
        claimed_by=claimed_by,
        submitted_at=now,
        updated_at=now,
        accepted_on=date(2026, 11, 30),
        promised_due=date(2026, 12, 14),
        statutory_due=date(2027, 1, 12),
    )


def kinds(today: date, r: ApprovalRequest | None = None) -> list[ReminderKind]:
    return [rem.kind for rem in due_reminders(CAL, [r or request()], today)]


def test_half_and_four_fifths_of_the_promise_then_three_days_before_the_law() -> None:
    assert kinds(date(2026, 12, 4)) == []  # 4 of 10 used
    assert kinds(date(2026, 12, 7)) == [ReminderKind.HALF]  # 5 of 10
    assert kinds(date(2026, 12, 10)) == [ReminderKind.HALF, ReminderKind.MOST]  # 8 of 10
    assert ReminderKind.STATUTORY not in kinds(date(2027, 1, 6))  # 4 working days left
    assert ReminderKind.STATUTORY in kinds(date(2027, 1, 7))  # 3 left


def test_a_claimed_request_reminds_its_reviewer_else_the_group() -> None:
    (reminder,) = due_reminders(CAL, [request(Status.IN_REVIEW, claimed_by=42)], date(2026, 12, 7))
    assert (reminder.recipient, reminder.used, reminder.promised) == (42, 5, 10)
    (reminder,) = due_reminders(CAL, [request()], date(2026, 12, 7))
    assert reminder.recipient is None


def test_paused_and_decided_requests_get_no_reminders() -> None:
    for status in (Status.NEEDS_INFO, Status.APPROVED, Status.WITHDRAWN):
        assert kinds(date(2027, 1, 8), request(status)) == []


def test_a_received_request_reminds_the_group_of_its_check_the_working_day_before_it_ends() -> None:
    # received Mon 2026-11-30: the check's 5 working days are Dec 1-4 and 7; deemed accepted from Tue Dec 8
    received = request(Status.RECEIVED).model_copy(update={"received_on": date(2026, 11, 30)})
    assert kinds(date(2026, 12, 3), received) == []  # 2 working days left
    assert kinds(date(2026, 12, 5), received) == [ReminderKind.CHECK]  # Saturday: Monday is the last day
    (reminder,) = due_reminders(CAL, [received], date(2026, 12, 4))
    assert (reminder.kind, reminder.until, reminder.recipient) == (ReminderKind.CHECK, date(2026, 12, 7), None)
    assert reminder.key == "check_1:2026-12-07"  # once per receipt: received again later, reminded again
    assert kinds(date(2026, 12, 7), received) == [ReminderKind.CHECK]  # the last day, if the job ran late
    assert kinds(date(2026, 12, 8), received) == []  # over: the job deems it accepted, no reminder


def test_a_check_reminder_counts_working_days_across_national_day() -> None:
    # received Tue 2026-09-29: Sep 30, then the holiday Oct 1-7, then Oct 8, 9, Sat 10 (a make-up workday), Mon 12:
    # the check ends Mon Oct 12
    received = request(Status.RECEIVED).model_copy(update={"received_on": date(2026, 9, 29)})
    assert due_reminders(CAL, [received], date(2026, 10, 10))[0].until == date(2026, 10, 12)  # the make-up Saturday
    assert kinds(date(2026, 10, 11), received) == [ReminderKind.CHECK]  # Sunday: Monday is the last day
    assert kinds(date(2026, 10, 9), received) == []  # Oct 10 and 12 left
    assert kinds(date(2026, 10, 7), received) == []  # in the holiday: Oct 8, 9, 10, 12 left


def test_used_and_promised_leave_out_the_days_the_clock_stood_still() -> None:
    """The trial's 「承诺时限已用 12/11 个工作日」: one excluded working day moved the promise from Dec 14 to Dec 15;
    it is neither used nor promised, so the promise stays 10 working days."""
    moved = request(Status.IN_REVIEW, claimed_by=42).model_copy(
        update={"promised_due": date(2026, 12, 15), "paused_working_days": 1}
    )
    # Dec 1-4, 7-11 elapsed (9), one of them excluded: 8 of 10 used
    assert [(r.kind, r.used, r.promised) for r in due_reminders(CAL, [moved], date(2026, 12, 11))] == [
        (ReminderKind.HALF, 8, 10),
        (ReminderKind.MOST, 8, 10),
    ]
    (half, _most) = due_reminders(CAL, [moved], date(2026, 12, 16))  # one working day past Dec 15
    assert (half.used, half.promised) == (11, 10)


def test_a_reminder_for_a_request_already_past_its_promise_says_how_late_it_is() -> None:
    moved = request(Status.SIGNING).model_copy(update={"promised_due": date(2026, 12, 15), "paused_working_days": 1})
    (half, _most) = due_reminders(CAL, [moved], date(2026, 12, 16))
    i18n = I18n(path=compiled_locales(ROOT / "locales"), default_locale="zh_CN", domain="messages")
    with i18n.context(), i18n.use_locale("zh_CN"):
        text = reminder_text(half)
    assert text == "⏰ #1 城东污水处理厂扩建 · 承诺 2026-12-15 · 已超 1 个工作日"
