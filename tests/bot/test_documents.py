"""Reviewers read what they decide: a request's documents sent back, by Telegram's file id, to a private chat; the
bureau keeps its own copy of each, named by its hash; the form's documents are edited one file at a time
(issue 15 items 8, 9, 18)."""

from __future__ import annotations

import hashlib
import io
import sqlite3
import stat
from typing import Any

from openpyxl import load_workbook

from approvals.models import Role
from localbotapi import ChatUser
from tests.bot.conftest import Harness
from tests.bot.flows import card_in_group, fill_form, pdf, submit


def buttons(message: dict[str, Any]) -> list[str]:
    return [b["text"] for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]


def documents_after(user: ChatUser, mark: int) -> list[dict[str, Any]]:
    return [m for m in user.inbox() if m["message_id"] > mark and "document" in m]


def copy_rows(h: Harness) -> list[tuple[Any, ...]]:
    """The bureau's copies still to make (or found impossible), read as another process would."""
    with sqlite3.connect(f"file:{h.settings.database_path}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT attachment_id, status, attempts, last_error FROM file_copies").fetchall()


def stored_at(h: Harness, request_id: int) -> list[Any]:
    with sqlite3.connect(f"file:{h.settings.database_path}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT stored_at FROM attachments WHERE request_id = ? ORDER BY id", (request_id,))
        return [row[0] for row in rows]


async def all_copies_kept(h: Harness, request_id: int) -> None:
    await h.api.wait_until(lambda: all(stored_at(h, request_id)) and not copy_rows(h), timeout=30, poll=0.1)


async def test_the_documents_button_sends_every_file_to_the_reviewers_private_chat_by_its_telegram_id(
    harness: Harness,
) -> None:
    h = harness
    number = await submit(h.applicant, files=("eia.pdf", "noise.pdf"))
    card = await card_in_group(h, number)
    mark, in_group = h.reviewer.last_id(), h.reviewer.last_id(h.group)
    answer = await h.reviewer.answer(await h.reviewer.press(card, "📎 材料"))
    assert answer["text"] == "已发到您与我的私聊中。"
    header = await h.reviewer.expect(f"申请 #{number} 城东污水处理厂扩建", after=mark)
    assert "2 份材料" in header["text"]
    sent = await h.api.wait_until(
        lambda: len(documents_after(h.reviewer, mark)) == 2 and documents_after(h.reviewer, mark)
    )
    stored = (await h.repos.requests.get(number)).attachments
    assert [m["document"]["file_id"] for m in sent] == [a.file_id for a in stored]  # the same files, in order
    calls = [c for c in h.api.calls("sendDocument") if c.params.get("chat_id") == h.reviewer.id]
    assert [c.params["document"] for c in calls] == [a.file_id for a in stored] and all(not c.files for c in calls)
    for message, name in zip(sent, ("eia.pdf", "noise.pdf"), strict=True):
        caption = message["caption"]
        assert f"#{number} · {name}" in caption
        assert f"{len(pdf(name))} B" in caption  # its size
        assert "收到于 2026-11-30 10:00" in caption  # and when the bureau received it
    assert not [m for m in h.reviewer.inbox(h.group) if m["message_id"] > in_group and "document" in m]  # not the group


async def test_a_reviewer_who_never_opened_a_private_chat_is_told_to_open_one_first(harness: Harness) -> None:
    h = harness
    newcomer = ChatUser(h.api.world, 203, "新审", started=False)
    await h.repos.people.grant(newcomer.id, Role.REVIEWER)
    number = await submit(h.applicant)
    card = await card_in_group(h, number)
    answer = await newcomer.answer(await newcomer.press(card, "📎 材料"))
    assert answer["show_alert"] and "请先打开与我的私聊并点击“开始”" in answer["text"]
    assert newcomer.inbox() == []
    await newcomer.send("/start")
    await newcomer.expect("欢迎使用")
    mark = newcomer.last_id()
    assert (await newcomer.answer(await newcomer.press(card, "📎 材料")))["text"] == "已发到您与我的私聊中。"
    await h.api.wait_until(lambda: documents_after(newcomer, mark))


