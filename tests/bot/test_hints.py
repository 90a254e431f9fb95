"""No silence: what is addressed to the bot and no handler took gets a one-line hint; /help fits where it is typed
and who types it; chatter between people in the reviewers' group gets nothing."""

from __future__ import annotations

from typing import Any

from localbotapi import ChatUser
from tests.bot.conftest import Harness
from tests.bot.flows import PDF


def since(user: ChatUser, mark: int, chat: dict[str, Any] | None = None) -> list[str]:
    return [m.get("text") or "" for m in user.inbox(chat) if m["message_id"] > mark]


async def test_a_line_of_text_in_a_private_chat_gets_a_hint_naming_the_commands(harness: Harness) -> None:
    h = harness
    mark = h.applicant.last_id()
    await h.applicant.send("你好，我想办环评")
    hint = await h.applicant.expect("我只回应命令", after=mark)
    assert "/submit" in hint["text"] and "/help" in hint["text"] and "\n" not in hint["text"]
    mark = h.reviewer.last_id()
    await h.reviewer.send("在吗")
    assert "/queue" in (await h.reviewer.expect("我只回应命令", after=mark))["text"]  # a reviewer's own hint


async def test_an_unknown_command_is_named_with_a_pointer_to_help(harness: Harness) -> None:
    h = harness
    mark = h.applicant.last_id()
    await h.applicant.send("/foo bar")
    await h.applicant.expect("我不认识 /foo 这个命令。发送 /help", after=mark)
    mark = h.applicant_en.last_id()
    await h.applicant_en.send("/Statuss 3")
    await h.applicant_en.expect("I do not know /statuss. /help lists the commands.", after=mark)


async def test_a_file_sent_outside_a_form_is_answered(harness: Harness) -> None:
    h = harness
    mark = h.applicant.last_id()
    await h.applicant.send_document("eia.pdf", PDF)
    hint = await h.applicant.expect("发送材料请先用 /submit", after=mark)
    assert "/add N" in hint["text"]
    mark = h.applicant.last_id()
    await h.applicant.send("/submit")
    await h.applicant.expect("第一步", after=mark)
    mark = h.applicant.last_id()
    await h.applicant.send_document("eia.pdf", PDF)  # the form asked for the project name
    await h.applicant.expect("这不是对上面问题的回答", after=mark)


async def test_help_lists_what_works_where_it_is_typed_for_who_types_it(harness: Harness) -> None:
    h = harness

    async def help_for(user: ChatUser, chat: dict[str, Any] | None = None) -> str:
        mark = user.last_id(chat)
        await user.send("/help", chat=chat)
        return str((await user.expect("命令", chat=chat, after=mark))["text"])

    applicant = await help_for(h.applicant)
    assert "/submit" in applicant and "/queue" not in applicant and "/reviewers" not in applicant
    reviewer = await help_for(h.reviewer)
    assert "/submit" in reviewer and "/queue" in reviewer and "/reviewers" not in reviewer
    assert "/stopclock" in reviewer and "/resumeclock" in reviewer
    admin = await help_for(h.admin)
    assert "/submit" in admin and "/queue" in admin and "/reviewers" in admin
    assert "/correct" not in admin  # numbers are issued: none is typed, so none is corrected (revoke instead)
    in_group = await help_for(h.reviewer, h.group)
    assert "/queue" in in_group and "/submit —" not in in_group and "/reviewers" not in in_group
    assert "请在与我的私聊中进行" in in_group  # where the applicant's commands are
    await h.typed_numbers()
    assert "/correct" in await help_for(h.admin)


async def test_commands_typed_in_the_reviewers_group_answer_there(harness: Harness) -> None:
    h = harness
    for typed, answer in (
        ("/queue@green_channel_bot", "队列"),
        ("/my", "/my 需在与我的私聊中使用"),
        ("/submit@green_channel_bot", "/submit 需在与我的私聊中使用"),
        ("/foo", "我不认识 /foo"),
        ("/stats", "累计已批复"),
    ):
        mark = h.reviewer.last_id(h.group)
        await h.reviewer.send(typed, chat=h.group)
        await h.reviewer.expect(answer, chat=h.group, after=mark)


async def test_chatter_in_the_group_gets_no_answer_but_a_reply_or_mention_to_the_bot_does(harness: Harness) -> None:
    h = harness
    mark = h.reviewer.last_id(h.group)
    colleague = await h.reviewer_2.send("下午三点开会", chat=h.group)
    await h.reviewer.send("好的，收到", chat=h.group, reply_to=colleague)  # a reply, but to a person
    await h.reviewer.send("/weather@other_bot", chat=h.group)  # a command for another bot
    await h.reviewer.send("/help", chat=h.group)  # handled after the three above: same person, same chat
    answer = await h.reviewer.expect("命令", chat=h.group, after=mark)
    assert since(h.reviewer, mark, h.group) == [answer["text"]]

    mark = h.reviewer.last_id(h.group)
    await h.reviewer.send("这个怎么用？", chat=h.group, reply_to=answer)  # a reply to the bot
    await h.reviewer.expect("办理申请请使用卡片上的按钮或命令", chat=h.group, after=mark)
    mark = h.reviewer.last_id(h.group)
    text = "@green_channel_bot 在吗"
    await h.reviewer.send(text, chat=h.group, entities=[{"type": "mention", "offset": 0, "length": 18}])
    await h.reviewer.expect("办理申请请使用卡片上的按钮或命令", chat=h.group, after=mark)
