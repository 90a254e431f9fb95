"""The quota store's contract, on every backend: openings, reservations, allocations and their return through the
ledger (append-only, and the running totals always what it adds up to), a shortfall that changes nothing,
reduction projects credited once and lent only what they have left, what requests declare and hold."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from approvals import quota as q
from approvals.quota_claim import QuotaClaim, QuotaSource
from approvals.quota_service import QuotaService, QuotaStore
from approvals.quota_settings import QuotaSettings
from tests.conftest import SHANGHAI, FakeClock
from tests.factories import ADMIN, REVIEWER, make_draft
from tests.storage.contract.conftest import Backend

T = Decimal
NOW = datetime(2026, 11, 30, 2, tzinfo=UTC)
SETTINGS = QuotaSettings()


def reserve(needed: dict[str, str], reduction_id: int | None = None, move: q.Move = q.Move.RESERVE) -> q.QuotaMove:
    return q.QuotaMove(move, {p: T(a) for p, a in needed.items()}, reduction_id)


RELEASE = q.QuotaMove(q.Move.RELEASE, {})
ALLOCATE = q.QuotaMove(q.Move.ALLOCATE, {})


@pytest.fixture
def quotas(backend: Backend) -> QuotaService:
    return QuotaService(backend.quota, FakeClock(NOW), SHANGHAI, SETTINGS)


async def available(store: QuotaStore) -> dict[str, Decimal]:
    return {p: b.available for p, b in (await store.balances()).items()}


async def assert_ledger_adds_up(store: QuotaStore) -> None:
    """The running totals are what the entries add up to, what is held is what they say is held, and nothing
    reserved took the balance below zero."""
    stored = await store.balances()
    folded = q.fold(await store.entries(limit=10_000))
    assert {p: b for p, b in folded.items() if p in stored} == stored
    holds = await store.holds(limit=10_000)
    for pollutant, balance in stored.items():
        held = [(a, s) for _, p, a, s in holds if p == pollutant]
        assert balance.reserved == sum((a for a, s in held if s == "reserved"), T(0))
        assert balance.allocated == sum((a for a, s in held if s == "allocated"), T(0))


async def test_a_reservation_is_allocated_and_returned_through_the_ledger(
    backend: Backend, quotas: QuotaService
) -> None:
    request = await backend.request()
    await backend.declare(request, QuotaClaim(discharges={"COD": T("1.2"), "NOx": T("0.5")}))
    assert await backend.quota.claim_of(request) == QuotaClaim(discharges={"COD": T("1.2"), "NOx": T("0.5")})
    assert await backend.quota.claim_of(request + 1000) is None
    await quotas.set_opening(ADMIN, "cod", "12.350", "2026 opening")
    await quotas.set_opening(ADMIN, "NOx", "1.800", "")
    await backend.move(request, reserve({"COD": "1.2", "NOx": "1.0"}), at=NOW)
    assert await backend.quota.held_by(request) == {"COD": (T("1.200"), "reserved"), "NOx": (T("1.000"), "reserved")}
    assert await available(backend.quota) == {"COD": T("11.150"), "NOx": T("0.800")}
    await backend.move(request, ALLOCATE, at=NOW)
    cod = (await backend.quota.balances())["COD"]
    assert (cod.opening, cod.reserved, cod.allocated, cod.available) == (T("12.350"), 0, T("1.200"), T("11.150"))
    await assert_ledger_adds_up(backend.quota)
    await backend.move(request, RELEASE, at=NOW)  # revoked: the allocation comes back
    assert await available(backend.quota) == {"COD": T("12.350"), "NOx": T("1.800")}
    assert await backend.quota.held_by(request) == {}
    kinds = [(e.pollutant, e.kind, e.amount, e.request_id) for e in await backend.quota.entries(limit=100)]
    assert kinds == [
        ("COD", q.EntryKind.OPENING, T("12.350"), None),
        ("NOx", q.EntryKind.OPENING, T("1.800"), None),
        ("COD", q.EntryKind.RESERVE, T("1.200"), request),
        ("NOx", q.EntryKind.RESERVE, T("1.000"), request),
        ("COD", q.EntryKind.ALLOCATE, T("1.200"), request),
        ("NOx", q.EntryKind.ALLOCATE, T("1.000"), request),
        ("COD", q.EntryKind.RETURN, T("1.200"), request),
        ("NOx", q.EntryKind.RETURN, T("1.000"), request),
    ]
    first = (await backend.quota.entries(limit=1))[0]
    assert (first.actor_id, first.actor_name, first.reason, first.at) == (
        ADMIN.user_id,
        ADMIN.name,
        "2026 opening",
        NOW,
    )
    await assert_ledger_adds_up(backend.quota)


async def test_an_opening_lowered_records_the_change(backend: Backend, quotas: QuotaService) -> None:
    await quotas.set_opening(ADMIN, "SO2", "5", "")
    lowered = await quotas.set_opening(ADMIN, "SO2", "3.5", "provincial cut")
    assert (lowered.opening, lowered.available) == (T("3.500"), T("3.500"))
    assert [e.amount for e in await backend.quota.entries(limit=10)] == [T("5.000"), T("-1.500")]
    await assert_ledger_adds_up(backend.quota)


async def test_a_shortfall_names_what_is_missing_and_changes_nothing(backend: Backend, quotas: QuotaService) -> None:
    request = await backend.request()
    await quotas.set_opening(ADMIN, "COD", "1.000", "")
    before = (await backend.quota.balances(), await backend.quota.entries(limit=100))
    with pytest.raises(q.QuotaShortfall) as refused:
        await backend.move(request, reserve({"COD": "1.2", "NOx": "0.5"}), at=NOW)
    assert refused.value.missing == {"COD": T("0.200"), "NOx": T("0.500")}
    assert refused.value.request_id == request
    assert (await backend.quota.balances(), await backend.quota.entries(limit=100)) == before
    assert await backend.quota.held_by(request) == {}


async def test_a_decision_with_nothing_reserved_reserves_and_allocates_at_once(
    backend: Backend, quotas: QuotaService
) -> None:
    request = await backend.request()
    await quotas.set_opening(ADMIN, "VOCs", "2", "")
    await backend.move(request, reserve({"VOCs": "0.750"}, move=q.Move.ALLOCATE), at=NOW)
    assert await backend.quota.held_by(request) == {"VOCs": (T("0.750"), "allocated")}
    vocs = (await backend.quota.balances())["VOCs"]
    assert (vocs.reserved, vocs.allocated, vocs.available) == (0, T("0.750"), T("1.250"))
    await backend.move(request, RELEASE, at=NOW)
    assert [e.kind for e in await backend.quota.entries(limit=10)][1:] == [
        q.EntryKind.RESERVE,
        q.EntryKind.ALLOCATE,
        q.EntryKind.RETURN,
    ]
    await assert_ledger_adds_up(backend.quota)


async def test_holds_list_the_newest_request_first_and_a_release_gives_a_reservation_back(
    backend: Backend, quotas: QuotaService
) -> None:
    await quotas.set_opening(ADMIN, "SO2", "5", "")
    await quotas.set_opening(ADMIN, "COD", "5", "")
    older, newer = await backend.request(), await backend.request()
    await backend.move(older, reserve({"SO2": "2"}), at=NOW)
    await backend.move(newer, reserve({"SO2": "3", "COD": "1"}), at=NOW)
    assert await available(backend.quota) == {"SO2": T("0.000"), "COD": T("4.000")}
    assert await backend.quota.holds(limit=10) == [
        (newer, "COD", T("1.000"), "reserved"),
        (newer, "SO2", T("3.000"), "reserved"),
        (older, "SO2", T("2.000"), "reserved"),
    ]
    assert len(await backend.quota.holds(limit=2)) == 2
    await backend.move(older, RELEASE, at=NOW)  # rejected
    assert await available(backend.quota) == {"SO2": T("2.000"), "COD": T("4.000")}
    assert [e.kind for e in await backend.quota.entries(limit=100) if e.request_id == older] == [
        q.EntryKind.RESERVE,
        q.EntryKind.RELEASE,
    ]
    await assert_ledger_adds_up(backend.quota)


async def test_a_reduction_project_credits_once_confirmed_and_lends_only_what_it_has_left(
    backend: Backend, quotas: QuotaService
) -> None:
    rid = await quotas.declare_reduction(REVIEWER, "城西污水处理厂提标改造", "区水务集团", "COD 120, NH3-N 15")
    with pytest.raises(Exception, match="reduction_exists"):
        await quotas.declare_reduction(REVIEWER, "城西污水处理厂提标改造", "", "COD 1")
    taker, second = await backend.request(), await backend.request()
    with pytest.raises(q.QuotaShortfall):  # not confirmed yet: it has delivered nothing
        await backend.move(taker, reserve({"COD": "100"}, rid), at=NOW)
    assert await backend.quota.available(["COD"], rid) == {"COD": T(0)}
    assert await quotas.confirm_reduction(ADMIN, rid) is True
    assert await quotas.confirm_reduction(ADMIN, rid) is False  # once
    with pytest.raises(q.ReductionUnknown):
        await quotas.confirm_reduction(ADMIN, rid + 1000)
    assert await available(backend.quota) == {"COD": T("120.000"), "NH3-N": T("15.000")}
    await backend.move(taker, reserve({"COD": "100"}, rid), at=NOW)
    assert await backend.quota.available(["COD", "NH3-N"], rid) == {"COD": T("20.000"), "NH3-N": T("15.000")}
    with pytest.raises(q.QuotaShortfall) as refused:
        await backend.move(second, reserve({"COD": "30"}, rid), at=NOW)
    assert refused.value.missing == {"COD": T("10.000")}  # 20 left of the project's 120
    (project,) = await backend.quota.reductions()
    assert (project.id, project.name, project.organisation, project.declared_at) == (
        rid,
        "城西污水处理厂提标改造",
        "区水务集团",
        NOW,
    )
    assert (project.reductions, project.confirmed_on, project.confirmed_by) == (
        {"COD": T("120.000"), "NH3-N": T("15.000")},
        date(2026, 11, 30),
        ADMIN.user_id,
    )
    assert await quotas.reduced_this_year() == {"COD": T("120.000"), "NH3-N": T("15.000")}
    assert await backend.quota.reduced_between(date(2026, 12, 1), date(2026, 12, 31)) == {}
    credits = [e for e in await backend.quota.entries(limit=100) if e.kind is q.EntryKind.CREDIT]
    assert {(e.pollutant, e.amount, e.reduction_id, e.reason) for e in credits} == {
        ("COD", T("120.000"), rid, "confirm_reduction"),
        ("NH3-N", T("15.000"), rid, "confirm_reduction"),
    }
    await assert_ledger_adds_up(backend.quota)


async def test_the_ledger_is_append_only(backend: Backend, quotas: QuotaService) -> None:
    await quotas.set_opening(ADMIN, "VOCs", "2", "")
    for statement in ("UPDATE quota_entries SET reason = 'changed'", "DELETE FROM quota_entries"):
        with pytest.raises(Exception, match="append-only"):
            await backend.rows(statement)
    assert [(e.amount, e.reason) for e in await backend.quota.entries(limit=10)] == [(T("2.000"), "")]


async def test_undecided_requests_declaring_a_discharge_wait_for_quota_unless_exempt(
    backend: Backend, quotas: QuotaService
) -> None:
    await quotas.set_opening(ADMIN, "COD", "5", "")
    plain, exempt, second = await backend.request(), await backend.request(), await backend.request()
    await backend.declare(plain, QuotaClaim(discharges={"COD": T("1"), "SO2": T("2")}))
    await backend.declare(exempt, QuotaClaim(discharges={"COD": T("1")}, source=QuotaSource.EXEMPT, exempt_as="road"))
    await backend.declare(second, QuotaClaim(discharges={"COD": T("1")}))
    waiting = await backend.quota.waiting(limit=10)
    assert [(rid, location) for rid, location, _ in waiting] == [
        (plain, make_draft().location),
        (second, make_draft().location),
    ]
    assert waiting[0][2] == QuotaClaim(discharges={"COD": T("1.000"), "SO2": T("2.000")})
    assert await quotas.waiting() == [(plain, {"SO2": T("2.000")}), (second, {})]
