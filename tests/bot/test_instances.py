"""Issue 18's proofs: three ``bot.py`` processes on PostgreSQL and Redis, in webhook mode behind a round-robin
proxy (tests/bot/instances.py). Only with TEST_DATABASE_URL and TEST_REDIS_URL (the terminal summary says when
these were left out)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from redis.asyncio import Redis

from localbotapi import ChatUser, LocalBotApi
from storage.postgres.outbox_leader import SENDER_LOCK_CLASS
from storage.postgres.schema import STEPS
from tests.bot.flows import submit
from tests.bot.instances import ADMIN_ID, GROUP_ID, TOKEN, Instances
from tests.servers import REDIS_ENV, configured, eventually

APPLICANTS = 6


@pytest.fixture
async def instances(pg_schema: tuple[str, str], redis: tuple[Redis, str], tmp_path: Path) -> AsyncIterator[Instances]:
    url, schema = pg_schema
    api = LocalBotApi(TOKEN)
    await api.start()
    group = Instances(api, f"{url}?search_path={schema}", configured(REDIS_ENV) or "", redis[1], tmp_path)
    await group.open()
    try:
        yield group
    finally:
        await group.close()
        await api.stop()


async def database(instances: Instances) -> asyncpg.Connection:
    return await asyncpg.connect(instances.database_url)


async def test_three_instances_starting_together_apply_the_migrations_once(instances: Instances) -> None:
    await asyncio.gather(*(instances.start(n) for n in range(3)))
    conn = await database(instances)
    try:
        rows = await conn.fetch("SELECT step, applied_by FROM schema_steps ORDER BY step")
    finally:
        await conn.close()
    assert [row["step"] for row in rows] == list(range(1, len(STEPS) + 1))
    assert len({row["applied_by"] for row in rows}) == 1  # one instance applied them all; the others waited


async def test_every_acknowledged_submission_is_stored_once_whichever_instance_took_it(instances: Instances) -> None:
    await asyncio.gather(*(instances.start(n) for n in range(3)))
    applicants = [ChatUser(instances.api.world, 3000 + n, f"申请人{n}", "zh-hans") for n in range(APPLICANTS)]
    numbers = await asyncio.wait_for(asyncio.gather(*(submit(user) for user in applicants)), 600)
    assert len(set(numbers)) == APPLICANTS  # each got a receipt with a number of its own
    assert instances.proxy is not None and set(instances.proxy.handled_by.values()) == {0, 1, 2}  # all three took part
    conn = await database(instances)
    try:
        stored = await conn.fetch("SELECT id, applicant_id FROM requests ORDER BY id")
        submits = await conn.fetch(
            "SELECT request_id, count(*) AS n FROM audit_events WHERE action = 'submit' GROUP BY request_id"
        )
    finally:
        await conn.close()
    assert sorted(row["id"] for row in stored) == sorted(numbers)
    assert sorted(row["applicant_id"] for row in stored) == [user.id for user in applicants]
    assert {row["request_id"]: row["n"] for row in submits} == {number: 1 for number in numbers}


async def reviewers(instances: Instances) -> tuple[ChatUser, ChatUser, ChatUser, dict[str, Any]]:
    """The admin, two reviewers the admin adds (through whichever instances take the commands) and the group."""
    world = instances.api.world
    group = ChatUser.group(world, GROUP_ID, "审批科")
    admin = ChatUser(world, ADMIN_ID, "局长", "zh-hans")
    first, second = ChatUser(world, 201, "张审", "zh-hans"), ChatUser(world, 202, "Bob", "en")
    for reviewer in (first, second):
        mark = admin.last_id()
        await admin.send(f"/reviewers add {reviewer.id}")
        await admin.expect(str(reviewer.id), after=mark)
    return admin, first, second, group


async def test_two_reviewers_deciding_at_once_on_two_instances_make_one_decision(instances: Instances) -> None:
    await asyncio.gather(*(instances.start(n) for n in range(3)))
    _, first, second, group = await reviewers(instances)
    applicant = ChatUser(instances.api.world, 3100, "申请人", "zh-hans")
    number = await submit(applicant)
    card = await first.expect(f"#{number} ", chat=group)
    queries = await asyncio.gather(first.press(card, "受理"), second.press(card, "受理"))
    answers = [await first.answer(queries[0]), await second.answer(queries[1])]
    assert instances.proxy is not None
    taken_by = {instances.proxy.queries[query] for query in queries}
    assert len(taken_by) == 2, "the two presses went to two instances"
    conn = await database(instances)
    try:
        accepted = await conn.fetchval(
            "SELECT count(*) FROM audit_events WHERE request_id = $1 AND action = 'accept'", number
        )
    finally:
        await conn.close()
    assert accepted == 1  # one decision; the other press changed nothing
    assert all(answer["text"] for answer in answers), answers  # and both were told something
    assert instances.api.unanswered_callbacks() == []


async def test_a_reviewer_removed_on_one_instance_is_refused_on_every_other_at_once(instances: Instances) -> None:
    await asyncio.gather(*(instances.start(n) for n in range(3)))
    admin, first, _, _ = await reviewers(instances)
    mark = first.last_id()
    await first.send("/queue")
    assert "您无权进行此操作" not in (await first.expect("", after=mark))["text"]
    mark = admin.last_id()
    await admin.send(f"/reviewers remove {first.id}")
    await admin.expect("已不再是审批人员", after=mark)
    assert instances.proxy is not None
    before = set(instances.proxy.handled_by)
    for _ in range(3):  # three in a row: the proxy hands them to the three instances in turn
        mark = first.last_id()
        await first.send("/queue")
        await first.expect("您无权进行此操作", after=mark)
    tried = {instances.proxy.handled_by[u] for u in set(instances.proxy.handled_by) - before if u > max(before)}
    assert tried == {0, 1, 2}


async def test_an_instance_killed_five_times_under_load_loses_nothing_and_leaves_nothing_pending(
    instances: Instances,
) -> None:
    await asyncio.gather(*(instances.start(n) for n in range(3)))
    people = [ChatUser(instances.api.world, 4000 + n, f"申请人{n}", "zh-hans") for n in range(30)]
    assert instances.proxy is not None
    proxy = instances.proxy
    for burst in range(5):  # six people at once, then instance 0 killed with some of it in hand, restarted
        seen = len(proxy.handled_by)
        for person in people[burst * 6 : burst * 6 + 6]:
            await person.send("/start")
        await instances.api.wait_until(lambda s=seen: len(proxy.handled_by) >= s + 3, timeout=300, poll=0.01)
        await instances.kill(0)
        await instances.start(0)
    # every one answered: an update instance 0 acknowledged and did not finish waits for its restart (the inbox
    # is replayed at start), hence the patience — see the note on replay by a live instance
    for person in people:
        await person.expect("欢迎使用", timeout=300)
    conn = await database(instances)
    try:

        async def drained() -> bool:
            pending = await conn.fetchval("SELECT count(*) FROM outbox WHERE status = 'pending'")
            inbox = await conn.fetchval("SELECT count(*) FROM inbox")
            return pending == 0 and inbox == 0

        await eventually(drained, timeout=300)  # the queue drains: nothing left pending, nothing left unhandled
        handled = await conn.fetchval("SELECT count(*) FROM processed_updates")
    finally:
        await conn.close()
    assert handled >= len(people)


def card_of(message: dict[str, Any]) -> int | None:
    """The request a card in the group shows (a received request's card: its Accept button names it)."""
    for row in message.get("reply_markup", {}).get("inline_keyboard", []):
        for button in row:
            if button.get("callback_data", "").startswith("ck:a:"):
                return int(button["callback_data"].split(":")[2])
    return None


async def sending_instance(conn: asyncpg.Connection) -> int | None:
    """Which instance holds the outbox sender's lock now (by its connection's application name)."""
    name = await conn.fetchval(
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
        " WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.granted",
        SENDER_LOCK_CLASS,
    )
    return int(name.removeprefix("green")) if name else None


async def test_killing_the_sending_instance_three_times_keeps_every_card_once_and_in_order(
    instances: Instances,
) -> None:
    await asyncio.gather(*(instances.start(n) for n in range(3)))
    world = instances.api.world
    watcher = ChatUser(world, 201, "张审", "zh-hans")
    group = ChatUser.group(world, GROUP_ID, "审批科")
    applicants = [ChatUser(world, 5000 + n, f"申请人{n}", "zh-hans") for n in range(9)]
    load = asyncio.ensure_future(asyncio.gather(*(submit(user) for user in applicants)))
    conn = await database(instances)
    kills = 3
    try:
        for _ in range(kills):  # the instance that sends, each time: its connection dies with it
            cards = len(watcher.inbox(group))
            await instances.api.wait_until(lambda c=cards: len(watcher.inbox(group)) > c or load.done(), timeout=300)

            async def known() -> bool:
                return await sending_instance(conn) is not None

            await eventually(known, timeout=120)
            leader = await sending_instance(conn)
            assert leader is not None
            await instances.kill(leader)
            await instances.start(leader)
        numbers = await asyncio.wait_for(load, 900)

        async def drained() -> bool:
            return await conn.fetchval("SELECT count(*) FROM outbox WHERE status = 'pending'") == 0

        await eventually(drained, timeout=300)
        order = [
            row["request_id"]
            for row in await conn.fetch(
                "SELECT request_id FROM outbox WHERE kind = 'card' AND chat_id = $1 AND status = 'sent' ORDER BY id",
                GROUP_ID,
            )
        ]
    finally:
        await conn.close()
    shown = [card for card in map(card_of, watcher.inbox(group)) if card is not None]
    assert sorted(set(shown)) == sorted(numbers)  # every request's card reached the group
    assert len(shown) - len(set(shown)) <= kills  # twice at most once per kill (a killed sender's claimed row)
    firsts = list(dict.fromkeys(shown))
    assert firsts == list(dict.fromkeys(order))  # in the outbox's order
