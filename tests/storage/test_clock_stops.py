"""Excluded time (art. 45) through the real service and SQLite: stops recorded with their step, deadlines moved by
hand-counted days (National Day 2026), who may stop and restart the clock, the migration, and a seeded random walk
checking that the days left out are exactly those the stops and 补正 took."""

import contextlib
import random
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from approvals import clock_stops as cs
from approvals import validation as v
from approvals.clock_service import SYSTEM
from approvals.deadlines import compute_deadlines, paused_days
from approvals.errors import (
    DomainError,
    Forbidden,
    InvalidTransition,
    NotClaimant,
    NotYetAccepted,
    SelfReview,
)
from approvals.models import Status
from approvals.public_comments import InputKind
from approvals.service import ApprovalService
from storage import migrations
from storage.database import Database
from storage.inline import InlineConnection
from storage.repositories import Repositories
from tests.conftest import FakeClock
from tests.factories import APPLICANT, REVIEWER, REVIEWER_2, make_draft

HEARING, EXPERTS, ASSESSMENT = cs.StopKind.HEARING, cs.StopKind.EXPERT_REVIEW, cs.StopKind.TECHNICAL_ASSESSMENT


async def test_two_stops_in_sequence_move_both_deadlines_by_the_days_left_out(
    service: ApprovalService, clock: FakeClock
) -> None:
    clock.set_local(2026, 9, 21)  # accepted Mon Sep 21: promised Oct 12, legal limit Nov 9
    request = await service.submit(APPLICANT, make_draft())
    await service.claim(REVIEWER, request.id)
    clock.set_local(2026, 9, 24)
    stopped = await service.stop_clock(REVIEWER, request.id, ASSESSMENT, 5)
    assert (stopped.status, stopped.claimed_by, stopped.paused_since) == (Status.EXCLUDED, None, date(2026, 9, 24))
    assert (stopped.promised_due, stopped.statutory_due) == (date(2026, 10, 12), date(2026, 11, 9))  # not yet
    view = await service.view(REVIEWER, request.id)
    assert view.clock_stop is not None and view.clock_stop.expected_end == date(2026, 10, 9)
    assert view.days_left == 7  # frozen as of the stop: Sep 28-30, Oct 8-10, 12 (Sep 25 is Mid-Autumn)
    assert not view.at_risk
    clock.set_local(2026, 10, 8, 9)  # the day before the stated end: not yet
    assert await service.end_stated_stop(request.id) is None
    clock.set_local(2026, 10, 9, 0, 30)
    resumed = await service.end_stated_stop(request.id)  # the stated end: the bot restarts the clock
    assert resumed is not None and resumed.status is Status.SUBMITTED
    assert await service.end_stated_stop(request.id) is None  # once
    assert (resumed.promised_due, resumed.statutory_due, resumed.paused_working_days) == (
        date(2026, 10, 19),
        date(2026, 11, 16),
        5,
    )
    clock.set_local(2026, 10, 12)
    await service.stop_clock(REVIEWER, request.id, HEARING, "10")
    clock.set_local(2026, 10, 14, 16)
    done = await service.resume_clock(REVIEWER_2, request.id, "听证会已举行，无异议")
    assert (done.promised_due, done.statutory_due, done.paused_working_days) == (
        date(2026, 10, 21),
        date(2026, 11, 18),
        7,
    )
    stops = await service.requests.clock_stops_of(request.id)
    assert [(s.kind, s.days, s.started_on, s.expected_end, s.ended_on, s.excluded_days) for s in stops] == [
        (ASSESSMENT, 5, date(2026, 9, 24), date(2026, 10, 9), date(2026, 10, 9), 5),
        (HEARING, 10, date(2026, 10, 12), date(2026, 10, 26), date(2026, 10, 14), 2),
    ]
    assert [(s.ended_by, s.result) for s in stops] == [(0, None), (REVIEWER_2.user_id, "听证会已举行，无异议")]
    history = await service.requests.history(request.id)
    clock_events = [(e.action, e.actor_id, e.reason) for e in history if "clock" in e.action]
    assert clock_events == [
        ("stop_clock", REVIEWER.user_id, "technical_assessment 5"),
        ("resume_clock", 0, None),  # the bot's step
        ("stop_clock", REVIEWER.user_id, "hearing 10"),
        ("resume_clock", REVIEWER_2.user_id, "听证会已举行，无异议"),
    ]
    assert await service.requests.open_clock_stops(limit=10) == []


