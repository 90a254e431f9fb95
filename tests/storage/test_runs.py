import asyncio
import sqlite3
from datetime import UTC, date, datetime

import pytest

from storage.database import Database
from storage.outbox import Outgoing
from storage.repositories import Repositories
from tests.faults import refusing_messages_to

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


async def test_a_fresh_database_counts_daily_runs_from_its_first_start(repos: Repositories) -> None:
    assert await repos.runs.counting_from(date(2026, 11, 30), NOW) == date(2026, 11, 30)
    assert await repos.runs.counting_from(date(2026, 12, 9), NOW) == date(2026, 11, 30)  # the first start stays


async def test_a_database_with_runs_counts_from_the_earliest(repos: Repositories) -> None:
    await repos.runs.claim_daily("summary", date(2026, 11, 2), [], NOW)
    assert await repos.runs.counting_from(date(2026, 11, 30), NOW) == date(2026, 11, 2)


async def test_a_day_is_done_when_every_kind_of_its_run_is_claimed(repos: Repositories) -> None:
    for day, kinds in ((23, ("summary", "overdue")), (27, ("summary",)), (30, ("overdue", "summary"))):
        for kind in kinds:
            await repos.runs.claim_daily(kind, date(2026, 11, day), [], NOW)
    done = await repos.runs.done_days(("summary", "overdue"), since=date(2026, 11, 24))
    assert done == {date(2026, 11, 30)}  # the 23rd is before ``since``; the 27th still owes its overdue list


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


ADMINS = [Outgoing(9001, "5 asks"), Outgoing(9002, "5 asks")]


async def texts(repos: Repositories) -> list[str | None]:
    return [q.message.text for q in await repos.outbox.pending()]


async def test_subscriptions_wait_for_an_admin(repos: Repositories) -> None:
    assert await repos.subscribers.request(5, ADMINS, NOW) == "pending"
    assert await repos.subscribers.active() == []
    assert await repos.subscribers.approve(5, Outgoing(5, "welcome"), NOW)
    assert not await repos.subscribers.approve(5, Outgoing(5, "welcome again"), NOW)
    assert await repos.subscribers.request(5, ADMINS, NOW) == "active"
    assert await repos.subscribers.active() == [5]
    assert await texts(repos) == ["5 asks", "5 asks", "welcome"]  # no notice for what changed nothing
    assert await repos.subscribers.remove(5)


async def test_a_request_to_subscribe_is_kept_only_with_its_notices_to_the_admins(
    repos: Repositories, db: Database
) -> None:
    async with refusing_messages_to(db, 9002):
        with pytest.raises(sqlite3.IntegrityError):
            await repos.subscribers.request(5, ADMINS, NOW)
    assert not await repos.subscribers.decline(5, Outgoing(5, "declined"), NOW)  # nothing was on file
    assert await texts(repos) == []
    assert await repos.subscribers.request(5, ADMINS, NOW) == "pending"
    assert await texts(repos) == ["5 asks", "5 asks"]


async def test_an_approval_is_written_only_with_its_notice_to_the_subscriber(repos: Repositories, db: Database) -> None:
    await repos.subscribers.request(5, [], NOW)
    async with refusing_messages_to(db, 5):
        with pytest.raises(sqlite3.IntegrityError):
            await repos.subscribers.approve(5, Outgoing(5, "welcome"), NOW)
    assert await repos.subscribers.active() == []  # still pending: pressing Approve again finishes the job
    assert await repos.subscribers.approve(5, Outgoing(5, "welcome"), NOW)
    assert await repos.subscribers.active() == [5]
    assert await texts(repos) == ["welcome"]


async def test_a_decline_is_written_only_with_its_notice_and_never_undoes_an_approval(
    repos: Repositories, db: Database
) -> None:
    await repos.subscribers.request(5, [], NOW)
    async with refusing_messages_to(db, 5):
        with pytest.raises(sqlite3.IntegrityError):
            await repos.subscribers.decline(5, Outgoing(5, "declined"), NOW)
    assert await repos.subscribers.decline(5, Outgoing(5, "declined"), NOW)
    assert await texts(repos) == ["declined"]
    await repos.subscribers.request(6, [], NOW)
    assert await repos.subscribers.approve(6, Outgoing(6, "welcome"), NOW)
    assert not await repos.subscribers.decline(6, Outgoing(6, "declined"), NOW)  # a colleague approved first
    assert await repos.subscribers.active() == [6]
    assert await texts(repos) == ["declined", "welcome"]
