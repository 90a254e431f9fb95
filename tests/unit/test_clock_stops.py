"""Excluded time (art. 45): the stated end, the days left out, the reminder's day and the deadlines moved, each
against dates counted by hand across National Day 2026 and Spring Festival 2027 (estimated: no 调休 yet).

National Day 2026: Oct 1-7 off, Oct 8 a workday, Sat Oct 10 a make-up workday; Mid-Autumn Fri Sep 25 off; Sun
Sep 20 a make-up workday. Spring Festival 2027 (statutory, estimated): Fri Feb 5 - Wed Feb 10 off (5, 8 and the
days given back 9, 10 with the weekend 6-7); Thu Feb 11 a workday.
"""

from datetime import UTC, date, datetime

import pytest

from approvals import clock_stops as cs
from approvals import validation as v
from approvals.calendar import WorkCalendar
from approvals.deadlines import DeadlinePolicy, Deadlines, compute_deadlines
from approvals.models import ApprovalRequest, Category, DocumentType, Lane, Status
from approvals.states import TRANSITIONS, WAITS_ON, Action, Party, transition

NOW = datetime(2026, 9, 24, 2, 0, tzinfo=UTC)
POLICY = DeadlinePolicy()


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar.china(range(2024, 2029))


def stop_on(day: date, days: int, cal: WorkCalendar, kind: cs.StopKind = cs.StopKind.EXPERT_REVIEW) -> cs.ClockStop:
    return cs.start(7, kind, days, today=day, now=NOW, calendar=cal)


def green_form(accepted_on: date, cal: WorkCalendar, paused: int = 0) -> ApprovalRequest:
    """A green-lane 报告表: promised in 10 working days, legal limit 30."""
    dues = compute_deadlines(
        cal,
        POLICY,
        lane=Lane.GREEN,
        document_type=DocumentType.REPORT_FORM,
        accepted_on=accepted_on,
        paused_working_days=paused,
    )
    return ApprovalRequest(
        id=7,
        applicant_id=101,
        project_name="城东污水处理厂扩建",
        organisation="区水务集团",
        contact_name="王工",
        phone="13812345678",
        category=Category.INFRASTRUCTURE,
        document_type=DocumentType.REPORT_FORM,
        investment="1200",
        location="城东街道",
        description="日处理能力由2万吨扩至4万吨",
        lane=Lane.GREEN,
        status=Status.SUBMITTED,
        submitted_at=NOW,
        updated_at=NOW,
        accepted_on=accepted_on,
        paused_working_days=paused,
        promised_due=dues.promised,
        statutory_due=dues.statutory,
    )


@pytest.mark.parametrize(
    ("started", "days", "end"),
    [
        # Sep 29, 30, (Oct 1-7 off), Oct 8, 9, Sat 10 (make-up)
        (date(2026, 9, 28), 5, date(2026, 10, 10)),
        # (Fri Sep 25 Mid-Autumn, weekend) Mon Sep 28
        (date(2026, 9, 24), 1, date(2026, 9, 28)),
        # stopped on a holiday: Oct 8 is the first working day after it
        (date(2026, 10, 3), 1, date(2026, 10, 8)),
        # Thu Sep 17: Fri 18, Sun 20 (make-up), Mon 21
        (date(2026, 9, 17), 3, date(2026, 9, 21)),
        # Feb 4, (Feb 5-10 off), Feb 11, 12
        (date(2027, 2, 3), 3, date(2027, 2, 12)),
        # Feb 11, 12, (weekend) 15
        (date(2027, 2, 5), 3, date(2027, 2, 15)),
    ],
)
def test_the_stated_end_is_the_last_excluded_working_day(
    cal: WorkCalendar, started: date, days: int, end: date
) -> None:
    assert stop_on(started, days, cal).expected_end == end


