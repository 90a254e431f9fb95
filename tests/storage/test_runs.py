import asyncio
from datetime import UTC, date, datetime

from storage.database import Database
from storage.outbox import Outgoing
from storage.repositories import Repositories

NOW = datetime(2026, 11, 30, 1, tzinfo=UTC)


async def test_a_day_is_claimed_once_with_its_messages_even_from_two_databases(
    repos: Repositories, db: Database
) -> None:
    other = await Database.open(db.path)
    try:
        other_repos = Repositories.over(other)
        results = await asyncio.gather(
            *(
                r.runs.claim_daily("summary", date(2026, 11, 30), [Outgoing(-1, f"from {n}")], NOW)
                for n, r in enumerate([repos, other_repos] * 5)
            )
        )
    finally:
        await other.close()
    assert results.count(True) == 1
    due = await repos.outbox.pending()
    assert len(due) == 1
    assert await repos.runs.is_claimed("summary", date(2026, 11, 30))
    assert not await repos.runs.is_claimed("summary", date(2026, 12, 1))


async def test_reminders_are_claimed_once_per_request_and_kind(repos: Repositories) -> None:
    from approvals.models import ApprovalRequest, AuditEvent, Lane
    from tests.factories import APPLICANT, make_draft

    request = ApprovalRequest(
        **make_draft().model_dump(),
        id=0,
        applicant_id=APPLICANT.user_id,
        lane=Lane.GREEN,
        submitted_at=NOW,
        updated_at=NOW,
        accepted_on=date(2026, 11, 30),
        promised_due=date(2026, 12, 14),
        statutory_due=date(2027, 1, 11),
    )
    event = AuditEvent(request_id=0, actor_id=1, at=NOW, action="submit", from_status=None, to_status=request.status)
    stored = await repos.requests.add(request, event)
    assert await repos.runs.claim_reminder(stored.id, "promise_50", [Outgoing(1, "half")], NOW)
    assert not await repos.runs.claim_reminder(stored.id, "promise_50", [Outgoing(1, "half again")], NOW)
    assert await repos.runs.claim_reminder(stored.id, "promise_80", [Outgoing(1, "most")], NOW)
    assert await repos.runs.reminders_sent() == {(stored.id, "promise_50"), (stored.id, "promise_80")}
    texts = [q.message.text for q in await repos.outbox.pending() if q.message.kind == "message"]
    assert texts == ["half", "most"]


async def test_subscriptions_wait_for_an_admin(repos: Repositories) -> None:
    assert await repos.subscribers.request(5, NOW) == "pending"
    assert await repos.subscribers.active() == []
    assert await repos.subscribers.approve(5)
    assert not await repos.subscribers.approve(5)
    assert await repos.subscribers.request(5, NOW) == "active"
    assert await repos.subscribers.active() == [5]
    assert await repos.subscribers.remove(5)
