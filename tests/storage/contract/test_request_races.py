"""Decisions are atomic across instances, on every backend: a second instance (``backend.another()``, on PostgreSQL
a pool of its own) races the first for the same request, the same form and the year's numbers."""

from __future__ import annotations

import asyncio
from datetime import date

from approvals.calendar import WorkCalendar
from approvals.errors import DomainError
from approvals.models import Actor, ApprovalRequest, Role, Status
from approvals.numbering import parse_number_format
from approvals.ports import NumberIssue
from tests.conftest import ACCEPTOR
from tests.factories import APPLICANT, make_draft
from tests.storage.contract.conftest import Backend
from tests.storage.contract.kit import draft_request, service_over, step, submitted

ISSUED = parse_number_format("{prefix}〔{year}〕{seq}号", "区环审")
assert ISSUED is not None


def reviewer(n: int) -> Actor:
    return Actor(user_id=1000 + n, name=f"审查员{n}", roles=frozenset({Role.REVIEWER}))


async def test_the_same_step_applied_by_two_instances_at_once_is_written_once(backend: Backend) -> None:
    request = await backend.requests.add(draft_request(), submitted(draft_request()))
    async with backend.another() as other:

        async def decide(n: int) -> ApprovalRequest | None:
            store = (backend if n % 2 else other).requests
            updated, event = step(request, "reject", Status.REJECTED, actor=1000 + n, last_reason=f"理由{n}")
            return await store.apply(updated, expected_version=request.version, event=event)

        results = await asyncio.gather(*(decide(n) for n in range(20)))
    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    stored = await backend.requests.get(request.id)
    assert stored == winners[0] and stored is not None and stored.version == 2
    assert [e.action for e in await backend.requests.history(request.id)] == ["submit", "reject"]


async def test_reviewers_on_two_instances_claim_or_ask_for_material_once(
    backend: Backend, calendar: WorkCalendar
) -> None:
    first = service_over(backend, calendar)
    request = await first.submit(APPLICANT, make_draft())
    await first.accept(ACCEPTOR, request.id)
    contested = await first.submit(APPLICANT, make_draft(project_name="另一个项目"))
    await first.accept(ACCEPTOR, contested.id)
    async with backend.another() as other:
        second = service_over(other, calendar)
        claims = await asyncio.gather(
            *(svc.claim(reviewer(n), request.id) for n, svc in enumerate([first, second] * 10)),
            return_exceptions=True,
        )

        async def ask(n: int) -> str:
            try:
                await (first if n % 2 else second).request_info(reviewer(n), contested.id, f"请补充噪声影响评价 {n}")
            except DomainError:
                return "refused"
            return "asked"

        outcomes = await asyncio.gather(*(ask(n) for n in range(20)))
    winners = [r for r in claims if not isinstance(r, BaseException)]
    assert len(winners) == 1
    assert all(isinstance(r, DomainError) for r in claims if isinstance(r, BaseException)), claims
    stored = await backend.requests.get(request.id)
    assert stored is not None and stored.status is Status.IN_REVIEW and stored.claimed_by == winners[0].claimed_by
    assert sorted(outcomes) == ["asked"] + ["refused"] * 19
    history = await backend.requests.history(contested.id)
    assert [e.action for e in history].count("request_info") == 1
    asked = await backend.requests.get(contested.id)
    assert asked is not None and asked.status is Status.NEEDS_INFO and asked.version == 3


async def test_approvals_on_two_instances_never_share_or_skip_a_number(backend: Backend) -> None:
    requests = [await backend.requests.add(draft_request(), submitted(draft_request())) for _ in range(20)]
    issue = NumberIssue(2026, ISSUED.render)
    async with backend.another() as other:

        async def approve(n: int, request: ApprovalRequest) -> ApprovalRequest | None:
            updated, event = step(request, "approve", Status.APPROVED, decided_by=201, decided_on=date(2026, 11, 30))
            store = (backend if n % 2 else other).requests
            return await store.apply(updated, expected_version=1, event=event, issue=issue)

        done = await asyncio.gather(*(approve(n, r) for n, r in enumerate(requests)))
    issued = await backend.numbers.issued(2026)
    assert [n.seq for n in issued] == list(range(1, 21))
    assert sorted(n.request_id for n in issued) == [r.id for r in requests]
    for number in issued:
        stored = await backend.requests.get(number.request_id)
        assert stored is not None and stored.approval_number == number.number == f"区环审〔2026〕{number.seq}号"
    assert sorted(d.approval_number for d in done if d) == sorted(n.number for n in issued)


async def test_one_form_sent_to_two_instances_at_once_is_one_request(backend: Backend) -> None:
    request = draft_request(client_key="form-42")
    async with backend.another() as other:
        ids = await asyncio.gather(
            *((backend if n % 2 else other).requests.add(request, submitted(request)) for n in range(10))
        )
    assert len({r.id for r in ids}) == 1
    assert len(await backend.requests.all_requests()) == 1
    assert len(await backend.requests.all_history()) == 1
