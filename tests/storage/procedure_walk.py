"""The world a property test of the whole procedure walks (tests/storage/test_procedure_property.py): the real
service over a real SQLite file, every party's steps by name, and what must not change when a step is refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from approvals.calendar import WorkCalendar
from approvals.clock_service import SYSTEM
from approvals.clock_stops import StopKind
from approvals.deadlines import DeadlinePolicy
from approvals.models import Actor, Attachment, DocumentType, Role, Status
from approvals.numbering import DEFAULT_APPROVAL_NUMBER_FORMAT, parse_number_format
from approvals.public_comments import InputKind
from approvals.service import ApprovalService
from approvals.service_base import BOT
from jobs.periods import WATCHED
from storage.database import Database
from storage.repositories import Repositories
from tests.conftest import SHANGHAI, FakeClock
from tests.factories import APPLICANT, OTHER_APPLICANT, REVIEWER, REVIEWER_2, make_draft

CHIEF = Actor(user_id=301, name="钱科长", roles=frozenset({Role.APPLICANT, Role.CHIEF}))
DIRECTOR = Actor(user_id=401, name="周局长", roles=frozenset({Role.APPLICANT, Role.DIRECTOR}))
ADMIN = Actor(user_id=9001, name="管理员", roles=frozenset({Role.APPLICANT, Role.REVIEWER, Role.ADMIN}))
STAFF = (REVIEWER, REVIEWER_2, CHIEF, DIRECTOR, ADMIN)
PEOPLE = {p.user_id: p for p in (*STAFF, APPLICANT, OTHER_APPLICANT, SYSTEM)}
CHAIN = (Role.REVIEWER, Role.CHIEF, Role.DIRECTOR)
# (applicant, document type): a reviewer's own request among them, for self-review; a filing is accepted at once
REQUESTS = (
    (APPLICANT, DocumentType.REPORT_FORM),
    (APPLICANT, DocumentType.REPORT),
    (APPLICANT, DocumentType.REPORT_FORM),
    (REVIEWER_2, DocumentType.REPORT_FORM),
)
PDF = Attachment(file_id="AgAD-1", name="eia.pdf", size=2048, mime="application/pdf")
# step names, repeated by weight: the decision's road more often than the side roads
STEPS = (
    *["accept"] * 3,
    "list_missing",
    "supply",
    "claim",
    "release",
    *["propose"] * 3,
    *["approve"] * 3,
    "reject",
    "request_info",
    "resubmit",
    "withdraw",
    "add_material",
    *["stop"] * 2,
    "resume",
    *["sign"] * 3,
    "return_signature",
    "close_hearing",
    "revoke",
    "reassign",
    "comment",
    *["hearing"] * 2,
    *["jobs"] * 4,
    *["days"] * 4,
    "day",
)


@dataclass
class World:
    service: ApprovalService
    repos: Repositories
    clock: FakeClock
    ids: list[int]

    def owner(self, request_id: int) -> Actor:
        return REQUESTS[self.ids.index(request_id)][0]


@asynccontextmanager
async def world(
    folder: Path, calendar: WorkCalendar, *, chained: bool, start: tuple[int, int, int]
) -> AsyncIterator[World]:
    """Requests received on ``start`` (the service as the bot runs it: received, then checked)."""
    clock = FakeClock(datetime(2026, 1, 1, tzinfo=UTC))
    clock.set_local(*start)
    db = await Database.open(folder / "green.db")
    try:
        repos = Repositories.over(db)
        service = ApprovalService(
            requests=repos.requests,
            key_projects=repos.key_projects,
            calendar=calendar,
            policy=DeadlinePolicy(),
            clock=clock,
            tz=SHANGHAI,
            notices=repos.notices,
        )
        if chained:
            service.chain = CHAIN
            service.numbering = parse_number_format(DEFAULT_APPROVAL_NUMBER_FORMAT)
        ids = []
        for n, (who, kind) in enumerate(REQUESTS):
            draft = make_draft(project_name=f"项目{n}", document_type=kind, attachments=(PDF,))
            ids.append((await service.submit(who, draft)).id)
        yield World(service, repos, clock, ids)
    finally:
        await db.close()


async def run_jobs(w: World) -> None:
    """What the bot's scheduled jobs do (jobs/periods.py, jobs/notices.py, jobs/clock_stops.py), through the same
    service methods."""
    s = w.service
    for request in await w.repos.requests.with_status(WATCHED, limit=100):
        await s.take_overdue_step(request.id)
    await s.end_notices()
    for stop in await s.clock_stops_open():
        await s.end_stated_stop(stop.request_id)


async def pick_staff(w: World, request_id: int, who: int) -> Actor:
    """``who`` 0-4: that staff member; 5-9: whoever the step most likely wants (the role a signature awaits, or
    the holder: a proposer signing again), so walks reach decisions as well as refusals."""
    if who < len(STAFF):
        return STAFF[who]
    request = await w.repos.requests.get(request_id)
    assert request is not None
    holder = PEOPLE.get(request.claimed_by or 0)
    if request.status is Status.SIGNING and who < 8:
        awaited = w.service.chain[min(request.signing_step, len(w.service.chain) - 1)]
        return next(p for p in (CHIEF, DIRECTOR, REVIEWER) if awaited in p.roles or p is REVIEWER)
    return holder if holder in STAFF else STAFF[who % len(STAFF)]


async def take(w: World, name: str, who: int, index: int, n: int) -> Any:
    """One step: ``who`` picks the staff member (or, for the applicant's steps, a stranger now and then), ``n`` a
    number the step needs (a stop's days, a signature's step, working days passing)."""
    s, rid = w.service, w.ids[index % len(w.ids)]
    staff = await pick_staff(w, rid, who)
    applicant = w.owner(rid) if who % 5 else OTHER_APPLICANT
    match name:
        case "accept":
            return await s.accept(staff, rid)
        case "list_missing":
            return await s.list_missing(staff, rid, "1. 申请书")
        case "supply":
            more = PDF.model_copy(update={"file_id": f"more-{n}-{len(await s.requests.history(rid))}"})
            return await s.supply(applicant, rid, "补正材料", [more])
        case "claim":
            return await s.claim(staff, rid)
        case "release":
            return await s.release(staff, rid)
        case "propose":
            return await s.propose_approval(staff, rid)
        case "approve":
            return await s.approve(staff, rid)
        case "reject":
            return await s.reject(staff, rid, "不符合规划")
        case "request_info":
            return await s.request_info(staff, rid, "补充监测数据")
        case "resubmit":
            return await s.resubmit(applicant, rid, "已补")
        case "withdraw":  # now and then: a withdrawn request has no stages left to walk
            return await s.withdraw(applicant, rid) if n < 4 else None
        case "add_material":
            return await s.add_material(applicant, rid, "补充说明")
        case "stop":  # 0 days: refused as out of range
            return await s.stop_clock(staff, rid, list(StopKind)[n % 3], n)
        case "resume":
            return await s.resume_clock(staff, rid, "评估结论已出")
        case "sign":
            return await s.sign(staff, rid, step=None if n % 3 else n % 4)
        case "return_signature":
            return await s.return_signature(staff, rid, "请再核")
        case "close_hearing":
            found = [h for h in await w.repos.notices.inputs(rid) if h.kind is InputKind.HEARING]
            return await s.close_hearing(staff, rid, found[-1].id, "听证已举行") if found else None
        case "revoke":
            return await s.revoke(staff, rid, "复核")
        case "reassign":
            return await s.reassign(ADMIN, rid, staff, "交接")
        case "comment" | "hearing":
            kind = InputKind.COMMENT if name == "comment" else InputKind.HEARING
            return await s.add_public_input(rid, kind, name="李四", contact="li@example.cn", text="申请听证")
        case "jobs":
            return await run_jobs(w)
        case "days":  # working days pass (the bot's jobs run on each day as it comes, here when drawn)
            day = w.service.calendar.add_working_days(w.service.today(), n % 12 + 1)
            return w.clock.set_local(day.year, day.month, day.day)
        case "day":  # a calendar day: holidays and weekends too
            return w.clock.advance(days=1)
    raise AssertionError(name)


async def snapshot(w: World) -> list[Any]:
    """Everything a step may write, per request: refused steps must leave it equal."""
    found = []
    for rid in w.ids:
        found.append(
            (
                await w.repos.requests.get(rid),
                await w.repos.requests.history(rid),
                await w.repos.requests.clock_stops_of(rid),
                await w.repos.notices.of(rid),
                await w.repos.notices.inputs(rid),
            )
        )
    return found


SYSTEM_ACTORS = (BOT, SYSTEM)  # the bot's own steps: a period run out, a stop's stated end, a hearing requested
