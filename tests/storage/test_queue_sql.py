"""The SQL queue equals the domain's order, page by page, and every queue and summary query uses an index."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from approvals.calendar import WorkCalendar
from approvals.lanes import Queued, order_queue
from approvals.models import ApprovalRequest, AuditEvent, Category, DocumentType, Lane, Status
from storage.database import Database
from storage.repositories import Repositories
from tests.factories import make_draft


async def seed(repos: Repositories, count: int, rng: random.Random) -> list[ApprovalRequest]:
    stored = []
    base = datetime(2026, 11, 2, tzinfo=UTC)
    for _ in range(count):
        submitted = base + timedelta(minutes=rng.randrange(0, 40000))
        due = date(2026, 11, 20) + timedelta(days=rng.randrange(0, 60))
        request = ApprovalRequest(
            **make_draft().model_dump(),
            id=0,
            applicant_id=rng.randrange(1, 20),
            lane=rng.choice(list(Lane)),
            status=rng.choice(list(Status)),
            submitted_at=submitted,
            updated_at=submitted,
            accepted_on=submitted.date(),
            promised_due=due,
            statutory_due=due + timedelta(days=20),
        )
        event = AuditEvent(
            request_id=0, actor_id=1, at=submitted, action="submit", from_status=None, to_status=request.status
        )
        stored.append(await repos.requests.add(request, event))
    return stored


@pytest.mark.parametrize("seed_value", [1, 2, 3])
async def test_sql_queue_pages_match_the_domain_order(
    repos: Repositories, calendar: WorkCalendar, seed_value: int
) -> None:
    rng = random.Random(seed_value)
    stored = await seed(repos, 120, rng)
    cutoff = calendar.add_working_days(date(2026, 12, 1), 3)
    open_ones = [r for r in stored if r.is_open]
    expected = order_queue(
        [
            Queued(id=r.id, lane=r.lane, due=min(r.promised_due, r.statutory_due), submitted_at=r.submitted_at)
            for r in open_ones
        ],
        cutoff,
    )
    pages = []
    for offset in range(0, len(open_ones) + 7, 7):
        pages += await repos.requests.queue(risk_cutoff=cutoff, limit=7, offset=offset)
    assert [r.id for r in pages] == [q.id for q in expected]
    unclaimed = await repos.requests.queue(risk_cutoff=cutoff, limit=500, unclaimed_only=True)
    # /next claims what it finds: a received request is accepted or listed first, never claimed; one in notice is
    # its proposer's to decide
    not_claimable = {r.id for r in open_ones if r.status in (Status.IN_REVIEW, Status.RECEIVED, Status.IN_NOTICE)}
    assert [r.id for r in unclaimed] == [q.id for q in expected if q.id not in not_claimable]
    assert await repos.requests.count_open() == len(open_ones)
    someone = open_ones[len(open_ones) // 2].applicant_id  # an applicant with open requests, whatever the seed
    mine = {r.id for r in open_ones if r.applicant_id == someone}
    others: list[ApprovalRequest] = []
    for offset in range(0, len(open_ones) + 7, 7):  # pages past the at-risk part skip the right number of rows
        others += await repos.requests.queue(risk_cutoff=cutoff, limit=7, offset=offset, exclude_applicant=someone)
    assert mine and [r.id for r in others] == [q.id for q in expected if q.id not in mine]


async def test_queue_and_summary_queries_are_served_by_indexes(
    repos: Repositories, db: Database, calendar: WorkCalendar
) -> None:
    """Trace every statement the queue and the summary run, then ask SQLite how it would run each one."""
    await seed(repos, 30, random.Random(9))
    statements: list[str] = []
    await db.reader.conn.set_trace_callback(statements.append)
    cutoff = date(2026, 12, 4)
    await repos.requests.queue(risk_cutoff=cutoff, limit=5, offset=40)
    await repos.requests.queue(risk_cutoff=cutoff, limit=1, unclaimed_only=True)
    await repos.requests.queue(risk_cutoff=cutoff, limit=1, offset=20, unclaimed_only=True, exclude_applicant=3)
    await repos.requests.count_open()
    summary = repos.summary
    await summary.count_approved(date(2026, 1, 1), date(2026, 12, 31))
    await summary.count_approved(None, None)
    await summary.approved_key_codes()
    await summary.key_code_statuses()
    await summary.backlog_by_lane()
    await summary.count_status(Status.NEEDS_INFO)
    await summary.count_open_due_by(cutoff)
    await summary.count_open_due_by(cutoff, statutory=True)
    await summary.decisions_between(date(2026, 1, 1), date(2026, 12, 31))
    await db.reader.conn.set_trace_callback(None)
    queries = [s for s in statements if "FROM requests" in s]
    counted = [s for s in statements if "FROM request_counts" in s]  # kept by triggers, a few rows
    assert len(queries) >= 9
    assert len(counted) >= 4
    for sql in queries + counted:
        async with db.reader.execute(f"EXPLAIN QUERY PLAN {sql}") as cursor:
            plan = " | ".join(row[3] for row in await cursor.fetchall())
        assert "USING" in plan and ("INDEX" in plan or "PRIMARY KEY" in plan), (sql, plan)
        assert "TEMP B-TREE" not in plan, (sql, plan)  # no sort outside the index


async def test_audit_log_is_append_only(repos: Repositories, db: Database) -> None:
    await seed(repos, 1, random.Random(0))
    with pytest.raises(Exception, match="append-only"):
        async with db.transaction() as conn:
            await conn.execute("UPDATE audit_events SET reason = 'rewritten'")
    with pytest.raises(Exception, match="append-only"):
        async with db.transaction() as conn:
            await conn.execute("DELETE FROM audit_events")


def test_categories_survive_the_round_trip() -> None:
    assert {c.value for c in Category} == {"livelihood", "infrastructure", "energy_saving", "other"}
    assert {d.value for d in DocumentType} == {"report", "report_form", "registration"}
