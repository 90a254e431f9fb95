"""Approval numbers the bureau issues: one gapless sequence per year, taken in the approval's own transaction."""

import asyncio
import os
import signal
import sqlite3
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from approvals.models import Status
from approvals.numbering import parse_number_format
from approvals.ports import NumberIssue
from approvals.service import ApprovalService
from approvals.states import Action
from approvals.validation import InvalidField
from storage import requests as request_store
from storage.database import Database
from storage.inline import InlineConnection
from storage.migrations import MIGRATIONS, migrate
from storage.repositories import Repositories
from tests.conftest import FakeClock, accept_on_receipt, notice_served
from tests.factories import ADMIN, APPLICANT, REVIEWER, REVIEWER_2, make_draft
from tests.storage.crash_writer import build_service

ROOT = Path(__file__).resolve().parents[2]
ISSUED = parse_number_format("{prefix}〔{year}〕{seq}号", "区环审")


@pytest.fixture
def issuing(service: ApprovalService) -> ApprovalService:
    return notice_served(accept_on_receipt(replace(service, numbering=ISSUED)))


async def submitted(service: ApprovalService, n: int) -> list[int]:
    return [(await service.submit(APPLICANT, make_draft(project_name=f"项目 {i}"))).id for i in range(n)]


async def register(repos: Repositories, year: int) -> list[tuple[int, str, int]]:
    return [(n.seq, n.number, n.request_id) for n in await repos.numbers.issued(year)]


async def test_an_approval_is_issued_the_next_number_on_the_request_its_event_and_the_register(
    issuing: ApprovalService, repos: Repositories
) -> None:
    first, second = await submitted(issuing, 2)
    approved = await issuing.approve(REVIEWER, first)
    assert (approved.status, approved.approval_number) == (Status.APPROVED, "区环审〔2026〕1号")
    assert (await repos.requests.get(first)).approval_number == "区环审〔2026〕1号"
    last = (await repos.requests.history(first))[-1]
    assert (last.action, last.approval_number) == ("approve", "区环审〔2026〕1号")  # what the applicant is told
    assert (await issuing.approve(REVIEWER, second)).approval_number == "区环审〔2026〕2号"
    assert await register(repos, 2026) == [(1, "区环审〔2026〕1号", first), (2, "区环审〔2026〕2号", second)]


async def test_two_approvals_racing_take_consecutive_distinct_numbers(issuing: ApprovalService) -> None:
    ids = await submitted(issuing, 12)
    done = await asyncio.gather(*(issuing.approve(REVIEWER if i % 2 else REVIEWER_2, rid) for i, rid in enumerate(ids)))
    numbers = sorted(int(r.approval_number.split("〕")[1].rstrip("号")) for r in done)  # type: ignore[union-attr]
    assert numbers == list(range(1, 13))


async def test_two_processes_approving_one_database_never_share_or_skip_a_number(
    issuing: ApprovalService, repos: Repositories, db: Database
) -> None:
    ids = await submitted(issuing, 20)
    other_db = await Database.open(db.path)  # another process's connections to the same file
    try:
        other = notice_served(
            accept_on_receipt(
                replace(
                    issuing, requests=Repositories.over(other_db).requests, notices=Repositories.over(other_db).notices
                )
            )
        )
        await asyncio.gather(*(((issuing if i % 2 else other).approve(REVIEWER, rid)) for i, rid in enumerate(ids)))
    finally:
        await other_db.close()
    issued = await register(repos, 2026)
    assert [seq for seq, _, _ in issued] == list(range(1, 21))
    assert sorted(rid for _, _, rid in issued) == ids
    for seq, number, rid in issued:
        assert (await repos.requests.get(rid)).approval_number == number == f"区环审〔2026〕{seq}号"


