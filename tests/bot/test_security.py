"""Hostile use: the wrong people, forged buttons, fuzzed text, floods, webhooks without the secret, other web
pages driving the sandbox."""

import asyncio
import json
import logging
import re
import socket
from typing import Any
from urllib.parse import unquote

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from approvals.models import Attachment, Role, Status
from approvals.validation import InvalidField, clean_text
from localbotapi import ChatUser
from sandbox.app import Sandbox
from tests.bot.conftest import ADMIN_ID, Harness
from tests.bot.flows import card_in_group, pdf, submit
from tests.factories import APPLICANT, REVIEWER_2, make_draft


async def snapshot(h: Harness, number: int) -> tuple[Any, ...]:
    request = await h.repos.requests.get(number)
    reviewers = [p.user_id for p in await h.repos.people.with_role(Role.REVIEWER)]
    notes = await h.repos.notes.count(number)
    return (request.status, request.version, tuple(reviewers), tuple(await h.repos.subscribers.active()), notes)


async def test_nobody_acts_beyond_their_role(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant)
    card = await card_in_group(h, number)
    boss = await h.application.app.admin.actor(ADMIN_ID)
    waiting = await h.application.app.admin.preview_key_projects(boss, "l.csv", b"code,name,owner\nKP-1,A,B\n")
    before = await snapshot(h, number)
    attempts: list[tuple[ChatUser, str]] = []
    for who in (h.stranger, h.applicant_en):  # no role; an applicant on someone else's request
        attempts += [
            (who, cmd)
            for cmd in (
                "/queue",
                "/next",
                "/stats",
                "/summary",
                "/export",
                "/reviewers add 666",
                f"/status {number}",
                f"/withdraw {number}",
                "/queue 2",
                f"/claim {number}",
                f"/release {number}",
                f"/note {number} 看看能不能写",
                f"/notes {number}",
                f"/reassign {number}",
                f"/revoke {number}",
                f"/correct {number}",
                f"/add {number}",
                "/find 城东",
                "/keyprojects",
                "/keyprojects 城东",
                f"/files {number}",
            )
        ]
    admin_only = ("/export", "/reviewers add 666", "/reviewers remove 202", f"/reassign {number}")
    admin_only += (f"/reassign {number} 202", f"/revoke {number}", f"/correct {number}", "/revoke x")
    attempts += [(h.reviewer, cmd) for cmd in admin_only]
    for user, command in attempts:
        mark = user.last_id()
        await user.send(command)
        reply = await user.world.wait_until(lambda u=user, m=mark: [x for x in u.inbox() if x["message_id"] > m])
        assert reply, command
    buttons = [f"rv:{a}:{number}" for a in ("c", "l", "a", "an", "i", "r", "y")]
    buttons += [f"wd:{number}:1", f"sp:{number}:0", f"sp:{number}:1", f"sb:{h.stranger.id}:1", "qp:0", f"dt:{number}"]
    buttons += [f"qi:o:{number}:0", f"qi:c:{number}:0", f"ra:{number}:{h.stranger.id}"]
    buttons += ["cf:s:1:1", "cf:a:1:1", "kq:1:1"]  # a form's screen and key-project pages, with no form of theirs
    buttons += [f"ki:y:{waiting.import_id}", f"ki:x:{waiting.import_id}", "kb:1:0", "kb:0:1"]  # the admin's import
    buttons += [f"fl:{number}", "df:1:1:0"]  # a card's documents; removing a file from a form they do not have
    for user in (h.stranger, h.applicant_en):
        for data in buttons:
            answer = await user.answer(await user.press_data(card, data))
            assert answer["text"], data
    for data in (f"sb:{h.stranger.id}:1", f"ra:{number}:202", f"ki:y:{waiting.import_id}"):  # an admin's button
        assert (await h.reviewer.answer(await h.reviewer.press_data(card, data)))["show_alert"], data
    assert await snapshot(h, number) == before
    assert await h.repos.key_projects.all() == []  # the admin's preview is still theirs to confirm
    assert (await h.application.app.admin.confirm_key_import(boss, waiting.import_id)).total == 1
    assert h.api.unanswered_callbacks() == []
    logged = await h.repos.denials.of(h.stranger.id)
    assert ("Forbidden", "callback rv:an:" + str(number)) in logged
    assert ("NotFound", "command /status") in logged  # someone else's request is "not found" and logged
    assert ("NotFound", f"callback dt:{number}") in logged  # and so are its details
    assert not [m for m in h.stranger.inbox() if "in full" in m.get("text", "")]  # no details were sent
    assert ("NotFound", "command /add") in logged
    assert ("Forbidden", "command /find") in logged
    assert ("NotFound", "command /files") in logged and ("NotFound", f"callback fl:{number}") in logged
    assert not [m for m in h.stranger.inbox() if "document" in m]  # no one else's documents reach them
    status_replies = [m["text"] for m in h.applicant_en.inbox() if "was not found" in m.get("text", "")]
    assert f"Request #{number} was not found." in status_replies  # the same words as for a missing number
    # an applicant the admin made a reviewer never reviews their own request: not through /next, not with buttons
    mark = h.admin.last_id()
    await h.admin.send(f"/reviewers add {h.applicant.id}")
    await h.admin.expect(f"{h.applicant.id}", after=mark)
    mark = h.applicant.last_id()
    await h.applicant.send("/next")
    await h.applicant.expect("当前没有待办申请", after=mark)
    for data in (f"rv:{a}:{number}" for a in ("c", "a", "an", "i", "r")):
        answer = await h.applicant.answer(await h.applicant.press_data(card, data))
        assert answer["show_alert"] and f"#{number}" in answer["text"] and "本人" in answer["text"], data
    request = await h.repos.requests.get(number)
    assert (request.status, request.version, request.claimed_by) == (before[0], before[1], None)
    assert ("SelfReview", f"callback rv:an:{number}") in await h.repos.denials.of(h.applicant.id)
    mark = h.applicant.last_id()
    await h.applicant.send(f"/files {number}")  # reading decides nothing: their own documents stay theirs to read
    await h.applicant.expect(f"申请 #{number}", after=mark)
    await h.api.wait_until(lambda: [m for m in h.applicant.inbox() if m["message_id"] > mark and "document" in m])
    for command in (f"/claim {number}", f"/note {number} 我自己的", f"/notes {number}"):  # nor notes on it
        mark = h.applicant.last_id()
        await h.applicant.send(command)
        assert "本人" in (await h.applicant.expect(f"#{number}", after=mark))["text"], command
    mark = h.applicant.last_id()
    await h.applicant.send("/queue")
    assert "本人提交" in (await h.applicant.expect(f"#{number}", after=mark))["text"]
    assert h.api.unanswered_callbacks() == []