@pytest.mark.parametrize(
    ("started", "days", "resumed", "excluded"),
    [
        (date(2026, 9, 28), 5, date(2026, 9, 28), 0),  # restarted the day it stopped: nothing left out
        (date(2026, 9, 28), 5, date(2026, 10, 1), 2),  # Sep 29, 30: the holiday adds nothing
        (date(2026, 9, 28), 5, date(2026, 10, 7), 2),
        (date(2026, 9, 28), 5, date(2026, 10, 8), 3),
        (date(2026, 9, 28), 5, date(2026, 10, 10), 5),  # at the stated end, the make-up Saturday
        (date(2026, 9, 28), 5, date(2026, 10, 19), 5),  # the bot was down: never past the stated end
        (date(2027, 2, 3), 3, date(2027, 2, 10), 1),  # Feb 4 only
        (date(2027, 2, 3), 3, date(2027, 2, 11), 2),
        (date(2027, 2, 3), 3, date(2027, 2, 12), 3),
        (date(2027, 2, 3), 3, date(2027, 2, 22), 3),
    ],
)
def test_the_days_left_out_run_from_the_day_after_the_stop_to_its_end(
    cal: WorkCalendar, started: date, days: int, resumed: date, excluded: int
) -> None:
    stop = stop_on(started, days, cal)
    assert cs.excluded_days(cal, stop, resumed) == excluded
    ended = cs.end(stop, today=resumed, now=NOW, by=201, result="通过", calendar=cal)
    assert (ended.excluded_days, ended.ended_on) == (excluded, min(resumed, stop.expected_end))
    assert not ended.is_open


def test_the_first_excluded_day_skips_holidays(cal: WorkCalendar) -> None:
    assert cs.first_excluded_day(cal, stop_on(date(2026, 9, 30), 5, cal)) == date(2026, 10, 8)
    assert cs.first_excluded_day(cal, stop_on(date(2027, 2, 4), 2, cal)) == date(2027, 2, 11)


@pytest.mark.parametrize(
    ("started", "days", "reminded_on", "not_on"),
    [
        # stated end Sat Oct 10 (make-up): the working day before is Fri Oct 9; Oct 8 is two before
        (date(2026, 9, 28), 5, date(2026, 10, 9), [date(2026, 9, 30), date(2026, 10, 5), date(2026, 10, 8)]),
        # stated end Fri Feb 12 2027: Thu Feb 11; on the holidays before it two working days remain
        (date(2027, 2, 3), 3, date(2027, 2, 11), [date(2027, 2, 4), date(2027, 2, 9), date(2027, 2, 12)]),
    ],
)
def test_the_reminder_falls_on_the_working_day_before_the_stated_end(
    cal: WorkCalendar, started: date, days: int, reminded_on: date, not_on: list[date]
) -> None:
    stop = stop_on(started, days, cal)
    assert cs.is_due_reminder(cal, stop, reminded_on)
    assert not any(cs.is_due_reminder(cal, stop, day) for day in not_on)
    assert not cs.is_due_to_end(stop, reminded_on)
    assert cs.is_due_to_end(stop, stop.expected_end)


def test_deadlines_move_by_the_days_left_out_and_stops_add_up(cal: WorkCalendar) -> None:
    # accepted Mon Sep 21 2026: promised Oct 12 (Sep 22-24, 28-30, Oct 8-10, 12), legal Nov 9
    request = green_form(date(2026, 9, 21), cal)
    assert (request.promised_due, request.statutory_due) == (date(2026, 10, 12), date(2026, 11, 9))
    first = stop_on(date(2026, 9, 24), 5, cal, cs.StopKind.TECHNICAL_ASSESSMENT)  # Sep 28-30, Oct 8, 9
    assert first.expected_end == date(2026, 10, 9)
    assert cs.projected(request.model_copy(update=cs.stop_effects(request, first)), first, cal, POLICY) == (
        Deadlines(promised=date(2026, 10, 19), statutory=date(2026, 11, 16))
    )
    moved = request.model_copy(
        update=cs.resume_effects(
            request, cs.end(first, today=date(2026, 10, 9), now=NOW, by=0, result=None, calendar=cal), cal, POLICY
        )
    )
    # +5: Oct 13, 14, 15, 16, 19 and Nov 10, 11, 12, 13, 16
    assert (moved.promised_due, moved.statutory_due, moved.paused_working_days) == (
        date(2026, 10, 19),
        date(2026, 11, 16),
        5,
    )
    second = stop_on(date(2026, 10, 12), 10, cal, cs.StopKind.HEARING)  # ends Oct 26 if it runs its length
    assert second.expected_end == date(2026, 10, 26)
    again = moved.model_copy(
        update=cs.resume_effects(
            moved,
            cs.end(second, today=date(2026, 10, 14), now=NOW, by=201, result="听证结束", calendar=cal),
            cal,
            POLICY,
        )
    )
    # +2 (Oct 13, 14): 7 in all: promised Oct 21, legal Nov 18
    assert (again.promised_due, again.statutory_due, again.paused_working_days) == (
        date(2026, 10, 21),
        date(2026, 11, 18),
        7,
    )


