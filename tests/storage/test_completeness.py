"""Receipt and the completeness check through the real service and SQLite: the road, the job, the migration, and
a seeded random walk of every party's actions checking the law's invariants."""

import contextlib
import random
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from approvals.errors import DomainError, NotYetAccepted, PeriodOver
from approvals.models import Attachment, DocumentType, Status
from approvals.notices import NoticeKind
from approvals.public_comments import InputKind
from approvals.service import ApprovalService
from approvals.states import ACCEPTANCES, DECISIONS, WAITS_ON
from storage import migrations
from storage.database import Database
from storage.inline import InlineConnection
from tests.conftest import SHANGHAI, FakeClock
from tests.factories import APPLICANT, REVIEWER, make_draft

PDF = Attachment(file_id="AgAD-1", name="eia.pdf", size=2048, mime="application/pdf")
MORE = Attachment(file_id="AgAD-2", name="noise.pdf", size=2048, mime="application/pdf")


async def test_received_listed_supplied_listed_again_and_accepted(receiving: ApprovalService, clock: FakeClock) -> None:
    clock.set_local(2026, 9, 30)
    request = await receiving.submit(APPLICANT, make_draft(attachments=(PDF,)))
    assert (request.status, request.received_on) == (Status.RECEIVED, date(2026, 9, 30))
    with pytest.raises(NotYetAccepted):
        await receiving.approve(REVIEWER, request.id)
    listed = await receiving.list_missing(REVIEWER, request.id, "1. 公众参与说明")
    assert (listed.status, listed.listed_on, listed.listed_documents) == (Status.INCOMPLETE, date(2026, 9, 30), 1)
    clock.set_local(2026, 10, 9)
    back = await receiving.supply(APPLICANT, request.id, "已补充", [MORE])
    assert (back.status, back.received_on) == (Status.RECEIVED, date(2026, 10, 9))
    again = await receiving.list_missing(REVIEWER, request.id, "2. 噪声监测")  # the documents changed since
    await receiving.supply(APPLICANT, again.id, "只有说明")  # text only: still a new receipt, checked again
    third = await receiving.list_missing(REVIEWER, request.id, "2. 噪声监测（仍缺）")
    assert (third.status, third.listed_on, third.listed_documents) == (Status.INCOMPLETE, date(2026, 10, 9), 2)
    with pytest.raises(NotYetAccepted):  # one list per receipt: the next only after the applicant supplies
        await receiving.list_missing(REVIEWER, request.id, "3. 再来一次")
    await receiving.supply(APPLICANT, request.id, "只有说明")
    clock.set_local(2026, 10, 10)  # the make-up Saturday
    accepted = await receiving.accept(REVIEWER, request.id)
    assert (accepted.status, accepted.accepted_on, accepted.promised_due) == (
        Status.SUBMITTED,
        date(2026, 10, 10),
        date(2026, 10, 23),
    )
    actions = [e.action for e in await receiving.requests.history(request.id)]
    assert actions == ["submit", "list_missing", "supply", "list_missing", "supply", "list_missing", "supply", "accept"]


async def test_the_job_deems_acceptance_once_and_returns_late_submissions(
    receiving: ApprovalService, clock: FakeClock
) -> None:
    clock.set_local(2026, 9, 30)
    quiet = await receiving.submit(APPLICANT, make_draft(project_name="无人审查"))
    listed = await receiving.submit(APPLICANT, make_draft(project_name="未补正"))
    await receiving.list_missing(REVIEWER, listed.id, "1. 申请书")
    filing = await receiving.submit(APPLICANT, make_draft(project_name="登记", document_type=DocumentType.REGISTRATION))
    assert filing.status is Status.SUBMITTED  # a filing is accepted on receipt
    clock.set_local(2026, 10, 13)  # the check's last day: nothing yet
    assert await receiving.take_overdue_step(quiet.id) is None
    clock.set_local(2026, 10, 14)
    deemed = await receiving.take_overdue_step(quiet.id)
    assert deemed is not None and (deemed.status, deemed.accepted_on) == (Status.SUBMITTED, date(2026, 9, 30))
    assert await receiving.take_overdue_step(quiet.id) is None  # once: a second run (or process) changes nothing
    assert await receiving.take_overdue_step(listed.id) is None  # its material is due on Oct 27
    history = await receiving.requests.history(quiet.id)
    assert [(e.action, e.actor_id) for e in history] == [("submit", 101), ("deem_accept", 0)]


async def test_a_late_supply_is_refused_and_the_job_returns_the_submission(
    receiving: ApprovalService, clock: FakeClock
) -> None:
    clock.set_local(2026, 9, 29)
    request = await receiving.submit(APPLICANT, make_draft())
    await receiving.list_missing(REVIEWER, request.id, "1. 申请书")
    clock.set_local(2026, 10, 26)  # the 15th working day
    assert await receiving.take_overdue_step(request.id) is None
    clock.set_local(2026, 10, 27)
    with pytest.raises(PeriodOver):
        await receiving.supply(APPLICANT, request.id, "迟到", [MORE])
    returned = await receiving.take_overdue_step(request.id)
    assert returned is not None and returned.status is Status.RETURNED and returned.is_final
    assert await receiving.take_overdue_step(request.id) is None
    assert (await receiving.requests.get(request.id)).attachments == ()  # nothing deleted, nothing added