async def test_each_claim_and_oversight_action_is_open_to_its_role(harness: Harness) -> None:
    """Who may: reviewers list, claim, note, read notes and release their own claim; admins free anyone's claim,
    hand claims on, correct and revoke decisions (test_nobody_acts_beyond_their_role has who may not)."""
    h = harness
    upload = h.api.world.store_file("eia.pdf", "application/pdf", pdf("eia.pdf"))
    document = Attachment(file_id=upload.file_id, name="eia.pdf", size=len(upload.data))
    number = (await h.application.app.approvals.submit(APPLICANT, make_draft(attachments=(document,)))).id
    card = await card_in_group(h, number)
    for user in (h.reviewer, h.admin):  # a card's documents, to the presser's private chat
        mark = user.last_id()
        assert (await user.answer(await user.press(card, "📎 材料")))["text"] == "已发到您与我的私聊中。"
        await user.expect(f"申请 #{number}", after=mark)
    table = [
        (h.reviewer, "/queue 1", "待办队列"),
        (h.reviewer, f"/files {number}", "以下 1 份材料"),
        (h.reviewer, f"/claim {number}", "🔒 张审 办理中"),
        (h.reviewer, f"/note {number} 已核对用地批文", f"已为 #{number} 添加备注"),
        (h.reviewer, f"/notes {number}", "已核对用地批文"),
        (h.reviewer, f"/release {number}", f"#{number} 已退回队列"),
        (h.reviewer_2, f"/claim {number}", "🔒 Claimed by Bob"),  # in his private chat: his language
        (h.admin, f"/release {number}", f"#{number} 已退回队列"),  # a colleague's claim
        (h.reviewer, f"/claim {number}", "🔒 张审 办理中"),
        (h.admin, f"/reassign {number} {h.reviewer_2.id}", f"#{number} 已转交"),
        (h.admin, f"/note {number} 转交原因：张审休假", "现有内部备注 2 条"),
    ]
    for user, command, expected in table:
        mark = user.last_id()
        await user.send(command)
        await user.expect(expected, after=mark)
    await h.application.app.approvals.approve(REVIEWER_2, number)
    mark = h.admin.last_id()
    await h.admin.send(f"/correct {number}")  # an issued number is the register's: revoke to replace it
    await h.admin.expect("批复文号由本局按顺序编发，不能手工填写或更改", after=mark)
    for command, expected in ((f"/revoke {number}", "的理由"),):
        mark = h.admin.last_id()
        await h.admin.send(command)
        await h.admin.expect(expected, after=mark)
        await h.admin.send("/cancel")
        await h.admin.expect("已取消", after=mark)
    assert (await h.repos.requests.get(number)).status is Status.APPROVED  # asked, never done without an answer


