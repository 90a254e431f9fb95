"""Comments and hearing requests sent from the board: the CSRF token, the honeypot, the send limits, a closed
notice refused politely with the text kept, a hearing request during the notice of the intended decision; and a
hostile sender: HTML and scripts, huge and endless bodies, too many fields, floods."""

from __future__ import annotations

import asyncio
import html
import io
from collections.abc import AsyncIterator
from urllib.parse import urlencode

from aiohttp.payload import AsyncIterablePayload
from aiohttp.test_utils import TestClient, TestServer

from approvals.models import DocumentType, Status
from approvals.service import ApprovalService
from public.app import BoardSite
from public.forms import MAX_BODY
from public.server import standalone
from storage.repositories import Repositories
from tests.conftest import FakeClock
from tests.factories import APPLICANT, REVIEWER, make_draft
from tests.public.conftest import form_token

Client = TestClient  # type: ignore[type-arg]
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


async def open_notice(deciding: ApprovalService, *, intended: bool = False) -> tuple[int, int]:
    """A request with an acceptance notice (or, ``intended``, a notice of the intended decision): (request, notice)."""
    kind = DocumentType.REPORT_FORM if intended else DocumentType.REPORT
    name = "拟批准项目" if intended else "受理公示项目"
    request = await deciding.submit(APPLICANT, make_draft(project_name=name, document_type=kind))
    if intended:
        await deciding.propose_approval(REVIEWER, request.id)
    (notice,) = await deciding.notices_of(REVIEWER, request.id)
    return request.id, notice.id


async def token(client: Client, notice_id: int) -> str:
    """Read the notice's page as a browser does: it sets the cookie and shows the form's token."""
    return form_token(await (await client.get(f"/notices/{notice_id}")).text())


async def test_a_comment_with_its_token_is_stored_counted_and_thanked_for(
    client: Client, deciding: ApprovalService, repos: Repositories
) -> None:
    request_id, nid = await open_notice(deciding)
    csrf = await token(client, nid)
    sent = await client.post(
        f"/notices/{nid}",
        data={"csrf": csrf, "text": "施工噪声请夜间停工", "name": "", "contact": ""},
        allow_redirects=False,
    )
    assert (sent.status, sent.headers["Location"]) == (303, f"/notices/{nid}?sent=comment")
    thanked = await (await client.get(sent.headers["Location"])).text()
    assert "您的意见已送达审批人员" in thanked and "已收到公众意见 1 条" in thanked
    (stored,) = await repos.notices.inputs(request_id)
    assert (stored.name, stored.contact, stored.text) == ("", "", "施工噪声请夜间停工")
    assert await repos.notices.count_inputs(request_id) == 1  # what the reviewer's card counts
    english = await client.post(
        f"/notices/{nid}?lang=en",
        data={"csrf": csrf, "text": "Please keep the noise down", "name": "Li", "contact": "li@example.cn"},
        allow_redirects=False,
    )
    assert english.headers["Location"] == f"/notices/{nid}?sent=comment&lang=en"


async def test_without_its_token_or_from_another_site_nothing_is_stored_and_the_text_is_kept(
    client: Client, deciding: ApprovalService, repos: Repositories
) -> None:
    request_id, nid = await open_notice(deciding)
    csrf = await token(client, nid)
    for data, headers in (
        ({"text": "没有令牌的意见"}, {}),
        ({"text": "伪造令牌的意见", "csrf": "0" * 64}, {}),
        ({"text": "别的网站发来的意见", "csrf": csrf}, {"Origin": "https://evil.example"}),
    ):
        refused = await client.post(f"/notices/{nid}", data=data, headers=headers)
        page = await refused.text()
        assert refused.status == 403 and "表单已过期" in page and data["text"] in page
    fresh = TestClient(client.server)  # another browser: no cookie, so another's token is worth nothing
    async with fresh:
        refused = await fresh.post(f"/notices/{nid}", data={"text": "借来的令牌", "csrf": csrf})
        assert refused.status == 403
    assert await repos.notices.count_inputs(request_id) == 0


async def test_the_honeypot_is_thanked_and_nothing_is_kept(
    client: Client, deciding: ApprovalService, repos: Repositories
) -> None:
    request_id, nid = await open_notice(deciding)
    csrf = await token(client, nid)
    bot = await client.post(
        f"/notices/{nid}",
        data={"csrf": csrf, "text": "买便宜药", "website": "http://spam.example"},
        allow_redirects=False,
    )
    assert bot.status == 303
    assert await repos.notices.count_inputs(request_id) == 0


