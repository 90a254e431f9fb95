"""The board's pages and feed through HTTP: open notices with their days left, Chinese first and English on
request, one stable page per notice with the published fields only, the archive's search and pages, the Atom feed,
static files without listings, and the security headers on every answer."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from aiohttp.test_utils import TestClient

from approvals.models import DocumentType
from approvals.notes import NotesService
from approvals.service import ApprovalService
from public.app import CSP
from public.feed import ATOM
from storage.repositories import Repositories
from tests.conftest import FakeClock
from tests.factories import APPLICANT, REVIEWER, make_draft

Client = TestClient  # type: ignore[type-arg]


async def report(deciding: ApprovalService, **changes: object) -> int:
    fields = {"document_type": DocumentType.REPORT, **changes}
    return (await deciding.submit(APPLICANT, make_draft(**fields))).id


async def notice_id(deciding: ApprovalService, request_id: int, n: int = 0) -> int:
    return (await deciding.notices_of(REVIEWER, request_id))[n].id


async def test_the_board_lists_open_notices_in_chinese_with_their_period_and_days_left(
    client: Client, deciding: ApprovalService
) -> None:
    await report(deciding, project_name="城东污水处理厂扩建")
    answer = await client.get("/notices/")
    page = await answer.text()
    assert answer.status == 200 and answer.content_type == "text/html"
    assert '<html lang="zh-CN">' in page and "正在公示" in page and "受理公示" in page
    # accepted Mon Nov 30 for 10 working days: Dec 1-4, 7-11, 14
    assert "2026-11-30 发布，公示至 2026-12-14" in page and "剩余 10 个工作日" in page
    english = await (await client.get("/notices/?lang=en")).text()
    assert '<html lang="en">' in english and "Open notices" in english and "10 working days left" in english
    assert 'href="/notices/archive?lang=en"' in english  # the language is kept from link to link
    root = await client.get("/", allow_redirects=False)
    assert (root.status, root.headers["Location"]) == (302, "/notices/")


async def test_a_notice_has_a_stable_page_with_the_published_fields_and_nothing_else(
    client: Client, deciding: ApprovalService, repos: Repositories, clock: FakeClock
) -> None:
    request_id = await report(
        deciding,
        project_name="化工园区污水站",
        contact_name="联系人赵六",
        phone="13812345678",
        eia_firm="绿源环评有限公司",
        description="处理规模 5000 吨/日",
    )
    await NotesService(deciding.requests, repos.notes, clock).add(REVIEWER, request_id, "内部意见：选址存疑")
    nid = await notice_id(deciding, request_id)
    page = await (await client.get(f"/notices/{nid}")).text()
    for shown in (
        "化工园区污水站",
        "区水务集团",
        "城东街道",
        "绿源环评有限公司",
        "处理规模 5000 吨/日",
        f"/notices/{nid}",
    ):
        assert shown in page
    for hidden in ("联系人赵六", "13812345678", "138 1234 5678", "内部意见", "eia.pdf"):  # (the token is hex)
        assert hidden not in page
    assert "已收到公众意见 0 条" in page and 'name="csrf"' in page
    no_firm = await report(deciding, project_name="无环评单位项目")
    assert "<dd>—</dd>" in await (await client.get(f"/notices/{await notice_id(deciding, no_firm)}")).text()
    missing = await client.get("/notices/999999")
    assert missing.status == 404 and "未找到该公示" in await missing.text()


async def test_a_decision_announcement_shows_the_decision_and_the_remedies_and_takes_no_comment(
    client: Client, deciding: ApprovalService
) -> None:
    request_id = (await deciding.submit(APPLICANT, make_draft(project_name="被驳回项目"))).id
    await deciding.reject(REVIEWER, request_id, "选址位于饮用水源保护区")
    (announcement,) = await deciding.notices_of(REVIEWER, request_id)
    page = await (await client.get(f"/notices/{announcement.id}")).text()
    assert "审批决定公告" in page and "不予批准" in page and "60 日内申请行政复议" in page and "6 个月内" in page
    assert "选址位于饮用水源保护区" not in page  # the reason is the applicant's letter's, not the board's
    assert 'name="csrf"' not in page  # an announcement takes no comments


async def test_the_archive_searches_closed_notices_and_the_feed_lists_the_newest(
    client: Client, deciding: ApprovalService, clock: FakeClock
) -> None:
    await report(deciding, project_name="城东污水处理厂扩建", organisation="区水务集团")
    await report(deciding, project_name="物流仓库新建", organisation="顺达物流")
    assert "暂无已结束的公示" in await (await client.get("/notices/archive")).text()
    clock.set_local(2026, 12, 15)  # both ended on Dec 14
    found = await (await client.get("/notices/archive", params={"project": "污水"})).text()
    assert "城东污水处理厂扩建" in found and "物流仓库新建" not in found
    by_org = await (await client.get("/notices/archive", params={"organisation": "顺达"})).text()
    assert "物流仓库新建" in by_org and "城东污水处理厂扩建" not in by_org
    none = await (await client.get("/notices/archive", params={"from": "2027-01-01", "to": "2027-12-31"})).text()
    assert "没有符合条件的往期公示" in none
    assert "城东污水处理厂扩建" not in await (await client.get("/notices/")).text()  # no longer open
    feed = await client.get("/notices/feed.atom")
    assert feed.content_type == "application/atom+xml"
    root = ET.fromstring(await feed.read())
    titles = [e.findtext(f"{{{ATOM}}}title") for e in root.findall(f"{{{ATOM}}}entry")]
    assert titles == ["受理公示 · 物流仓库新建", "受理公示 · 城东污水处理厂扩建"]
    links = [e.find(f"{{{ATOM}}}link").get("href") for e in root.findall(f"{{{ATOM}}}entry")]  # type: ignore[union-attr]
    assert all(link.startswith(f"http://{client.host}:{client.port}/notices/") for link in links)  # type: ignore[union-attr]


async def test_every_answer_carries_a_strict_policy_and_static_files_are_served_without_listings(
    client: Client, deciding: ApprovalService
) -> None:
    nid = await notice_id(deciding, await report(deciding))
    paths = (
        "/notices/",
        f"/notices/{nid}",
        "/notices/archive",
        "/notices/feed.atom",
        "/notices/nowhere",
        "/robots.txt",
    )
    for path in paths:
        answer = await client.get(path)
        assert answer.headers["Content-Security-Policy"] == CSP, path
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["X-Frame-Options"] == "DENY"
    assert "script-src" not in CSP and "'unsafe-inline'" not in CSP and "default-src 'none'" in CSP
    css = await client.get("/notices/static/board.css")
    assert css.status == 200 and "text/css" in css.content_type
    for listing in (
        "/notices/static/",
        "/notices/static",
        "/notices/static/../app.py",
        "/notices/static/%2e%2e/app.py",
    ):
        answer = await client.get(listing)
        assert answer.status in (403, 404), listing
        assert "BoardSite" not in await answer.text()
    page = await (await client.get("/notices/")).text()
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page  # nothing external
