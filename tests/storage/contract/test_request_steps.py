"""The use cases over every backend's approval store: the procedure's steps as the bot takes them, their clock
stops and paused days written and read back through the store (hand-counted dates: National Day 2026)."""

from __future__ import annotations

from datetime import date

from approvals import clock_stops as cs
from approvals.calendar import WorkCalendar
from approvals.models import Status
from tests.conftest import ACCEPTOR, FakeClock
from tests.factories import APPLICANT, REVIEWER, REVIEWER_2, make_draft
from tests.storage.contract.conftest import Backend
from tests.storage.contract.kit import AT, service_over

HEARING, EXPERTS, ASSESSMENT = cs.StopKind.HEARING, cs.StopKind.EXPERT_REVIEW, cs.StopKind.TECHNICAL_ASSESSMENT


async def test_two_stops_in_sequence_move_both_deadlines_by_the_days_left_out(
    backend: Backend, calendar: WorkCalendar
) -> None:
    clock = FakeClock(AT)
    service = service_over(backend, calendar, clock)
    clock.set_local(2026, 9, 21)  # accepted Mon Sep 21: promised Oct 12, legal limit Nov 9
    request = await service.submit(APPLICANT, make_draft())
    assert request.status is Status.RECEIVED
    await service.accept(ACCEPTOR, request.id)
    await service.claim(REVIEWER, request.id)
    clock.set_local(2026, 9, 24)
    stopped = await service.stop_clock(REVIEWER, request.id, ASSESSMENT, 5)
    assert (stopped.status, stopped.claimed_by, stopped.paused_since) == (Status.EXCLUDED, None, date(2026, 9, 24))
    view = await service.view(REVIEWER, request.id)
    assert view.clock_stop is not None and view.clock_stop.expected_end == date(2026, 10, 9)
    assert view.days_left == 7  # frozen as of the stop: Sep 28-30, Oct 8-10, 12 (Sep 25 is Mid-Autumn)
    assert [s.request_id for s in await backend.requests.open_clock_stops(limit=5)] == [request.id]
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
    stops = await backend.requests.clock_stops_of(request.id)
    assert [(s.kind, s.days, s.started_on, s.expected_end, s.ended_on, s.excluded_days) for s in stops] == [
        (ASSESSMENT, 5, date(2026, 9, 24), date(2026, 10, 9), date(2026, 10, 9), 5),
        (HEARING, 10, date(2026, 10, 12), date(2026, 10, 26), date(2026, 10, 14), 2),
    ]
    assert [(s.ended_by, s.result) for s in stops] == [(0, None), (REVIEWER_2.user_id, "听证会已举行，无异议")]
    history = await backend.requests.history(request.id)
    assert [(e.action, e.actor_id, e.reason) for e in history if "clock" in e.action] == [
        ("stop_clock", REVIEWER.user_id, "technical_assessment 5"),
        ("resume_clock", 0, None),  # the bot's step
        ("stop_clock", REVIEWER.user_id, "hearing 10"),
        ("resume_clock", REVIEWER_2.user_id, "听证会已举行，无异议"),
    ]
    assert await backend.requests.open_clock_stops(limit=10) == []


async def test_a_stop_and_a_request_for_material_add_up(backend: Backend, calendar: WorkCalendar) -> None:
    clock = FakeClock(AT)
    service = service_over(backend, calendar, clock)
    clock.set_local(2026, 9, 21)
    request = await service.submit(APPLICANT, make_draft())
    await service.accept(ACCEPTOR, request.id)
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
    assert await backend.requests.get(request.id) == back
    assert [e.action for e in await backend.requests.history(request.id)] == [
        "submit",
        "accept",
        "stop_clock",
        "resume_clock",
        "request_info",
        "resubmit",
    ]