# Digits int() accepts or chokes on that are not plain ASCII, and numbers out of range: request numbers stop at
# 10^9, ids at SQLite's largest integer 2^63-1.
NOT_DIGITS = ["²", "①", "٣", "０１", "𝟏", "0"]
HUGE_ID = str(2**63)


async def test_numbers_in_commands_are_ascii_digits_in_range_or_get_the_usage_line(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    before = [p.user_id for p in await h.repos.people.with_role(Role.REVIEWER)]
    numbers = [n for n in NOT_DIGITS if n != "0"]
    attempts = [(h.applicant_en, f"/status {n}", "Send the request number, e.g. /status 12") for n in numbers]
    attempts += [(h.applicant_en, f"/withdraw {n}", "Send the request number, e.g. /withdraw 12") for n in numbers]
    attempts += [(h.applicant_en, f"/add {n}", "Send the request number, e.g. /add 12") for n in numbers]
    no_such = "There is no request with that number: request numbers go from 1 to 1000000000."  # written right
    attempts += [
        (h.applicant_en, f"/{command} {n}", no_such)
        for command in ("status", "withdraw", "add")
        for n in ("0", "1000000001", "99999999999999999999")
    ]
    usage = "请发送 Telegram 用户 ID：只用数字 0-9，从 1 到 9223372036854775807"
    ids = [*NOT_DIGITS, HUGE_ID, "99999999999999999999"]
    attempts += [(h.admin, f"/reviewers {verb} {n}", usage) for verb in ("add", "remove") for n in ids]
    for user, command, expected in attempts:
        mark = user.last_id()
        await user.send(command)
        reply = await user.world.wait_until(lambda u=user, m=mark: [x for x in u.inbox() if x["message_id"] > m])
        assert reply[0]["text"].startswith(expected), command
    assert [p.user_id for p in await h.repos.people.with_role(Role.REVIEWER)] == before
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # no traceback, no "something went wrong"


async def test_button_data_with_ids_out_of_range_is_refused_as_forged_and_logged(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    number = await submit(h.applicant)
    card = await card_in_group(h, number)
    before = await snapshot(h, number)
    forged = [f"rv:{a}:{HUGE_ID}" for a in ("c", "l", "a", "an", "i", "r")]
    forged += [f"rv:c:{n}" for n in ("0", "-1", "٣", "+1", "1_0")]
    forged += [f"wd:{HUGE_ID}:1", f"sp:{HUGE_ID}:0", f"sp:{HUGE_ID}:1", f"sb:{HUGE_ID}:1", f"qp:{HUGE_ID}"]
    forged += [f"dt:{HUGE_ID}", f"fl:{HUGE_ID}", f"df:1:1:{HUGE_ID}"]
    for data in forged:
        answer = await h.admin.answer(await h.admin.press_data(card, data))
        assert answer["text"], data
    assert await snapshot(h, number) == before
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert await h.repos.denials.of(h.admin.id) == [("ForgedData", f"callback {data}") for data in forged]


TRICKY = st.sampled_from(
    [
        "<b>bold</b>",
        "</code>",
        "&amp; & &lt;",
        "<script>alert(1)</script>",
        "a" * 5000,
        "\u202eRTL override\u202c",
        "zero\u200bwidth\u200d",
        "🏭🌱🚧 项目",
        "<a href='x'>link</a>",
        "&#60;b&#62;",
        "\\",
        "%s {0} {name}",
        "‮",
    ]
)
TEXTS = st.one_of(TRICKY, st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=300))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXTS.filter(lambda s: s.strip()))
async def test_any_text_goes_through_the_form_and_the_card_literally(harness: Harness, text: str) -> None:
    h = harness
    try:
        name = clean_text("project_name", text)
    except InvalidField:
        mark = h.applicant.last_id()
        await h.applicant.send("/submit")
        await h.applicant.expect("第一步", after=mark)
        await h.applicant.send(text)
        await h.applicant.expect("项目名称", after=mark + 2)  # re-asked with the reason
        await h.applicant.send("/cancel")
        await h.applicant.expect("已取消", after=mark + 2)
    else:
        answers = {"project_name": text}
        description = (text * 3)[:2000]
        try:
            clean_text("description", description)
            answers["description"] = description  # the long field gets the hostile text too
        except InvalidField:
            pass
        number = await submit(h.applicant, answers=answers)
        card = await card_in_group(h, number)
        assert name in card["text"]
    refused = [c.error for c in h.api.calls() if c.error and c.error["error_code"] == 400]
    assert refused == []  # never a message Telegram would reject as bad HTML or too long


