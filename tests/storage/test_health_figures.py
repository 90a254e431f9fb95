"""The gauges /metrics reads from the database move when their cause happens, and reading them takes no lock."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from approvals.models import Category, DocumentType
from approvals.service import ApprovalService
from monitoring.figures import DatabaseFigures
from monitoring.metrics import Metrics
from storage.database import Database
from storage.outbox import Outgoing
from storage.repositories import Repositories
from tests.conftest import FakeClock
from tests.factories import APPLICANT, REVIEWER, make_draft


class Ticks:
    """A monotonic clock the test moves: the figures' cache expires only when told."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
def metrics() -> Metrics:
    return Metrics("9.9.9")


@pytest.fixture
def figures(metrics: Metrics, repos: Repositories, service: ApprovalService, ticks: Ticks) -> DatabaseFigures:
    return DatabaseFigures(metrics, repos.health, repos.summary, service, max_age=5, monotonic=ticks)


def sample(metrics: Metrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


async def fresh(figures: DatabaseFigures, ticks: Ticks) -> None:
    ticks.now += 10  # past the cache's five seconds
    await figures.refresh()


async def test_requests_by_state_and_lane_follow_submissions_and_decisions(
    figures: DatabaseFigures, metrics: Metrics, service: ApprovalService, ticks: Ticks
) -> None:
    await fresh(figures, ticks)
    assert sample(metrics, "green_channel_requests", state="submitted", lane="green") is None
    request = await service.submit(APPLICANT, make_draft())
    await fresh(figures, ticks)
    assert sample(metrics, "green_channel_requests", state="submitted", lane="green") == 1
    await service.claim(REVIEWER, request.id)
    await service.approve(REVIEWER, request.id)
    await fresh(figures, ticks)
    assert sample(metrics, "green_channel_requests", state="submitted", lane="green") == 0
    assert sample(metrics, "green_channel_requests", state="approved", lane="green") == 1


async def test_at_risk_then_overdue_as_the_deadline_nears_and_passes(
    figures: DatabaseFigures, metrics: Metrics, service: ApprovalService, clock: FakeClock, ticks: Ticks
) -> None:
    clock.set_local(2026, 11, 2)
    request = await service.submit(
        APPLICANT, make_draft(category=Category.OTHER, document_type=DocumentType.REPORT_FORM)
    )
    await fresh(figures, ticks)
    counts = ("green_channel_requests_at_risk", "green_channel_requests_overdue")
    assert [sample(metrics, name) for name in counts] == [0, 0]
    # the risk window: RISK_DAYS (3) working days before the promise
    clock.current = clock.current.replace(
        year=request.promised_due.year, month=request.promised_due.month, day=request.promised_due.day
    ) - timedelta(days=1)
    await fresh(figures, ticks)
    assert [sample(metrics, name) for name in counts] == [1, 0]
    clock.current += timedelta(days=3)  # past the promise
    await fresh(figures, ticks)
    assert [sample(metrics, name) for name in counts] == [0, 1]
    assert sample(metrics, "green_channel_requests_overdue_statutory") == 0
    clock.current = clock.current.replace(
        year=request.statutory_due.year, month=request.statutory_due.month, day=request.statutory_due.day
    ) + timedelta(days=2)
    await fresh(figures, ticks)
    assert sample(metrics, "green_channel_requests_overdue_statutory") == 1


async def test_outbox_pending_and_the_oldest_ones_age(
    figures: DatabaseFigures, metrics: Metrics, repos: Repositories, clock: FakeClock, ticks: Ticks
) -> None:
    await fresh(figures, ticks)
    assert sample(metrics, "green_channel_outbox_pending") == 0
    assert sample(metrics, "green_channel_outbox_oldest_age_seconds") == 0
    await repos.outbox.add([Outgoing(101, "first")], clock.now())
    clock.advance(seconds=90)
    await repos.outbox.add([Outgoing(102, "second")], clock.now())
    clock.advance(seconds=30)
    await fresh(figures, ticks)
    assert sample(metrics, "green_channel_outbox_pending") == 2
    assert sample(metrics, "green_channel_outbox_oldest_age_seconds") == 120
    (first, _) = await repos.outbox.pending()
    await repos.outbox.mark_sent(first.id, clock.now())
    await fresh(figures, ticks)
    assert sample(metrics, "green_channel_outbox_pending") == 1
    assert sample(metrics, "green_channel_outbox_oldest_age_seconds") == 30


async def test_last_summary_and_backup_times_absent_until_they_run(
    figures: DatabaseFigures, metrics: Metrics, repos: Repositories, clock: FakeClock, ticks: Ticks
) -> None:
    await fresh(figures, ticks)
    last = "green_channel_last_run_timestamp_seconds"
    assert sample(metrics, last, run="summary") is None  # never ran: no sample, not 1970
    assert sample(metrics, last, run="backup") is None
    today = clock.now().date()
    await repos.runs.claim_daily("summary", today, [], clock.now())
    await fresh(figures, ticks)
    assert sample(metrics, last, run="summary") == clock.now().timestamp()
    assert sample(metrics, last, run="backup") is None
    clock.advance(hours=18)
    # the nightly backup records its run in the same table, under the name "backup" (operations/)
    await repos.runs.claim_daily("backup", clock.now().date(), [], clock.now())
    await fresh(figures, ticks)
    assert sample(metrics, last, run="backup") == clock.now().timestamp()


async def test_a_scrape_within_a_few_seconds_reads_nothing_again(
    figures: DatabaseFigures, metrics: Metrics, service: ApprovalService, ticks: Ticks
) -> None:
    await fresh(figures, ticks)
    await service.submit(APPLICANT, make_draft())
    ticks.now += 4
    await figures.refresh()
    assert sample(metrics, "green_channel_requests", state="submitted", lane="green") is None  # cached
    ticks.now += 2
    await figures.refresh()
    assert sample(metrics, "green_channel_requests", state="submitted", lane="green") == 1


async def test_figures_are_read_while_the_writer_holds_its_lock(
    figures: DatabaseFigures, metrics: Metrics, db: Database, service: ApprovalService, ticks: Ticks
) -> None:
    """The reads go to the long-read connection: a write transaction left open (a slow commit) does not hold a
    scrape up, and a scrape never holds up a write."""
    await service.submit(APPLICANT, make_draft())
    async with db.transaction():
        ticks.now += 10
        await asyncio.wait_for(figures.refresh(), 10)
    assert sample(metrics, "green_channel_requests", state="submitted", lane="green") == 1


async def test_the_queries_walk_indexes(db: Database) -> None:
    """At a million requests and years of outbox rows a scan would take a scrape's whole budget."""
    plans = {}
    for name, sql in {
        "pending": "SELECT count(*) FROM outbox WHERE status = 'pending'",
        "oldest": "SELECT created_at FROM outbox INDEXED BY outbox_pending WHERE status = 'pending' "
        "ORDER BY id LIMIT 1",
    }.items():
        async with db.reader.execute(f"EXPLAIN QUERY PLAN {sql}") as cursor:
            plans[name] = " ".join(str(row[-1]) for row in await cursor.fetchall())
    assert all("outbox_pending" in plan for plan in plans.values()), plans
