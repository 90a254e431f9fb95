"""The leadership figures' reads (``LeadershipSource``) on both backends: the scenario of
tests/storage/test_leadership.py (time to decision from receipt per lane, this year's approvals and investment)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from approvals.calendar import WorkCalendar
from approvals.leadership import DecisionTime, leadership_figures
from approvals.models import Category, Lane
from approvals.service import ApprovalService
from tests.conftest import FakeClock
from tests.factories import APPLICANT, REVIEWER, make_draft
from tests.storage.contract.conftest import Backend
from tests.storage.contract.served import served


async def decide(service: ApprovalService, clock: FakeClock, received: date, decided: date, **draft: object) -> int:
    clock.set_local(received.year, received.month, received.day)
    request = await service.submit(APPLICANT, make_draft(**draft))
    clock.set_local(decided.year, decided.month, decided.day)
    if str(draft.get("project_name", "")).startswith("驳回"):
        await service.reject(REVIEWER, request.id, "不符合规划")
    else:
        await service.approve(REVIEWER, request.id)
    return request.id


async def test_time_to_decision_and_investment(backend: Backend, calendar: WorkCalendar, clock: FakeClock) -> None:
    service = served(backend, calendar, clock)
    await decide(service, clock, date(2026, 11, 2), date(2026, 11, 9), investment="1200.5")
    await decide(service, clock, date(2026, 11, 2), date(2026, 11, 23), investment="300.25")
    await decide(service, clock, date(2026, 6, 1), date(2026, 6, 5), project_name="驳回项目", category=Category.OTHER)
    await decide(service, clock, date(2025, 12, 15), date(2025, 12, 19), category=Category.OTHER, investment="50")
    clock.set_local(2026, 12, 1)

    f = await leadership_figures(backend.leadership, backend.quota, calendar, date(2026, 12, 1))
    green30, green365 = f.windows[30][Lane.GREEN], f.windows[365][Lane.GREEN]
    assert (green30.decided, green30.median_days, green30.within) == (2, 10.0, 2)
    assert green30 == green365 and green30.share_within == 1.0
    assert green30.median_promise == 15.0
    standard30, standard365 = f.windows[30][Lane.STANDARD], f.windows[365][Lane.STANDARD]
    assert standard30.decided == 0 and standard30.median_days is None and standard30.share_within is None
    assert (standard365.decided, standard365.median_days) == (2, 4.0)
    assert (f.approved_this_year, f.investment_this_year) == (2, Decimal("1500.75"))

    source = backend.leadership
    times = await source.decision_times(date(2026, 1, 1), date(2026, 12, 1))
    assert sorted((t.lane, t.received_on, t.decided_on, t.paused_working_days) for t in times) == [
        (Lane.GREEN, date(2026, 11, 2), date(2026, 11, 9), 0),
        (Lane.GREEN, date(2026, 11, 2), date(2026, 11, 23), 0),
        (Lane.STANDARD, date(2026, 6, 1), date(2026, 6, 5), 0),
    ]
    assert all(isinstance(t, DecisionTime) and isinstance(t.promised_due, date) for t in times)
    assert await source.approved_investment(date(2025, 12, 19), date(2025, 12, 19)) == (1, Decimal(50))
    assert await source.approved_investment(date(2026, 11, 10), date(2026, 11, 23)) == (1, Decimal("300.25"))
    assert await source.approved_investment(date(2027, 1, 1), date(2027, 12, 31)) == (0, Decimal(0))
    assert await source.decision_times(date(2027, 1, 1), date(2027, 12, 31)) == []
