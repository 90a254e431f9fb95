"""The approval store's reads, on every backend: a request's history and chosen events, requests by status, holder
and applicant, and the counts."""

from __future__ import annotations

from approvals.models import ApprovalRequest, Status
from tests.storage.contract.conftest import Backend
from tests.storage.contract.kit import draft_request, step, submitted

FINAL = (Status.APPROVED, Status.REJECTED, Status.WITHDRAWN, Status.RETURNED)


async def stored(backend: Backend, status: Status, applicant: int = 101, claimed_by: int | None = None) -> int:
    request = draft_request(status=status, applicant=applicant, claimed_by=claimed_by)
    return (await backend.requests.add(request, submitted(request))).id


async def current(backend: Backend, request_id: int) -> ApprovalRequest:
    request = await backend.requests.get(request_id)
    assert request is not None
    return request


async def test_history_event_and_each_requests_latest_event_among_some_actions(backend: Backend) -> None:
    first, second, quiet = [await stored(backend, Status.SUBMITTED) for _ in range(3)]
    for request_id, actions in ((first, ("claim", "release", "claim")), (second, ("claim",))):
        for n, action in enumerate(actions):
            request = await current(backend, request_id)
            to = Status.IN_REVIEW if action == "claim" else Status.SUBMITTED
            updated, event = step(request, action, to, actor=201 + n, minutes=n + 1)
            assert await backend.requests.apply(updated, expected_version=request.version, event=event)
    history = await backend.requests.history(first)
    assert [(e.action, e.actor_id) for e in history] == [
        ("submit", 101),
        ("claim", 201),
        ("release", 202),
        ("claim", 203),
    ]
    latest = await backend.requests.last_events([first, second, quiet], {"claim", "release"})
    assert {rid: (e.action, e.actor_id) for rid, e in latest.items()} == {first: ("claim", 203), second: ("claim", 201)}
    assert (await backend.requests.last_events([first], ["release"]))[first] == history[2]
    assert await backend.requests.last_events([], ["claim"]) == {}
    assert await backend.requests.last_events([first], []) == {}
    ids = [row[0] for row in await backend.rows(f"SELECT id FROM audit_events WHERE request_id = {first} ORDER BY id")]
    assert [await backend.requests.event(i) for i in ids] == history
    assert await backend.requests.event(max(ids) + 100) is None
    everything = await backend.requests.all_history()
    assert [e.request_id for e in everything] == [first] * 4 + [second] * 2 + [quiet]


async def test_requests_by_status_holder_and_applicant(backend: Backend) -> None:
    asked = [await stored(backend, Status.NEEDS_INFO) for _ in range(2)]
    listed = await stored(backend, Status.INCOMPLETE)
    mine = [await stored(backend, Status.IN_REVIEW, claimed_by=201) for _ in range(2)]
    theirs = await stored(backend, Status.IN_REVIEW, claimed_by=202)
    decided = await stored(backend, Status.APPROVED, claimed_by=201)  # a decision keeps its holder: not a claim
    others = [await stored(backend, status, applicant=102) for status in (Status.SUBMITTED, *FINAL)]

    watched = await backend.requests.with_status([Status.INCOMPLETE, Status.NEEDS_INFO], limit=10)
    assert [r.id for r in watched] == [*asked, listed]  # oldest first
    assert [r.id for r in await backend.requests.with_status([Status.NEEDS_INFO, Status.INCOMPLETE], limit=2)] == asked
    assert await backend.requests.with_status([Status.SIGNING], limit=5) == []
    assert [r.id for r in await backend.requests.claimed_by(201)] == mine
    assert [r.id for r in await backend.requests.claimed_by(202)] == [theirs]
    assert await backend.requests.claimed_by(203) == []
    assert decided not in [r.id for r in await backend.requests.claimed_by(201)]

    newest_first = [r.id for r in await backend.requests.by_applicant(101, limit=10)]
    assert newest_first == [decided, theirs, *reversed(mine), listed, *reversed(asked)]
    assert [r.id for r in await backend.requests.by_applicant(101, limit=2, offset=1)] == newest_first[1:3]
    assert [r.id for r in await backend.requests.undecided_of(102)] == [others[0]]  # none of the final ones
    assert [r.id for r in await backend.requests.undecided_of(101)] == newest_first[1:]
    assert [r.id for r in await backend.requests.all_requests()] == [*asked, listed, *mine, theirs, decided, *others]


async def test_count_open_follows_every_step_in_and_out_of_the_open_statuses(backend: Backend) -> None:
    assert await backend.requests.count_open() == 0
    opened = [
        await stored(backend, status)
        for status in (Status.RECEIVED, Status.SUBMITTED, Status.RESUBMITTED, Status.IN_REVIEW, Status.IN_NOTICE)
    ]
    for status in (Status.INCOMPLETE, Status.NEEDS_INFO, Status.EXCLUDED, Status.SIGNING, *FINAL):
        await stored(backend, status)  # with the applicant, out of the clock, or being signed: not open
    assert await backend.requests.count_open() == 5
    request = await current(backend, opened[1])
    for to, expected in ((Status.NEEDS_INFO, 4), (Status.RESUBMITTED, 5), (Status.APPROVED, 4)):
        updated, event = step(request, "step", to)
        applied = await backend.requests.apply(updated, expected_version=request.version, event=event)
        assert applied is not None
        request = applied
        assert await backend.requests.count_open() == expected
