"""The end of the form: the key-project search, the confirmation screen, and screens the form has left behind."""

from approvals.ledger import KeyProject
from tests.bot.conftest import Harness
from tests.bot.flows import PDF, answer_quota, fill_form

OUT_OF_DATE = "此页面已过期，以下为最新内容。"


def buttons(message: dict) -> list[str]:
    return [b["text"] for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]


def submit_data(screen: dict) -> str:
    """The Submit button's data (a submitted screen loses its buttons; a client may still send them)."""
    row = screen["reply_markup"]["inline_keyboard"][0]
    assert row[0]["text"] == "提交"
    return str(row[0]["callback_data"])


async def test_a_stale_confirmation_screen_never_submits_a_newer_draft(harness: Harness) -> None:
    h = harness
    user = h.applicant
    first = await fill_form(user)
    mark = user.last_id()
    await user.answer(await user.press(first, "修改"))
    fields = await user.expect("您要修改哪一项", after=mark)
    mark = user.last_id()
    await user.answer(await user.press(fields, "项目"))
    await user.expect("项目名称", after=mark)
    mark = user.last_id()
    await user.send("城西雨水泵站")
    second = await user.expect("请核对", after=mark)
    assert "城西雨水泵站" in second["text"]
    old_submits = [submit_data(first), submit_data(second)]

    mark = user.last_id()
    assert (await user.answer(await user.press(first, "提交")))["text"] == OUT_OF_DATE
    current = await user.expect("请核对", after=mark)  # the current screen, shown again with live buttons
    assert "城西雨水泵站" in current["text"]
    assert await h.repos.requests.by_applicant(user.id, limit=5) == []  # the old screen submitted nothing

    assert (await user.answer(await user.press(second, "提交")))["text"] == "已提交。"
    stored = await h.repos.requests.by_applicant(user.id, limit=5)
    assert [r.project_name for r in stored] == ["城西雨水泵站"]

    # a screen of an earlier form acts on nothing in the next one, though both drafts are at their first version
    await fill_form(user, answers={"project_name": "城北公园"})
    for old in old_submits:
        mark = user.last_id()
        assert (await user.answer(await user.press_data(first, old)))["text"] == OUT_OF_DATE
        assert "城北公园" in (await user.expect("请核对", after=mark))["text"]
    assert len(await h.repos.requests.by_applicant(user.id, limit=5)) == 1


async def test_the_confirmation_screen_is_worded_and_punctuated_like_the_card(harness: Harness) -> None:
    h = harness
    user = h.applicant
    await h.repos.key_projects.replace_all([KeyProject(code="KP-07", name="城东污水处理厂", owner="区水务集团")])
    screen = await fill_form(user, key="KP-07", files=("a.pdf", "b.pdf"))
    text = screen["text"]
    for line in (
        "项目名称：城东污水处理厂扩建",
        "建设单位：区水务集团",
        "联系人：王工，+86 138 1234 5678",  # stored as typed numbers are: in one form
        "类别：基础设施 · 总投资：1200.50 万元",
        "重点项目：KP-07 城东污水处理厂",  # the key project's name, not its code alone
        "材料：a.pdf、b.pdf",
    ):
        assert line in text
    assert ": " not in text and ", " not in text  # no English punctuation in a Chinese screen

    mark = user.last_id()
    await user.answer(await user.press(screen, "修改"))
    fields = await user.expect("您要修改哪一项", after=mark)
    mark = user.last_id()
    await user.answer(await user.press(fields, "项目"))
    question = await user.expect("项目名称", after=mark)
    assert "第一步" not in question["text"]  # editing one answer is not the first step of a form


async def test_key_project_search_says_how_many_more_matched_and_pages(harness: Harness) -> None:
    h = harness
    user = h.applicant
    await h.repos.key_projects.replace_all(
        [KeyProject(code=f"KP-{n:02}", name=f"城东污水处理厂{n}期", owner="区水务集团") for n in range(1, 21)]
    )
    question = await fill_form(user, until_key=True)
    assert "显示第 1–8 个，共 20 个匹配项目。" in question["text"]
    assert "还有 12 个" in question["text"]
    assert buttons(question)[-2:] == ["下一页 ▶", "非重点项目"]

    mark = user.last_id()
    await user.send("污水")
    found = await user.expect("请选择项目", after=mark)
    assert "共 20 个" in found["text"]
    await user.answer(await user.press(found, "下一页"))
    turned = await user.expect("显示第 9–16 个，共 20 个", after=found["message_id"] - 1)
    assert turned["message_id"] == found["message_id"]  # the list is turned in place
    assert "还有 4 个" in turned["text"]
    assert [b.split()[0] for b in buttons(turned)[:8]] == [f"KP-{n:02}" for n in range(9, 17)]
    assert "◀ 上一页" in buttons(turned)

    mark = user.last_id()
    await user.send("KP-1")  # refined: codes starting KP-1
    narrowed = await user.expect("请选择项目", after=mark)
    assert "显示第 1–8 个，共 10 个匹配项目。" in narrowed["text"] and "还有 2 个" in narrowed["text"]
    await user.answer(await user.press(narrowed, "下一页"))
    last = await user.expect("显示第 9–10 个，共 10 个", after=narrowed["message_id"] - 1)
    assert "还有" not in last["text"] and "下一页 ▶" not in buttons(last)
    mark = user.last_id()
    await user.answer(await user.press(last, "KP-19"))
    await answer_quota(user, mark)
    await user.expect("上传申报材料", after=mark)
    mark = user.last_id()
    await user.send_document("eia.pdf", PDF)
    received = await user.expect("已收到", after=mark)
    mark = user.last_id()
    await user.answer(await user.press(received, "完成"))
    assert "重点项目：KP-19 城东污水处理厂19期" in (await user.expect("请核对", after=mark))["text"]


async def test_an_older_key_project_list_pages_nothing_and_says_it_is_out_of_date(harness: Harness) -> None:
    h = harness
    user = h.applicant
    await h.repos.key_projects.replace_all(
        [KeyProject(code=f"KP-{n:02}", name=f"城东污水处理厂{n}期", owner="区水务集团") for n in range(1, 21)]
    )

    async def press_stale_next(old: dict) -> None:
        answer = await user.answer(await user.press(old, "下一页"))
        assert answer["text"] == "此列表已过期：请使用最新的列表，或重新发送编号或名称。"
        now = h.api.world.messages[(user.id, old["message_id"])]
        assert now["text"] == old["text"] and "edit_date" not in now  # left as it was, not overwritten

    question = dict(await fill_form(user, until_key=True))  # as the client shows it
    mark = user.last_id()
    await user.send("KP-1")
    found = dict(await user.expect("共 10 个", after=mark))
    await press_stale_next(question)  # the original question's pager, after a search
    mark = user.last_id()
    await user.send("污水")
    await user.expect("共 20 个", after=mark)
    await press_stale_next(found)  # an earlier search's pager