async def test_bad_fields_are_explained_beside_them_and_nothing_typed_is_lost(
    client: Client, deciding: ApprovalService, repos: Repositories
) -> None:
    request_id, nid = await open_notice(deciding)
    csrf = await token(client, nid)
    bad = await client.post(f"/notices/{nid}", data={"csrf": csrf, "text": "厂区排水口位置不明", "contact": "随便"})
    page = await bad.text()
    assert bad.status == 400 and "请填写电话号码" in page and "厂区排水口位置不明" in page and 'value="随便"' in page
    short = await client.post(f"/notices/{nid}", data={"csrf": csrf, "text": "好"})
    assert short.status == 400 and "至少 2 个字" in await short.text()
    assert await repos.notices.count_inputs(request_id) == 0


async def test_a_closed_notice_refuses_politely_and_keeps_the_text(
    client: Client, deciding: ApprovalService, repos: Repositories, clock: FakeClock
) -> None:
    request_id, nid = await open_notice(deciding)
    csrf = await token(client, nid)
    clock.set_local(2026, 12, 15)  # the acceptance notice's last day was Mon Dec 14
    page = await (await client.get(f"/notices/{nid}")).text()
    assert "本公示已结束，不再接收意见" in page and 'name="csrf"' not in page and "已于 2026-12-14 结束" in page
    late = await client.post(f"/notices/{nid}", data={"csrf": csrf, "text": "迟到的意见"})
    late_page = await late.text()
    assert late.status == 409 and "本公示已结束" in late_page and "感谢您的关注" in late_page
    assert await repos.notices.count_inputs(request_id) == 0


async def test_a_hearing_request_is_offered_during_the_intended_decision_and_reaches_the_procedure(
    client: Client, deciding: ApprovalService, repos: Repositories
) -> None:
    _, acceptance = await open_notice(deciding)
    assert 'value="hearing"' not in await (await client.get(f"/notices/{acceptance}")).text()
    request_id, nid = await open_notice(deciding, intended=True)
    page = await (await client.get(f"/notices/{nid}")).text()
    assert 'value="hearing"' in page and "第四十七条" in page
    csrf = form_token(page)
    anonymous = await client.post(f"/notices/{nid}", data={"csrf": csrf, "kind": "hearing", "text": "申请听证"})
    assert anonymous.status == 400 and "申请听证须填写姓名和联系方式" in await anonymous.text()
    sent = await client.post(
        f"/notices/{nid}",
        data={
            "csrf": csrf,
            "kind": "hearing",
            "text": "厂界噪声影响我村，申请听证",
            "name": "李四",
            "contact": "139 1234 5678",
        },
        allow_redirects=False,
    )
    assert sent.headers["Location"] == f"/notices/{nid}?sent=hearing"
    assert (await repos.requests.get(request_id)).status is Status.EXCLUDED  # type: ignore[union-attr]
    assert [h.contact for h in await repos.notices.open_hearings(request_id)] == ["+86 139 1234 5678"]


async def test_hostile_input_is_stored_as_text_and_never_served_as_markup(
    client: Client, deciding: ApprovalService, repos: Repositories
) -> None:
    script = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&"
    request = await deciding.submit(
        APPLICANT,
        make_draft(project_name=f"厂{script}"[:100], document_type=DocumentType.REPORT, eia_firm="环评<b>公司</b>"),
    )
    (notice,) = await deciding.notices_of(REVIEWER, request.id)
    for path in (f"/notices/{notice.id}", "/notices/", "/notices/feed.atom"):
        body = await (await client.get(path)).text()
        assert "<script>alert(1)" not in body and "<img src=x" not in body and "<b>公司</b>" not in body, path
    page = await (await client.get(f"/notices/{notice.id}")).text()
    assert html.escape("<script>alert(1)</script>") in page
    csrf = form_token(page)
    sent = await client.post(
        f"/notices/{notice.id}", data={"csrf": csrf, "text": script, "name": "<i>x</i>"}, allow_redirects=False
    )
    assert sent.status == 303
    (stored,) = await repos.notices.inputs(request.id)
    assert (stored.text, stored.name) == (script, "<i>x</i>")  # kept as typed: escaped wherever it is shown


