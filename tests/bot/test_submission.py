"""Applicants submit through the form: bad input is re-asked, nothing is lost, the bureau sees a card."""

from datetime import date

from approvals.ledger import KeyProject
from approvals.models import Lane, Status
from tests.bot.conftest import Harness
from tests.bot.flows import card_in_group, fill_form, submit


async def test_a_complete_submission_gives_a_receipt_and_a_card(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant)
    receipt = await h.applicant.expect("已收到申请")
    assert "🟢 绿色通道" in receipt["text"]
    # the deadlines run from acceptance (受理), which a colleague gives here at once: they are in the receipt when
    # it was drawn after that, else in the acceptance notice right after it (on a busy machine, either)
    dated = (await h.applicant.expect("2026-12-14", after=receipt["message_id"] - 1))["text"]  # 10 working days
    assert "2027-01-12" in dated  # legal: 30 working days after Mon 2026-11-30, over New Year's Day 2027
    assert "估算" in dated  # 2027 has no published schedule yet: its make-up workdays may move the date
    card = await card_in_group(h, number)
    assert "城东污水处理厂扩建" in card["text"]
    assert {b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row} == {
        "领取",
        "批准",
        "要求补正",
        "不予批准",
        "⏸ 中止计时（第四十五条）",
        "📎 材料",
    }
    stored = await h.repos.requests.get(number)
    assert (stored.status, stored.lane, stored.applicant_id) == (Status.SUBMITTED, Lane.GREEN, h.applicant.id)
    assert stored.promised_due == date(2026, 12, 14)
    assert [a.name for a in stored.attachments] == ["eia.pdf"]


async def test_bad_answers_are_re_asked_with_the_reason(harness: Harness) -> None:
    user = harness.applicant
    await user.send("/submit")
    await user.expect("第一步")
    mark = user.last_id()
    await user.send("x")
    await user.expect("太短：至少 2 个字符", after=mark)
    for text in ("城东污水厂", "区水务集团", "王工"):
        await user.send(text)
    await user.expect("联系电话")
    mark = user.last_id()
    await user.send("12345")
    await user.expect("无法识别电话号码", after=mark)
    await user.send("010-12345678")
    question = await user.expect("项目属于哪一类别")
    mark = user.last_id()
    await user.send("基础设施")  # typed instead of pressed
    await user.expect("请按提示使用按钮", after=mark)
    await user.press(question, "民生工程")
    await user.press(await user.expect("您提交的是哪类环评文件"), "环境影响报告书")
    await user.expect("总投资")
    mark = user.last_id()
    await user.send("-5")
    await user.expect("总投资必须大于 0", after=mark)
    mark = user.last_id()
    await user.send("一千万")
    await user.expect("请填写以万元为单位的数字", after=mark)
    await user.send("１２００")  # full-width digits are fine
    await user.expect("建设地点")


async def test_documents_must_be_pdf_doc_docx_or_zip_up_to_20_mb(harness: Harness) -> None:
    user = harness.applicant
    confirm = await fill_form(user, files=("a.pdf",))
    mark = user.last_id()
    await user.press(confirm, "修改")
    fields = await user.expect("您要修改哪一项", after=mark)
    mark = user.last_id()
    await user.press(fields, "材料")
    listed = await user.expect("上传申报材料", after=mark)
    assert (await user.answer(await user.press(listed, "✖ 1. a.pdf")))["text"] == "已删除。"  # the files sent are kept
    done = await user.expect("已删除 a.pdf", after=mark)
    query = await user.press(done, "完成")
    assert (await user.answer(query))["text"] == "请至少上传一份材料。"
    mark = user.last_id()
    await user.send_document("photo.jpg", b"jpeg", mime="image/jpeg")
    await user.expect("仅接受 PDF、DOC、DOCX 或 ZIP 文件", after=mark)
    mark = user.last_id()
    await user.send_document("huge.zip", b"zip", size=21 * 1024 * 1024)
    await user.expect("文件不能超过 20 MB", after=mark)
    mark = user.last_id()
    await user.send_document("setup.pdf", b"MZ\x90\x00 a Windows program")  # an .exe wearing a .pdf name
    await user.expect("文件内容与文件名不符", after=mark)
    await user.send_document("report.docx", b"PK\x03\x04 a real docx is a zip")
    received = await user.expect("共 1 份")
    mark = user.last_id()
    await user.answer(await user.press(received, "完成"))
    summary = await user.expect("请核对", after=mark)
    assert "report.docx" in summary["text"]
    assert "a.pdf" not in summary["text"]


