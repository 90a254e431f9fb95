"""Pollutant quotas through the real use cases on a real database: approval refused with the shortfall, reserved
in the approval's transaction (two racing for the last tonnes: one wins), allocated, given back on rejection,
withdrawal and revocation; reduction projects credit once; the ledger is append-only and adds up; migration 22."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pytest

from approvals import quota as q
from approvals.calendar import WorkCalendar
from approvals.deadlines import DeadlinePolicy
from approvals.models import Status
from approvals.quota_claim import QuotaClaim, QuotaSource
from approvals.quota_service import QuotaService
from approvals.quota_settings import QuotaSettings
from approvals.service import ApprovalService
from storage import migrations
from storage.database import Database
from storage.quota import SqliteQuotaStore
from storage.repositories import Repositories
from storage.schema_quota import QUOTA
from tests.conftest import SHANGHAI, FakeClock, accept_on_receipt, notice_run
from tests.factories import ADMIN, APPLICANT, REVIEWER, REVIEWER_2, make_draft

T = Decimal
SETTINGS = QuotaSettings(ratios=q.Ratios({"NOx": T("2.0")}, {("工业园", "COD"): T("1.5")}))


def claim(source: QuotaSource = QuotaSource.ALLOCATION, reduction_id: int | None = None, **amounts: str) -> QuotaClaim:
    return QuotaClaim(discharges={k: T(v) for k, v in amounts.items()}, source=source, reduction_id=reduction_id)


@pytest.fixture
def quoted(repos: Repositories, calendar: WorkCalendar, clock: FakeClock) -> ApprovalService:
    """Accepted at once; an approval is proposed, its notice run by ``approve`` (below), then decided."""
    return accept_on_receipt(
        ApprovalService(
            requests=repos.requests,
            key_projects=repos.key_projects,
            calendar=calendar,
            policy=DeadlinePolicy(),
            clock=clock,
            tz=SHANGHAI,
            notices=repos.notices,
            quota=repos.quota,
            quota_settings=SETTINGS,
        )
    )


@pytest.fixture
def quotas(repos: Repositories, clock: FakeClock) -> QuotaService:
    return QuotaService(repos.quota, clock, SHANGHAI, SETTINGS)


async def approve(service: ApprovalService, request_id: int) -> None:
    await notice_run(service, request_id)
    await service.approve(REVIEWER, request_id)


async def available(quotas: QuotaService) -> dict[str, Decimal]:
    return {b.pollutant: b.available for b in (await quotas.view(REVIEWER)).balances if b.available or b.opening}


async def assert_ledger_adds_up(store: SqliteQuotaStore) -> None:
    """The running totals are what the entries add up to, and what is held is what they say is held."""
    stored = await store.balances()
    folded = q.fold(await store.entries(limit=10_000))
    assert {p: b for p, b in folded.items() if p in stored} == stored
    for pollutant, balance in stored.items():
        held = [(a, s) for _, p, a, s in await store.holds(limit=10_000) if p == pollutant]
        assert balance.reserved == sum((a for a, s in held if s == "reserved"), T(0))
        assert balance.allocated == sum((a for a, s in held if s == "allocated"), T(0))


async def test_approval_is_refused_with_the_shortfall_then_reserved_allocated_and_returned(
    quoted: ApprovalService, quotas: QuotaService, repos: Repositories
) -> None:
    request = await quoted.submit(APPLICANT, make_draft(quota=claim(COD="1.2", NOx="0.5")))
    assert await repos.quota.claim_of(request.id) == claim(COD="1.2", NOx="0.5")
    await quotas.set_opening(ADMIN, "cod", "1.000", "2026 opening")
    with pytest.raises(q.QuotaShortfall) as refused:
        await quoted.propose_approval(REVIEWER, request.id)
    assert refused.value.missing == {"COD": T("0.200"), "NOx": T("1.000")}  # NOx at ratio 2.0
    assert (await repos.requests.get(request.id)).status is Status.SUBMITTED  # type: ignore[union-attr]
    await quotas.set_opening(ADMIN, "COD", "12.350", "")
    await quotas.set_opening(ADMIN, "NOx", "1.800", "provincial allocation")
    assert [(rid, missing) for rid, missing in await quotas.waiting()] == [(request.id, {})]
    proposed = await quoted.propose_approval(REVIEWER, request.id)
    assert proposed.status is Status.IN_NOTICE
    assert await available(quotas) == {"COD": T("11.150"), "NOx": T("0.800")}
    assert await quotas.waiting() == []  # it holds its quota now
    await approve(quoted, request.id)
    view = await quotas.view(REVIEWER)
    cod = next(b for b in view.balances if b.pollutant == "COD")
    assert (cod.reserved, cod.allocated, cod.available) == (T(0), T("1.200"), T("11.150"))
    await quoted.revoke(ADMIN, request.id, "批复被撤销")
    assert await available(quotas) == {"COD": T("12.350"), "NOx": T("1.800")}
    kinds = [(e.pollutant, e.kind, e.request_id) for e in await quotas.ledger(REVIEWER) if e.request_id]
    assert kinds == [
        ("COD", q.EntryKind.RESERVE, request.id),
        ("NOx", q.EntryKind.RESERVE, request.id),
        ("COD", q.EntryKind.ALLOCATE, request.id),
        ("NOx", q.EntryKind.ALLOCATE, request.id),
        ("COD", q.EntryKind.RETURN, request.id),
        ("NOx", q.EntryKind.RETURN, request.id),
    ]
    first = (await quotas.ledger(REVIEWER))[0]
    assert (first.actor_id, first.reason, first.amount) == (ADMIN.user_id, "2026 opening", T("1.000"))
    await assert_ledger_adds_up(repos.quota)


async def test_rejection_and_withdrawal_release_the_reservation(
    quoted: ApprovalService, quotas: QuotaService, repos: Repositories
) -> None:
    await quotas.set_opening(ADMIN, "SO2", "5", "")
    rejected = await quoted.submit(APPLICANT, make_draft(quota=claim(SO2="2")))
    withdrawn = await quoted.submit(APPLICANT, make_draft(project_name="水泥厂技改", quota=claim(SO2="3")))
    await quoted.propose_approval(REVIEWER, rejected.id)
    await quoted.propose_approval(REVIEWER_2, withdrawn.id)
    assert await available(quotas) == {"SO2": T("0.000")}
    await quoted.reject(REVIEWER, rejected.id, "不符合产业政策")
    assert await available(quotas) == {"SO2": T("2.000")}
    await quoted.withdraw(APPLICANT, withdrawn.id)
    assert await available(quotas) == {"SO2": T("5.000")}
    assert await repos.quota.holds(limit=10_000) == []
    await assert_ledger_adds_up(repos.quota)


async def test_exempt_and_undeclared_requests_need_no_quota(quoted: ApprovalService, repos: Repositories) -> None:
    exempt = QuotaClaim(discharges={"颗粒物": T("3")}, source=QuotaSource.EXEMPT, exempt_as="road")
    road = await quoted.submit(APPLICANT, make_draft(quota=exempt))
    plain = await quoted.submit(APPLICANT, make_draft(project_name="社区卫生站"))
    for request in (road, plain):
        assert (await quoted.propose_approval(REVIEWER, request.id)).status is Status.IN_NOTICE
    assert await repos.quota.holds(limit=10_000) == []


async def test_a_zone_ratio_applies_where_the_location_names_the_zone(
    quoted: ApprovalService, quotas: QuotaService
) -> None:
    await quotas.set_opening(ADMIN, "COD", "1.4", "")
    request = await quoted.submit(APPLICANT, make_draft(location="高新工业园B区", quota=claim(COD="1")))
    with pytest.raises(q.QuotaShortfall) as refused:
        await quoted.propose_approval(REVIEWER, request.id)
    assert refused.value.missing == {"COD": T("0.100")}


class Barrier:
    """Lets ``n`` callers through together: each waits until all have arrived."""

    def __init__(self, n: int) -> None:
        self.n, self.arrived, self.open = n, 0, asyncio.Event()

    async def wait(self) -> None:
        self.arrived += 1
        if self.arrived >= self.n:
            self.open.set()
        await asyncio.wait_for(self.open.wait(), 60)


class RacingStore(SqliteQuotaStore):
    """Both approvals read the balance (the check passes for each) before either writes."""

    def __init__(self, store: SqliteQuotaStore, barrier: Barrier) -> None:
        super().__init__(store.db)
        self.barrier = barrier

    async def available(self, pollutants: Sequence[str], reduction_id: int | None) -> dict[str, Decimal]:
        found = await super().available(pollutants, reduction_id)
        await self.barrier.wait()
        return found


async def test_two_approvals_racing_for_the_last_tonnes_cannot_both_pass(
    quoted: ApprovalService, quotas: QuotaService, repos: Repositories
) -> None:
    await quotas.set_opening(ADMIN, "NH3-N", "1.000", "")
    first = await quoted.submit(APPLICANT, make_draft(quota=claim(**{"NH3-N": "0.600"})))
    second = await quoted.submit(APPLICANT, make_draft(project_name="食品厂", quota=claim(**{"NH3-N": "0.600"})))
    quoted.quota = RacingStore(repos.quota, Barrier(2))
    outcomes = await asyncio.gather(
        quoted.propose_approval(REVIEWER, first.id),
        quoted.propose_approval(REVIEWER_2, second.id),
        return_exceptions=True,
    )
    refused = [o for o in outcomes if isinstance(o, q.QuotaShortfall)]
    passed = [o for o in outcomes if not isinstance(o, BaseException)]
    assert len(refused) == 1 and len(passed) == 1, outcomes
    assert refused[0].missing == {"NH3-N": T("0.200")}
    loser = refused[0].request_id
    assert (await repos.requests.get(loser)).status is Status.SUBMITTED  # type: ignore[union-attr]
    assert [e.action for e in await repos.requests.history(loser)] == ["submit", "accept"]  # nothing written
    assert await available(quotas) == {"NH3-N": T("0.400")}
    await assert_ledger_adds_up(repos.quota)


async def test_a_reduction_project_credits_once_confirmed_and_covers_only_what_it_has_left(
    quoted: ApprovalService, quotas: QuotaService, repos: Repositories
) -> None:
    rid = await quotas.declare_reduction(REVIEWER, "城西污水处理厂提标改造", "区水务集团", "COD 120, NH3-N 15")
    with pytest.raises(Exception, match="reduction_exists"):
        await quotas.declare_reduction(REVIEWER, "城西污水处理厂提标改造", "", "COD 1")
    taker = await quoted.submit(APPLICANT, make_draft(quota=claim(QuotaSource.REDUCTION, rid, COD="100")))
    with pytest.raises(q.QuotaShortfall):  # not confirmed yet: it has delivered nothing
        await quoted.propose_approval(REVIEWER, taker.id)
    assert await quotas.confirm_reduction(ADMIN, rid) is True
    assert await quotas.confirm_reduction(ADMIN, rid) is False  # once
    assert await available(quotas) == {"COD": T("120.000"), "NH3-N": T("15.000")}
    await quoted.propose_approval(REVIEWER, taker.id)
    second = await quoted.submit(
        APPLICANT, make_draft(project_name="印染厂", quota=claim(QuotaSource.REDUCTION, rid, COD="30"))
    )
    with pytest.raises(q.QuotaShortfall) as refused:
        await quoted.propose_approval(REVIEWER, second.id)
    assert refused.value.missing == {"COD": T("10.000")}  # 20 left of the project's 120
    assert await quotas.reduced_this_year() == {"COD": T("120.000"), "NH3-N": T("15.000")}
    await assert_ledger_adds_up(repos.quota)


async def test_the_ledger_is_append_only(quotas: QuotaService, db: Database) -> None:
    await quotas.set_opening(ADMIN, "VOCs", "2", "")
    for statement in ("UPDATE quota_entries SET kg = 1", "DELETE FROM quota_entries"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            async with db.transaction() as conn:
                await conn.execute(statement)


async def test_the_migration_keeps_every_request_and_old_ones_need_no_quota(
    tmp_path: Path, calendar: WorkCalendar, clock: FakeClock
) -> None:
    """A database of the schema before this step, with requests in it: kept; approving them needs no quota."""
    path = tmp_path / "old.db"
    before = migrations.MIGRATIONS.index(QUOTA[0])
    old = migrations.MIGRATIONS
    migrations.MIGRATIONS = old[:before]  # the program as it was: requests stored by it
    try:
        db = await Database.open(path)
        repos = Repositories.over(db)
        plain = ApprovalService(
            repos.requests, repos.key_projects, calendar, DeadlinePolicy(), clock, SHANGHAI, notices=repos.notices
        )
        kept = await accept_on_receipt(plain).submit(APPLICANT, make_draft())
        await db.close()
    finally:
        migrations.MIGRATIONS = old
    db = await Database.open(path)
    try:
        repos = Repositories.over(db)
        service = ApprovalService(
            repos.requests,
            repos.key_projects,
            calendar,
            DeadlinePolicy(),
            clock,
            SHANGHAI,
            notices=repos.notices,
            quota=repos.quota,
        )
        assert (await repos.requests.get(kept.id)).status is Status.SUBMITTED  # type: ignore[union-attr]
        assert await repos.quota.claim_of(kept.id) is None and await repos.quota.balances() == {}
        assert (await service.propose_approval(REVIEWER, kept.id)).status is Status.IN_NOTICE
    finally:
        await db.close()
