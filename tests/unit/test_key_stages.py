"""Key-project stages and since when, and the bulletin's red/yellow/green, on dates counted by hand across the
2026 Mid-Autumn and National Day holidays.

The calendar there (State Council schedule for 2026): Fri 25 Sep is 中秋 (off); Thu 1 - Wed 7 Oct are 国庆 (off);
Sun 20 Sep and Sat 10 Oct are make-up working days (调休). So from Thu 24 Sep to Mon 12 Oct the working days are
28, 29, 30 Sep, 8, 9, 10, 12 Oct: 7 (18 calendar days; 12 weekdays).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from approvals.bulletin import (
    Colour,
    KeyStep,
    Movement,
    Thresholds,
    Why,
    build_bulletin,
    bulletin_due,
    rate,
    request_days,
    week_of,
)
from approvals.calendar import WorkCalendar
from approvals.key_stages import Consultation, KeyRequestFacts, KeyStage, ProjectStage, risk_start, stage_of
from approvals.ledger import KeyProject
from approvals.models import DocumentType, Status
from jobs.bulletin import BulletinSettings, bulletin_trigger

SHANGHAI = ZoneInfo("Asia/Shanghai")
RISK_DAYS = 3


def facts(status: Status, **changes: object) -> KeyRequestFacts:
    base = KeyRequestFacts(
        request_id=1,
        code="KP-01",
        status=status,
        document_type=DocumentType.REPORT_FORM,
        received_on=date(2026, 9, 17),
        accepted_on=date(2026, 9, 24),
        status_since=date(2026, 9, 24),
        promised_due=date(2026, 11, 30),
        statutory_due=date(2026, 12, 15),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def stage(
    calendar: WorkCalendar,
    requests: list[KeyRequestFacts],
    today: date,
    talks: list[Consultation] | None = None,
    no_eia: date | None = None,
) -> ProjectStage:
    return stage_of(requests, talks or [], no_eia_since=no_eia, today=today, calendar=calendar, risk_days=RISK_DAYS)


TODAY = date(2026, 10, 12)


# --- stages and since when ---------------------------------------------------------------------------------


def test_nothing_on_record_is_not_applied_with_no_date(calendar: WorkCalendar) -> None:
    found = stage(calendar, [], TODAY)
    assert (found.stage, found.since) == (KeyStage.NOT_APPLIED, None)


def test_consultations_make_a_project_preparing_since_the_first(calendar: WorkCalendar) -> None:
    talks = [Consultation("KP-01", date(2026, 9, 20), "met", 1), Consultation("KP-01", date(2026, 10, 9), "site", 1)]
    found = stage(calendar, [], TODAY, talks)
    assert (found.stage, found.since) == (KeyStage.PREPARING, date(2026, 9, 20))


def test_a_rejected_project_stays_rejected_with_its_decision_until_its_liaison_prepares_again(
    calendar: WorkCalendar,
) -> None:
    talks = [Consultation("KP-01", date(2026, 9, 1), "met", 1)]
    rejected = facts(Status.REJECTED, status_since=date(2026, 10, 9), decided_on=date(2026, 10, 9))
    for before in ([], talks):  # consultations before the rejection led to it: still rejected
        found = stage(calendar, [rejected], TODAY, before)
        assert (found.stage, found.since, found.request) == (KeyStage.REJECTED, date(2026, 10, 9), rejected)
    again = [*talks, Consultation("KP-01", date(2026, 10, 10), "new plan", 1)]
    found = stage(calendar, [rejected], TODAY, again)
    assert (found.stage, found.since, found.request) == (KeyStage.PREPARING, date(2026, 10, 10), None)


def test_a_withdrawn_or_returned_request_leaves_the_project_not_applied_with_no_request_to_read_as_open(
    calendar: WorkCalendar,
) -> None:
    for status in (Status.WITHDRAWN, Status.RETURNED):
        ended = facts(status, status_since=date(2026, 10, 9), decided_on=date(2026, 10, 9))
        found = stage(calendar, [ended], TODAY)
        assert (found.stage, found.since, found.request) == (KeyStage.NOT_APPLIED, date(2026, 10, 9), None)
        talks = [Consultation("KP-01", date(2026, 9, 1), "met", 1)]
        found = stage(calendar, [ended], TODAY, talks)
        assert (found.stage, found.since, found.request) == (KeyStage.PREPARING, date(2026, 10, 9), None)


STEP_DAY = date(2026, 10, 8)
NOTICE_DAY = date(2026, 10, 9)
FAR = {"promised_due": date(2026, 11, 30)}
NEAR = {"promised_due": date(2026, 10, 13)}  # within RISK_DAYS working days of TODAY


STATUS_TABLE: list[tuple[Status, dict[str, object], KeyStage, date]] = [
    (Status.RECEIVED, {"accepted_on": None}, KeyStage.RECEIVED, date(2026, 9, 17)),
    (Status.INCOMPLETE, {"accepted_on": None}, KeyStage.RECEIVED, date(2026, 9, 17)),  # material listed: not accepted
    (Status.SUBMITTED, FAR, KeyStage.ACCEPTED, date(2026, 9, 24)),
    (Status.IN_REVIEW, FAR, KeyStage.ACCEPTED, date(2026, 9, 24)),
    (Status.RESUBMITTED, FAR, KeyStage.ACCEPTED, date(2026, 9, 24)),
    (Status.IN_REVIEW, NEAR, KeyStage.AT_RISK, date(2026, 10, 9)),  # 3 working days before: Sat 10 works
    (Status.NEEDS_INFO, FAR, KeyStage.WAITING_MATERIAL, STEP_DAY),  # 待补正: waits on the applicant
    (Status.NEEDS_INFO, NEAR, KeyStage.WAITING_MATERIAL, STEP_DAY),  # the bureau is not the one late
    (Status.EXCLUDED, FAR, KeyStage.CLOCK_STOPPED, STEP_DAY),
    (Status.EXCLUDED, NEAR, KeyStage.CLOCK_STOPPED, STEP_DAY),
    (Status.IN_NOTICE, {**FAR, "notice_on": NOTICE_DAY}, KeyStage.IN_NOTICE, NOTICE_DAY),
    (Status.SIGNING, {**FAR, "notice_on": NOTICE_DAY}, KeyStage.SIGNING, STEP_DAY),
    (Status.SIGNING, FAR, KeyStage.SIGNING, STEP_DAY),
    (Status.APPROVED, {"decided_on": NOTICE_DAY}, KeyStage.APPROVED, NOTICE_DAY),
    (Status.REJECTED, {"decided_on": NOTICE_DAY}, KeyStage.REJECTED, NOTICE_DAY),
    (Status.WITHDRAWN, {"decided_on": NOTICE_DAY}, KeyStage.NOT_APPLIED, STEP_DAY),
    (Status.RETURNED, {"accepted_on": None}, KeyStage.NOT_APPLIED, STEP_DAY),
]


@pytest.mark.parametrize(("status", "changes", "expected", "since"), STATUS_TABLE)
def test_every_status_gives_its_stage_and_the_day_it_began(
    calendar: WorkCalendar, status: Status, changes: dict[str, object], expected: KeyStage, since: date
) -> None:
    found = stage(calendar, [facts(status, status_since=STEP_DAY, **changes)], TODAY)
    assert (found.stage, found.since) == (expected, since)


def test_the_table_covers_every_status() -> None:
    assert {row[0] for row in STATUS_TABLE} == set(Status)


def test_a_rejected_project_is_done_not_an_open_item_of_its_liaison(calendar: WorkCalendar) -> None:
    projects = [KeyProject(code="KP-01", name="n", owner="o")]
    rejected = facts(Status.REJECTED, status_since=date(2026, 10, 9), decided_on=date(2026, 10, 9))
    talks = {"KP-01": [Consultation("KP-01", date(2026, 9, 1), "met", 1)]}
    stages = {"KP-01": stage(calendar, [rejected], TODAY, talks["KP-01"])}
    bulletin = build_bulletin(
        projects, stages, talks, {"KP-01": 7}, [], today=TODAY, calendar=calendar, thresholds=Thresholds()
    )
    assert bulletin.rows[0].stage.stage is KeyStage.REJECTED and bulletin.per_liaison == {}


def test_a_registration_form_is_filed_once_accepted(calendar: WorkCalendar) -> None:
    filed = stage(calendar, [facts(Status.SUBMITTED, document_type=DocumentType.REGISTRATION)], TODAY)
    assert (filed.stage, filed.since) == (KeyStage.FILED, date(2026, 9, 24))


def test_the_no_eia_mark_wins_and_an_approval_beats_a_newer_open_request(calendar: WorkCalendar) -> None:
    marked = stage(calendar, [facts(Status.IN_REVIEW)], TODAY, no_eia=date(2026, 10, 8))
    assert (marked.stage, marked.since) == (KeyStage.NO_EIA, date(2026, 10, 8))
    approved = facts(Status.APPROVED, decided_on=date(2026, 10, 9))
    newer = facts(Status.IN_REVIEW, request_id=2)
    assert stage(calendar, [approved, newer], TODAY).stage is KeyStage.APPROVED


def test_at_risk_from_the_day_the_promise_came_within_risk_days_counted_across_the_holiday(
    calendar: WorkCalendar,
) -> None:
    # promised Fri 9 Oct, RISK_DAYS 3: back three working days is 8 Oct, 30 Sep, 29 Sep (1-7 Oct are off)
    request = facts(Status.IN_REVIEW, promised_due=date(2026, 10, 9), status_since=date(2026, 9, 1))
    assert risk_start(request, calendar, RISK_DAYS) == date(2026, 9, 29)
    assert stage(calendar, [request], date(2026, 9, 28)).stage is KeyStage.ACCEPTED  # 29, 30 Sep, 8 Oct: not yet
    at_risk = stage(calendar, [request], date(2026, 9, 29))
    assert (at_risk.stage, at_risk.since) == (KeyStage.AT_RISK, date(2026, 9, 29))
    assert stage(calendar, [request], date(2026, 10, 8)).since == date(2026, 9, 29)


# --- red, yellow, green ------------------------------------------------------------------------------------


def rating(calendar: WorkCalendar, request: KeyRequestFacts, today: date, thresholds: Thresholds) -> tuple:
    found = stage(calendar, [request], today)
    rated = rate(found, [], today=today, calendar=calendar, thresholds=thresholds)
    return rated.colour, rated.reasons, rated.days_in_stage


def test_stuck_is_counted_in_working_days_across_the_holiday(calendar: WorkCalendar) -> None:
    in_review = facts(Status.IN_REVIEW)  # accepted Thu 24 Sep; 7 working days to Mon 12 Oct
    assert rating(calendar, in_review, TODAY, Thresholds(red_days=7)) == (Colour.GREEN, (), 7)
    assert rating(calendar, in_review, TODAY, Thresholds(red_days=6)) == (Colour.RED, (Why.STUCK,), 7)


def test_past_the_promise_or_the_legal_limit_is_red(calendar: WorkCalendar) -> None:
    late = facts(Status.IN_REVIEW, promised_due=date(2026, 10, 9), statutory_due=date(2026, 10, 10))
    assert rating(calendar, late, date(2026, 10, 10), Thresholds())[:2] == (Colour.RED, (Why.PAST_PROMISE,))
    assert rating(calendar, late, date(2026, 10, 12), Thresholds())[:2] == (
        Colour.RED,
        (Why.PAST_PROMISE, Why.PAST_LEGAL),
    )


def test_at_risk_is_yellow(calendar: WorkCalendar) -> None:
    soon = facts(Status.IN_REVIEW, promised_due=date(2026, 10, 9))
    assert rating(calendar, soon, date(2026, 9, 30), Thresholds())[:2] == (Colour.YELLOW, (Why.AT_RISK,))


def test_waiting_on_the_applicant_is_yellow_after_yellow_days_working_days(calendar: WorkCalendar) -> None:
    # asked on Tue 29 Sep: 30 Sep, 8, 9, 10, 12 Oct are 5 working days to Mon 12 Oct
    asked = facts(Status.NEEDS_INFO, status_since=date(2026, 9, 29))
    assert rating(calendar, asked, TODAY, Thresholds(yellow_days=5))[:2] == (Colour.GREEN, ())
    assert rating(calendar, asked, TODAY, Thresholds(yellow_days=4))[:2] == (Colour.YELLOW, (Why.WAITING,))
    # and the bureau's stage clock does not make it red while it waits on the applicant
    assert rating(calendar, asked, TODAY, Thresholds(red_days=1, yellow_days=4))[0] is Colour.YELLOW


def test_preparing_waits_on_the_owner_since_the_last_consultation(calendar: WorkCalendar) -> None:
    talks = [Consultation("KP-01", date(2026, 9, 1), "a", 1), Consultation("KP-01", date(2026, 9, 29), "b", 1)]
    found = stage(calendar, [], TODAY, talks)
    calm = rate(found, talks, today=TODAY, calendar=calendar, thresholds=Thresholds(red_days=1, yellow_days=5))
    assert calm.colour is Colour.GREEN  # preparing is never "stuck": the owner, not the bureau, must move
    late = rate(found, talks, today=TODAY, calendar=calendar, thresholds=Thresholds(yellow_days=4))
    assert (late.colour, late.reasons) == (Colour.YELLOW, (Why.WAITING,))


def test_done_projects_are_green_however_long_ago(calendar: WorkCalendar) -> None:
    approved = facts(Status.APPROVED, decided_on=date(2026, 1, 5), promised_due=date(2026, 1, 1))
    assert rating(calendar, approved, TODAY, Thresholds(red_days=1))[:2] == (Colour.GREEN, ())


# --- the bulletin as a whole ----------------------------------------------------------------------------


def test_rows_most_urgent_first_movements_of_the_week_and_open_items_per_liaison(calendar: WorkCalendar) -> None:
    projects = [KeyProject(code=c, name=c, owner="o") for c in ("A", "B", "C", "D")]
    today = date(2026, 10, 12)
    stages = {
        "A": stage(calendar, [facts(Status.APPROVED, code="A", decided_on=date(2026, 10, 9))], today),
        "B": stage(calendar, [facts(Status.IN_REVIEW, code="B", promised_due=date(2026, 10, 9))], today),
        "C": stage(calendar, [facts(Status.IN_REVIEW, code="C", promised_due=date(2026, 10, 14))], today),
        "D": stage(calendar, [], today),
    }
    steps = [
        KeyStep(1, "A", Status.APPROVED, Status.SIGNING, date(2026, 10, 9)),
        KeyStep(2, "B", Status.SUBMITTED, Status.RECEIVED, date(2026, 10, 5)),  # 7 days ago: last week's
        KeyStep(3, "C", Status.SUBMITTED, Status.RECEIVED, date(2026, 10, 6)),
        KeyStep(3, "C", Status.NEEDS_INFO, Status.IN_REVIEW, date(2026, 10, 12)),
        KeyStep(9, "GONE", Status.APPROVED, Status.IN_NOTICE, date(2026, 10, 12)),  # not on the list any more
    ]
    bulletin = build_bulletin(
        projects, stages, {}, {"A": 7, "B": 7, "C": 8}, steps, today=today, calendar=calendar, thresholds=Thresholds()
    )
    assert [(r.project.code, r.rating.colour) for r in bulletin.rows] == [
        ("B", Colour.RED),
        ("C", Colour.YELLOW),
        ("A", Colour.GREEN),
        ("D", Colour.GREEN),
    ]
    assert {k: [s.request_id for s in v] for k, v in bulletin.movements.items()} == {
        Movement.ACCEPTED: [3],
        Movement.APPROVED: [1],
        Movement.RETURNED: [3],
    }
    assert {k: [r.project.code for r in v] for k, v in bulletin.per_liaison.items()} == {7: ["B"], 8: ["C"]}
    assert bulletin.week == date(2026, 10, 12)


def test_days_used_against_the_promise_and_the_legal_limit(calendar: WorkCalendar) -> None:
    # accepted Thu 24 Sep, decided Mon 12 Oct: 7 working days, 2 of them with the clock stopped
    decided = facts(
        Status.APPROVED,
        decided_on=date(2026, 10, 12),
        paused_working_days=2,
        promised_due=date(2026, 10, 15),  # 24 Sep -> 15 Oct: 10 working days
        statutory_due=date(2026, 10, 22),  # 15 working days
    )
    assert request_days(decided, date(2026, 12, 1), calendar) == (5, 8, 13)
    assert request_days(facts(Status.RECEIVED, accepted_on=None), TODAY, calendar) is None


# --- when the bulletin is due -------------------------------------------------------------------------------


def local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (local(2026, 11, 30, 8, 59), None),  # Monday, a minute early
        (local(2026, 11, 30, 9, 0), date(2026, 11, 30)),
        (local(2026, 12, 2, 15, 0), date(2026, 11, 30)),  # Wednesday: the process was down on Monday
        (local(2026, 12, 6, 23, 59), date(2026, 11, 30)),
        (local(2026, 12, 7, 8, 0), None),  # the next Monday before 09:00: last week's is not owed any more
    ],
)
def test_this_weeks_bulletin_is_due_from_its_minute_until_the_week_ends(now: datetime, due: date | None) -> None:
    assert bulletin_due(now, SHANGHAI, 0, time(9, 0), first_day=date(2026, 11, 1)) == due


def test_a_fresh_database_is_not_owed_a_bulletin_from_before_it_started() -> None:
    assert bulletin_due(local(2026, 12, 2, 10, 0), SHANGHAI, 0, time(9, 0), first_day=date(2026, 12, 1)) is None
    assert bulletin_due(local(2026, 12, 2, 10, 0), SHANGHAI, 1, time(9, 0), first_day=date(2026, 12, 1)) == date(
        2026, 11, 30
    )


def test_the_weekly_trigger_fires_at_the_set_minute_in_the_bureaus_zone() -> None:
    trigger = bulletin_trigger(SHANGHAI, BulletinSettings(weekday=0, at=time(9, 0)))
    after = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # Tuesday
    fire = trigger.get_next_fire_time(None, after)
    assert fire is not None and fire.astimezone(SHANGHAI) == datetime(2026, 12, 7, 9, 0, tzinfo=SHANGHAI)
    friday = bulletin_trigger(SHANGHAI, BulletinSettings(weekday=4, at=time(16, 45)))
    fire = friday.get_next_fire_time(None, after)
    assert fire is not None and fire.astimezone(SHANGHAI) == datetime(2026, 12, 4, 16, 45, tzinfo=SHANGHAI)


def test_week_of_is_the_monday() -> None:
    assert {week_of(date(2026, 11, 30) + timedelta(days=n)) for n in range(7)} == {date(2026, 11, 30)}
