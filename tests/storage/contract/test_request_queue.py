"""The queue and /find on every backend: the store's pages follow the domain's order, and text finds what it should
(Chinese names, the applicant's name, literal % and _), bounded as the port says."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from approvals.calendar import WorkCalendar
from approvals.lanes import Queued, order_queue
from approvals.models import ApprovalRequest, Lane, Status
from storage import search
from storage.postgres import search as pg_search
from tests.storage.contract.conftest import Backend
from tests.storage.contract.kit import draft_request, submitted


async def seed(backend: Backend, count: int, rng: random.Random) -> list[ApprovalRequest]:
    stored = []
    base = datetime(2026, 11, 2, tzinfo=UTC)
    for _ in range(count):
        at = base + timedelta(minutes=rng.randrange(0, 40000))
        request = draft_request(
            applicant=rng.randrange(1, 20),
            lane=rng.choice(list(Lane)),
            status=rng.choice(list(Status)),
            submitted_at=at,
            updated_at=at,
            promised_due=date(2026, 11, 20) + timedelta(days=rng.randrange(0, 60)),
        )
        stored.append(await backend.requests.add(request, submitted(request)))
    return stored


@pytest.mark.parametrize("seed_value", [1, 2])
async def test_queue_pages_follow_the_domain_order(backend: Backend, calendar: WorkCalendar, seed_value: int) -> None:
    rng = random.Random(seed_value)
    stored = await seed(backend, 100, rng)
    cutoff = calendar.add_working_days(date(2026, 12, 1), 3)
    open_ones = [r for r in stored if r.is_open]
    expected = order_queue(
        [
            Queued(id=r.id, lane=r.lane, due=min(r.promised_due, r.statutory_due), submitted_at=r.submitted_at)
            for r in open_ones
        ],
        cutoff,
    )
    pages: list[ApprovalRequest] = []
    for offset in range(0, len(open_ones) + 7, 7):
        pages += await backend.requests.queue(risk_cutoff=cutoff, limit=7, offset=offset)
    assert [r.id for r in pages] == [q.id for q in expected]
    assert pages == [next(s for s in stored if s.id == r.id) for r in pages]  # whole requests, as stored
    unclaimed = await backend.requests.queue(risk_cutoff=cutoff, limit=500, unclaimed_only=True)
    not_claimable = {r.id for r in open_ones if r.status in (Status.IN_REVIEW, Status.RECEIVED, Status.IN_NOTICE)}
    assert [r.id for r in unclaimed] == [q.id for q in expected if q.id not in not_claimable]
    assert await backend.requests.count_open() == len(open_ones)
    someone = open_ones[len(open_ones) // 2].applicant_id
    mine = {r.id for r in open_ones if r.applicant_id == someone}
    others: list[ApprovalRequest] = []
    for offset in range(0, len(open_ones) + 7, 7):  # pages past the at-risk part skip the right number of rows
        others += await backend.requests.queue(risk_cutoff=cutoff, limit=7, offset=offset, exclude_applicant=someone)
    assert mine and [r.id for r in others] == [q.id for q in expected if q.id not in mine]


async def add(backend: Backend, status: Status = Status.SUBMITTED, applicant: int = 300, **fields: str) -> int:
    request = draft_request(
        status=status, applicant=applicant, **{"organisation": "区城投集团", "contact_name": "李工", **fields}
    )
    return (await backend.requests.add(request, submitted(request))).id


async def found(backend: Backend, text: str = "", status: Status | None = None, limit: int = 10) -> list[int]:
    items, _more = await backend.requests.find(text=text, status=status, limit=limit)
    return sorted({r.id for r in items})


async def test_text_is_found_at_the_start_of_names_at_any_age_and_inside_them_among_recent_requests(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    for module in (search, pg_search):
        monkeypatch.setattr(module, "FIND_WINDOW", 5)  # the newest five requests are searched inside names
    old = await add(
        backend, project_name="城东污水处理厂扩建", organisation="区水务集团", contact_name="王工", applicant=101
    )
    waiting = await add(backend, Status.NEEDS_INFO, project_name="物流仓库0")
    for n in range(1, 8):
        await add(backend, project_name=f"物流仓库{n}")
    percent = await add(backend, project_name="达标率100%改造")
    await add(backend, project_name="1000吨项目")
    recent = await add(backend, project_name="新建城东污水泵站", organisation="Riverside Water Co")
    await backend.people.remember(101, "Alice Wang")

    assert await found(backend, "城东") == [old, recent]  # old by its start, recent by its middle
    assert await found(backend, "污水") == [recent]  # the old one has it only in the middle: outside the window
    assert await found(backend, "区水务") == [old]  # organisation
    assert await found(backend, "王") == [old]  # contact person
    assert await found(backend, "alice") == [old]  # the applicant's name, in any case
    assert await found(backend, "ALICE w") == [old]
    assert await found(backend, "riverside") == [recent]
    assert await found(backend, "WATER") == [recent]  # inside a name, in any case
    assert await found(backend, "达标率100%") == [percent]
    assert await found(backend, "100%") == [percent]  # % is a character here, not "anything"
    assert await found(backend, "__") == []
    assert await found(backend, "城东污水泵站X") == []
    assert await found(backend, status=Status.NEEDS_INFO) == [waiting]
    assert await found(backend, status=Status.APPROVED) == []

    items, more = await backend.requests.find(text="物流", status=None, limit=3)
    assert len(items) == 3 and more
    assert [r.id for r in items] == sorted((r.id for r in items), reverse=True)  # newest first
    items, more = await backend.requests.find(text="新建", status=None, limit=3)
    assert [r.id for r in items] == [recent] and not more