async def test_a_hearing_held_moves_the_promise_a_proposal_extended_by_the_days_left_out(
    service: ApprovalService, clock: FakeClock
) -> None:
    """Found by the procedure's property test: the hearing's end recomputed the promise from acceptance and so
    dropped the notice's 5 working days the proposal had added back to it."""
    clock.set_local(2026, 9, 21)  # accepted Mon Sep 21: promised Oct 12, legal limit Nov 9
    request = await service.submit(APPLICANT, make_draft())
    proposed = await service.propose_approval(REVIEWER, request.id)
    assert proposed.promised_due == date(2026, 10, 19)  # + Oct 13-16, 19: the notice's days
    clock.set_local(2026, 9, 22)
    await service.add_public_input(request.id, InputKind.HEARING, name="李四", contact="li@example.cn", text="申请听证")
    clock.set_local(2026, 9, 30)  # the hearing held: Sep 23, 24, 28, 29, 30 left out (Sep 25 is Mid-Autumn)
    held = await service.resume_clock(REVIEWER, request.id, "听证已举行")
    assert (held.status, held.paused_working_days) == (Status.IN_NOTICE, 5)
    assert (held.promised_due, held.statutory_due) == (date(2026, 10, 26), date(2026, 11, 16))  # both moved by 5


async def test_a_stop_and_a_request_for_material_add_up(service: ApprovalService, clock: FakeClock) -> None:
    clock.set_local(2026, 9, 21)
    request = await service.submit(APPLICANT, make_draft())
    clock.set_local(2026, 9, 24)
    await service.stop_clock(REVIEWER, request.id, EXPERTS, 5)
    clock.set_local(2026, 9, 30)
    await service.resume_clock(REVIEWER, request.id, "专家意见：同意")  # Sep 28, 29, 30: 3
    clock.set_local(2026, 10, 8)
    await service.request_info(REVIEWER, request.id, "请补充噪声监测")
    clock.set_local(2026, 10, 10)  # the make-up Saturday: Oct 9, 10 -> 2
    back = await service.resubmit(APPLICANT, request.id, "已补充")
    # 5 in all: promised Oct 12 + 5 = Oct 19, legal Nov 9 + 5 = Nov 16
    assert (back.paused_working_days, back.promised_due, back.statutory_due) == (
        5,
        date(2026, 10, 19),
        date(2026, 11, 16),
    )


async def test_a_late_job_counts_only_up_to_the_stated_end(service: ApprovalService, clock: FakeClock) -> None:
    clock.set_local(2026, 9, 21)
    request = await service.submit(APPLICANT, make_draft())
    clock.set_local(2026, 9, 28)
    await service.stop_clock(REVIEWER, request.id, EXPERTS, 5)  # stated end Sat Oct 10 (make-up)
    clock.set_local(2026, 10, 14)  # the bot was down four days
    resumed = await service.end_stated_stop(request.id)
    assert resumed is not None and resumed.paused_working_days == 5
    assert resumed.promised_due == date(2026, 10, 19)


async def test_who_may_stop_and_restart_the_clock(
    service: ApprovalService, receiving: ApprovalService, clock: FakeClock
) -> None:
    clock.set_local(2026, 12, 1)
    received = await receiving.submit(APPLICANT, make_draft(project_name="未受理"))
    with pytest.raises(NotYetAccepted):  # the clock has not started: nothing to stop
        await receiving.stop_clock(REVIEWER, received.id, HEARING, 5)
    request = await service.submit(APPLICANT, make_draft())
    with pytest.raises(Forbidden):
        await service.stop_clock(APPLICANT, request.id, HEARING, 5)
    own = await service.submit(REVIEWER, make_draft(project_name="自己的项目"))
    with pytest.raises(SelfReview):
        await service.stop_clock(REVIEWER, own.id, HEARING, 5)
    await service.claim(REVIEWER, request.id)
    with pytest.raises(NotClaimant):  # the holder decides on a claimed request
        await service.stop_clock(REVIEWER_2, request.id, HEARING, 5)
    for days in (0, 121, "x"):
        with pytest.raises(v.InvalidField):
            await service.stop_clock(REVIEWER, request.id, HEARING, days)  # type: ignore[arg-type]
    assert (await service.requests.get(request.id)).status is Status.IN_REVIEW  # type: ignore[union-attr]
    await service.stop_clock(REVIEWER, request.id, HEARING, 5)
    with pytest.raises(InvalidTransition):  # one stop at a time
        await service.stop_clock(REVIEWER, request.id, EXPERTS, 5)
    with pytest.raises(InvalidTransition):  # no decision in excluded time: the result first
        await service.approve(REVIEWER, request.id)
    with pytest.raises(InvalidTransition):
        await service.claim(REVIEWER, request.id)
    with pytest.raises(v.InvalidField):  # the result is required
        await service.resume_clock(REVIEWER, request.id, "  ")
    with pytest.raises(Forbidden):
        await service.resume_clock(APPLICANT, request.id, "结束")
    assert (await service.requests.get(request.id)).status is Status.EXCLUDED  # type: ignore[union-attr]