def test_deadlines_move_across_spring_festival_2027(cal: WorkCalendar) -> None:
    # accepted Mon Jan 25 2027: Jan 26-29, Feb 1-4, (Feb 5-10 off), Feb 11, 12 -> promised Feb 12
    request = green_form(date(2027, 1, 25), cal)
    assert request.promised_due == date(2027, 2, 12)
    stop = stop_on(date(2027, 2, 3), 3, cal)
    ended = cs.end(stop, today=date(2027, 2, 12), now=NOW, by=0, result=None, calendar=cal)
    moved = request.model_copy(update=cs.resume_effects(request, ended, cal, POLICY))
    assert moved.promised_due == date(2027, 2, 17)  # +3: Feb 15, 16, 17


def test_a_stop_stands_the_clock_still_and_gives_up_the_claim(cal: WorkCalendar) -> None:
    request = green_form(date(2026, 9, 21), cal).model_copy(update={"claimed_by": 201})
    stop = stop_on(date(2026, 9, 24), 5, cal)
    assert cs.stop_effects(request, stop) == {"claimed_by": None, "paused_since": date(2026, 9, 24)}
    ended = cs.end(stop, today=date(2026, 9, 30), now=NOW, by=201, result="ok", calendar=cal)
    assert cs.resume_effects(request, ended, cal, POLICY)["paused_since"] is None


def test_projected_dates_only_while_the_request_is_in_that_stop(cal: WorkCalendar) -> None:
    request = green_form(date(2026, 9, 21), cal)
    stop = stop_on(date(2026, 9, 24), 5, cal)
    assert cs.projected(request, stop, cal, POLICY) is None  # not stopped (paused_since unset)
    ended = cs.end(stop, today=date(2026, 9, 28), now=NOW, by=201, result="ok", calendar=cal)
    paused = request.model_copy(update={"paused_since": stop.started_on})
    assert cs.projected(paused, ended, cal, POLICY) is None


@pytest.mark.parametrize("days", ["0", "121", "-1", "5.5", "五", "", "１０"])
def test_the_stated_length_is_1_to_120_working_days(days: str) -> None:
    with pytest.raises(v.InvalidField) as caught:
        cs.clean_days(days)
    assert caught.value.problem == "out_of_range"


def test_the_length_bounds_are_accepted() -> None:
    assert (cs.clean_days("1"), cs.clean_days(120), cs.clean_days(" 10 ")) == (1, 120, 10)


def test_the_audit_records_kind_and_days_and_reads_them_back() -> None:
    for kind in cs.StopKind:
        assert cs.parse_audit_reason(cs.audit_reason(kind, 12)) == (kind, 12)
    assert cs.parse_audit_reason("not a stop") is None
    assert cs.parse_audit_reason(None) is None


