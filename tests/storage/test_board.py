"""The notice board's reads and sends on a real database: open notices by date, the archive searched and paged
within its bounds and on its indexes, the feed's newest, comments through the domain (counted on the card, closed
notices refused), the EIA firm published, and migration 19 from a database of schema 18 with data in it."""

import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from approvals.board import ArchiveQuery, NoticeBoard
from approvals.calendar import WorkCalendar
from approvals.errors import NoOpenNotice
from approvals.models import DocumentType, Status
from approvals.notices import Notice, NoticeKind
from approvals.public_comments import InputKind
from approvals.service import ApprovalService
from approvals.validation import InvalidField
from storage import migrations
from storage.board import SqliteBoardReader
from storage.database import Database
from storage.inline import InlineConnection
from storage.notices import insert_notices
from storage.repositories import Repositories
from tests.conftest import FakeClock, accept_on_receipt
from tests.factories import APPLICANT, REVIEWER, make_draft


@pytest.fixture
def deciding(receiving: ApprovalService) -> ApprovalService:
    return accept_on_receipt(receiving)


@pytest.fixture
def board(db: Database, deciding: ApprovalService, calendar: WorkCalendar) -> NoticeBoard:
    return NoticeBoard(SqliteBoardReader(db), deciding, calendar)


async def many_notices(db: Database, request_id: int, days: list[date], prefix: str = "项目") -> None:
    """Notices published on ``days`` (5 working days each is not needed here: each ends the day after)."""
    notices = [
        Notice(
            request_id=request_id,
            kind=NoticeKind.ACCEPTANCE,
            opened_at=datetime(d.year, d.month, d.day, 2, tzinfo=UTC),
            opens_on=d,
            ends_on=d + timedelta(days=1),
            project_name=f"{prefix}{n:04d}{'污水' if n % 3 == 0 else '仓储'}",
            organisation="区水务集团" if n % 2 else "物流公司",
            location="城东",
            summary="概况",
        )
        for n, d in enumerate(days)
    ]
    async with db.transaction() as conn:
        await insert_notices(conn, notices, None)


async def test_open_notices_are_those_running_today_newest_first_with_the_eia_firm_published(
    board: NoticeBoard, deciding: ApprovalService, clock: FakeClock
) -> None:
    report = await deciding.submit(
        APPLICANT, make_draft(project_name="报告书项目", document_type=DocumentType.REPORT, eia_firm="绿源环评公司")
    )
    form = await deciding.submit(APPLICANT, make_draft(project_name="报告表项目"))
    await deciding.propose_approval(REVIEWER, form.id)
    today = deciding.today()
    page = await board.open_page(today, None, 0)
    assert [(n.project_name, n.kind) for n in page.items] == [
        ("报告表项目", NoticeKind.INTENDED_DECISION),
        ("报告书项目", NoticeKind.ACCEPTANCE),
    ]
    assert page.items[1].eia_firm == "绿源环评公司" and page.items[0].eia_firm is None
    only = await board.open_page(today, NoticeKind.ACCEPTANCE, 0)
    assert [n.request_id for n in only.items] == [report.id]
    # the acceptance notice (10 working days from Mon Nov 30) ends Mon Dec 14: open that day, closed after
    assert len((await board.open_page(date(2026, 12, 14), NoticeKind.ACCEPTANCE, 0)).items) == 1
    assert (await board.open_page(date(2026, 12, 15), NoticeKind.ACCEPTANCE, 0)).items == ()
    archived = await board.archive(date(2026, 12, 15), ArchiveQuery())
    assert [n.project_name for n in archived.items] == ["报告表项目", "报告书项目"]


