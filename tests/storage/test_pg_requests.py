"""The PostgreSQL approval store beyond the contract (tests/storage/contract/): every read it makes is served by an
index in a prepared statement's generic plan, and the other stores' writes ride in a step's transaction or refuse
it. Runs with TEST_DATABASE_URL (the terminal summary says when it was left out)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import asyncpg
import pytest

from approvals.models import Lane, Status
from approvals.notices import Notice, NoticeKind
from approvals.numbering import parse_number_format
from approvals.ports import NumberIssue
from approvals.quota import Move, QuotaMove, QuotaShortfall
from approvals.quota_claim import QuotaClaim
from storage.postgres.numbers import PostgresApprovalNumbers
from storage.postgres.pool import open_pool
from storage.postgres.requests import PostgresApprovalStore, StepWriters
from tests.storage.contract.kit import AT, draft_request, step, submitted

ISSUED = parse_number_format("{prefix}〔{year}〕{seq}号", "区环审")
assert ISSUED is not None


@pytest.fixture
async def pool(pg_schema: tuple[str, str]) -> AsyncIterator[asyncpg.Pool]:
    url, schema = pg_schema
    opened = await open_pool(url, schema=schema, min_size=1, max_size=4)
    try:
        yield opened
    finally:
        await opened.close()


def literal(value: Any) -> str:
    """A parameter written into EXPLAIN EXECUTE (which takes no bind parameters of its own)."""
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "'{" + ",".join('"' + str(v).replace('"', '\\"') + '"' for v in value) + "}'"
    return "'" + str(value).replace("'", "''") + "'"


async def generic_plan(conn: asyncpg.Connection, sql: str, args: Sequence[Any]) -> str:
    """How PostgreSQL runs ``sql`` once a prepared statement is planned for any parameters, with reading the whole
    table, a bitmap (unordered) and a sort priced out: on a test's few rows they are cheapest, so what is left
    shows whether an index can serve the query, in its order, at any size."""
    async with conn.transaction():
        for setting in ("plan_cache_mode = force_generic_plan", "enable_seqscan = off", "enable_bitmapscan = off"):
            await conn.execute(f"SET LOCAL {setting}")
        await conn.execute("SET LOCAL enable_sort = off")
        await conn.execute(f"PREPARE probe AS {sql}")
        try:
            call = f"EXPLAIN EXECUTE probe({', '.join(literal(a) for a in args)})" if args else "EXPLAIN EXECUTE probe"
            return "\n".join(row[0] for row in await conn.fetch(call))
        finally:
            await conn.execute("DEALLOCATE probe")


async def test_every_read_walks_an_index_in_a_generic_plan(pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch) -> None:
    store = PostgresApprovalStore(pool)
    rng = random.Random(3)
    for n in range(40):
        request = draft_request(
            project_name=f"城东项目{n}",
            status=rng.choice(list(Status)),
            lane=rng.choice(list(Lane)),
            applicant=rng.randrange(1, 5),
            claimed_by=201,
        )
        await store.add(request, submitted(request))
    await pool.execute("INSERT INTO people (user_id, name) VALUES (3, 'Alice Wang')")
    await pool.execute("ANALYZE")
    statements: list[tuple[str, Sequence[Any]]] = []
    for method in ("fetch", "fetchval", "fetchrow"):  # every read the store makes, on whichever connection
        real = getattr(asyncpg.Connection, method)

        async def recording(self: asyncpg.Connection, sql: str, *args: Any, _real: Any = real, **kw: Any) -> Any:
            statements.append((sql, args))
            return await _real(self, sql, *args, **kw)

        monkeypatch.setattr(asyncpg.Connection, method, recording)
    await store.find(text="城东", status=None, limit=10)
    await store.find(text="alice", status=Status.IN_REVIEW, limit=10)
    cutoff = date(2026, 12, 4)
    await store.queue(risk_cutoff=cutoff, limit=3, offset=30)
    await store.queue(risk_cutoff=cutoff, limit=3, offset=30, unclaimed_only=True, exclude_applicant=2)
    await store.count_open()
    await store.claimed_by(201)
    await store.undecided_of(2)
    await store.by_applicant(2, limit=5)
    await store.with_status([Status.NEEDS_INFO, Status.EXCLUDED], limit=5)
    await store.open_clock_stops(limit=5)
    await store.open_clock_stop(1)
    await store.last_events([1, 2, 3], ["submit"])
    await store.history(2)
    monkeypatch.undo()
    reads = [(sql, args) for sql, args in statements if sql.lstrip().upper().startswith("SELECT")]
    assert len(reads) >= 25
    async with pool.acquire() as conn:
        for sql, args in reads:
            plan = await generic_plan(conn, sql, args)
            assert "Seq Scan" not in plan, (sql, plan)
            if "ANY(" not in sql and "count(" not in sql and "max(" not in sql:
                assert "Sort" not in plan, (sql, plan)  # the index gives the order: no sort of all that matched


def announcement(request_id: int) -> Notice:
    return Notice(
        request_id=request_id,
        kind=NoticeKind.DECISION,
        opened_at=AT,
        opens_on=date(2026, 11, 30),
        ends_on=date(2026, 12, 4),
        project_name="城东污水处理厂扩建",
        organisation="区水务集团",
        location="城东街道",
        summary="日处理能力由2万吨扩至4万吨",
        outcome=Status.APPROVED,
    )


async def test_a_step_needing_a_writer_the_store_lacks_is_refused_before_anything_is_written(
    pool: asyncpg.Pool,
) -> None:
    store = PostgresApprovalStore(pool)
    request = await store.add(draft_request(), submitted(draft_request()))
    approved, approve = step(request, "approve", Status.APPROVED)
    reserve = QuotaMove(Move.RESERVE, {"COD": Decimal("1.5")})
    for extra in ({"notices": [announcement(request.id)]}, {"quota": reserve}):
        with pytest.raises(NotImplementedError):
            await store.apply(approved, expected_version=1, event=approve, **extra)  # type: ignore[arg-type]
    assert await store.get(request.id) == request
    assert len(await store.history(request.id)) == 1


async def test_other_stores_writes_ride_in_the_steps_transaction_after_its_number(pool: asyncpg.Pool) -> None:
    written: list[tuple[str, Any]] = []

    async def notices(conn: asyncpg.Connection, items: Any, approval_number: str | None) -> None:
        assert conn.is_in_transaction()
        written.append(("notices", (len(items), approval_number)))

    async def move(
        conn: asyncpg.Connection, request_id: int, quota: QuotaMove, *, by: tuple[int, str], at: datetime, reason: str
    ) -> None:
        assert conn.is_in_transaction()
        written.append(("move", (request_id, quota.move, by, reason)))
        if quota.move is Move.RESERVE:
            raise QuotaShortfall(request_id, {"COD": Decimal("0.5")})

    store = PostgresApprovalStore(pool, StepWriters(notices=notices, move=move))
    numbers = PostgresApprovalNumbers(pool)
    request = await store.add(draft_request(), submitted(draft_request()))
    approved, approve = step(request, "approve", Status.APPROVED)
    issue = NumberIssue(2026, ISSUED.render)  # type: ignore[union-attr]
    short = QuotaMove(Move.RESERVE, {"COD": Decimal("2")})
    with pytest.raises(QuotaShortfall):
        await store.apply(approved, expected_version=1, event=approve, issue=issue, quota=short)
    assert await store.get(request.id) == request and await numbers.issued(2026) == []  # rolled back, number too
    allocate = QuotaMove(Move.ALLOCATE, {"COD": Decimal("2")})
    done = await store.apply(
        approved,
        expected_version=1,
        event=approve,
        issue=issue,
        quota=allocate,
        notices=[announcement(request.id)],
    )
    assert done is not None and done.approval_number == "区环审〔2026〕1号"
    assert written == [
        ("move", (request.id, Move.RESERVE, (201, ""), "approve")),
        ("move", (request.id, Move.ALLOCATE, (201, ""), "approve")),
        ("notices", (1, "区环审〔2026〕1号")),  # the announcement takes the number issued
    ]


async def test_a_requests_quota_claim_is_written_with_it_or_the_request_is_refused(pool: asyncpg.Pool) -> None:
    declared = draft_request(quota=QuotaClaim(discharges={"COD": Decimal("1.2")}))
    with pytest.raises(NotImplementedError):
        await PostgresApprovalStore(pool).add(declared, submitted(declared))
    assert await PostgresApprovalStore(pool).all_requests() == []
    claims: list[tuple[int, QuotaClaim]] = []

    async def claim(conn: asyncpg.Connection, request_id: int, quota: QuotaClaim) -> None:
        assert await conn.fetchval("SELECT count(*) FROM requests WHERE id = $1", request_id) == 1  # same transaction
        claims.append((request_id, quota))

    stored = await PostgresApprovalStore(pool, StepWriters(claim=claim)).add(declared, submitted(declared))
    assert claims == [(stored.id, declared.quota)]
    plain = await PostgresApprovalStore(pool).add(draft_request(), submitted(draft_request()))  # declares nothing
    assert plain.id > stored.id
