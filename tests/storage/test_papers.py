"""The register of written notices (migration 20): one document per request, kind and step, its hashes in the
audit log, append-only; and a database of the schema before it keeps its requests."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from approvals.service import ApprovalService
from paperwork.issued import IssuedPaper
from paperwork.kinds import PaperKind
from storage import migrations
from storage.database import Database
from storage.inline import InlineConnection
from storage.repositories import Repositories
from storage.schema_paperwork import PAPERWORK
from tests.conftest import FakeClock
from tests.factories import APPLICANT, make_draft


def paper(request_id: int, event_id: int, *, pdf: str = "b" * 64) -> IssuedPaper:
    return IssuedPaper(
        request_id=request_id,
        kind=PaperKind.ACCEPTANCE,
        event_id=event_id,
        title="受理通知书",
        issued_on=date(2026, 11, 30),
        docx_sha256="a" * 64,
        docx_size=30_000,
        pdf_sha256=pdf,
        pdf_size=40_000,
    )


async def accepted(service: ApprovalService, db: Database) -> tuple[int, int]:
    request = await service.submit(APPLICANT, make_draft())  # accepted at once (tests/conftest.py)
    async with db.reader.execute(
        "SELECT id FROM audit_events WHERE request_id = ? AND action = 'accept'", (request.id,)
    ) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return request.id, int(row[0])


async def test_a_step_records_one_document_and_its_two_hashes_however_often_it_is_recorded(
    service: ApprovalService, repos: Repositories, clock: FakeClock, db: Database
) -> None:
    request_id, event_id = await accepted(service, db)
    first = await repos.papers.record(paper(request_id, event_id), clock.now())
    again = await repos.papers.record(paper(request_id, event_id, pdf="c" * 64), clock.now())  # a second render
    assert again == first and first.pdf_sha256 == "b" * 64  # the first stays the one issued
    assert await repos.papers.of(request_id) == [first]
    assert await repos.papers.get(request_id, PaperKind.ACCEPTANCE, event_id) == first
    issued = [e for e in await repos.requests.history(request_id) if e.action == "issue_paper"]
    assert [(e.file_name, e.sha256, e.file_size) for e in issued] == [
        (f"受理通知书-{request_id}.docx", "a" * 64, 30_000),
        (f"受理通知书-{request_id}.pdf", "b" * 64, 40_000),
    ]
    async with db.reader.execute("SELECT count(*) FROM outbox WHERE kind = 'event'") as cursor:
        before = (await cursor.fetchone())[0]  # type: ignore[index]
    await repos.papers.record(paper(request_id, event_id), clock.now())
    async with db.reader.execute("SELECT count(*) FROM outbox WHERE kind = 'event'") as cursor:
        assert (await cursor.fetchone())[0] == before  # type: ignore[index]  # no one is told of a filing


async def test_issued_documents_are_append_only(
    service: ApprovalService, repos: Repositories, clock: FakeClock, db: Database
) -> None:
    request_id, event_id = await accepted(service, db)
    await repos.papers.record(paper(request_id, event_id), clock.now())
    for statement in ("UPDATE papers SET pdf_sha256 = ?", "DELETE FROM papers WHERE pdf_sha256 != ?"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            async with db.transaction() as conn:
                await conn.execute(statement, ("d" * 64,))
    assert len(await repos.papers.of(request_id)) == 1


async def test_the_migration_from_the_schema_before_keeps_requests_and_adds_the_register(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = InlineConnection(sqlite3.connect(path, isolation_level=None))
    real = migrations.MIGRATIONS
    before = real.index(PAPERWORK[0])  # step 20: the schema a bureau's file has before it is 19
    assert before == 19
    migrations.MIGRATIONS = real[:before]
    try:
        await migrations.migrate(conn)
    finally:
        migrations.MIGRATIONS = real
    conn.raw.execute(
        "INSERT INTO requests (applicant_id, project_name, organisation, contact_name, phone, category, "
        "document_type, investment, location, description, lane, status, version, submitted_at, updated_at, "
        "accepted_on, promised_due, statutory_due) VALUES (101, 'p', 'o', 'c', '1', 'other', 'report', '1', 'l', "
        "'d', 2, 'approved', 1, '2026-11-30T02:00:00.000000Z', '2026-11-30T02:00:00.000000Z', '2026-11-30', "
        "'2027-01-12', '2027-02-12')"
    )
    conn.raw.close()
    db = await Database.open(path)
    try:
        repos = Repositories.over(db)
        [kept] = await repos.requests.all_requests()
        assert (kept.project_name, kept.status.value) == ("p", "approved")
        assert await repos.papers.of(kept.id) == []  # nothing issued for what happened before
        async with db.reader.execute("PRAGMA user_version") as cursor:
            assert (await cursor.fetchone())[0] == len(real)  # type: ignore[index]
    finally:
        await db.close()


async def test_a_backup_names_a_written_notice_missing_from_the_archive(
    service: ApprovalService, repos: Repositories, clock: FakeClock, tmp_path: Path, db: Database
) -> None:
    from operations.backup import take_backup

    request_id, event_id = await accepted(service, db)
    await repos.papers.record(paper(request_id, event_id), clock.now())
    files = tmp_path / "files"
    files.mkdir()
    report = await asyncio.to_thread(take_backup, db.path, files, tmp_path / "backup.tar")
    assert report.missing == ["aa/" + "a" * 62, "bb/" + "b" * 62]  # its DOCX and PDF, recorded but not kept
