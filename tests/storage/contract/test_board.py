"""The public board's reads (``BoardReader``) on both backends: the scenarios of tests/storage/test_board.py (open
notices by date, the archive searched and paged within its bounds, the bounded walk, comments counted, search terms
matched literally and ignoring ASCII case only)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from approvals.board import ArchiveQuery, NoticeBoard
from approvals.calendar import WorkCalendar
from approvals.errors import NoOpenNotice
from approvals.models import DocumentType
from approvals.notices import Notice, NoticeKind
from approvals.public_comments import InputKind
from approvals.service import ApprovalService
from tests.conftest import FakeClock, accept_on_receipt
from tests.factories import APPLICANT, REVIEWER, make_draft
from tests.storage.contract.conftest import Backend
from tests.storage.contract.served import receiving


@pytest.fixture
def deciding(backend: Backend, calendar: WorkCalendar, clock: FakeClock) -> ApprovalService:
    return accept_on_receipt(receiving(backend, calendar, clock))


@pytest.fixture
def board(backend: Backend, deciding: ApprovalService, calendar: WorkCalendar) -> NoticeBoard:
    return NoticeBoard(backend.board, deciding, calendar)


async def many_notices(backend: Backend, request_id: int, days: list[date], prefix: str = "项目") -> None:
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
    await backend.open_notices(notices)


async def test_open_notices_are_those_running_today_newest_first_with_the_eia_firm_published(
    backend: Backend, board: NoticeBoard, deciding: ApprovalService
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
    assert len((await board.open_page(date(2026, 12, 14), NoticeKind.ACCEPTANCE, 0)).items) == 1
    assert (await board.open_page(date(2026, 12, 15), NoticeKind.ACCEPTANCE, 0)).items == ()
    archived = await board.archive(date(2026, 12, 15), ArchiveQuery())
    assert [n.project_name for n in archived.items] == ["报告表项目", "报告书项目"]
    (acceptance,) = await deciding.notices_of(REVIEWER, report.id)
    assert await backend.board.notice(acceptance.id) == acceptance
    assert await backend.board.notice(acceptance.id + 1000) is None
    newest = await backend.board.newest(5)
    assert [n.project_name for n in newest] == ["报告表项目", "报告书项目"]
    assert [n.id for n in await backend.board.newest(1)] == [newest[0].id]
    skipped = await backend.board.open_on(today, None, offset=1, limit=5)
    assert [n.project_name for n in skipped] == ["报告书项目"]


async def test_the_archive_is_searched_by_project_organisation_and_date_and_paged_without_gaps(
    backend: Backend, board: NoticeBoard, deciding: ApprovalService
) -> None:
    request = await deciding.submit(APPLICANT, make_draft())
    days = [date(2025, 1, 1) + timedelta(days=n // 2) for n in range(90)]  # two a day: ties broken by id
    await many_notices(backend, request.id, days)
    today = date(2026, 12, 1)
    seen: list[Notice] = []
    query = ArchiveQuery()
    while True:
        page = await board.archive(today, query)
        seen += page.items
        if page.next is None:
            break
        query = replace(query, after=page.next)
    assert len(seen) == 90 and len({n.id for n in seen}) == 90
    keys = [(n.opens_on, n.id) for n in seen]
    assert keys == sorted(keys, reverse=True)
    water = await board.archive(today, ArchiveQuery.of(project="污水", organisation="水务"))
    assert water.items and all("污水" in n.project_name and "水务" in n.organisation for n in water.items)
    assert len(water.items) == len([n for n in range(90) if n % 3 == 0 and n % 2])
    dated = await board.archive(today, ArchiveQuery.of(published_from="2025-01-03", published_to="2025-01-04"))
    assert sorted({n.opens_on for n in dated.items}) == [date(2025, 1, 3), date(2025, 1, 4)]
    assert len(dated.items) == 4 and dated.next is None
    assert (await board.archive(today, ArchiveQuery.of(project="<script>"))).items == ()
    # a notice still running is not in the archive
    early = await board.archive(date(2025, 1, 3), ArchiveQuery())
    assert [n.opens_on for n in early.items] == [date(2025, 1, 1)] * 2


async def test_a_search_walks_a_bounded_number_of_rows_and_offers_to_go_on(
    backend: Backend, deciding: ApprovalService
) -> None:
    request = await deciding.submit(APPLICANT, make_draft())
    days = [date(2024, 1, 1) + timedelta(days=n) for n in range(60)]
    await many_notices(backend, request.id, days)
    reader = backend.board
    rare = ArchiveQuery.of(project="0005")
    first = await reader.archive(date(2026, 12, 1), rare, limit=20, scan=25)
    assert first.items == () and first.scanned_to == days[-25] and first.next is not None
    second = await reader.archive(date(2026, 12, 1), replace(rare, after=first.next), limit=20, scan=25)
    third = await reader.archive(date(2026, 12, 1), replace(rare, after=second.next), limit=20, scan=25)
    assert [n.opens_on for n in second.items + third.items] == [date(2024, 1, 6)]
    assert third.next is None and third.scanned_to is None


async def test_comments_are_counted_and_a_closed_notice_refuses_them(
    backend: Backend, board: NoticeBoard, deciding: ApprovalService
) -> None:
    report = await deciding.submit(APPLICANT, make_draft(document_type=DocumentType.REPORT))
    (acceptance,) = await deciding.notices_of(REVIEWER, report.id)
    today = deciding.today()
    assert await backend.board.comment_count(acceptance.id) == 0
    await board.send(acceptance, InputKind.COMMENT, today, name="", contact="", text="<b>噪声</b>扰民")
    await board.send(acceptance, InputKind.COMMENT, today, name="李四", contact="li@example.cn", text="支持")
    assert await backend.board.comment_count(acceptance.id) == 2
    with pytest.raises(NoOpenNotice):
        await board.send(acceptance, InputKind.COMMENT, date(2026, 12, 15), name="", contact="", text="迟到的意见")
    assert await backend.board.comment_count(acceptance.id) == 2


async def test_search_terms_match_literally_and_ignore_ascii_case_only(
    backend: Backend, board: NoticeBoard, deciding: ApprovalService
) -> None:
    request = await deciding.submit(APPLICANT, make_draft())
    await many_notices(backend, request.id, [date(2025, 3, 1)] * 3, prefix="ABC_100%")
    await many_notices(backend, request.id, [date(2025, 3, 2)], prefix="ABCx1000")
    await many_notices(backend, request.id, [date(2025, 3, 3)], prefix="Ärztehaus")
    today = date(2026, 12, 1)
    assert len((await board.archive(today, ArchiveQuery.of(project="abc"))).items) == 4
    assert len((await board.archive(today, ArchiveQuery.of(project="aBc_100"))).items) == 3
    assert len((await board.archive(today, ArchiveQuery.of(project="_100%"))).items) == 3
    assert (await board.archive(today, ArchiveQuery.of(project="\\"))).items == ()
    assert len((await board.archive(today, ArchiveQuery.of(project="ÄRZTE"))).items) == 1
    assert len((await board.archive(today, ArchiveQuery.of(project="äRZTE"))).items) == 0  # SQLite folds ASCII only
