"""The PostgreSQL figures' reads beyond the contract (tests/storage/contract/): every one is served by an index in a
prepared statement's generic plan, at any table size. Runs with TEST_DATABASE_URL."""

from __future__ import annotations

import random
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from approvals.board import ArchiveQuery, Cursor
from approvals.models import Lane, Status
from approvals.notices import Notice, NoticeKind
from storage.outbox import Outgoing
from storage.ports import DatabaseNotWritable
from storage.postgres.board import PostgresBoardReader
from storage.postgres.health import PostgresHealth
from storage.postgres.leadership import PostgresLeadershipSource
from storage.postgres.notices import insert_notices
from storage.postgres.pool import open_pool
from storage.postgres.requests import PostgresApprovalStore
from storage.postgres.runs import PostgresRuns
from storage.postgres.summary import PostgresSummarySource
from tests.storage.contract.kit import draft_request, submitted
from tests.storage.test_pg_requests import generic_plan


@pytest.fixture
async def pool(pg_schema: tuple[str, str]) -> AsyncIterator[asyncpg.Pool]:
    url, schema = pg_schema
    opened = await open_pool(url, schema=schema, min_size=1, max_size=4)
    try:
        yield opened
    finally:
        await opened.close()


async def recorded(monkeypatch: pytest.MonkeyPatch, reads: Callable[[], Awaitable[None]]) -> list[tuple[str, Any]]:
    """The SELECTs ``reads`` makes, with their arguments."""
    statements: list[tuple[str, Sequence[Any]]] = []
    for method in ("fetch", "fetchval", "fetchrow"):
        real = getattr(asyncpg.Connection, method)

        async def recording(self: asyncpg.Connection, sql: str, *args: Any, _real: Any = real, **kw: Any) -> Any:
            statements.append((sql, args))
            return await _real(self, sql, *args, **kw)

        monkeypatch.setattr(asyncpg.Connection, method, recording)
    try:
        await reads()
    finally:
        monkeypatch.undo()
    return [(sql, args) for sql, args in statements if sql.lstrip().upper().startswith("SELECT")]


async def planned(pool: asyncpg.Pool, reads: list[tuple[str, Any]]) -> None:
    async with pool.acquire() as conn:
        for sql, args in reads:
            plan = await generic_plan(conn, sql, args)
            assert "Seq Scan" not in plan, (sql, plan)


@pytest.fixture
async def requests(pool: asyncpg.Pool) -> None:
    store = PostgresApprovalStore(pool)
    rng = random.Random(5)
    for n in range(40):
        request = draft_request(
            project_name=f"项目{n}",
            status=rng.choice(list(Status)),
            lane=rng.choice(list(Lane)),
            key_code=rng.choice([None, "KP-01", "KP-02"]),
            decided_on=date(2026, 11, rng.randrange(1, 30)),
        )
        await store.add(request, submitted(request))
    await pool.execute("ANALYZE")