async def test_a_flooding_user_is_slowed_and_others_are_still_served(harness: Harness) -> None:
    h = harness
    await h.stop()
    h.settings = h.settings.model_copy(update={"throttle_rate": 3.0, "throttle_burst": 20.0})
    await h.start()
    for n in range(50):
        await h.stranger.send(f"/help {n}")
    await h.applicant.send("/help")
    await h.applicant.expect("命令")
    warned = await h.stranger.expect("Too many messages at once")
    await h.api.wait_until(lambda: not h.api.world.updates)  # every update fetched and confirmed
    await h.applicant.send("/my")
    await h.applicant.expect("您还没有申请")  # handled after all 50: the flood is behind us
    replies = [m for m in h.stranger.inbox() if m["message_id"] != warned["message_id"]]
    assert len(replies) <= 25  # the burst allowance (20) and what refilled meanwhile, not 50
    assert len([m for m in h.stranger.inbox() if "Too many messages" in m.get("text", "")]) == 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_webhook_mode_requires_the_secret(harness: Harness) -> None:
    from assembly import create_application, serve

    h = harness
    await h.stop()
    port = free_port()
    secret = "s3cret-webhook-token-XYZ"
    settings_ = h.settings.model_copy(
        update={
            "webhook_url": f"http://127.0.0.1:{port}/telegram/webhook",
            "webhook_secret": SecretStr(secret),
            "webhook_port": port,
        }
    )
    application = await create_application(settings_, clock=h.clock)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(application, handle_signals=False, stop=stop))
    try:
        await h.api.wait_until(lambda: h.api.world.webhook)
        assert h.api.world.webhook == {"url": f"http://127.0.0.1:{port}/telegram/webhook", "secret_token": secret}
        update = {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": 1,
                "chat": {"id": h.applicant.id, "type": "private"},
                "from": h.applicant.user,
                "text": "/help",
            },
        }
        url = f"http://127.0.0.1:{port}/telegram/webhook"
        async with aiohttp.ClientSession() as session:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                async with session.post(url, json=update, headers=headers) as response:
                    assert response.status == 401
            assert not h.api.calls("sendMessage")
            async with session.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret}) as response:
                assert response.status == 200
        await h.applicant.expect("命令")
    finally:
        stop.set()
        await task
        await application.close()


EVIL = "http://evil.example"