async def test_edit_from_the_confirmation_screen_returns_to_it(harness: Harness) -> None:
    user = harness.applicant
    confirm = await fill_form(user)
    mark = user.last_id()
    await user.press(confirm, "修改")
    await user.answer(await user.press(await user.expect("您要修改哪一项", after=mark), "建设单位"))
    await user.expect("建设单位名称")
    mark = user.last_id()
    await user.send("区城投集团")
    summary = await user.expect("请核对", after=mark)
    assert "区城投集团" in summary["text"]
    assert "区水务集团" not in summary["text"]


async def test_key_project_is_searched_and_picked(harness: Harness) -> None:
    h = harness
    await h.repos.key_projects.replace_all(
        [
            KeyProject(code="KP-07", name="城东污水处理厂", owner="区水务集团"),
            KeyProject(code="KP-08", name="学校", owner="教育局"),
        ]
    )
    number = await submit(h.applicant, key="KP-07")
    stored = await h.repos.requests.get(number)
    assert (stored.lane, stored.key_code) == (Lane.KEY, "KP-07")
    card = await card_in_group(h, number)
    assert "🔴 重点项目" in card["text"]
    assert "KP-07 城东污水处理厂" in card["text"]


async def test_cancel_leaves_the_form_at_any_step(harness: Harness) -> None:
    user = harness.applicant
    await user.send("/submit")
    await user.expect("第一步")
    await user.send("城东污水厂")
    await user.send("/cancel")
    await user.expect("已取消，未提交任何内容")
    mark = user.last_id()
    await user.send("区水务集团")  # no longer an answer to anything
    await user.send("/help")  # handled after the line above (one update at a time per user)
    help_reply = await user.expect("命令", after=mark)
    assert help_reply["message_id"] == mark + 3  # the bot said nothing to the stray line
    assert await harness.repos.requests.count_open() == 0


async def test_a_restart_in_the_middle_of_the_form_loses_nothing(harness: Harness) -> None:
    user = harness.applicant
    await user.send("/submit")
    await user.expect("第一步")
    await user.send("城东污水厂")
    await user.expect("建设单位名称")
    await harness.restart()
    mark = user.last_id()
    await user.send("区水务集团")
    await user.expect("联系人姓名", after=mark)


async def test_english_speakers_get_the_form_in_english(harness: Harness) -> None:
    number = await submit(
        harness.applicant_en,
        english=True,
        category="Livelihood",
        document="EIA report form",
        answers={"project_name": "Riverside clinic"},
    )
    receipt = harness.applicant_en.inbox()[-1]["text"]
    assert f"Request #{number} received: Riverside clinic" in receipt
    assert "Green channel" in receipt


async def test_a_command_inside_the_form_is_answered_then_the_question_is_asked_again(harness: Harness) -> None:
    user = harness.applicant
    await submit(user)  # something for /my to list
    # its acceptance notice (tests/conftest.py accept_on_receipt) comes from the outbox: let it arrive first, so
    # it is not taken for one of the replies counted below
    await user.expect("已受理")
    mark = user.last_id()
    await user.send("/submit")
    await user.expect("第一步", after=mark)
    mark = user.last_id()
    await user.send("城东污水厂")
    await user.expect("建设单位名称", after=mark)
    for command in ("/my", "/help"):
        mark = user.last_id()
        await user.send(command)
        await user.world.wait_until(lambda m=mark: user.last_id() > m + 2)
        replies = [m["text"] for m in user.inbox() if m["message_id"] > mark]
        assert replies[-1] == "建设单位名称？", (command, replies)  # the question again, last
    mark = user.last_id()
    await user.send("区水务集团")
    await user.expect("联系人姓名", after=mark)  # taken as the answer it now visibly is
    mark = user.last_id()
    await user.send("/cancel")  # a command that changes the form: not asked again
    await user.expect("已取消", after=mark)
    await user.send("/help")
    await user.expect("命令", after=mark + 2)
    assert not any("联系人姓名" in m["text"] for m in user.inbox() if m["message_id"] > mark)