async def test_the_summary_reads_walk_indexes(
    pool: asyncpg.Pool, requests: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = PostgresSummarySource(pool)
    first, last = date(2026, 11, 1), date(2026, 11, 30)

    async def reads() -> None:
        await source.count_approved(None, None)
        await source.count_approved(first, None)
        await source.approved_key_codes()
        await source.key_code_statuses()
        await source.undecided_key_requests()
        await source.backlog_by_lane()
        await source.count_status(Status.NEEDS_INFO)
        await source.count_open_due_by(last)
        await source.count_open_due_by(last, statutory=True)
        await source.decisions_between(first, last)
        await source.approvals_per_day(first, last)

    found = await recorded(monkeypatch, reads)
    assert len(found) == 14
    await planned(pool, found)


async def test_the_leadership_reads_walk_indexes(
    pool: asyncpg.Pool, requests: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = PostgresLeadershipSource(pool)

    async def reads() -> None:
        await source.decision_times(date(2026, 1, 1), date(2026, 12, 31))
        await source.approved_investment(date(2026, 1, 1), date(2026, 12, 31))

    found = await recorded(monkeypatch, reads)
    assert len(found) == 2
    await planned(pool, found)


async def test_the_board_reads_walk_indexes_and_the_archive_in_their_order(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = PostgresApprovalStore(pool)
    request = await store.add(draft_request(), submitted(draft_request()))
    days = [date(2025, 1, 1) + timedelta(days=n) for n in range(60)]
    notices = [
        Notice(
            request_id=request.id,
            kind=NoticeKind.ACCEPTANCE,
            opened_at=datetime(d.year, d.month, d.day, 2, tzinfo=UTC),
            opens_on=d,
            ends_on=d + timedelta(days=1),
            project_name=f"项目{n}",
            organisation="区水务集团",
            location="城东",
            summary="概况",
        )
        for n, d in enumerate(days)
    ]
    async with pool.acquire() as conn, conn.transaction():
        await insert_notices(conn, notices, None)
    await pool.execute("ANALYZE")
    reader = PostgresBoardReader(pool)
    today = date(2025, 2, 1)

    async def reads() -> None:
        await reader.notice(1)
        await reader.open_on(today, None, offset=0, limit=10)
        await reader.open_on(today, NoticeKind.ACCEPTANCE, offset=0, limit=10)
        await reader.archive(today, ArchiveQuery(), limit=10, scan=60)
        query = ArchiveQuery.of(project="项目", organisation="水务", published_from="2025-01-02")
        await reader.archive(today, replace(query, after=Cursor(date(2025, 1, 20), 20)), limit=10, scan=20)
        await reader.newest(10)
        await reader.comment_count(1)

    found = await recorded(monkeypatch, reads)
    assert len(found) == 11
    await planned(pool, found)
    async with pool.acquire() as conn:
        walks = [(sql, args) for sql, args in found if sql.startswith("SELECT opens_on, id") or "SELECT id " in sql]
        assert len(walks) == 4
        for sql, args in walks:
            plan = await generic_plan(conn, sql, args)
            assert "notices_published" in plan and "Sort" not in plan, (sql, plan)
            if sql.startswith("SELECT id"):
                assert "Index Only Scan" in plan, (sql, plan)  # only the notices kept are read from the table


async def test_the_health_reads_walk_indexes(
    pool: asyncpg.Pool, requests: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    health = PostgresHealth(pool)
    runs = PostgresRuns(pool)
    for n in range(30):
        at = datetime(2026, 11, 1, 2, tzinfo=UTC) + timedelta(days=n)
        await runs.claim_daily("summary", at.date(), [Outgoing(100 + n % 4, "x")], at)
    await pool.execute("ANALYZE")

    async def reads() -> None:
        await health.outbox_backlog()
        await health.requests_by_state_and_lane()
        await health.last_runs(["summary", "backup"])

    found = await recorded(monkeypatch, reads)
    assert len(found) == 3
    await planned(pool, found)


async def test_the_probe_refuses_a_read_only_connection(pool: asyncpg.Pool, pg_schema: tuple[str, str]) -> None:
    url, schema = pg_schema
    settings = {"search_path": schema, "default_transaction_read_only": "on"}
    read_only = await asyncpg.create_pool(url, min_size=1, max_size=1, server_settings=settings)
    try:
        with pytest.raises(DatabaseNotWritable, match="read-only"):
            await PostgresHealth(read_only).probe_write(min_free_bytes=1)
    finally:
        await read_only.close()


async def test_the_probe_refuses_a_role_that_may_not_write(pool: asyncpg.Pool) -> None:
    role = f"probe_{secrets.token_hex(4)}"
    await pool.execute(f"CREATE ROLE {role}")
    try:
        schema = await pool.fetchval("SELECT current_schema()")
        await pool.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO {role}; GRANT SELECT ON outbox TO {role}')
        async with pool.acquire() as conn:
            await conn.execute(f"SET ROLE {role}")
            try:
                with pytest.raises(DatabaseNotWritable, match="may not write"):
                    await PostgresHealth(SingleConnection(conn)).probe_write(min_free_bytes=1)  # type: ignore[arg-type]
            finally:
                await conn.execute("RESET ROLE")
    finally:
        await pool.execute(f'REVOKE ALL ON outbox FROM {role}; REVOKE ALL ON SCHEMA "{schema}" FROM {role}')
        await pool.execute(f"DROP ROLE {role}")


class SingleConnection:
    """A pool of one connection already acquired (its role set for the test)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    def acquire(self) -> Any:
        conn = self.conn

        class Held:
            async def __aenter__(self) -> asyncpg.Connection:
                return conn

            async def __aexit__(self, *exc: object) -> None:
                return None

        return Held()