async def test_the_system_actor_stops_the_clock_for_a_hearing(service: ApprovalService, clock: FakeClock) -> None:
    """What a hearing requested during a public notice does (§3 wires it): the bot's step, audited as such."""
    clock.set_local(2026, 12, 1)
    request = await service.submit(APPLICANT, make_draft())
    await service.claim(REVIEWER, request.id)
    with pytest.raises(NotClaimant):  # a claimed request is the holder's to stop
        await service.stop_clock(SYSTEM, request.id, HEARING, 20)
    await service.release(REVIEWER, request.id)
    stopped = await service.stop_clock(SYSTEM, request.id, HEARING, 20)
    assert stopped.status is Status.EXCLUDED
    assert (await service.requests.history(request.id))[-1].actor_id == 0


async def test_withdrawing_in_excluded_time_ends_the_stop(service: ApprovalService, clock: FakeClock) -> None:
    clock.set_local(2026, 12, 1)
    request = await service.submit(APPLICANT, make_draft())
    await service.stop_clock(REVIEWER, request.id, EXPERTS, 10)
    clock.set_local(2026, 12, 3)
    withdrawn = await service.withdraw(APPLICANT, request.id)
    assert withdrawn.status is Status.WITHDRAWN
    [stop] = await service.requests.clock_stops_of(request.id)
    assert (stop.ended_on, stop.ended_by, stop.excluded_days) == (date(2026, 12, 3), APPLICANT.user_id, 2)
    assert await service.requests.open_clock_stop(request.id) is None


async def test_the_queue_lists_requests_in_excluded_time_apart(service: ApprovalService, clock: FakeClock) -> None:
    clock.set_local(2026, 12, 1)
    waiting = await service.submit(APPLICANT, make_draft(project_name="排队"))
    stopped = await service.submit(APPLICANT, make_draft(project_name="听证中"))
    await service.stop_clock(REVIEWER, stopped.id, HEARING, 10)
    page = await service.queue_page(REVIEWER, page=0)
    assert [v.request.id for v in page.items] == [waiting.id]
    assert page.excluded_total == 1
    [shown] = page.excluded
    assert shown.request.id == stopped.id and shown.clock_stop is not None and not shown.at_risk


async def test_one_open_stop_per_request_is_enforced_by_the_schema(
    service: ApprovalService, db: Database, clock: FakeClock
) -> None:
    clock.set_local(2026, 12, 1)
    request = await service.submit(APPLICANT, make_draft())
    insert = (
        "INSERT INTO clock_stops (request_id, kind, days, started_on, started_at, expected_end) "
        "VALUES (?, ?, 5, '2026-12-01', '2026-12-01T02:00:00.000000Z', '2026-12-08')"
    )
    async with db.transaction() as conn:
        await conn.execute(insert, (request.id, "hearing"))
    with pytest.raises(sqlite3.IntegrityError):
        async with db.transaction() as conn:
            await conn.execute(insert, (request.id, "expert_review"))
    with pytest.raises(sqlite3.IntegrityError):  # a kind the law does not name
        async with db.transaction() as conn:
            await conn.execute(insert.replace("?, ?, 5", "?, ?, 5"), (request.id + 1000, "site_visit"))


