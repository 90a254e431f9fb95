"""Steps users take again and again in the bot tests."""

from __future__ import annotations

import re
from typing import Any

from approvals.models import AuditEvent
from localbotapi import ChatUser
from tests.bot.conftest import Harness

PDF = b"%PDF-1.4 test document\ntrailer\n<<>>\nstartxref\n0\n%%EOF\n"


def pdf(name: str) -> bytes:
    """A PDF of its own for each name: the same bytes under two names are one document, kept once."""
    return PDF.replace(b"test document", b"test document " + name.encode())


ANSWERS_ZH = {
    "project_name": "城东污水处理厂扩建",
    "organisation": "区水务集团",
    "contact_name": "王工",
    "phone": "13812345678",
    "investment": "1200.5",
    "location": "城东街道",
    "description": "日处理能力由2万吨扩至4万吨",
}


async def fill_form(
    user: ChatUser,
    *,
    answers: dict[str, str] | None = None,
    category: str = "基础设施",
    document: str = "环境影响报告表",
    key: str | None = None,
    files: tuple[str, ...] = ("eia.pdf",),
    english: bool = False,
    until_key: bool = False,
    discharge: str | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """Walk /submit up to the confirmation screen; returns that message (or, ``until_key``, the key question).
    ``discharge``: typed at the quota step, then ``source`` pressed (the district balance unless given); None:
    "No new discharge"."""
    values = {**ANSWERS_ZH, **(answers or {})}
    mark = user.last_id()
    await user.send("/submit")
    await user.expect("Step 1" if english else "第一步", after=mark)
    for field in ("project_name", "organisation", "contact_name", "phone"):
        mark = user.last_id()
        await user.send(values[field])
        await user.world.wait_until(lambda m=mark: user.last_id() > m + 1)
    pick = await user.expect("category" if english else "类别", after=mark)
    mark = user.last_id()
    await user.press(pick, category)
    pick = await user.expect("EIA document" if english else "环评文件", after=mark)
    mark = user.last_id()
    await user.press(pick, document)
    await user.expect("investment" if english else "总投资", after=mark)
    for field in ("investment", "location", "description"):
        mark = user.last_id()
        await user.send(values[field])
        await user.world.wait_until(lambda m=mark: user.last_id() > m + 1)
    question = await user.expect("key projects" if english else "重点项目", after=mark)
    if until_key:
        return question
    if key is None:
        mark = user.last_id()
        await user.press(question, "Not a key project" if english else "非重点项目")
    else:
        mark = user.last_id()
        await user.send(key)
        found = await user.expect("Pick the project" if english else "请选择项目", after=mark)
        mark = user.last_id()
        await user.press(found, key)
    await answer_quota(user, mark, discharge=discharge, source=source, english=english)
    mark = user.last_id()
    await user.expect("PDF, DOC, DOCX" if english else "上传申报材料", after=mark - 1)
    last = None
    for name in files:
        mark = user.last_id()
        await user.send_document(name, pdf(name))
        last = await user.expect("Received" if english else "已收到", after=mark)
    assert last is not None
    mark = user.last_id()
    await user.press(last, "Done" if english else "完成")
    return await user.expect("Please check" if english else "请核对", after=mark)


async def answer_quota(
    user: ChatUser, after: int, *, discharge: str | None = None, source: str | None = None, english: bool = False
) -> None:
    """The form's quota step (after the key-project question): none, or the discharge typed and its source."""
    question = await user.expect("total-amount control" if english else "总量控制", after=after)
    mark = user.last_id()
    if discharge is None:
        await user.answer(await user.press(question, "No new discharge" if english else "无新增排放"))
        await user.world.wait_until(lambda: user.last_id() > mark)
        return
    await user.send(discharge)
    sources = await user.expect("come from" if english else "指标来源", after=mark)
    mark = user.last_id()
    default = "Allocation from the district balance" if english else "区域总量指标分配"
    await user.answer(await user.press(sources, source or default))
    await user.world.wait_until(lambda: user.last_id() > mark)


async def submit(user: ChatUser, **options: Any) -> int:
    """Fill the form and submit; returns the request number from the receipt."""
    english = options.get("english", False)
    confirm = await fill_form(user, **options)
    mark = user.last_id()
    query = await user.press(confirm, "Submit" if english else "提交")
    assert (await user.answer(query))["text"] in ("Submitted.", "已提交。")
    receipt = await user.expect("received" if english else "已收到申请", after=mark)
    match = re.search(r"#(\d+)", receipt["text"])
    assert match
    return int(match.group(1))


async def steps(h: Harness, request_id: int) -> list[AuditEvent]:
    """The request's audit log without the bureau's copies of its documents and its written notices, which are
    kept in the background at whatever moment their download (or render) ends."""
    return [e for e in await h.repos.requests.history(request_id) if e.action not in ("keep_copy", "issue_paper")]


async def card_in_group(h: Harness, request_id: int) -> dict[str, Any]:
    return await h.reviewer.expect(f"#{request_id} ", chat=h.group)


async def import_key_projects(admin: ChatUser, name: str, data: bytes, *, timeout: float = 10.0, **options: Any) -> str:
    """Send a key-project file, press Confirm under its preview; returns the message saying what the list holds."""
    mark = admin.last_id()
    await admin.send_document(name, data, **options)
    preview = await admin.expect("导入预览", after=mark, timeout=timeout)
    mark = admin.last_id()
    assert (await admin.answer(await admin.press(preview, "确认")))["text"] == "已处理。"
    return str((await admin.expect("重点项目名单现有", after=mark))["text"])