async def test_an_applicant_gets_their_own_documents_with_files_n_and_no_one_elses(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant)
    mark = h.applicant.last_id()
    await h.applicant.send(f"/files {number}")
    await h.applicant.expect(f"申请 #{number}", after=mark)
    (sent,) = await h.api.wait_until(lambda: documents_after(h.applicant, mark))
    assert sent["document"]["file_name"] == "eia.pdf"
    for user in (h.applicant_en, h.stranger):
        mark = user.last_id()
        await user.send(f"/files {number}")
        await user.expect(f"Request #{number} was not found.", after=mark)
        assert documents_after(user, mark) == []
    assert ("NotFound", "command /files") in await h.repos.denials.of(h.stranger.id)
    mark = h.applicant.last_id()
    await h.applicant.send("/files")
    await h.applicant.expect("请发送申请编号，例如 /files 12", after=mark)


async def test_every_document_is_kept_by_the_bureau_named_by_its_hash_with_hash_and_size_on_record(
    harness: Harness,
) -> None:
    h = harness
    number = await submit(h.applicant, files=("eia.pdf", "noise.pdf"))
    await all_copies_kept(h, number)
    files = h.settings.files_dir
    assert stat.S_IMODE(files.stat().st_mode) == 0o700
    stored = (await h.repos.requests.get(number)).attachments
    copies = [e for e in await h.repos.requests.history(number) if e.action == "keep_copy"]
    for file, event in zip(stored, copies, strict=True):
        data = pdf(file.name)
        digest = hashlib.sha256(data).hexdigest()
        assert (file.sha256, file.size) == (digest, len(data))  # with the request
        assert (event.file_name, event.sha256, event.file_size) == (file.name, digest, len(data))  # in the audit log
        assert event.actor_id == 0 and event.from_status == event.to_status  # the bot's own step; no transition
        kept = files / digest[:2] / digest[2:]
        assert kept.read_bytes() == data
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600  # owner-only, never executable
        assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    assert not [p for p in files.rglob("*") if p.name.startswith(".incoming")]  # no half-written copy left
    mark = h.applicant.last_id()
    await h.applicant.send(f"/status {number}")
    history = await h.applicant.expect("办理记录", after=mark)
    assert "存档" not in history["text"]  # the bureau's filing is for the audit log, not the applicant's history


async def test_a_failed_copy_never_holds_up_the_form_and_is_made_after_retries_and_a_restart(
    harness: Harness,
) -> None:
    h = harness
    screen = await fill_form(h.applicant)
    h.api.inject("getFile", 502, "Bad Gateway", times=1000)  # from now on Telegram will not hand the file over
    mark = h.applicant.last_id()
    await h.applicant.answer(await h.applicant.press(screen, "提交"))
    receipt = await h.applicant.expect("已收到申请", after=mark)  # the applicant is answered all the same
    number = int(receipt["text"].split("#", 1)[1].split("：", 1)[0].split()[0])
    await h.api.wait_until(lambda: [row for row in copy_rows(h) if row[2] >= 1], timeout=30, poll=0.1)
    ((_, status, _, error),) = copy_rows(h)
    assert status == "pending" and "Bad Gateway" in error  # to be tried again, not given up
    assert stored_at(h, number) == [None]
    await h.restart()  # the obligation is a row: a restart (or a crash) keeps it
    h.api.world.faults.clear()
    await all_copies_kept(h, number)
    digest = hashlib.sha256(pdf("eia.pdf")).hexdigest()
    assert (h.settings.files_dir / digest[:2] / digest[2:]).read_bytes() == pdf("eia.pdf")


async def test_a_copy_of_a_file_telegram_no_longer_gives_is_given_up_once_and_kept_on_record(harness: Harness) -> None:
    h = harness
    screen = await fill_form(h.applicant)
    h.api.inject("getFile", 400, "Bad Request: invalid file_id", times=1000)
    calls = len(h.api.calls("getFile"))
    await h.applicant.answer(await h.applicant.press(screen, "提交"))
    await h.api.wait_until(lambda: [row for row in copy_rows(h) if row[1] == "failed"], timeout=30, poll=0.1)
    ((_, _, attempts, error),) = copy_rows(h)
    assert attempts == 1 and "invalid file_id" in error  # for the bureau to see; no retry loop
    assert len(h.api.calls("getFile")) == calls + 1