async def test_a_decision_rolled_back_or_beaten_to_it_takes_no_number(
    issuing: ApprovalService, repos: Repositories, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = await submitted(issuing, 2)
    real_insert = request_store.insert_event

    async def failing(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")  # after the number was taken, before COMMIT

    monkeypatch.setattr(request_store, "insert_event", failing)
    with pytest.raises(sqlite3.OperationalError):
        await issuing.approve(REVIEWER, first)
    monkeypatch.setattr(request_store, "insert_event", real_insert)
    assert (await repos.requests.get(first)).status is Status.SUBMITTED
    assert await register(repos, 2026) == []
    # a compare-and-set that loses (someone changed the request first) writes nothing and takes no number
    stale = await repos.requests.get(second)
    await issuing.claim(REVIEWER_2, second)
    issue = NumberIssue(2026, ISSUED.render)  # type: ignore[union-attr]
    step = (await repos.requests.history(second))[-1]
    assert await repos.requests.apply(stale, expected_version=stale.version, event=step, issue=issue) is None
    assert await register(repos, 2026) == []
    assert (await issuing.approve(REVIEWER, first)).approval_number == "区环审〔2026〕1号"


async def test_the_sequence_starts_again_at_1_in_the_bureaus_new_year(
    issuing: ApprovalService, repos: Repositories, clock: FakeClock
) -> None:
    ids = await submitted(issuing, 4)
    clock.set_local(2026, 12, 31, 23, 59)
    assert (await issuing.approve(REVIEWER, ids[0])).approval_number == "区环审〔2026〕1号"
    assert (await issuing.approve(REVIEWER, ids[1])).approval_number == "区环审〔2026〕2号"
    clock.set_local(2027, 1, 1, 0, 1)  # still 2026-12-31 in UTC: the year is the bureau's
    assert clock.now().year == 2026
    assert (await issuing.approve(REVIEWER, ids[2])).approval_number == "区环审〔2027〕1号"
    assert (await issuing.approve(REVIEWER, ids[3])).approval_number == "区环审〔2027〕2号"
    assert [seq for seq, _, _ in await register(repos, 2026)] == [1, 2]
    assert [seq for seq, _, _ in await register(repos, 2027)] == [1, 2]


async def test_a_revoked_approvals_number_stays_issued_and_no_number_is_typed_or_corrected(
    issuing: ApprovalService, repos: Repositories, db: Database
) -> None:
    (rid,) = await submitted(issuing, 1)
    with pytest.raises(InvalidField, match="issued"):
        await issuing.approve(REVIEWER, rid, "区环审〔2026〕99号")
    await issuing.approve(REVIEWER, rid)
    with pytest.raises(InvalidField, match="issued"):
        await issuing.correct_number(ADMIN, rid, "区环审〔2026〕7号", "笔误")
    with pytest.raises(InvalidField, match="issued"):  # /correct refuses before asking for a number
        await issuing.check(ADMIN, rid, Action.CORRECT_NUMBER)
    revoked = await issuing.revoke(ADMIN, rid, "批复依据的规划已调整")
    assert revoked.approval_number is None
    assert (await repos.requests.history(rid))[-1].approval_number == "区环审〔2026〕1号"  # the one annulled
    again = await issuing.approve(REVIEWER_2, rid)
    assert again.approval_number == "区环审〔2026〕2号"  # a new number: the annulled one is never reused
    assert await register(repos, 2026) == [(1, "区环审〔2026〕1号", rid), (2, "区环审〔2026〕2号", rid)]
    with pytest.raises(sqlite3.IntegrityError):  # the register is append-only
        db.writer.raw.execute("UPDATE approval_numbers SET number = 'x'")


async def test_the_register_refuses_a_number_issued_twice(issuing: ApprovalService, db: Database) -> None:
    (rid,) = await submitted(issuing, 1)
    insert = "INSERT INTO approval_numbers (year, seq, number, request_id, issued_at) VALUES (2026, ?, ?, ?, '')"
    async with db.transaction() as conn:
        await conn.execute(insert, (1, "区环审〔2026〕1号", rid))
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):  # a format writing two serials alike
        async with db.transaction() as conn:
            await conn.execute(insert, (2, "区环审〔2026〕1号", rid))


async def test_a_kill_between_decisions_leaves_no_gap_and_no_duplicate(tmp_path: Path) -> None:
    path = tmp_path / "numbers.db"
    service = notice_served(
        accept_on_receipt(await build_service(path, numbering=ISSUED))
    )  # the writer's own, in this process
    ids = await submitted(service, 400)
    await service.requests.db.close()
    printed: list[str] = []
    for _round in range(2):  # killed twice: the second run goes on from where the first was cut off
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.storage.number_writer",
            str(path),
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert proc.stdout is not None
        for _ in range(15):  # mid-run, at whatever point the writer is when the signal lands
            line = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode().strip()
            assert line and line != "done", "writer ran out of requests before it was killed"
            printed.append(line.split()[1])
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
        assert proc.returncode == -signal.SIGKILL

    db = await Database.open(path)
    try:
        assert await db.integrity_check() == "ok"
        repos = Repositories.over(db)
        issued = await register(repos, 2026)
        approved = [r for r in await repos.requests.all_requests() if r.status is Status.APPROVED]
        events = [e for e in await repos.requests.all_history() if e.action == "approve"]
        service = notice_served(
            accept_on_receipt(
                replace(service, requests=repos.requests, key_projects=repos.key_projects, notices=repos.notices)
            )
        )
        assert 30 <= len(issued) < len(ids)  # both runs were cut off part way
        following = await service.approve(REVIEWER, next(r for r in ids if r not in {a.id for a in approved}))
    finally:
        await db.close()
    assert [seq for seq, _, _ in issued] == list(range(1, len(issued) + 1))  # no gap
    assert len({number for _, number, _ in issued}) == len(issued)  # no duplicate
    assert set(printed) <= {number for _, number, _ in issued}  # every number reported committed is there
    assert sorted((r.id, r.approval_number) for r in approved) == sorted((rid, n) for _, n, rid in issued)
    assert sorted((e.request_id, e.approval_number) for e in events) == sorted((rid, n) for _, n, rid in issued)
    assert following.approval_number == f"区环审〔2026〕{len(issued) + 1}号"


async def test_roles_given_before_the_upgrade_are_kept_and_chief_and_director_can_be_given(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    raw = sqlite3.connect(path, isolation_level=None)
    for number, script in enumerate(MIGRATIONS[:12], start=1):  # a bureau's database at schema 12
        raw.executescript(script)
        raw.execute(f"PRAGMA user_version = {number}")
    raw.execute("INSERT INTO roles (user_id, role) VALUES (201, 'reviewer'), (9001, 'admin')")
    with pytest.raises(sqlite3.IntegrityError):
        raw.execute("INSERT INTO roles (user_id, role) VALUES (301, 'chief')")
    assert await migrate(InlineConnection(raw)) == len(MIGRATIONS)
    assert raw.execute("SELECT user_id, role FROM roles ORDER BY user_id").fetchall() == [
        (201, "reviewer"),
        (9001, "admin"),
    ]
    raw.execute("INSERT INTO roles (user_id, role) VALUES (301, 'chief'), (302, 'director')")
    with pytest.raises(sqlite3.IntegrityError):
        raw.execute("INSERT INTO roles (user_id, role) VALUES (303, 'deputy')")
    raw.close()
