"""The quota under two instances at once, on every backend: reservations racing for the last tonnes (of the
balance, or of one reduction project) never take more than there is, whatever order they name their pollutants
in (no deadlock); a reduction project confirmed by two admins at once credits once. Random walks of openings,
reductions, reservations, allocations and releases keep the ledger adding up (tests/storage/test_quota_property.py
walks the whole procedure on SQLite)."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from approvals import quota as q
from approvals.quota_service import QuotaService
from approvals.quota_settings import QuotaSettings
from tests.conftest import SHANGHAI, FakeClock
from tests.factories import ADMIN, REVIEWER
from tests.storage.contract.conftest import Backend
from tests.storage.contract.test_quota import assert_ledger_adds_up

T = Decimal
NOW = datetime(2026, 11, 30, 2, tzinfo=UTC)
RACERS = 12


def service(backend: Backend) -> QuotaService:
    return QuotaService(backend.quota, FakeClock(NOW), SHANGHAI, QuotaSettings())


async def race(backend: Backend, other: Backend, moves: list[tuple[int, q.QuotaMove]]) -> list[object]:
    """Each move in a transaction of its own, alternately on either instance, all at once."""
    return await asyncio.wait_for(
        asyncio.gather(
            *((backend, other)[n % 2].move(rid, move, at=NOW) for n, (rid, move) in enumerate(moves)),
            return_exceptions=True,
        ),
        120,
    )


async def test_reservations_racing_for_the_last_tonnes_never_take_more_than_there_is(backend: Backend) -> None:
    await service(backend).set_opening(ADMIN, "NH3-N", "1.000", "")
    await service(backend).set_opening(ADMIN, "COD", "100", "")
    ids = [await backend.request() for _ in range(RACERS)]
    # half name their pollutants one way round, half the other: locks taken in the order named would deadlock
    wanted = ({"NH3-N": T("0.300"), "COD": T("1")}, {"COD": T("1"), "NH3-N": T("0.300")})
    async with backend.another() as other:
        outcomes = await race(
            backend, other, [(rid, q.QuotaMove(q.Move.RESERVE, wanted[n % 2])) for n, rid in enumerate(ids)]
        )
    refused = [o for o in outcomes if isinstance(o, q.QuotaShortfall)]
    assert [o for o in outcomes if o is not None and not isinstance(o, q.QuotaShortfall)] == []
    assert len(refused) == RACERS - 3  # 3 × 0.300 of 1.000
    assert {tuple(r.missing.items()) for r in refused} == {(("NH3-N", T("0.200")),)}
    balance = (await backend.quota.balances())["NH3-N"]
    assert (balance.reserved, balance.available) == (T("0.900"), T("0.100"))
    assert (await backend.quota.balances())["COD"].reserved == T("3.000")
    held = {rid for rid, *_ in await backend.quota.holds(limit=100)}
    assert held == {rid for rid, outcome in zip(ids, outcomes, strict=True) if outcome is None}
    await assert_ledger_adds_up(backend.quota)


async def test_reservations_racing_for_one_reduction_projects_last_tonnes_take_only_what_it_has(
    backend: Backend,
) -> None:
    quotas = service(backend)
    await quotas.set_opening(ADMIN, "COD", "100", "")  # the balance is not what runs short
    rid = await quotas.declare_reduction(REVIEWER, "印染园区中水回用", "", "COD 1")
    assert await quotas.confirm_reduction(ADMIN, rid)
    ids = [await backend.request() for _ in range(RACERS)]
    move = q.QuotaMove(q.Move.RESERVE, {"COD": T("0.400")}, rid)
    async with backend.another() as other:
        outcomes = await race(backend, other, [(request, move) for request in ids])
    assert outcomes.count(None) == 2, outcomes  # 2 × 0.400 of the project's 1.000
    assert all(isinstance(o, q.QuotaShortfall) for o in outcomes if o is not None)
    assert await backend.quota.available(["COD"], rid) == {"COD": T("0.200")}
    assert (await backend.quota.balances())["COD"].reserved == T("0.800")
    await assert_ledger_adds_up(backend.quota)


async def test_a_reduction_project_confirmed_by_two_instances_at_once_credits_once(backend: Backend) -> None:
    rid = await service(backend).declare_reduction(REVIEWER, "城西污水处理厂提标改造", "", "COD 120, SO2 3")
    async with backend.another() as other:
        confirmed = await asyncio.wait_for(
            asyncio.gather(*(service(b).confirm_reduction(ADMIN, rid) for b in [backend, other] * 4)), 120
        )
    assert confirmed.count(True) == 1
    assert {p: b.credits for p, b in (await backend.quota.balances()).items()} == {"COD": T("120"), "SO2": T("3")}
    assert len([e for e in await backend.quota.entries(limit=100) if e.kind is q.EntryKind.CREDIT]) == 2
    await assert_ledger_adds_up(backend.quota)


POLLUTANTS = ("COD", "NOx", "SO2")


@pytest.mark.parametrize("seed", range(4))
async def test_the_ledger_adds_up_after_every_step_of_a_random_walk(backend: Backend, seed: int) -> None:
    """As tests/storage/test_quota_property.py, over the store: after every step (refused or not) the totals are
    what the entries add up to, what is held is what they say, and a refused reservation changed nothing."""
    rng = random.Random(seed)
    quotas = service(backend)
    ids = [await backend.request() for _ in range(4)]
    held: set[int] = set()
    for n in range(30):
        kind = rng.choice(["open", "reduce", "reserve", "reserve", "allocate", "release"])
        pollutant, amount = rng.choice(POLLUTANTS), q.from_kg(rng.randint(0, 5000))
        rid = rng.choice(ids)
        before = (await backend.quota.balances(), await backend.quota.holds(limit=100))
        if kind == "open":
            await quotas.set_opening(ADMIN, pollutant, q.tonnes(amount), "walk")
        elif kind == "reduce" and amount:
            project = await quotas.declare_reduction(REVIEWER, f"减排{n}", "", f"{pollutant} {q.tonnes(amount)}")
            await quotas.confirm_reduction(ADMIN, project)
        elif kind in ("reserve", "allocate"):
            needed = {p: q.from_kg(rng.randint(1, 2000)) for p in rng.sample(POLLUTANTS, rng.randint(1, 3))}
            move = q.Move.RESERVE if kind == "reserve" else q.Move.ALLOCATE
            if kind == "reserve" and rid in held:
                continue  # the procedure reserves only for a request that holds nothing
            try:
                await backend.move(rid, q.QuotaMove(move, needed), at=NOW)
                held.add(rid)
            except q.QuotaShortfall:
                assert (await backend.quota.balances(), await backend.quota.holds(limit=100)) == before
        elif kind == "release":
            await backend.move(rid, q.QuotaMove(q.Move.RELEASE, {}), at=NOW)
            held.discard(rid)
        await assert_ledger_adds_up(backend.quota)
        for balance in (await backend.quota.balances()).values():
            assert balance.reserved >= 0 and balance.allocated >= 0
        assert {r for r, *_ in await backend.quota.holds(limit=100)} == held
