"""Decisions are atomic: racing reviewers produce exactly one decision and a clear answer for the rest."""

import asyncio
from pathlib import Path

from approvals.errors import AlreadyDecided, DomainError
from approvals.models import Actor, Role, Status
from approvals.service import ApprovalService
from storage.database import Database
from storage.repositories import Repositories
from tests.factories import APPLICANT, make_draft


def reviewer(n: int) -> Actor:
    return Actor(user_id=1000 + n, name=f"reviewer {n}", roles=frozenset({Role.REVIEWER}))


async def test_fifty_concurrent_decisions_yield_exactly_one(service: ApprovalService) -> None:
    request = await service.submit(APPLICANT, make_draft())

    async def decide(n: int) -> str:
        try:
            if n % 2:
                await service.approve(reviewer(n), request.id)
            else:
                await service.reject(reviewer(n), request.id, f"reason {n}")
        except AlreadyDecided:
            return "already decided"
        return "decided"

    outcomes = await asyncio.gather(*(decide(n) for n in range(50)))
    assert outcomes.count("decided") == 1
    assert outcomes.count("already decided") == 49
    history = (await service.view(reviewer(0), request.id)).history
    assert len([e for e in history if e.action in ("approve", "reject")]) == 1
    stored = await service.requests.get(request.id)
    assert stored is not None and stored.version == 3  # submitted, accepted, decided


async def test_two_processes_worth_of_connections_race_safely(
    service: ApprovalService, db: Database, tmp_path: Path
) -> None:
    """A second Database on the same file stands in for a second bot instance: BEGIN IMMEDIATE + version CAS."""
    request = await service.submit(APPLICANT, make_draft())
    other_db = await Database.open(db.path)
    try:
        other_repos = Repositories.over(other_db)
        other = ApprovalService(
            requests=other_repos.requests,
            key_projects=other_repos.key_projects,
            calendar=service.calendar,
            policy=service.policy,
            clock=service.clock,
            tz=service.tz,
            notices=other_repos.notices,
        )
        results = await asyncio.gather(
            *(svc.claim(reviewer(n), request.id) for n, svc in enumerate([service, other] * 10)),
            return_exceptions=True,
        )
    finally:
        await other_db.close()
    winners = [r for r in results if not isinstance(r, BaseException)]
    assert len(winners) == 1
    failures = [r for r in results if isinstance(r, BaseException)]
    assert all(isinstance(r, DomainError) for r in failures), [
        repr(r) for r in failures if not isinstance(r, DomainError)
    ]
    stored = await service.requests.get(request.id)
    assert stored is not None and stored.status is Status.IN_REVIEW and stored.claimed_by == winners[0].claimed_by
