"""The weekly bulletin (一周一通报): every key project red, yellow or green, the week's movements, and each liaison's
open items. Pure: the caller passes today, the calendar and the thresholds (BULLETIN_RED_DAYS, BULLETIN_YELLOW_DAYS).

- red: a request with the bureau is past its promised or its legal deadline, or the project has stood in one
  stage (received, accepted, in notice, at risk) for more than ``red_days`` working days while the bureau holds it;
- yellow: at risk (due within RISK_DAYS working days), or waiting on the applicant — material asked for (补正,
  一次性告知) or, while preparing, since the last consultation — for more than ``yellow_days`` working days;
- green: everything else (approved, filed, no EIA needed, not applied, or moving on time).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from enum import IntEnum, StrEnum

from approvals.calendar import WorkCalendar
from approvals.key_stages import (
    DONE_STAGES,
    FINAL,
    WAITING_ON_APPLICANT,
    WITH_THE_BUREAU,
    Consultation,
    KeyRequestFacts,
    KeyStage,
    ProjectStage,
)
from approvals.ledger import KeyProject
from approvals.models import Status

STUCK_STAGES = frozenset({KeyStage.RECEIVED, KeyStage.ACCEPTED, KeyStage.IN_NOTICE, KeyStage.AT_RISK})


class Colour(IntEnum):
    """Most urgent first: the order the bulletin lists them in."""

    RED = 0
    YELLOW = 1
    GREEN = 2


class Why(StrEnum):
    PAST_PROMISE = "past_promise"
    PAST_LEGAL = "past_legal"
    STUCK = "stuck"
    AT_RISK = "at_risk"
    WAITING = "waiting"


@dataclass(frozen=True)
class Thresholds:
    red_days: int = 20
    yellow_days: int = 10


@dataclass(frozen=True)
class Rating:
    colour: Colour
    reasons: tuple[Why, ...]
    days_in_stage: int | None  # working days since the stage began (None: no date to count from)


def rate(
    stage: ProjectStage,
    consultations: Sequence[Consultation],
    *,
    today: date,
    calendar: WorkCalendar,
    thresholds: Thresholds,
) -> Rating:
    """Red, yellow or green, with every reason that applies (the worst decides the colour)."""
    in_stage = calendar.working_days_between(stage.since, today) if stage.since is not None else None
    if stage.stage in DONE_STAGES:
        return Rating(Colour.GREEN, (), in_stage)
    red: list[Why] = []
    yellow: list[Why] = []
    request = stage.request
    if request is not None and request.status in WITH_THE_BUREAU:
        if request.promised_due < today:
            red.append(Why.PAST_PROMISE)
        if request.statutory_due < today:
            red.append(Why.PAST_LEGAL)
        if stage.stage in STUCK_STAGES and in_stage is not None and in_stage > thresholds.red_days:
            red.append(Why.STUCK)
    if stage.stage is KeyStage.AT_RISK and not red:
        yellow.append(Why.AT_RISK)
    waited = waiting_days(stage, consultations, today=today, calendar=calendar)
    if waited is not None and waited > thresholds.yellow_days:
        yellow.append(Why.WAITING)
    if red:
        return Rating(Colour.RED, (*red, *yellow), in_stage)
    if yellow:
        return Rating(Colour.YELLOW, tuple(yellow), in_stage)
    return Rating(Colour.GREEN, (), in_stage)


def waiting_days(
    stage: ProjectStage, consultations: Sequence[Consultation], *, today: date, calendar: WorkCalendar
) -> int | None:
    """Working days the project has waited on its applicant, or None when it does not wait on them."""
    request = stage.request
    if stage.stage is KeyStage.PREPARING:
        last = max((c.held_on for c in consultations), default=None)
        return calendar.working_days_between(last, today) if last is not None else None
    if request is not None and request.status in WAITING_ON_APPLICANT:
        return calendar.working_days_between(request.status_since, today)
    return None


@dataclass(frozen=True)
class BulletinRow:
    project: KeyProject
    stage: ProjectStage
    rating: Rating
    liaison: int | None


class Movement(StrEnum):
    ACCEPTED = "accepted"
    APPROVED = "approved"
    RETURNED = "returned"  # sent back to the applicant: material listed or asked for, or the submission returned


@dataclass(frozen=True)
class KeyStep:
    """One audit step of a request naming a key project (what the week's movements are made of)."""

    request_id: int
    code: str
    to_status: Status
    from_status: Status | None
    day: date


def movement(step: KeyStep) -> Movement | None:
    """The movement a step is, if any. Steps that keep the status (a document filed, a copy kept, the public's
    comment, a note, another signature) move nothing, however many there are."""
    if step.to_status is step.from_status:
        return None
    if step.to_status is Status.APPROVED:
        return Movement.APPROVED
    if step.to_status in (Status.RETURNED, Status.NEEDS_INFO, Status.INCOMPLETE):
        return Movement.RETURNED
    if step.to_status is Status.SUBMITTED and step.from_status in (Status.RECEIVED, None):
        return Movement.ACCEPTED  # 受理 (a 登记表 is accepted on receipt: no from-status)
    return None


@dataclass(frozen=True)
class Bulletin:
    week: date  # the Monday of the week it reports on
    today: date
    rows: list[BulletinRow]
    movements: dict[Movement, list[KeyStep]] = field(default_factory=dict)
    per_liaison: dict[int, list[BulletinRow]] = field(default_factory=dict)

    def count(self, colour: Colour) -> int:
        return sum(1 for row in self.rows if row.rating.colour is colour)

    def of(self, colour: Colour) -> list[BulletinRow]:
        return [row for row in self.rows if row.rating.colour is colour]


def build_bulletin(
    projects: Sequence[KeyProject],
    stages: Mapping[str, ProjectStage],
    consultations: Mapping[str, Sequence[Consultation]],
    liaisons: Mapping[str, int],
    steps: Sequence[KeyStep],
    *,
    today: date,
    calendar: WorkCalendar,
    thresholds: Thresholds,
) -> Bulletin:
    """Rows most urgent first (red, yellow, green; within a colour the longest in its stage first, then the list's
    order); the movements of the seven days before today and today; each liaison's projects still open."""
    rated = []
    for position, project in enumerate(projects):
        stage = stages[project.code]
        rating = rate(stage, consultations.get(project.code, ()), today=today, calendar=calendar, thresholds=thresholds)
        row = BulletinRow(project, stage, rating, liaisons.get(project.code))
        rated.append(((rating.colour, -(rating.days_in_stage or 0), position), row))
    rows = [row for _, row in sorted(rated, key=lambda pair: pair[0])]
    since = today - timedelta(days=7)
    current = {p.code for p in projects}
    moved: dict[Movement, list[KeyStep]] = {m: [] for m in Movement}
    counted: set[tuple[Movement, int]] = set()  # each request once per kind of movement in the week
    for step in steps:
        kind = movement(step)
        if kind is None or step.code not in current or not since < step.day <= today:
            continue
        if (kind, step.request_id) not in counted:
            counted.add((kind, step.request_id))
            moved[kind].append(step)
    per_liaison: dict[int, list[BulletinRow]] = {}
    for row in rows:
        if row.liaison is not None and row.stage.stage not in DONE_STAGES:
            per_liaison.setdefault(row.liaison, []).append(row)
    return Bulletin(week_of(today), today, rows, moved, per_liaison)


def week_of(day: date) -> date:
    """The Monday of ``day``'s week: what a week's bulletin is claimed under."""
    return day - timedelta(days=day.weekday())


def bulletin_due(now: datetime, tz: tzinfo, weekday: int, at: time, *, first_day: date) -> date | None:
    """The week (its Monday) whose bulletin is due at ``now``, or None: this week's once its day and time have
    passed, never a week whose bulletin moment fell before ``first_day`` (a fresh database is not owed one), and
    never an earlier week (a bulletin is about the week it is sent in). Whether it was sent is the caller's claim."""
    local = now.astimezone(tz)
    week = week_of(local.date())
    moment_day = week + timedelta(days=weekday)
    if (local.date(), local.time()) < (moment_day, at) or moment_day < first_day:
        return None
    return week


def request_days(request: KeyRequestFacts, today: date, calendar: WorkCalendar) -> tuple[int, int, int] | None:
    """For the ledger: working days used (acceptance to decision or today, less the days the clock stood still),
    the promised limit and the legal limit, in working days from acceptance; None before acceptance."""
    if request.accepted_on is None:
        return None
    # a request withdrawn (or returned) ended on its last step: its days stop there, not today
    end = request.decided_on or (request.status_since if request.status in FINAL else today)
    used = max(calendar.working_days_between(request.accepted_on, end) - request.paused_working_days, 0)
    promised = calendar.working_days_between(request.accepted_on, request.promised_due) - request.paused_working_days
    legal = calendar.working_days_between(request.accepted_on, request.statutory_due) - request.paused_working_days
    return used, promised, legal
