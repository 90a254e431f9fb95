"""PostgreSQL's reads that join requests — the key service's facts and steps, the requests waiting for quota — run
against stand-ins of ``requests`` and ``audit_events`` (the columns they read, with the types the approval store's
step is to give them) until that step lands. Once the real tables exist, the contract tests
(tests/storage/contract/test_key_service.py, test_quota.py) run these reads on PostgreSQL and this file skips.
Runs with TEST_DATABASE_URL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal

import asyncpg
import pytest

from approvals.ledger import KeyProject
from approvals.models import DocumentType, Status
from approvals.quota_claim import QuotaClaim, QuotaSource
from storage.postgres.key_projects import PostgresKeyProjectStore
from storage.postgres.key_service import PostgresKeyService
from storage.postgres.pool import open_pool
from storage.postgres.quota import write_claim
from storage.postgres.quota_store import PostgresQuotaStore
from tests.conftest import SHANGHAI

STAND_INS = """
CREATE TABLE requests (
    id bigint PRIMARY KEY,
    key_code text,
    status text NOT NULL,
    document_type text NOT NULL,
    location text NOT NULL,
    submitted_at timestamptz NOT NULL,
    accepted_on date NOT NULL,
    promised_due date NOT NULL,
    statutory_due date NOT NULL,
    paused_working_days integer NOT NULL DEFAULT 0,
    decided_on date,
    approval_number text
);
CREATE TABLE audit_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id bigint NOT NULL REFERENCES requests (id),
    at timestamptz NOT NULL,
    action text NOT NULL,
    from_status text,
    to_status text NOT NULL
);
"""
REQUEST = (
    "INSERT INTO requests (id, key_code, status, document_type, location, submitted_at, accepted_on, promised_due, "
    "statutory_due, decided_on, approval_number) VALUES ($1, $2, $3, 'report', $4, $5, $6, $7, $8, $9, $10)"
)
EVENT = "INSERT INTO audit_events (request_id, at, action, from_status, to_status) VALUES ($1, $2, $3, $4, $5)"
# 10:00 and 20:00 on 30 November in Shanghai, and 04:00 on 1 December there (still 30 November in UTC)
MORNING = datetime(2026, 11, 30, 2, tzinfo=UTC)
EVENING = datetime(2026, 11, 30, 12, tzinfo=UTC)
SMALL_HOURS = datetime(2026, 11, 30, 20, tzinfo=UTC)


@pytest.fixture
async def pool(pg_schema: tuple[str, str]) -> AsyncIterator[asyncpg.Pool]:
    url, schema = pg_schema
    pool = await open_pool(url, schema=schema)
    try:
        if await pool.fetchval("SELECT to_regclass('requests') IS NOT NULL"):
            pytest.skip("PostgreSQL has its requests table now: the storage contract reads it on both backends")
        await pool.execute(STAND_INS)
        await PostgresKeyProjectStore(pool).replace_all([KeyProject(code="KP-01", name="城东污水厂", owner="区水务")])
        yield pool
    finally:
        await pool.close()


async def test_the_key_services_facts_and_steps_are_read_in_the_bureaus_days(pool: asyncpg.Pool) -> None:
    day = date(2026, 11, 30)
    await pool.execute(
        REQUEST, 1, "KP-01", "approved", "城东", SMALL_HOURS, day, day, day, date(2026, 12, 3), "环审〔2026〕1号"
    )
    await pool.execute(REQUEST, 2, None, "submitted", "城西", MORNING, day, day, day, None, None)
    await pool.execute(REQUEST, 3, "KP-01", "received", "城北", MORNING, day, day, day, None, None)
    for request_id, at, action, before, after in (
        (1, SMALL_HOURS, "submit", None, "submitted"),
        (1, SMALL_HOURS, "add_material", "submitted", "submitted"),  # no change of status: no step
        (1, datetime(2026, 12, 1, 1, tzinfo=UTC), "propose_approval", "submitted", "in_notice"),
        (1, datetime(2026, 12, 3, 1, tzinfo=UTC), "approve", "in_notice", "approved"),
        (1, datetime(2026, 12, 4, 1, tzinfo=UTC), "keep_copy", "approved", "approved"),
        (2, MORNING, "submit", None, "submitted"),
        (3, EVENING, "submit", None, "received"),
    ):
        await pool.execute(EVENT, request_id, at, action, before, after)
    records = PostgresKeyService(pool, SHANGHAI)
    approved, received = await records.request_facts()
    assert (approved.request_id, approved.code, approved.status, approved.document_type) == (
        1,
        "KP-01",
        Status.APPROVED,
        DocumentType.REPORT,
    )
    assert (approved.received_on, approved.status_since, approved.notice_on, approved.decided_on) == (
        date(2026, 12, 1),
        date(2026, 12, 3),
        date(2026, 12, 1),
        date(2026, 12, 3),
    )
    assert approved.approval_number == "环审〔2026〕1号"
    assert (received.request_id, received.accepted_on, received.status_since) == (3, None, date(2026, 11, 30))
    steps = await records.steps_since(date(2026, 12, 1))
    assert [(s.request_id, s.from_status, s.to_status, s.day) for s in steps] == [
        (1, None, Status.SUBMITTED, date(2026, 12, 1)),  # 20:00 UTC the day before is 1 December in Shanghai
        (1, Status.SUBMITTED, Status.IN_NOTICE, date(2026, 12, 1)),
        (1, Status.IN_NOTICE, Status.APPROVED, date(2026, 12, 3)),
    ]
    assert len(await records.steps_since(date(2026, 11, 30))) == 4  # request 3's submission too (2 names no project)


async def test_requests_waiting_for_quota_are_the_undecided_ones_declaring_a_discharge(pool: asyncpg.Pool) -> None:
    day = date(2026, 11, 30)
    for request_id, status in ((1, "submitted"), (2, "in_notice"), (3, "needs_info"), (4, "submitted")):
        await pool.execute(REQUEST, request_id, None, status, f"工业园{request_id}", MORNING, day, day, day, None, None)
    async with pool.acquire() as conn, conn.transaction():
        await write_claim(conn, 1, QuotaClaim(discharges={"COD": Decimal("1.5"), "SO2": Decimal("2")}))
        await write_claim(conn, 2, QuotaClaim(discharges={"COD": Decimal("1")}))  # proposed: holds its quota
        await write_claim(conn, 3, QuotaClaim(discharges={"NOx": Decimal("0.2")}, source=QuotaSource.REDUCTION))
        await write_claim(conn, 4, QuotaClaim(discharges={"COD": Decimal("1")}, source=QuotaSource.EXEMPT))
    waiting = await PostgresQuotaStore(pool).waiting(limit=10)
    assert [(rid, location, claim) for rid, location, claim in waiting] == [
        (1, "工业园1", QuotaClaim(discharges={"COD": Decimal("1.5"), "SO2": Decimal("2")})),
        (3, "工业园3", QuotaClaim(discharges={"NOx": Decimal("0.2")}, source=QuotaSource.REDUCTION)),
    ]
    assert len(await PostgresQuotaStore(pool).waiting(limit=1)) == 1
