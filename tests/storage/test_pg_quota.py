"""PostgreSQL's quota across instances, step by step: a reservation waits for a rival's uncommitted one on the same
pollutant, then sees what that left (nothing taken twice), or all of it again if the rival rolled back; the
balance rows are taken in one order whatever order the request names them in. Runs with TEST_DATABASE_URL; the
rest of the contract, on both backends, is tests/storage/contract/test_quota*.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import asyncpg
import pytest

from approvals import quota as q
from approvals.models import ApprovalRequest, AuditEvent, Lane
from storage.postgres.pool import open_pool
from storage.postgres.quota import apply_move
from storage.postgres.quota_store import PostgresQuotaStore
from storage.postgres.requests import PostgresApprovalStore
from tests.factories import make_draft
from tests.servers import eventually

NOW = datetime(2026, 11, 30, 2, tzinfo=UTC)
T = Decimal


@pytest.fixture
async def pools(pg_schema: tuple[str, str]) -> AsyncIterator[tuple[asyncpg.Pool, asyncpg.Pool]]:
    """Two instances' pools on one schema, with 1.000 t of NH3-N and 100 t of COD to share."""
    url, schema = pg_schema
    first = await open_pool(url, schema=schema)
    second = await open_pool(url, schema=schema)
    try:
        store = PostgresApprovalStore(first)
        assert [(await store.add(*submitted())).id for _ in range(2)] == [1, 2]  # the requests reserving below
        await PostgresQuotaStore(first).record(
            [
                q.LedgerEntry("NH3-N", q.EntryKind.OPENING, T("1.000"), 9001, NOW),
                q.LedgerEntry("COD", q.EntryKind.OPENING, T("100"), 9001, NOW),
            ]
        )
        yield first, second
    finally:
        await second.close()
        await first.close()


def submitted() -> tuple[ApprovalRequest, AuditEvent]:
    request = ApprovalRequest(
        **make_draft().model_dump(),
        id=0,
        applicant_id=101,
        lane=Lane.GREEN,
        submitted_at=NOW,
        updated_at=NOW,
        accepted_on=NOW.date(),
        promised_due=NOW.date(),
        statutory_due=NOW.date(),
    )
    return request, AuditEvent(
        request_id=0, actor_id=101, at=NOW, action="submit", from_status=None, to_status=request.status
    )


def reserve(**amounts: str) -> q.QuotaMove:
    return q.QuotaMove(q.Move.RESERVE, {p.replace("_", "-"): T(a) for p, a in amounts.items()})


async def blocked(pool: asyncpg.Pool, pid: int) -> bool:
    return bool(await pool.fetchval("SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))", pid))


async def reserving(pool: asyncpg.Pool, request_id: int, move: q.QuotaMove) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await apply_move(conn, request_id, move, by=(201, "审批员"), at=NOW, reason="")


@pytest.mark.parametrize("rival_commits", [True, False])
async def test_a_reservation_waits_for_a_rivals_and_sees_what_it_left(
    pools: tuple[asyncpg.Pool, asyncpg.Pool], rival_commits: bool
) -> None:
    first, second = pools
    async with first.acquire() as rival:
        transaction = rival.transaction()
        await transaction.start()
        await apply_move(rival, 1, reserve(NH3_N="0.600"), by=(201, "审批员"), at=NOW, reason="")
        mine = asyncio.create_task(reserving(second, 2, reserve(COD="1", NH3_N="0.600")))
        await eventually(lambda: blocked(first, rival.get_server_pid()))  # it waits on the rival's row lock
        assert not mine.done()
        await (transaction.commit() if rival_commits else transaction.rollback())
    if rival_commits:
        with pytest.raises(q.QuotaShortfall) as refused:
            await asyncio.wait_for(mine, 30)
        assert refused.value.missing == {"NH3-N": T("0.200")}
    else:
        await asyncio.wait_for(mine, 30)
    store = PostgresQuotaStore(first)
    balance = (await store.balances())["NH3-N"]
    assert (balance.reserved, balance.available) == (T("0.600"), T("0.400"))
    assert {rid for rid, *_ in await store.holds(limit=10)} == ({1} if rival_commits else {2})


async def test_balance_rows_are_locked_in_one_order_whatever_order_a_request_names_them_in(
    pools: tuple[asyncpg.Pool, asyncpg.Pool],
) -> None:
    """A rival holds COD's row (as a writer does between taking it and writing); a reservation naming NH3-N first
    waits for COD before it takes NH3-N, so NH3-N stays free meanwhile (taken in the order named, it would hold
    NH3-N while waiting: with a third transaction holding NH3-N and wanting COD, a cycle)."""
    first, second = pools
    async with first.acquire() as rival:
        transaction = rival.transaction()
        await transaction.start()
        await rival.execute("SELECT 1 FROM quota_balances WHERE pollutant = 'COD' FOR UPDATE")
        mine = asyncio.create_task(reserving(second, 2, reserve(NH3_N="0.100", COD="1")))
        await eventually(lambda: blocked(first, rival.get_server_pid()))
        async with first.acquire() as third, third.transaction():
            free = await third.fetchval(
                "SELECT pollutant FROM quota_balances WHERE pollutant = 'NH3-N' FOR UPDATE NOWAIT"
            )  # raises LockNotAvailableError if the waiting reservation held it
        assert free == "NH3-N"
        await transaction.commit()
    await asyncio.wait_for(mine, 30)
    balances = await PostgresQuotaStore(first).balances()
    assert (balances["NH3-N"].reserved, balances["COD"].reserved) == (T("0.100"), T("1.000"))
