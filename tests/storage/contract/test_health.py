"""What the health endpoint reads (``Health``) on both backends: the scenarios of tests/storage/test_health_figures.py
on the port itself (requests by status and lane, the outbox's backlog and its oldest message, the daily runs' last
claims) and the write probe on a healthy store."""

from __future__ import annotations

from datetime import timedelta

from approvals.calendar import WorkCalendar
from approvals.models import Lane
from storage.outbox import Outgoing
from tests.conftest import FakeClock
from tests.factories import APPLICANT, REVIEWER, make_draft
from tests.storage.contract.conftest import Backend
from tests.storage.contract.served import served


async def counted(backend: Backend) -> dict[tuple[str, int], int]:
    """The pairs with requests (a pair never seen is absent on SQLite, listed with 0 on PostgreSQL)."""
    return {(status, lane): n for status, lane, n in await backend.health.requests_by_state_and_lane() if n}


async def test_requests_by_state_and_lane_follow_submissions_and_decisions(
    backend: Backend, calendar: WorkCalendar, clock: FakeClock
) -> None:
    service = served(backend, calendar, clock)
    assert await counted(backend) == {}
    request = await service.submit(APPLICANT, make_draft())
    await service.submit(APPLICANT, make_draft(project_name="另一个项目"))
    assert await counted(backend) == {("submitted", Lane.GREEN.value): 2}
    await service.claim(REVIEWER, request.id)
    await service.approve(REVIEWER, request.id)
    assert await counted(backend) == {("submitted", Lane.GREEN.value): 1, ("approved", Lane.GREEN.value): 1}
    await service.withdraw(APPLICANT, request.id + 1)
    listed = await backend.health.requests_by_state_and_lane()
    assert ("submitted", Lane.GREEN.value, 0) in listed  # fallen to none: still listed, as 0
    assert ("in_notice", Lane.GREEN.value, 0) in listed
    assert listed == sorted(listed)
    assert await counted(backend) == {("approved", Lane.GREEN.value): 1, ("withdrawn", Lane.GREEN.value): 1}


async def test_outbox_pending_and_the_oldest_ones_time(backend: Backend, clock: FakeClock) -> None:
    backlog = await backend.health.outbox_backlog()
    assert (backlog.pending, backlog.oldest) == (0, None)
    first_at = clock.now()
    await backend.runs.claim_daily("one", first_at.date(), [Outgoing(101, "first")], first_at)
    clock.advance(seconds=90)
    await backend.runs.claim_daily("two", first_at.date(), [Outgoing(102, "second")], clock.now())
    backlog = await backend.health.outbox_backlog()
    assert (backlog.pending, backlog.oldest) == (2, first_at)
    await backend.rows("UPDATE outbox SET status = 'sent' WHERE chat_id = 101")
    backlog = await backend.health.outbox_backlog()
    assert (backlog.pending, backlog.oldest) == (1, first_at + timedelta(seconds=90))


async def test_last_summary_and_backup_times_absent_until_they_run(backend: Backend, clock: FakeClock) -> None:
    health = backend.health
    assert await health.last_runs(["summary", "backup"]) == {}
    today = clock.now().date()
    await backend.runs.claim_daily("summary", today - timedelta(days=1), [], clock.now() - timedelta(days=1))
    await backend.runs.claim_daily("summary", today, [], clock.now())
    assert await health.last_runs(["summary", "backup"]) == {"summary": clock.now()}
    clock.advance(hours=18)
    await backend.runs.claim_daily("backup", clock.now().date(), [], clock.now())
    runs = await health.last_runs(["summary", "backup"])
    assert runs == {"summary": clock.now() - timedelta(hours=18), "backup": clock.now()}
    assert all(at.utcoffset() == timedelta(0) for at in runs.values())
    assert await health.last_runs(["backup"]) == {"backup": clock.now()}


async def test_a_healthy_store_takes_writes(backend: Backend) -> None:
    await backend.health.probe_write(min_free_bytes=1)
