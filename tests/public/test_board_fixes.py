"""The archive names a bad date or range and keeps the other fields; a page or archive link past the end is an
empty page with the way back, not page 1; a notice shows its full address; a hearing's name and contact are
labelled required."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from approvals.models import DocumentType
from approvals.service import ApprovalService
from public.app import BoardSite
from public.server import standalone
from tests.conftest import FakeClock
from tests.factories import APPLICANT, make_draft
from tests.public.test_comments import open_notice

Client = TestClient  # type: ignore[type-arg]


async def report(deciding: ApprovalService, **changes: object) -> int:
    draft = make_draft(**{"document_type": DocumentType.REPORT, **changes})
    return (await deciding.submit(APPLICANT, draft)).id


async def test_a_bad_date_or_range_is_named_and_the_other_fields_are_kept(
    client: Client, deciding: ApprovalService, clock: FakeClock
) -> None:
    await report(deciding, project_name="城东污水处理厂扩建")
    clock.set_local(2026, 12, 15)
    bad = await (await client.get("/notices/archive", params={"project": "污水", "from": "2026-13-01"})).text()
    assert "“发布日期自”不是有效日期" in bad
    assert 'name="project" value="污水"' in bad and 'name="from" value="2026-13-01"' in bad
    assert "城东污水处理厂扩建" not in bad  # nothing searched that was not asked for
    bad_to = await (await client.get("/notices/archive", params={"to": "soon"})).text()
    assert "“至”不是有效日期" in bad_to and 'name="to" value="soon"' in bad_to
    reversed_range = await (
        await client.get("/notices/archive", params={"from": "2026-12-31", "to": "2026-01-01", "lang": "en"})
    ).text()
    assert "“Published from” is later than “to”" in reversed_range
    assert 'value="2026-12-31"' in reversed_range and 'value="2026-01-01"' in reversed_range
    good = await (await client.get("/notices/archive", params={"project": "污水", "from": "2026-11-01"})).text()
    assert "城东污水处理厂扩建" in good and "不是有效日期" not in good


async def test_a_page_past_the_last_is_empty_with_the_way_back(
    client: Client, deciding: ApprovalService, clock: FakeClock
) -> None:
    await report(deciding, project_name="城东污水处理厂扩建")
    for page in ("7", "49", "50", "5000", "99999999999999999999"):
        past = await (await client.get("/notices/", params={"page": page})).text()
        assert "城东污水处理厂扩建" not in past, page
        assert "回到第一页" in past and 'href="/notices/"' in past, page
    assert "城东污水处理厂扩建" in await (await client.get("/notices/")).text()
    clock.set_local(2026, 12, 15)
    for cursor in ("2020-01-01.1", "garbage"):  # older than every notice; a damaged link
        past = await (await client.get("/notices/archive", params={"project": "污水", "after": cursor})).text()
        assert "城东污水处理厂扩建" not in past and "回到最新一页" in past, cursor
        assert 'href="/notices/archive?project=%E6%B1%A1%E6%B0%B4"' in past, cursor
    assert "这一页" in await (await client.get("/notices/archive", params={"after": "garbage"})).text()


async def test_a_notice_shows_its_full_address(site: BoardSite, deciding: ApprovalService) -> None:
    _, nid = await open_notice(deciding)
    async with TestClient(TestServer(standalone(site))) as client:
        page = await (await client.get(f"/notices/{nid}")).text()
        here = f"http://{client.host}:{client.port}/notices/{nid}"
        assert f'<a href="{here}">{here}</a>' in page
        forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "hbj.example.gov.cn"}
        untrusted = await (await client.get(f"/notices/{nid}", headers=forwarded)).text()
        assert here in untrusted and "hbj.example.gov.cn" not in untrusted  # not believed without a trusted proxy
        site.trust_proxy = True
        proxied = await (await client.get(f"/notices/{nid}", headers=forwarded)).text()
        assert f">https://hbj.example.gov.cn/notices/{nid}</a>" in proxied
        site.base_url = "https://board.example.org/"
        based = await (await client.get(f"/notices/{nid}", params={"lang": "en"})).text()
        assert f">https://board.example.org/notices/{nid}?lang=en</a>" in based


async def test_name_and_contact_are_labelled_required_for_a_hearing_request(
    client: Client, deciding: ApprovalService
) -> None:
    _, acceptance = await open_notice(deciding)
    comment_only = await (await client.get(f"/notices/{acceptance}")).text()
    assert "您的姓名（选填）" in comment_only
    _, nid = await open_notice(deciding, intended=True)
    hearing = await (await client.get(f"/notices/{nid}")).text()
    assert "您的姓名（提意见选填，申请听证必填）" in hearing
    assert "电话或电子邮箱（提意见选填，申请听证必填）" in hearing and "（选填）</label>" not in hearing
