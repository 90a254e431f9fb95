"""The leadership figures over a real database: time to decision from receipt per lane over 30 and 365 days
against the promise, the share within it, this year's approvals and their investment, the reductions confirmed
this year; each read along an index, on the read-only connection."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from approvals.calendar import WorkCalendar
from approvals.leadership import leadership_figures
from approvals.models import Category, Lane
from approvals.quota_service import QuotaService
from approvals.service import ApprovalService
from storage.database import Database
from storage.leadership import DECISIONS, INVESTMENT
from storage.quota import REDUCED
from storage.repositories import Repositories
from tests.conftest import SHANGHAI, FakeClock
from tests.factories import ADMIN, APPLICANT, REVIEWER, make_draft


async def decide(service: ApprovalService, clock: FakeClock, received: date, decided: date, **draft: object) -> int:
    clock.set_local(received.year, received.month, received.day)
    request = await service.submit(APPLICANT, make_draft(**draft))
    clock.set_local(decided.year, decided.month, decided.day)
    if draft.get("project_name", "").startswith("驳回"):  # type: ignore[union-attr]
        await service.reject(REVIEWER, request.id, "不符合规划")
    else:
        await service.approve(REVIEWER, request.id)
    return request.id


async def test_time_to_decision_investment_and_reductions(
    service: ApprovalService, repos: Repositories, clock: FakeClock, calendar: WorkCalendar
) -> None:
    # green lane (infrastructure): received Mon 2026-11-02; decided 5 and 15 working days on (in the last 30 days)
    await decide(service, clock, date(2026, 11, 2), date(2026, 11, 9), investment="1200.5")
    await decide(service, clock, date(2026, 11, 2), date(2026, 11, 23), investment="300")
    # a rejection in the standard lane, in 2026 but more than 30 days before Dec 1
    await decide(service, clock, date(2026, 6, 1), date(2026, 6, 5), project_name="驳回项目", category=Category.OTHER)
    # an approval last year: in the 365 days, not in this year's count
    await decide(service, clock, date(2025, 12, 15), date(2025, 12, 19), category=Category.OTHER, investment="50")
    quotas = QuotaService(repos.quota, clock, SHANGHAI)
    rid = await quotas.declare_reduction(REVIEWER, "城西污水处理厂提标改造", "", "COD 120, SO2 3.5")
    await quotas.declare_reduction(REVIEWER, "未确认项目", "", "NOx 9")  # not confirmed: not counted
    clock.set_local(2026, 12, 1)
    await quotas.confirm_reduction(ADMIN, rid)

    f = await leadership_figures(repos.leadership, repos.quota, calendar, date(2026, 12, 1))
    green30, green365 = f.windows[30][Lane.GREEN], f.windows[365][Lane.GREEN]
    assert (green30.decided, green30.median_days, green30.within) == (2, 10.0, 2)
    assert green30 == green365 and green30.share_within == 1.0
    assert green30.median_promise == 15.0  # the green lane's promise for a 报告表 (DEFAULT_PROMISES)
    standard30, standard365 = f.windows[30][Lane.STANDARD], f.windows[365][Lane.STANDARD]
    assert standard30.decided == 0 and standard30.median_days is None and standard30.share_within is None
    assert (standard365.decided, standard365.median_days) == (2, 4.0)
    assert (f.approved_this_year, f.investment_this_year) == (2, Decimal("1500.50"))
    assert f.reduced_this_year == {"COD": Decimal(120), "SO2": Decimal("3.5"), "NOx": Decimal(0)}


async def test_the_figures_read_along_indexes(db: Database) -> None:
    plans = {"decisions": DECISIONS, "investment": INVESTMENT, "reductions": REDUCED}
    for name, sql in plans.items():
        async with db.reader.execute(f"EXPLAIN QUERY PLAN {sql}", ("2026-01-01", "2026-12-31")) as cursor:
            rows = [str(row[-1]) for row in await cursor.fetchall()]
        # every table reached through an index range (SEARCH), never read whole (SCAN)
        assert all(row.startswith(("SEARCH", "USE TEMP B-TREE")) for row in rows), (name, rows)
        assert "INDEX" in rows[0], (name, rows)