async def test_the_archive_is_searched_by_project_organisation_and_date_and_paged_without_gaps(
    board: NoticeBoard, deciding: ApprovalService, db: Database
) -> None:
    request = await deciding.submit(APPLICANT, make_draft())
    days = [date(2025, 1, 1) + timedelta(days=n // 2) for n in range(90)]  # two a day: ties broken by id
    await many_notices(db, request.id, days)
    today = date(2026, 12, 1)
    seen: list[Notice] = []
    query = ArchiveQuery()
    while True:
        page = await board.archive(today, query)
        seen += page.items
        if page.next is None:
            break
        query = replace(query, after=page.next)
    assert len(seen) == 90 and len({n.id for n in seen}) == 90  # every notice once, across 5 pages
    keys = [(n.opens_on, n.id) for n in seen]
    assert keys == sorted(keys, reverse=True)  # newest publication first, ties by number
    water = await board.archive(today, ArchiveQuery.of(project="污水", organisation="水务"))
    assert water.items and all("污水" in n.project_name and "水务" in n.organisation for n in water.items)
    assert len(water.items) == len([n for n in range(90) if n % 3 == 0 and n % 2])  # 15: one page
    dated = await board.archive(today, ArchiveQuery.of(published_from="2025-01-03", published_to="2025-01-04"))
    assert sorted({n.opens_on for n in dated.items}) == [date(2025, 1, 3), date(2025, 1, 4)]
    assert len(dated.items) == 4 and dated.next is None
    assert (await board.archive(today, ArchiveQuery.of(project="<script>"))).items == ()


async def test_a_search_walks_a_bounded_number_of_rows_and_offers_to_go_on(
    deciding: ApprovalService, db: Database, calendar: WorkCalendar
) -> None:
    request = await deciding.submit(APPLICANT, make_draft())
    days = [date(2024, 1, 1) + timedelta(days=n) for n in range(60)]
    await many_notices(db, request.id, days)
    reader = SqliteBoardReader(db)
    rare = ArchiveQuery.of(project="0005")  # one notice, published 2024-01-06, far down the walk
    first = await reader.archive(date(2026, 12, 1), rare, limit=20, scan=25)
    assert first.items == () and first.scanned_to == days[-25] and first.next is not None
    second = await reader.archive(date(2026, 12, 1), replace(rare, after=first.next), limit=20, scan=25)
    third = await reader.archive(date(2026, 12, 1), replace(rare, after=second.next), limit=20, scan=25)
    assert [n.opens_on for n in second.items + third.items] == [date(2024, 1, 6)]
    assert third.next is None and third.scanned_to is None  # walked to the end


async def test_the_board_reads_use_their_indexes(db: Database) -> None:
    plans = []
    for sql in (
        "SELECT * FROM notices INDEXED BY notices_open WHERE ends_on >= '2026-12-01' AND opens_on <= '2026-12-01'",
        "SELECT id FROM notices INDEXED BY notices_published WHERE opens_on BETWEEN '0000' AND '9999' "
        "ORDER BY opens_on DESC, id DESC LIMIT 10",
        "SELECT count(*) FROM public_comments INDEXED BY public_comments_notice WHERE notice_id = 1",
    ):
        async with db.reader.execute(f"EXPLAIN QUERY PLAN {sql}") as cursor:
            plans.append(" ".join(str(row[-1]) for row in await cursor.fetchall()))
    assert all("USING" in p and "INDEX" in p for p in plans), plans
    assert "TEMP B-TREE" not in plans[1]  # the archive's order is the index's: no sort


async def test_comments_reach_the_request_anonymous_or_named_and_a_closed_notice_refuses_them(
    board: NoticeBoard, deciding: ApprovalService, repos: Repositories, clock: FakeClock
) -> None:
    report = await deciding.submit(APPLICANT, make_draft(document_type=DocumentType.REPORT))
    (acceptance,) = await deciding.notices_of(REVIEWER, report.id)
    today = deciding.today()
    await board.send(acceptance, InputKind.COMMENT, today, name="", contact="", text="<b>噪声</b>扰民")
    await board.send(acceptance, InputKind.COMMENT, today, name="李四", contact="li@example.cn", text="支持")
    assert await repos.notices.count_inputs(report.id) == 2  # what the card counts
    assert await repos.board.comment_count(acceptance.id) == 2
    stored = await repos.notices.inputs(report.id)
    assert [(c.name, c.text) for c in stored] == [("", "<b>噪声</b>扰民"), ("李四", "支持")]  # as typed
    assert [e.action for e in await repos.requests.history(report.id)][-2:] == ["public_comment"] * 2
    with pytest.raises(NoOpenNotice):  # an acceptance notice takes no hearing request
        await board.send(acceptance, InputKind.HEARING, today, name="李四", contact="li@example.cn", text="听证")
    with pytest.raises(InvalidField):
        await board.send(acceptance, InputKind.COMMENT, today, name="", contact="", text="字" * 2001)
    with pytest.raises(NoOpenNotice):  # its last day was Mon Dec 14
        await board.send(acceptance, InputKind.COMMENT, date(2026, 12, 15), name="", contact="", text="迟到的意见")
    assert await repos.notices.count_inputs(report.id) == 2


async def test_a_hearing_request_from_the_board_stops_the_clock_and_needs_a_name_and_contact(
    board: NoticeBoard, deciding: ApprovalService, repos: Repositories
) -> None:
    request = await deciding.submit(APPLICANT, make_draft())
    await deciding.propose_approval(REVIEWER, request.id)
    (intended,) = await deciding.notices_of(REVIEWER, request.id)
    today = deciding.today()
    with pytest.raises(InvalidField) as caught:
        await board.send(intended, InputKind.HEARING, today, name="", contact="", text="申请听证")
    assert caught.value.field == "public_name"
    await board.send(intended, InputKind.HEARING, today, name="李四", contact="13912345678", text="申请听证")
    assert (await repos.requests.get(request.id)).status is Status.EXCLUDED  # type: ignore[union-attr]


async def test_a_database_of_schema_18_gains_the_eia_firm_and_keeps_its_notices(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = InlineConnection(sqlite3.connect(path, isolation_level=None))
    real = migrations.MIGRATIONS
    migrations.MIGRATIONS = real[:18]
    try:
        await migrations.migrate(conn)
    finally:
        migrations.MIGRATIONS = real
    conn.raw.execute(
        "INSERT INTO requests (applicant_id, project_name, organisation, contact_name, phone, category, "
        "document_type, investment, location, description, lane, status, version, submitted_at, updated_at, "
        "accepted_on, promised_due, statutory_due) VALUES (101, '旧项目', 'o', 'c', '1', 'other', 'report', '1', "
        "'l', 'd', 2, 'submitted', 1, '2026-11-30T02:00:00.000000Z', '2026-11-30T02:00:00.000000Z', '2026-11-30', "
        "'2027-01-12', '2027-02-12')"
    )
    conn.raw.execute(
        "INSERT INTO notices (request_id, kind, opened_at, opens_on, ends_on, project_name, organisation, location, "
        "summary) VALUES (1, 'acceptance', '2026-11-30T02:00:00.000000Z', '2026-11-30', '2026-12-14', '旧项目', 'o', "
        "'l', 'd')"
    )
    conn.raw.close()
    db = await Database.open(path)
    try:
        repos = Repositories.over(db)
        (old,) = await repos.requests.all_requests()
        assert (old.project_name, old.eia_firm) == ("旧项目", None)
        reader = SqliteBoardReader(db)
        (running,) = await reader.open_on(date(2026, 12, 1), None, offset=0, limit=10)
        assert (running.project_name, running.eia_firm) == ("旧项目", None)
    finally:
        await db.close()


async def test_search_terms_match_literally_and_ignore_ascii_case(
    board: NoticeBoard, deciding: ApprovalService, db: Database
) -> None:
    request = await deciding.submit(APPLICANT, make_draft())
    await many_notices(db, request.id, [date(2025, 3, 1)] * 3, prefix="ABC_100%")
    await many_notices(db, request.id, [date(2025, 3, 2)], prefix="ABCx1000")
    today = date(2026, 12, 1)
    assert len((await board.archive(today, ArchiveQuery.of(project="abc"))).items) == 4
    assert len((await board.archive(today, ArchiveQuery.of(project="_100%"))).items) == 3  # not wildcards
    assert (await board.archive(today, ArchiveQuery.of(project="\\"))).items == ()