async def page_token(session: aiohttp.ClientSession, url: str) -> str:
    async with session.get(url) as response:
        found = re.search(r'<meta name="sandbox-token" content="([^"]+)">', await response.text())
    assert found, "the page carries its token"
    return found.group(1)


async def test_another_web_page_cannot_act_in_the_sandbox(sandbox: Sandbox) -> None:
    """Every request that acts needs the page's own token and JSON; a foreign Origin or Host is refused even with
    them (the Host check stops DNS rebinding, where another site's name points at 127.0.0.1)."""
    url, world = sandbox.url, sandbox.api.world
    port = url.rsplit(":", 1)[1]
    attack = json.dumps({"who": "admin", "text": "/reviewers add 666"})
    async with aiohttp.ClientSession() as session:
        # what any page can send cross-origin without a preflight: text/plain or a form, no custom header
        plain = {"Content-Type": "text/plain", "Origin": EVIL}
        async with session.post(f"{url}/api/send", data=attack, headers=plain) as response:
            assert response.status == 403
        async with session.post(f"{url}/api/summary", headers={"Origin": EVIL}) as response:
            assert response.status == 403
        form = aiohttp.FormData({"who": "admin"})
        form.add_field("file", b"%PDF-1.4", filename="x.pdf", content_type="application/pdf")
        async with session.post(f"{url}/api/upload", data=form, headers={"Origin": EVIL}) as response:
            assert response.status == 403
        token = {"X-Sandbox-Token": await page_token(session, url)}
        refused = [
            ({**token, "Content-Type": "application/json", "Origin": EVIL}, 403),
            ({**token, "Content-Type": "application/json", "Host": f"evil.example:{port}"}, 421),
            ({**token, "Content-Type": "text/plain"}, 415),
        ]
        for headers, status in refused:
            async with session.post(f"{url}/api/send", data=attack, headers=headers) as response:
                assert response.status == status, headers
        async with session.get(url, headers={"Host": f"evil.example:{port}"}) as response:
            assert response.status == 421  # nor is the page (and its token) served under another name
        assert not [m for m in world.messages.values() if m.get("text") == "/reviewers add 666"]
        own = {**token, "Origin": url}
        async with session.post(f"{url}/api/send", json={"who": "admin", "text": "/help"}, headers=own) as response:
            assert response.status == 200  # the page itself still acts
    await world.wait_until(lambda: [m for m in world.messages.values() if m.get("text") == "/help"])
    assert sandbox.application is not None
    assert await sandbox.application.app.repos.people.get(666) is None


async def test_a_downloaded_file_keeps_its_name_and_cannot_add_headers(sandbox: Sandbox) -> None:
    name = '报告"; filename="evil.exe\r\nX-Injected: 1.pdf'
    stored = sandbox.api.world.store_file(name, "application/pdf", b"%PDF-1.4")
    async with aiohttp.ClientSession() as session, session.get(f"{sandbox.url}/api/file/{stored.file_id}") as response:
        assert response.status == 200
        assert "X-Injected" not in response.headers
        (header,) = response.headers.getall("Content-Disposition")
    assert header.isascii()
    params = dict(re.findall(r';\s*([\w*]+)=("(?:[^"\\]|\\.)*"|[^;]*)', header))
    assert unquote(params["filename*"].removeprefix("UTF-8''")) == name  # RFC 6266: the name, exactly
    assert re.fullmatch(r'"[^"\\]*"', params["filename"])  # and a plain stand-in for old clients


@pytest.mark.parametrize(
    "shape", ["1234567:FAKE_token_for_the_redaction_test_0000", "bot7700:abcdefghijklmnopqrstuvwxyz0123456789"]
)
def test_anything_shaped_like_a_token_is_redacted(shape: str) -> None:
    import logging

    import logsetup

    record = logging.LogRecord(
        "x", logging.ERROR, "", 0, "GET https://api.telegram.org/bot%s/getMe failed", (shape.removeprefix("bot"),), None
    )
    logsetup.RedactFilter().filter(record)
    assert shape.removeprefix("bot") not in record.getMessage()
    assert "***" in record.getMessage()