async def test_huge_endless_and_malformed_bodies_are_refused_before_they_are_read(
    client: Client, deciding: ApprovalService, repos: Repositories
) -> None:
    request_id, nid = await open_notice(deciding)
    csrf = await token(client, nid)
    form = urlencode({"csrf": csrf, "text": "字" * 200_000}).encode()
    huge = await client.post(f"/notices/{nid}", data=io.BytesIO(form), headers=FORM)
    assert huge.status == 413 and "最多 2000 字" in await huge.text()

    async def endless() -> AsyncIterator[bytes]:  # chunked: no length declared, it just keeps coming
        yield f"csrf={csrf}&text=".encode()
        for _ in range(10_000):
            yield b"a" * 1024

    chunked = await client.post(f"/notices/{nid}", data=AsyncIterablePayload(endless()), headers=FORM)
    assert chunked.status == 413
    fields = "&".join(f"f{n}=1" for n in range(50))
    many = await client.post(
        f"/notices/{nid}",
        data=f"csrf={csrf}&text=ok{fields}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert many.status == 400
    json = await client.post(f"/notices/{nid}", json={"csrf": csrf, "text": "json"})
    assert json.status == 415
    binary = await client.post(
        f"/notices/{nid}",
        data=b"csrf=\xff\xfe&text=\xff",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert binary.status == 400
    just_under = await client.post(f"/notices/{nid}", data={"csrf": csrf, "text": "字" * 2000})  # the most allowed
    assert just_under.status == 200 and just_under.url.query.get("sent") == "comment"
    assert len(f"csrf={csrf}&text=" + "%E5%AD%97" * 2000) < MAX_BODY
    assert await repos.notices.count_inputs(request_id) == 1


async def test_a_flood_from_one_address_is_held_back_and_told_when_to_try_again(
    client: Client, deciding: ApprovalService, repos: Repositories
) -> None:
    request_id, nid = await open_notice(deciding)
    csrf = await token(client, nid)
    answers = await asyncio.gather(
        *(
            client.post(f"/notices/{nid}", data={"csrf": csrf, "text": f"刷屏意见{n}"}, allow_redirects=False)
            for n in range(30)
        )
    )
    statuses = sorted(a.status for a in answers)
    assert statuses.count(303) == 5 and statuses.count(429) == 25  # the fixture's 5 per address
    held = next(a for a in answers if a.status == 429)
    assert int(held.headers["Retry-After"]) > 500 and "提交过于频繁" in await held.text()
    assert await repos.notices.count_inputs(request_id) == 5


async def test_correcting_a_field_again_and_again_is_not_a_flood(
    client: Client, deciding: ApprovalService, repos: Repositories
) -> None:
    request_id, nid = await open_notice(deciding)
    csrf = await token(client, nid)
    for _ in range(8):  # more than the 5 sends an address may make
        bad = await client.post(f"/notices/{nid}", data={"csrf": csrf, "text": "意见", "contact": "不是联系方式"})
        assert bad.status == 400
    sent = await client.post(f"/notices/{nid}", data={"csrf": csrf, "text": "意见"}, allow_redirects=False)
    assert sent.status == 303
    assert await repos.notices.count_inputs(request_id) == 1


async def test_behind_a_trusted_proxy_senders_are_counted_by_their_own_address_and_the_cookie_is_secure(
    site: BoardSite, deciding: ApprovalService, repos: Repositories
) -> None:
    request_id, nid = await open_notice(deciding)
    site.trust_proxy = True
    async with TestClient(TestServer(standalone(site))) as client:
        page = await client.get(f"/notices/{nid}", headers={"X-Forwarded-Proto": "https"})
        assert "Secure" in page.headers["Set-Cookie"] and "SameSite=Strict" in page.headers["Set-Cookie"]
        plain = await client.get(f"/notices/{nid}")  # (the test's client keeps a Secure cookie off plain HTTP)
        csrf = form_token(await plain.text())
        statuses = []
        for n in range(7):  # 5 from one sender, then 2 from another: the proxy's own address is not the key
            sender = "203.0.113.7" if n < 5 else "198.51.100.9"
            sent = await client.post(
                f"/notices/{nid}",
                data={"csrf": csrf, "text": f"意见{n}"},
                headers={"X-Forwarded-For": f"10.0.0.1, {sender}"},
                allow_redirects=False,
            )
            statuses.append(sent.status)
        assert statuses == [303] * 7
        again = await client.post(
            f"/notices/{nid}", data={"csrf": csrf, "text": "第六条"}, headers={"X-Forwarded-For": "203.0.113.7"}
        )
        assert again.status == 429
    assert await repos.notices.count_inputs(request_id) == 7
