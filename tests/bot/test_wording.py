"""Words a new user trips over: toasts that say where something is, /help, history, figures in Chinese."""

from typing import Any

from localbotapi import ChatUser
from tests.bot.conftest import Harness
from tests.bot.flows import submit


async def reply(user: ChatUser, command: str, **where: Any) -> str:
    mark = user.last_id(where.get("chat"))
    await user.send(command, **where)
    return str((await user.expect("", after=mark + 1, **where))["text"])


async def test_open_from_the_queue_in_the_private_chat_says_it_is_shown_below(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant)
    mark = h.reviewer.last_id()
    await h.reviewer.send("/queue")
    page = await h.reviewer.expect("待办队列", after=mark)
    mark = h.reviewer.last_id()
    answer = await h.reviewer.answer(await h.reviewer.press(page, f"#{number} 打开"))
    assert answer["text"] == "已显示在下方。"  # not "in your private chat": this is it
    await h.reviewer.expect(f"#{number} ", after=mark)


async def test_help_lists_each_command_once_and_history_reads_in_english(harness: Harness) -> None:
    h = harness
    help_text = await reply(h.reviewer, "/help")
    assert help_text.count("/files") == 1
    assert "/files" in await reply(h.applicant, "/help")

    number = await submit(h.applicant_en, english=True, category="Infrastructure", document="EIA report form")
    await h.applicant_en.send(f"/status {number}")
    history = await h.applicant_en.expect("Request submitted · Alice")
    assert "submit ·" not in history["text"]


async def test_figures_in_chinese_use_chinese_punctuation(harness: Harness) -> None:
    h = harness
    await submit(h.applicant)
    stats = await reply(h.reviewer, "/stats")
    assert "待办：1 件" in stats
    assert ", " not in stats and "," not in stats
