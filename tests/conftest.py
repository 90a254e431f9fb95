"""Fixtures shared by every test layer: a settable clock, a real database file, the services over it, the sandbox."""

from __future__ import annotations

import asyncio
import os
import secrets
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from redis.asyncio import Redis

from approvals.admin import AdminService
from approvals.calendar import WorkCalendar
from approvals.deadlines import DeadlinePolicy
from approvals.ledger import KeyProject, parse_ledger
from approvals.models import Actor, ApprovalRequest, RequestDraft, Role, Status
from approvals.notice_service import PROPOSABLE
from approvals.notices import NoticeKind
from approvals.service import ApprovalService
from approvals.states import Action
from approvals.validation import InvalidField
from sandbox.app import Sandbox
from storage.database import Database
from storage.notices import SqliteNoticeStore
from storage.postgres.notices import PostgresNoticeStore
from storage.repositories import Repositories
from tests import servers

SHANGHAI = ZoneInfo("Asia/Shanghai")
ADMIN_ID = 9001


@dataclass
class FakeClock:
    """Time stands still until a test moves it."""

    current: datetime

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)

    def set_local(self, year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> None:
        self.current = datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.fixture
def clock() -> FakeClock:
    # Monday 2026-11-30, 10:00 in Shanghai
    return FakeClock(datetime(2026, 11, 30, 2, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def calendar() -> WorkCalendar:
    return WorkCalendar.china(range(2024, 2029))


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "green.db")
    yield database
    await database.close()


@pytest.fixture
def repos(db: Database) -> Repositories:
    return Repositories.over(db)


ACCEPTOR = Actor(user_id=7777, name="受理员", roles=frozenset({Role.REVIEWER}))


def accept_on_receipt(service: ApprovalService) -> ApprovalService:
    """Tests of what follows acceptance (受理) start there: every submission is accepted by a colleague at once,
    through the real use case. The completeness check's own tests use the service as it is (``receiving``)."""
    submit = service.submit

    async def submit_and_accept(actor: Actor, draft: RequestDraft, **options: bool | str | None) -> ApprovalRequest:
        request = await submit(actor, draft, **options)  # type: ignore[arg-type]
        stored = await service.requests.get(request.id)  # a form submitted twice is the stored request
        if stored is not None and stored.status is Status.RECEIVED:
            request = await service.accept(ACCEPTOR, request.id)
        return request

    service.submit = submit_and_accept  # type: ignore[method-assign]
    return service


def notice_served(service: ApprovalService) -> ApprovalService:
    """Tests of decisions that are not about the public notices approve as before: an approval is first proposed,
    through the real use case, and its notice of the intended decision is taken as already run (its days moved
    before today); the card offers Approve at once. The notices' own tests are marked ``notice_first``."""
    approve, check, approval_step = service.approve, service.check, service.approval_step

    async def serve(actor: Actor, request_id: int, approval_number: str | None) -> None:
        request = await service.requests.get(request_id)
        if request is None or request.status not in (*PROPOSABLE, Status.IN_NOTICE):
            return
        if request.status is not Status.IN_NOTICE:  # (in notice already: proposed by a run that was cut off)
            if service.numbering is not None and approval_number:  # refused as the approval itself refuses it
                raise InvalidField("approval_number", "issued")
            if approval_number:
                service.clean_number(approval_number)
            await service.propose_approval(actor, request_id)
        await notice_run(service, request_id)

    async def approve_after_notice(
        actor: Actor, request_id: int, approval_number: str | None = None
    ) -> ApprovalRequest:
        await serve(actor, request_id, approval_number)
        return await approve(actor, request_id, approval_number)

    async def check_as_proposal(actor: Actor, request_id: int, action: Action) -> ApprovalRequest:
        if action is Action.APPROVE:
            request = await service.requests.get(request_id)
            if request is not None and request.status in PROPOSABLE:
                return await check(actor, request_id, Action.PROPOSE_APPROVAL)
        return await check(actor, request_id, action)

    async def approve_at_once(request: ApprovalRequest) -> Action | None:
        step = await approval_step(request)
        return Action.APPROVE if step is Action.PROPOSE_APPROVAL else step

    service.approve = approve_after_notice  # type: ignore[method-assign]
    service.check = check_as_proposal  # type: ignore[method-assign]
    service.approval_step = approve_at_once  # type: ignore[method-assign]
    return service


async def notice_run(service: ApprovalService, request_id: int) -> None:
    """Move the request's notice of the intended decision before today, as if its 5 working days had run."""
    yesterday = service.today() - timedelta(days=1)
    if isinstance(service.notices, PostgresNoticeStore):
        await service.notices.pool.execute(
            "UPDATE notices SET opens_on = least(opens_on, $1), ends_on = $1 WHERE request_id = $2 AND kind = $3",
            yesterday,
            request_id,
            NoticeKind.INTENDED_DECISION.value,
        )
        return
    assert isinstance(service.notices, SqliteNoticeStore)
    async with service.notices.db.transaction() as conn:
        await conn.execute(
            "UPDATE notices SET opens_on = min(opens_on, ?), ends_on = ? WHERE request_id = ? AND kind = ?",
            (yesterday.isoformat(), yesterday.isoformat(), request_id, NoticeKind.INTENDED_DECISION.value),
        )


@pytest.fixture
def receiving(repos: Repositories, calendar: WorkCalendar, clock: FakeClock) -> ApprovalService:
    """The service as the bot runs it: a report or report form is received first, then checked."""
    return ApprovalService(
        requests=repos.requests,
        key_projects=repos.key_projects,
        calendar=calendar,
        policy=DeadlinePolicy(),
        clock=clock,
        tz=SHANGHAI,
        notices=repos.notices,
    )


@pytest.fixture
def service(repos: Repositories, calendar: WorkCalendar, clock: FakeClock) -> ApprovalService:
    return notice_served(
        accept_on_receipt(
            ApprovalService(
                requests=repos.requests,
                key_projects=repos.key_projects,
                calendar=calendar,
                policy=DeadlinePolicy(),
                clock=clock,
                tz=SHANGHAI,
                notices=repos.notices,
            )
        )
    )


class InlineLedgerReader:
    """Reads key-project files in the test process: for files known to be small (the bot's reader is confined)."""

    async def read(self, kind: str, data: bytes) -> list[KeyProject]:
        return parse_ledger(kind, data)


@pytest.fixture
def admin(repos: Repositories, service: ApprovalService) -> AdminService:
    return AdminService(
        people=repos.people,
        key_projects=repos.key_projects,
        source=repos.summary,
        admin_ids=frozenset({ADMIN_ID}),
        ledger_reader=InlineLedgerReader(),
        approvals=service,
    )


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    """The sandbox as `make run` starts it without a token, on a free port."""
    running = Sandbox(tmp_path / "sandbox", port=0)
    await running.start()
    try:
        await sample_delivered(running)
        yield running
    finally:
        await running.stop()


async def sample_delivered(running: Sandbox, timeout: float = 180.0) -> None:
    """Wait until the sample data's messages are out — its written notices render for a while on a busy machine,
    and a test reading "the newest message" must not take one of them for its own answer."""
    database = f"file:{running.data_dir / 'green.db'}?mode=ro"

    def pending() -> int:
        with closing(sqlite3.connect(database, uri=True)) as conn:
            return int(conn.execute("SELECT count(*) FROM outbox WHERE status = 'pending'").fetchone()[0])

    async with asyncio.timeout(timeout):
        while True:
            if not pending():
                return
            await asyncio.sleep(0.2)  # another process's writes: no event to await


# --- the Redis and PostgreSQL legs ----------------------------------------------------------------------------


LEFT_OUT = pytest.StashKey[int]()
NOT_GENERATED = pytest.StashKey[int]()  # server legs of parametrised tests this run did not generate


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test asking for ``coordination_kind`` runs on the local backend, and on Redis when the run has one; one
    asking for ``backend_kind`` (the storage contract, tests/storage/contract/) on SQLite, and on PostgreSQL when
    the run has one. No skipped test: the leg is not generated, and the terminal summary says so."""
    for name, always, leg, variable in (
        ("coordination_kind", "local", "redis", servers.REDIS_ENV),
        ("backend_kind", "sqlite", "postgres", servers.DATABASE_ENV),
    ):
        if name in metafunc.fixturenames:
            present = servers.configured(variable) is not None
            metafunc.parametrize(name, [always, leg] if present else [always])
            if not present:
                metafunc.config.stash[NOT_GENERATED] = metafunc.config.stash.get(NOT_GENERATED, 0) + 1


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that need a server this run does not have are left out (deselected, not skipped); the terminal
    summary names the leg and why."""
    missing = servers.missing_fixtures()
    keep = [item for item in items if not missing & set(getattr(item, "fixturenames", ()))]
    left_out = [item for item in items if item not in keep]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = keep
    config.stash[LEFT_OUT] = len(left_out) + config.stash.get(NOT_GENERATED, 0)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    for line in servers.skipped_legs(config.stash.get(LEFT_OUT, 0)):
        terminalreporter.write_line(line, yellow=True, bold=True)


@pytest.fixture(scope="session")
def run_name() -> Iterator[str]:
    """This run's own Redis key prefix and PostgreSQL schema prefix: runs sharing a server never meet. Whatever a
    test left behind under it (a bot still writing during teardown) is removed at the end of the run."""
    name = f"gc_test_{os.getpid()}_{secrets.token_hex(4)}"
    yield name
    servers.sweep(name)


@pytest.fixture
async def redis(run_name: str) -> AsyncIterator[tuple[Redis, str]]:
    """The run's Redis and a key prefix of this test's own (removed afterwards). Only with TEST_REDIS_URL."""
    async with servers.redis_space(run_name) as space:
        yield space


@pytest.fixture
async def pg_schema(run_name: str) -> AsyncIterator[tuple[str, str]]:
    """(TEST_DATABASE_URL, a schema of this test's own under the run's name), dropped afterwards."""
    async with servers.pg_space(run_name) as space:
        yield space
