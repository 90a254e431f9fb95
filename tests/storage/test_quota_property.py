"""The quota ledger always balances: random sequences of openings set, reduction projects confirmed, approvals
proposed (reserving, or refused with a shortfall), decided, rejected, withdrawn and revoked — through the real
service and SQLite. After every step: opening + credits − reserved − allocated = available per pollutant, the
stored totals are what the append-only entries add up to, what requests hold is what the totals say, and a
refused step changed nothing."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from hypothesis import given, note, settings
from hypothesis import strategies as st

from approvals import quota as q
from approvals.calendar import WorkCalendar
from approvals.deadlines import DeadlinePolicy
from approvals.errors import DomainError
from approvals.models import Status
from approvals.quota_claim import QuotaClaim
from approvals.quota_service import QuotaService
from approvals.quota_settings import QuotaSettings
from approvals.service import ApprovalService
from storage.database import Database
from storage.repositories import Repositories
from tests.conftest import SHANGHAI, FakeClock, accept_on_receipt, notice_run
from tests.factories import ADMIN, APPLICANT, REVIEWER, make_draft
from tests.storage.test_quota import assert_ledger_adds_up

CALENDAR = WorkCalendar.china(range(2024, 2029))
POLLUTANTS = ("COD", "NOx", "SO2")
SETTINGS = QuotaSettings(pollutants=POLLUTANTS, ratios=q.Ratios({"NOx": Decimal(2)}))
KG = st.integers(0, 5000).map(q.from_kg)
STEP = st.one_of(
    st.tuples(st.just("open"), st.sampled_from(POLLUTANTS), KG),
    st.tuples(st.just("reduce"), st.sampled_from(POLLUTANTS), KG),
    st.tuples(st.sampled_from(["propose", "approve", "reject", "withdraw", "revoke"]), st.integers(0, 3), st.none()),
)
REQUESTS = 4


async def snapshot(quotas: QuotaService) -> tuple[object, ...]:
    store = quotas.store
    return (await store.balances(), await store.holds(limit=10_000), len(await store.entries(limit=100_000)))


async def walk(plan: list[tuple[str, object, object]], folder: Path) -> None:
    clock = FakeClock(datetime(2026, 11, 30, 2, tzinfo=UTC))
    db = await Database.open(folder / "green.db")
    try:
        repos = Repositories.over(db)
        service = accept_on_receipt(
            ApprovalService(
                repos.requests,
                repos.key_projects,
                CALENDAR,
                DeadlinePolicy(),
                clock,
                SHANGHAI,
                notices=repos.notices,
                quota=repos.quota,
                quota_settings=SETTINGS,
            )
        )
        quotas = QuotaService(repos.quota, clock, SHANGHAI, SETTINGS)
        ids = []
        for n in range(REQUESTS):
            discharge = {p: Decimal(n + 1) / 2 for p in POLLUTANTS[: 1 + n % 3]}
            draft = make_draft(project_name=f"项目{n}", quota=QuotaClaim(discharges=discharge))
            ids.append((await service.submit(APPLICANT, draft)).id)
        for n, (name, a, b) in enumerate(plan):
            note(f"{n}: {name} {a} {b}")
            before = await snapshot(quotas)
            try:
                await step(service, quotas, name, a, b, ids)
            except DomainError:
                assert await snapshot(quotas) == before, f"refused {name} changed the quota"
            await assert_ledger_adds_up(repos.quota)
            for balance in (await repos.quota.balances()).values():
                assert balance.available == balance.opening + balance.credits - balance.reserved - balance.allocated
            for request_id in ids:  # a request holds quota exactly while its approval is proposed or given
                request = await repos.requests.get(request_id)
                assert request is not None
                held = bool(await repos.quota.held_by(request_id))
                assert held == (request.status in q.HOLDING_STATUSES), (request.status, held)
    finally:
        await db.close()


async def step(service: ApprovalService, quotas: QuotaService, name: str, a: object, b: object, ids: list[int]) -> None:
    if name == "open":
        await quotas.set_opening(ADMIN, str(a), q.tonnes(b), "property")  # type: ignore[arg-type]
    elif name == "reduce":
        if b:
            rid = await quotas.declare_reduction(
                REVIEWER, f"减排{len(await quotas.store.reductions())}", "", f"{a} {b}"
            )
            await quotas.confirm_reduction(ADMIN, rid)
    else:
        request_id = ids[int(a)]  # type: ignore[call-overload]
        request = await service.requests.get(request_id)
        assert request is not None
        if name == "propose":
            await service.propose_approval(REVIEWER, request_id)
        elif name == "approve":
            await notice_run(service, request_id)
            await service.approve(REVIEWER, request_id)
        elif name == "reject":
            await service.reject(REVIEWER, request_id, "不予批准")
        elif name == "withdraw":
            await service.withdraw(APPLICANT, request_id)
        elif request.status in (Status.APPROVED, Status.REJECTED):
            await service.revoke(ADMIN, request_id, "撤销")


@settings(max_examples=25, deadline=None, derandomize=True)
@given(plan=st.lists(STEP, min_size=5, max_size=25))
def test_the_ledger_always_balances_under_random_sequences(plan: list[tuple[str, object, object]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(walk(plan, Path(folder)))