async def test_the_same_file_sent_twice_is_recognised_and_kept_once(harness: Harness) -> None:
    h = harness
    user = h.applicant
    screen = await fill_form(user, files=("eia.pdf", "eia.pdf"))  # the same bytes twice
    assert [m for m in user.inbox() if "eia.pdf 已收到过，只保留一份" in m.get("text", "")]
    assert screen["text"].endswith("材料：eia.pdf")  # listed once
    mark = user.last_id()
    await user.answer(await user.press(screen, "提交"))
    receipt = await user.expect("已收到申请", after=mark)
    number = int(receipt["text"].split("#", 1)[1].split("：", 1)[0].split()[0])

    mark = user.last_id()
    await user.send(f"/add {number}")
    await user.expect("请以文字发送说明", after=mark)
    mark = user.last_id()
    await user.send_document("again.pdf", pdf("eia.pdf"))  # a file the request already has
    await user.expect("eia.pdf 已收到过，只保留一份", after=mark)
    await user.send("/cancel")
    await all_copies_kept(h, number)
    assert [a.name for a in (await h.repos.requests.get(number)).attachments] == ["eia.pdf"]
    assert len([p for p in h.settings.files_dir.rglob("*") if p.is_file()]) == 1  # one copy on disk


async def test_editing_the_documents_removes_one_file_and_adds_another_keeping_the_rest(harness: Harness) -> None:
    h = harness
    user = h.applicant
    screen = await fill_form(user, files=("eia.pdf", "noise.pdf"))
    first_list = await user.expect("已收到 eia.pdf")  # from the first pass: the draft has changed since
    mark = user.last_id()
    await user.answer(await user.press(screen, "修改"))
    fields = await user.expect("您要修改哪一项", after=mark)
    mark = user.last_id()
    await user.answer(await user.press(fields, "材料"))
    listed = await user.expect("2. noise.pdf", after=mark)
    assert "1. eia.pdf" in listed["text"]
    assert buttons(listed) == ["✖ 1. eia.pdf", "✖ 2. noise.pdf", "完成"]

    assert (await user.answer(await user.press(first_list, "✖ 1. eia.pdf")))["text"] == "此页面已过期，以下为最新内容。"
    await user.expect("2. noise.pdf", after=listed["message_id"])  # the list as it is now; nothing removed

    assert (await user.answer(await user.press(listed, "✖ 1. eia.pdf")))["text"] == "已删除。"
    shorter = await user.expect("已删除 eia.pdf")
    assert shorter["message_id"] == listed["message_id"] and buttons(shorter) == ["✖ 1. noise.pdf", "完成"]
    mark = user.last_id()
    await user.send_document("map.pdf", pdf("map.pdf"))
    longer = await user.expect("已收到 map.pdf（共 2 份）", after=mark)
    assert buttons(longer) == ["✖ 1. noise.pdf", "✖ 2. map.pdf", "完成"]
    mark = user.last_id()
    await user.answer(await user.press(longer, "完成"))
    confirm = await user.expect("请核对", after=mark)
    assert "材料：noise.pdf、map.pdf" in confirm["text"]
    mark = user.last_id()
    await user.answer(await user.press(confirm, "提交"))
    receipt = await user.expect("已收到申请", after=mark)
    number = int(receipt["text"].split("#", 1)[1].split("：", 1)[0].split()[0])
    assert [a.name for a in (await h.repos.requests.get(number)).attachments] == ["noise.pdf", "map.pdf"]


async def test_the_export_lists_each_documents_hash_and_the_copies_kept(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant, files=("eia.pdf", "noise.pdf"))
    await all_copies_kept(h, number)
    mark = h.admin.last_id()
    await h.admin.send("/export")
    sent = await h.admin.expect("共 1 件申请", after=mark)
    book = load_workbook(io.BytesIO(h.api.world.files[sent["document"]["file_id"]].data), read_only=True)
    requests = list(book.worksheets[0].iter_rows(values_only=True))
    digests = [hashlib.sha256(pdf(name)).hexdigest() for name in ("eia.pdf", "noise.pdf")]
    assert requests[0][-1] == "SHA-256" and requests[1][-1] == ", ".join(digests)
    history = list(book.worksheets[1].iter_rows(values_only=True))
    kept = [row for row in history if row[2] == "我局存档"]
    assert [(row[3], row[9], row[10], row[11]) for row in kept] == [
        ("绿色通道", "eia.pdf", digests[0], len(pdf("eia.pdf"))),
        ("绿色通道", "noise.pdf", digests[1], len(pdf("noise.pdf"))),
    ]
    book.close()
