"""Nothing lost across Telegram's errors: retries as Telegram asks, pacing, blocked users, migrated groups,
redelivered updates and double presses."""

import itertools
from collections import defaultdict

from aiogram.types import Update

from jobs.sender import Pacing
from localbotapi import ChatUser
from storage.outbox import Outgoing
from tests.bot.conftest import Harness
from tests.bot.flows import card_in_group, fill_form, submit


async def test_200_notices_through_429s_and_502s_all_arrive_and_no_retry_comes_early(harness: Harness) -> None:
    h = harness
    h.application.jobs.sender.pacing = Pacing()  # Telegram's real limits for this test
    users = [ChatUser(h.api.world, 5000 + n, f"user{n}") for n in range(40)]
    for seconds in (1, 2, 3):  # 429s with retry_after 1-3 s on ~20 % of sends, 502 on ~10 %
        h.api.inject(
            "sendMessage",
            429,
            f"Too Many Requests: retry after {seconds}",
            retry_after=seconds,
            times=10_000,
            rate=0.07,
        )
    h.api.inject("sendMessage", 502, "Bad Gateway", times=10_000, rate=0.1)
    notices = [Outgoing(u.id, f"notice {u.id}-{k}") for u in users for k in range(5)]
    await h.repos.outbox.add(notices, h.clock.now())

    def delivered() -> set[str]:
        return {
            c.params["text"] for c in h.api.calls("sendMessage") if c.error is None and "notice" in c.params["text"]
        }

    await h.api.wait_until(lambda: len(delivered()) == 200, timeout=120)
    attempts: dict[str, list] = defaultdict(list)
    for call in h.api.calls("sendMessage"):
        if "notice" in call.params.get("text", ""):
            attempts[call.params["text"]].append(call)
    refused = [c for calls in attempts.values() for c in calls if c.error]
    assert sum(1 for c in refused if c.error["error_code"] == 429) > 10  # the faults really happened
    assert sum(1 for c in refused if c.error["error_code"] == 502) > 5
    for calls in attempts.values():
        for failed, retry in itertools.pairwise(calls):
            wait = failed.error.get("parameters", {}).get("retry_after", 0)
            assert retry.at - failed.at >= wait - 0.01  # never earlier than Telegram asked
    for user in users:  # each chat in order, at most about one message a second
        sent = [c for c in h.api.calls("sendMessage") if c.error is None and c.params["chat_id"] == user.id]
        assert [c.params["text"] for c in sent] == [f"notice {user.id}-{k}" for k in range(5)]
        assert all(b.at - a.at >= 0.95 for a, b in itertools.pairwise(sent))
    await h.application.jobs.sender.flush()  # waits for the pass in progress to record its last delivery
    counts = await h.repos.outbox.counts()
    assert counts.get("pending", 0) == 0
    assert counts.get("undeliverable", 0) == 0


async def test_a_blocked_applicant_gets_no_retry_loop(harness: Harness) -> None:
    h = harness
    number = await submit(h.applicant)
    card = await card_in_group(h, number)
    h.api.world.blocked.add(h.applicant.id)
    await h.reviewer.answer(await h.reviewer.press_data(card, f"rv:an:{number}"))
    await h.api.wait_until(lambda: [c for c in h.api.calls("sendMessage") if c.error and c.error["error_code"] == 403])
    for _ in range(3):
        await h.application.jobs.sender.flush()
    tries = [c for c in h.api.calls("sendMessage") if c.params.get("chat_id") == h.applicant.id and c.error]
    assert len(tries) == 1
    assert h.applicant.id in await h.repos.chats.undeliverable()
    assert (await h.repos.requests.get(number)).status.value == "approved"
    h.api.world.blocked.discard(h.applicant.id)
    await h.applicant.send("/start")  # writing again means unblocked
    await h.applicant.expect("欢迎使用")
    assert h.applicant.id not in await h.repos.chats.undeliverable()


async def test_cards_follow_a_group_that_became_a_supergroup(harness: Harness) -> None:
    h = harness
    new_id = -1009999
    supergroup = ChatUser.group(h.api.world, new_id, "审批科 (超级群)")
    h.api.inject(
        "sendMessage",
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        migrate_to_chat_id=new_id,
        chat_id=h.group["id"],
        times=1_000,
    )
    first = await submit(h.applicant)
    card = await h.reviewer.expect(f"#{first} ", chat=supergroup)
    assert await h.repos.chats.current(h.group["id"]) == new_id
    second = await submit(h.applicant, answers={"project_name": "第二个项目"})
    await h.reviewer.expect(f"#{second} ", chat=supergroup)
    to_old = [c for c in h.api.calls("sendMessage") if c.params.get("chat_id") == h.group["id"]]
    assert len(to_old) == 1  # tried once, then never again
    await h.reviewer.answer(await h.reviewer.press_data(card, f"rv:c:{first}"))
    await h.reviewer.expect("🔒 张审", chat=supergroup)


async def test_a_redelivered_update_is_handled_once(harness: Harness) -> None:
    h = harness
    message = await h.applicant.send("/start")
    await h.applicant.expect("命令")  # the second of /start's two replies
    original = next(u for u in h.api.world.history if u.get("message") is message)
    before = len(h.api.calls("sendMessage"))
    await h.application.dp.feed_update(h.application.bot, Update.model_validate(original))  # as after a crash
    assert len(h.api.calls("sendMessage")) == before


async def test_pressing_submit_twice_makes_one_request(harness: Harness) -> None:
    h = harness
    confirm = await fill_form(h.applicant)
    first = await h.applicant.press(confirm, "提交")
    second = await h.applicant.press(confirm, "提交")
    answers = [await h.applicant.answer(first), await h.applicant.answer(second)]
    assert [a["text"] for a in answers] == ["已提交。", "该按钮已失效。"]
    assert await h.repos.requests.count_open() == 1


async def test_a_failing_getme_at_start_is_retried(harness: Harness) -> None:
    h = harness
    await h.stop()
    h.api.inject("getMe", 502, "Bad Gateway", times=2)
    await h.start()
    assert [c.error["error_code"] for c in h.api.calls("getMe") if c.error] == [502, 502]
    await h.applicant.send("/help")
    await h.applicant.expect("命令")
