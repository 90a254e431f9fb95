"""The approval store's contract, on every backend: what ``add`` and ``apply`` write together (the request, its
documents and the copies still to make, the audit event and its announcement, numbers, clock stops), the
compare-and-set, and the reads."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from approvals.clock_stops import ClockStop, StopKind
from approvals.models import Attachment, Category, DocumentType, Lane, Status
from approvals.numbering import parse_number_format
from approvals.ports import NumberIssue
from tests.storage.contract.conftest import Backend
from tests.storage.contract.kit import AT, draft_request, step, submitted

PDF = Attachment(
    file_id="AgAD-1",
    name="环评报告表.pdf",
    size=2048,
    mime="application/pdf",
    unique_id="AQAD-u1",
    uploaded_at=AT,
    sha256="a" * 64,
)
PLAN = Attachment(file_id="AgAD-2", name="平面布置图.pdf", size=99, mime="application/pdf")
ISSUED = parse_number_format("{prefix}〔{year}〕{seq}号", "区环审")
assert ISSUED is not None
ISSUE = NumberIssue(2026, ISSUED.render)
ANNOUNCED = (0, "event", None)  # an event row: the sender expands it into the step's messages


async def test_a_request_comes_back_as_it_was_stored_with_its_documents_and_first_event(backend: Backend) -> None:
    request = draft_request(
        attachments=(PDF, PLAN),
        investment="1200.50",
        key_code="KP-01",
        eia_firm="某某环境科技有限公司",
        category=Category.ENERGY_SAVING,
        document_type=DocumentType.REPORT,
        lane=Lane.KEY,
        status=Status.RECEIVED,
        received_on=date(2026, 11, 30),
        client_key="form-1",
    )
    stored = await backend.requests.add(request, submitted(request))
    assert stored.id > 0 and stored == request.model_copy(update={"id": stored.id})
    again = await backend.requests.get(stored.id)
    assert again == stored
    assert again is not None and again.investment == Decimal("1200.50") and again.attachments == (PDF, PLAN)
    (event,) = await backend.requests.history(stored.id)
    assert (event.request_id, event.action, event.to_status, event.from_status) == (
        stored.id,
        "submit",
        Status.RECEIVED,
        None,
    )
    assert await backend.queued() == [(*ANNOUNCED, stored.id, None)]
    assert await backend.rows("SELECT count(*) FROM file_copies WHERE status = 'pending'") == [(2,)]
    assert await backend.requests.get(stored.id + 1) is None


async def test_a_form_submitted_twice_is_one_request_with_one_event(backend: Backend) -> None:
    request = draft_request(client_key="form-7", attachments=(PDF,))
    first = await backend.requests.add(request, submitted(request))
    second = await backend.requests.add(request, submitted(request))
    assert second.id == first.id
    assert [r.id for r in await backend.requests.all_requests()] == [first.id]
    assert len(await backend.requests.history(first.id)) == 1
    assert await backend.rows("SELECT count(*) FROM attachments") == [(1,)]
    other = await backend.requests.add(draft_request(client_key=None), submitted(request))
    another = await backend.requests.add(draft_request(client_key=None), submitted(request))
    assert len({first.id, other.id, another.id}) == 3  # without a form key every submission is its own


async def test_a_step_is_written_only_over_the_version_it_was_judged_on(backend: Backend) -> None:
    request = await backend.requests.add(draft_request(), submitted(draft_request()))
    claimed, claim = step(request, "claim", Status.IN_REVIEW, claimed_by=201)
    assert await backend.requests.apply(claimed, expected_version=request.version, event=claim) == claimed
    late, late_claim = step(request, "claim", Status.IN_REVIEW, actor=202, claimed_by=202)
    assert await backend.requests.apply(late, expected_version=request.version, event=late_claim) is None
    stored = await backend.requests.get(request.id)
    assert stored is not None and (stored.claimed_by, stored.version) == (201, 2)
    assert [(e.action, e.actor_id) for e in await backend.requests.history(request.id)] == [
        ("submit", 101),
        ("claim", 201),
    ]
    assert await backend.queued() == [(*ANNOUNCED, request.id, None)] * 2  # the lost step announced nothing


async def test_documents_sent_with_a_step_follow_the_earlier_ones(backend: Backend) -> None:
    request = await backend.requests.add(draft_request(attachments=(PDF,)), submitted(draft_request()))
    asked, ask = step(request, "request_info", Status.NEEDS_INFO, paused_since=date(2026, 11, 30))
    asked = await backend.requests.apply(asked, expected_version=1, event=ask)
    assert asked is not None
    back, resubmit = step(
        asked, "resubmit", Status.RESUBMITTED, actor=101, minutes=4320, paused_since=None, paused_working_days=3
    )
    await backend.requests.apply(back, expected_version=2, event=resubmit, new_attachments=[PLAN])
    stored = await backend.requests.get(request.id)
    assert stored is not None
    assert (stored.attachments, stored.status, stored.paused_since, stored.paused_working_days) == (
        (PDF, PLAN),
        Status.RESUBMITTED,
        None,
        3,
    )
    assert await backend.rows("SELECT count(*) FROM file_copies") == [(2,)]


async def test_an_approval_takes_the_next_number_of_its_year_with_its_event_and_the_register(
    backend: Backend,
) -> None:
    ids = [(await backend.requests.add(draft_request(), submitted(draft_request()))) for _ in range(3)]
    numbers = []
    for request in ids[:2]:
        approved, approve = step(request, "approve", Status.APPROVED, decided_by=201, decided_on=date(2026, 11, 30))
        done = await backend.requests.apply(approved, expected_version=1, event=approve, issue=ISSUE)
        assert done is not None
        numbers.append(done.approval_number)
    assert numbers == ["区环审〔2026〕1号", "区环审〔2026〕2号"]
    assert (await backend.requests.get(ids[1].id)).approval_number == "区环审〔2026〕2号"  # type: ignore[union-attr]
    last = (await backend.requests.history(ids[1].id))[-1]
    assert (last.action, last.approval_number) == ("approve", "区环审〔2026〕2号")
    # a step that loses its compare-and-set takes no number
    stale, approve = step(ids[0], "approve", Status.APPROVED)
    assert await backend.requests.apply(stale, expected_version=1, event=approve, issue=ISSUE) is None
    next_year = NumberIssue(2027, ISSUED.render)
    approved, approve = step(ids[2], "approve", Status.APPROVED)
    assert (await backend.requests.apply(approved, expected_version=1, event=approve, issue=next_year)) is not None
    issued = [(n.year, n.seq, n.number, n.request_id) for y in (2026, 2027) for n in await backend.numbers.issued(y)]
    assert issued == [
        (2026, 1, "区环审〔2026〕1号", ids[0].id),
        (2026, 2, "区环审〔2026〕2号", ids[1].id),
        (2027, 1, "区环审〔2027〕1号", ids[2].id),
    ]


async def test_a_step_that_fails_before_its_commit_leaves_nothing_and_takes_no_number(backend: Backend) -> None:
    request = await backend.requests.add(draft_request(), submitted(draft_request()))
    approved, approve = step(request, "approve", Status.APPROVED)
    async with backend.refusing_messages_to(0):  # the step's announcement cannot be written
        with pytest.raises(backend.fault):
            await backend.requests.apply(
                approved, expected_version=1, event=approve, issue=ISSUE, new_attachments=[PLAN]
            )
    stored = await backend.requests.get(request.id)
    assert stored == request
    assert await backend.numbers.issued(2026) == []
    assert len(await backend.requests.history(request.id)) == 1
    done = await backend.requests.apply(approved, expected_version=1, event=approve, issue=ISSUE)
    assert done is not None and done.approval_number == "区环审〔2026〕1号"  # the first number is still free


async def test_a_clock_stop_is_opened_and_ended_with_its_steps(backend: Backend) -> None:
    request = await backend.requests.add(draft_request(), submitted(draft_request()))
    other = await backend.requests.add(draft_request(), submitted(draft_request()))
    stops = []
    for n, r in enumerate((request, other)):
        stop = ClockStop(
            request_id=r.id,
            kind=StopKind.EXPERT_REVIEW if n else StopKind.HEARING,
            days=10 - n,
            started_on=date(2026, 11, 30),
            started_at=AT,
            expected_end=date(2026, 12, 14) - timedelta(days=n),
        )
        stopped, stop_event = step(r, "stop_clock", Status.EXCLUDED)
        assert await backend.requests.apply(stopped, expected_version=1, event=stop_event, clock=stop) is not None
        stops.append(stop)
    (opened,) = await backend.requests.clock_stops_of(request.id)
    assert opened.id > 0 and opened == ClockStop(**{**stops[0].__dict__, "id": opened.id})
    assert await backend.requests.open_clock_stop(request.id) == opened
    due = await backend.requests.open_clock_stops(limit=10)
    assert [s.request_id for s in due] == [other.id, request.id]  # the earliest stated end first
    assert [s.request_id for s in await backend.requests.open_clock_stops(limit=1)] == [other.id]

    current = await backend.requests.get(request.id)
    assert current is not None
    ended = ClockStop(
        **{
            **opened.__dict__,
            "ended_on": date(2026, 12, 3),
            "ended_at": AT + timedelta(days=3),
            "ended_by": 201,
            "result": "专家意见：同意",
            "excluded_days": 3,
        }
    )
    running, restart = step(current, "restart_clock", Status.IN_REVIEW, minutes=4320, paused_working_days=3)
    assert await backend.requests.apply(running, expected_version=2, event=restart, clock=ended) is not None
    assert await backend.requests.clock_stops_of(request.id) == [ended]
    assert await backend.requests.open_clock_stop(request.id) is None
    assert [s.request_id for s in await backend.requests.open_clock_stops(limit=10)] == [other.id]


async def test_a_second_open_clock_stop_is_refused_and_its_step_rolled_back(backend: Backend) -> None:
    request = await backend.requests.add(draft_request(), submitted(draft_request()))
    stop = ClockStop(request.id, StopKind.HEARING, 5, date(2026, 11, 30), AT, date(2026, 12, 7))
    stopped, event = step(request, "stop_clock", Status.EXCLUDED)
    stopped = await backend.requests.apply(stopped, expected_version=1, event=event, clock=stop)
    assert stopped is not None
    again, event = step(stopped, "stop_clock", Status.EXCLUDED)
    with pytest.raises(Exception, match=r"clock_stops_open|UNIQUE"):  # the schema's guard, whichever dialect
        await backend.requests.apply(again, expected_version=2, event=event, clock=stop)
    assert (await backend.requests.get(request.id)).version == 2  # type: ignore[union-attr]
    assert len(await backend.requests.clock_stops_of(request.id)) == 1


async def test_the_audit_log_and_the_number_register_are_append_only(backend: Backend) -> None:
    request = await backend.requests.add(draft_request(), submitted(draft_request()))
    approved, approve = step(request, "approve", Status.APPROVED)
    await backend.requests.apply(approved, expected_version=1, event=approve, issue=ISSUE)
    for sql in (
        "UPDATE audit_events SET reason = 'rewritten'",
        "DELETE FROM audit_events",
        "UPDATE approval_numbers SET number = 'x'",
        "DELETE FROM approval_numbers",
    ):
        with pytest.raises(Exception, match="append-only"):
            await backend.rows(sql)
    assert len(await backend.requests.all_history()) == 2
    assert len(await backend.numbers.issued(2026)) == 1