async def test_the_receipt_migration_keeps_requests_accepted_and_their_references(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = InlineConnection(sqlite3.connect(path, isolation_level=None))
    conn.raw.execute("PRAGMA foreign_keys=ON")
    real = migrations.MIGRATIONS
    migrations.MIGRATIONS = real[:12]  # the schema a bureau's file has before this release
    try:
        await migrations.migrate(conn)
    finally:
        migrations.MIGRATIONS = real
    conn.raw.execute(
        "INSERT INTO requests (applicant_id, project_name, organisation, contact_name, phone, category, "
        "document_type, investment, location, description, lane, status, version, submitted_at, updated_at, "
        "accepted_on, promised_due, statutory_due) VALUES (101, 'p', 'o', 'c', '1', 'other', 'report_form', '1', "
        "'l', 'd', 2, 'submitted', 1, '2026-11-30T02:00:00.000000Z', '2026-11-30T02:00:00.000000Z', '2026-11-30', "
        "'2027-01-12', '2027-01-12')"
    )
    conn.raw.execute("INSERT INTO attachments (request_id, file_id, name, size, mime) VALUES (1, 'f', 'a.pdf', 1, 'x')")
    conn.raw.execute(
        "INSERT INTO audit_events (request_id, actor_id, at, action, to_status) "
        "VALUES (1, 101, '2026-11-30T02:00:00.000000Z', 'submit', 'submitted')"
    )
    conn.raw.close()
    db = await Database.open(path)
    try:
        from storage.repositories import Repositories

        repos = Repositories.over(db)
        request = await repos.requests.get(1)
        assert request is not None
        assert (request.status, request.received_on, request.accepted_on) == (
            Status.SUBMITTED,
            date(2026, 11, 30),
            date(2026, 11, 30),
        )
        assert len(request.attachments) == 1 and len(await repos.requests.history(1)) == 1
        assert await repos.requests.count_open() == 1  # the counts kept by triggers survive the rebuild
        assert [r.id for r in await repos.requests.queue(risk_cutoff=date(2026, 12, 3), limit=5)] == [1]
        async with db.reader.execute("PRAGMA foreign_key_check") as cursor:
            assert await cursor.fetchall() == []
        async with db.reader.execute("PRAGMA foreign_keys") as cursor:
            assert (await cursor.fetchone())[0] == 1
    finally:
        await db.close()


async def close_hearings(service: ApprovalService, request_id: int) -> None:
    for hearing in await service.public_inputs(REVIEWER, request_id):
        await service.close_hearing(REVIEWER, request_id, hearing.id, "听证已举行")


@pytest.mark.parametrize("seed", range(6))
async def test_random_walks_keep_the_laws_invariants(receiving: ApprovalService, clock: FakeClock, seed: int) -> None:
    """Every party acting in random order, days passing: no decision before acceptance, no approval before its
    notice of the intended decision has run or while a hearing request was open, the audit log replays to the
    current status, and every request ends decided, returned or withdrawn, or waits on a named party."""
    rng = random.Random(seed)
    clock.set_local(2026, 9, 21)
    ids = [
        (await receiving.submit(APPLICANT, make_draft(project_name=f"项目{n}", attachments=(PDF,)))).id
        for n in range(4)
    ]
    steps = [
        lambda i: receiving.accept(REVIEWER, i),
        lambda i: receiving.list_missing(REVIEWER, i, "1. 申请书"),
        lambda i: receiving.supply(APPLICANT, i, "补", [MORE.model_copy(update={"file_id": f"x{rng.random()}"})]),
        lambda i: receiving.supply(APPLICANT, i, "只有说明"),
        lambda i: receiving.approve(REVIEWER, i),
        lambda i: receiving.reject(REVIEWER, i, "不符合"),
        lambda i: receiving.claim(REVIEWER, i),
        lambda i: receiving.request_info(REVIEWER, i, "补充"),
        lambda i: receiving.resubmit(APPLICANT, i, "已补"),
        lambda i: receiving.withdraw(APPLICANT, i),
        lambda i: receiving.take_overdue_step(i),
        lambda i: receiving.propose_approval(REVIEWER, i),
        lambda i: receiving.end_notices(),
        lambda i: receiving.add_public_input(i, InputKind.HEARING, name="李四", contact="a@b.cn", text="申请听证"),
        lambda i: close_hearings(receiving, i),
    ]
    for _ in range(60):
        if rng.random() < 0.3:
            clock.advance(days=rng.randrange(1, 6))
        with contextlib.suppress(DomainError):  # refused: the invariants below must hold all the same
            await rng.choice(steps)(rng.choice(ids))
    for request_id in ids:
        request = await receiving.requests.get(request_id)
        history = await receiving.requests.history(request_id)
        status = None
        accepted = False
        for event in history:
            assert event.from_status == status  # each step starts where the last one left the request
            status = event.to_status
            accepted = accepted or event.action in {a.value for a in ACCEPTANCES}
            if event.action in {a.value for a in DECISIONS}:
                assert accepted, f"decision before acceptance on #{request_id}"
            if event.action == "approve":
                day = event.at.astimezone(SHANGHAI).date()
                notices = [n for n in await receiving.notices_of(REVIEWER, request_id) if n.opened_at < event.at]
                assert notices and notices[-1].kind is NoticeKind.INTENDED_DECISION and notices[-1].ends_on < day
                for hearing in await receiving.public_inputs(REVIEWER, request_id):
                    assert hearing.at > event.at or (hearing.closed_at is not None and hearing.closed_at < event.at)
        assert request is not None and status is request.status
        assert request.is_final or request.status in WAITS_ON