async def test_the_migration_keeps_every_request_and_allows_excluded_time(tmp_path: Path) -> None:
    path = tmp_path / "v15.db"
    conn = InlineConnection(sqlite3.connect(path, isolation_level=None))
    conn.raw.execute("PRAGMA foreign_keys=ON")
    real = migrations.MIGRATIONS
    migrations.MIGRATIONS = real[:15]  # the schema a bureau's file has before this release
    try:
        await migrations.migrate(conn)
    finally:
        migrations.MIGRATIONS = real
    conn.raw.execute(
        "INSERT INTO requests (applicant_id, project_name, organisation, contact_name, phone, category, "
        "document_type, investment, location, description, lane, status, version, submitted_at, updated_at, "
        "accepted_on, promised_due, statutory_due, received_on, listed_on, listed_documents, paused_working_days) "
        "VALUES (101, 'p', 'o', 'c', '1', 'other', 'report_form', '1', 'l', 'd', 2, 'in_review', 3, "
        "'2026-11-30T02:00:00.000000Z', '2026-11-30T02:00:00.000000Z', '2026-11-30', '2027-01-12', '2027-01-12', "
        "'2026-11-27', '2026-11-25', 2, 4)"
    )
    conn.raw.execute("INSERT INTO attachments (request_id, file_id, name, size, mime) VALUES (1, 'f', 'a.pdf', 1, 'x')")
    conn.raw.execute(
        "INSERT INTO audit_events (request_id, actor_id, at, action, to_status) "
        "VALUES (1, 101, '2026-11-30T02:00:00.000000Z', 'submit', 'submitted')"
    )
    conn.raw.close()
    db = await Database.open(path)
    try:
        repos = Repositories.over(db)
        request = await repos.requests.get(1)
        assert request is not None
        assert (request.status, request.version, request.paused_working_days) == (Status.IN_REVIEW, 3, 4)
        assert (request.received_on, request.listed_on, request.listed_documents) == (
            date(2026, 11, 27),
            date(2026, 11, 25),
            2,
        )
        assert len(request.attachments) == 1 and len(await repos.requests.history(1)) == 1
        assert await repos.requests.count_open() == 1  # the counts kept by triggers survive the rebuild
        assert await repos.requests.clock_stops_of(1) == []
        async with db.reader.execute("PRAGMA foreign_key_check") as cursor:
            assert await cursor.fetchall() == []
        async with db.reader.execute("PRAGMA user_version") as cursor:
            assert (await cursor.fetchone())[0] == len(migrations.MIGRATIONS)  # 16 and every later step
    finally:
        await db.close()


@pytest.mark.parametrize("seed", range(6))
async def test_random_walks_leave_out_exactly_the_days_of_stops_and_material(
    service: ApprovalService, clock: FakeClock, seed: int
) -> None:
    """Random steps over National Day and Spring Festival: the paused days on each request are exactly those its
    stops excluded plus its 补正 took (each counted from the audit log by hand), and its deadlines follow."""
    rng = random.Random(seed)
    clock.set_local(*((2026, 9, 14) if seed % 2 else (2027, 1, 18)))
    ids = [(await service.submit(APPLICANT, make_draft(project_name=f"项目{n}"))).id for n in range(3)]
    steps = [
        lambda i: service.stop_clock(REVIEWER, i, rng.choice(list(cs.StopKind)), rng.randrange(1, 12)),
        lambda i: service.resume_clock(REVIEWER, i, "结果"),
        lambda i: service.end_stated_stop(i),
        lambda i: service.claim(REVIEWER, i),
        lambda i: service.release(REVIEWER, i),
        lambda i: service.request_info(REVIEWER, i, "补充"),
        lambda i: service.resubmit(APPLICANT, i, "已补"),
    ]
    for _ in range(80):
        if rng.random() < 0.4:
            clock.advance(days=rng.randrange(1, 9))
        with contextlib.suppress(DomainError):
            await rng.choice(steps)(rng.choice(ids))
    for request_id in ids:
        request = await service.requests.get(request_id)
        assert request is not None
        history = await service.requests.history(request_id)
        stops = await service.requests.clock_stops_of(request_id)
        by_hand = sum(s.excluded_days or 0 for s in stops if not s.is_open)
        asked = None
        for event in history:  # 补正: from the request for information to the reply
            day = event.at.astimezone(service.tz).date()
            if event.action == "request_info":
                asked = day
            elif event.action == "resubmit" and asked is not None:
                by_hand += paused_days(service.calendar, asked, day)
        assert request.paused_working_days == by_hand
        for stop in stops:  # never more than stated, never past the stated end
            assert stop.is_open or (stop.excluded_days or 0) <= stop.days
            assert stop.is_open or stop.ended_on <= stop.expected_end  # type: ignore[operator]
        assert sum(1 for s in stops if s.is_open) == (1 if request.status is Status.EXCLUDED else 0)
        dues = compute_deadlines(
            service.calendar,
            service.policy,
            lane=request.lane,
            document_type=request.document_type,
            accepted_on=request.accepted_on,
            paused_working_days=request.paused_working_days,
        )
        assert (request.promised_due, request.statutory_due) == (dues.promised, dues.statutory)