def test_the_transitions_of_excluded_time_are_table_rows() -> None:
    for source in (Status.SUBMITTED, Status.RESUBMITTED, Status.IN_REVIEW):
        assert TRANSITIONS[(source, Action.STOP_CLOCK)] is Status.EXCLUDED
    assert TRANSITIONS[(Status.EXCLUDED, Action.RESUME_CLOCK)] is Status.SUBMITTED
    assert WAITS_ON[Status.EXCLUDED] is Party.OUTSIDE
    stopped_from = {s for (s, a) in TRANSITIONS if a is Action.STOP_CLOCK}
    # accepted, with the bureau; in notice, for the hearing the public asked for (art. 47)
    assert stopped_from == {Status.SUBMITTED, Status.RESUBMITTED, Status.IN_REVIEW, Status.IN_NOTICE}
    assert TRANSITIONS[(Status.EXCLUDED, Action.HEARING_HELD)] is Status.IN_NOTICE  # back in its notice
    # no decision in excluded time: the result comes first
    decisions = {a for (s, a) in TRANSITIONS if s is Status.EXCLUDED}
    assert decisions == {Action.RESUME_CLOCK, Action.HEARING_HELD, Action.WITHDRAW, Action.ADD_MATERIAL}
    event = transition(
        request_id=7, status=Status.IN_REVIEW, action=Action.STOP_CLOCK, actor_id=201, at=NOW, reason="hearing 10"
    ).event
    assert (event.action, event.to_status, event.reason) == ("stop_clock", Status.EXCLUDED, "hearing 10")


def _projected_then_ran_its_length(
    request: ApprovalRequest, stop: cs.ClockStop, cal: WorkCalendar
) -> tuple[Deadlines | None, Deadlines]:
    """What the applicant is told when the stop starts, and what the system holds once it ran its stated length."""
    stopped = request.model_copy(update=cs.stop_effects(request, stop))
    told = cs.projected(stopped, stop, cal, POLICY)
    ended = cs.end(stop, today=stop.expected_end, now=NOW, by=0, result=None, calendar=cal)
    held = stopped.model_copy(update=cs.resume_effects(stopped, ended, cal, POLICY))
    return told, Deadlines(promised=held.promised_due, statutory=held.statutory_due)


def test_a_hearing_during_the_notice_of_intended_decision_keeps_the_notice_days(cal: WorkCalendar) -> None:
    # accepted Wed Dec 2 2026: promised Dec 16 (Dec 3, 4, 7-11, 14-16); legal Jan 14 2027 (Dec 3-31 are 21,
    # Jan 1 2027 off (New Year, estimated), Jan 4-8, 11-14)
    request = green_form(date(2026, 12, 2), cal)
    assert (request.promised_due, request.statutory_due) == (date(2026, 12, 16), date(2027, 1, 14))
    # proposed Dec 16: the notice's 5 working days added back: Dec 17, 18, 21, 22, 23
    proposed = request.model_copy(update={"promised_due": date(2026, 12, 23)})
    hearing = stop_on(date(2026, 12, 18), 20, cal, cs.StopKind.HEARING)
    # Dec 21-25, 28-31 (9), Jan 4-8 (14), 11-15 (19), 18 (20)
    assert hearing.expected_end == date(2027, 1, 18)
    told, held = _projected_then_ran_its_length(proposed, hearing, cal)
    # promise Dec 23 + 20: Dec 24, 25, 28-31 (6), Jan 4-8 (11), 11-15 (16), 18-21 (20) -> Jan 21, not Jan 14
    # legal Jan 14 + 20: Jan 15, 18-22, 25-29 (11), Feb 1-4 (15), (Feb 5-10 off), Feb 11, 12, 15, 16, 17
    assert told == held == Deadlines(promised=date(2027, 1, 21), statutory=date(2027, 2, 17))


def test_a_stop_before_the_proposal_moves_the_promise_from_acceptance(cal: WorkCalendar) -> None:
    request = green_form(date(2026, 12, 2), cal)  # promised Dec 16, legal Jan 14 2027 (as above)
    stop = stop_on(date(2026, 12, 10), 20, cal, cs.StopKind.EXPERT_REVIEW)
    # Dec 11, 14-18 (6), 21-25 (11), 28-31 (15), Jan 4-8 (20)
    assert stop.expected_end == date(2027, 1, 8)
    told, held = _projected_then_ran_its_length(request, stop, cal)
    # Dec 16 + 20: Dec 17, 18, 21-25 (7), 28-31 (11), Jan 4-8 (16), 11-14 (20)
    assert told == held == Deadlines(promised=date(2027, 1, 14), statutory=date(2027, 2, 17))
