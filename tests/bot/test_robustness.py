"""Telegram's failures, hostile text, restarts, and secrets."""

import logging
import sqlite3

import pytest

from approvals.ledger import KeyProject
from approvals.models import Status
from localbotapi.world import Call
from tests.bot.conftest import TOKEN, Harness
from tests.bot.flows import card_in_group, submit


async def test_user_text_is_escaped_everywhere(harness: Harness) -> None:
    h = harness
    hostile = "<b>Boss</b> & <script>alert(1)</script>"
    number = await submit(h.applicant, answers={"project_name": hostile[:100], "organisation": "A&B <Co>"})
    card = await card_in_group(h, number)
    assert hostile in card["text"]  # shown literally
    errors = [c.error for c in h.api.calls() if c.error]
    assert errors == []  # Telegram never refused a message as bad HTML


async def test_commands_are_registered_per_audience_in_both_languages(harness: Harness) -> None:
    commands = harness.api.world.commands
    private = {c["command"] for c in commands["all_private_chats::zh"]}
    assert {"submit", "my", "status", "withdraw"} <= private
    assert "queue" not in private
    group = {c["command"] for c in commands[f"chat:{harness.group['id']}:en"]}
    assert {"queue", "next", "stats"} <= group
    admin = {c["command"] for c in commands[f"chat:{harness.admin.id}:"]}
    assert {"reviewers", "export", "submit", "queue"} <= admin
    assert commands["all_private_chats::en"][0]["description"] == "Start a new approval request"
    assert commands["all_private_chats::"][0]["description"] == "新建审批申请"


async def test_updates_sent_while_the_bot_was_down_are_processed_after_start(harness: Harness) -> None:
    h = harness
    await h.stop()
    await h.applicant.send("/start")
    await h.applicant_en.send("/help")
    await h.start()
    await h.applicant.expect("欢迎使用")
    await h.applicant_en.expect("Commands")
    assert not [c for c in h.api.calls("getUpdates") if int(c.params.get("offset", 0)) < 0]
    assert not [c for c in h.api.calls("deleteWebhook") if c.params.get("drop_pending_updates")]


async def test_a_blocked_applicant_does_not_undo_the_decision(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant)
    card = await card_in_group(h, number)
    h.api.world.blocked.add(h.applicant.id)
    mark = h.reviewer.last_id(h.group)
    await h.reviewer.answer(await h.reviewer.press(card, "批准"))
    prompt = await h.reviewer.expect("批复文号", chat=h.group, after=mark)
    await h.reviewer.answer(await h.reviewer.press(prompt, "编发文号"))
    await h.reviewer.expect("✅ 张审", chat=h.group)
    assert (await h.repos.requests.get(number)).status is Status.APPROVED
    # the notification is tried (the outbox sends it after the card) and Telegram says "blocked"
    await h.api.wait_until(lambda: [c for c in h.api.calls("sendMessage") if c.error and c.error["error_code"] == 403])
    assert (await h.repos.requests.get(number)).status is Status.APPROVED


@pytest.mark.parametrize(
    ("code", "description", "retry_after"),
    [
        (429, "Too Many Requests: retry after 1", 1),
        (502, "Bad Gateway", None),
        (400, "Bad Request: chat not found", None),
    ],
)
async def test_a_failed_reply_loses_no_data_and_the_bot_keeps_going(
    harness: Harness, code: int, description: str, retry_after: int | None
) -> None:
    h = harness
    number = await submit(h.applicant)
    h.api.inject("sendMessage", code, description, retry_after=retry_after)
    await h.applicant.send("/my")  # this reply fails
    failed = await h.api.wait_until(lambda: [c for c in h.api.calls("sendMessage") if c.error])
    assert failed[0].error["error_code"] == code
    if retry_after:
        assert failed[0].error["parameters"] == {"retry_after": 1}
    mark = h.applicant.last_id()
    await h.applicant.send(f"/status {number}")
    await h.applicant.expect("办理记录", after=mark)
    assert (await h.repos.requests.get(number)).status is Status.SUBMITTED


async def test_a_long_key_project_list_is_shown_a_page_at_a_time_under_telegrams_limit(harness: Harness) -> None:
    h = harness
    projects = [KeyProject(code=f"KP-{n:03}", name="重点建设项目" * 30, owner="区城市建设投资集团") for n in range(150)]
    await h.repos.key_projects.replace_all(projects)
    mark = h.admin.last_id()
    await h.admin.send("/keyprojects")
    page = await h.admin.expect("如需替换名单", after=mark)
    assert [m["message_id"] for m in h.admin.inbox() if m["message_id"] > mark] == [page["message_id"]]
    assert len(page["text"]) <= 4096 and "第 1/15 页" in page["text"]
    assert page["text"].count("KP-") == 10  # the rest one press away, in the same message


async def test_the_token_never_reaches_the_logs(harness: Harness) -> None:
    import io

    import logsetup

    stream = io.StringIO()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    logsetup.configure(TOKEN, stream=stream, level=logging.DEBUG)
    try:
        h = harness
        h.api.inject("sendMessage", 500, "Internal Server Error")
        h.api.inject("getUpdates", 0, "connection dropped")  # a network error while polling
        await h.applicant.send("/start")
        await h.api.wait_until(lambda: [c for c in h.api.calls("sendMessage") if c.error])
        await h.applicant.send("/help")
        await h.applicant.expect("命令")
        logging.getLogger("probe").info("token in a message: %s", TOKEN)  # as a careless library might
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    output = stream.getvalue()
    assert "handler failed" in output  # the failure was logged, one JSON object per line
    assert "fetching or storing updates failed" in output  # and the network error
    assert "token in a message: ***" in output
    assert TOKEN not in output
    assert TOKEN.split(":")[1] not in output


async def test_a_reply_is_sent_only_after_its_form_state_and_update_are_stored(harness: Harness) -> None:
    """What the applicant is asked must already be in the file, with the update that led to it marked handled:
    a crash right after the reply can neither lose the answer nor read a redelivered answer as the next one."""
    h = harness
    path = h.settings.database_path
    chat = h.applicant.id
    seen: list[tuple[str | None, int | None]] = []

    def on_call(call: Call, result: object) -> None:
        if call.method == "sendMessage" and int(call.params["chat_id"]) == chat:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:  # only what is committed
                state = conn.execute("SELECT state FROM fsm WHERE key LIKE ?", (f"%:{chat}:{chat}:%",)).fetchone()
                handled = conn.execute("SELECT max(update_id) FROM processed_updates").fetchone()
            seen.append((state[0] if state else None, handled[0]))

    h.api.world.listeners.append(on_call)
    await h.applicant.send("/submit")
    submit_update = h.api.world.history[-1]["update_id"]
    await h.api.wait_until(lambda: len(seen) == 1)
    await h.applicant.send("城东污水处理厂扩建")
    name_update = h.api.world.history[-1]["update_id"]
    await h.api.wait_until(lambda: len(seen) == 2)
    assert seen == [("SubmitForm:project_name", submit_update), ("SubmitForm:organisation", name_update)]
