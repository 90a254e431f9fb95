"""The real bot with DATABASE_URL set: PostgreSQL (a schema of the test's own) for the data, Redis (a key prefix of
its own) for form state, chat locks, update claims and flood control. Only with TEST_DATABASE_URL and
TEST_REDIS_URL; the terminal summary says when this leg was left out."""

from __future__ import annotations

import pytest
from pydantic import SecretStr
from redis.asyncio import Redis

from approvals.models import Role, Status
from assembly import Application, create_application
from storage.ports import Outgoing
from tests.bot.conftest import GROUP_ID, Harness
from tests.bot.flows import card_in_group, steps, submit
from tests.servers import REDIS_ENV, configured, eventually


@pytest.fixture
async def on_postgres(pg_schema: tuple[str, str], redis: tuple[Redis, str], harness: Harness) -> Harness:
    """The harness's bot restarted on the test's schema and key prefix (asked for before the harness, they are
    removed after its bot stops)."""
    url, schema = pg_schema
    h = harness
    await h.stop()
    h.settings = h.settings.model_copy(
        update={
            "database_url": SecretStr(f"{url}?search_path={schema}"),  # asyncpg passes it on as a server setting
            "redis_url": SecretStr(configured(REDIS_ENV) or ""),
            "redis_prefix": redis[1],
        }
    )
    await h.start()
    for reviewer in (h.reviewer, h.reviewer_2):
        await h.repos.people.grant(reviewer.id, Role.REVIEWER)
    return h


async def approve_from_the_queue(h: Harness, number: int) -> int:
    """The reviewer takes the next request from /next and approves it with the number the bureau issues; returns
    the id of the card /next showed."""
    mark = h.reviewer.last_id()
    await h.reviewer.send("/next")
    mine = await h.reviewer.expect("🔒 张审 办理中", after=mark)
    assert f"#{number} " in mine["text"]
    mark = h.reviewer.last_id()
    await h.reviewer.answer(await h.reviewer.press(mine, "批准"))
    prompt = await h.reviewer.expect(f"#{number}", after=mark)
    assert (await h.reviewer.answer(await h.reviewer.press(prompt, "批准并编发文号")))["text"] == "已批准。"
    return int(mine["message_id"])


async def test_a_request_submitted_with_a_document_is_approved_and_the_applicant_told(on_postgres: Harness) -> None:
    h = on_postgres
    number = await submit(h.applicant)  # the form's state in Redis, the document and the request in PostgreSQL
    await card_in_group(h, number)
    await approve_from_the_queue(h, number)
    done = await h.applicant.expect("已批复")
    assert f"#{number}" in done["text"] and "区环审〔2026〕1号" in done["text"]
    stored = await h.repos.requests.get(number)
    assert stored.status is Status.APPROVED
    assert [a.name for a in stored.attachments] == ["eia.pdf"]
    assert [(n.seq, n.request_id) for n in await h.repos.numbers.issued(2026)] == [(1, number)]
    assert [e.action for e in await steps(h, number)] == ["submit", "accept", "claim", "propose_approval", "approve"]
    await h.reviewer_2.send("/stats")  # the summary's reads, on PostgreSQL
    stats = await h.reviewer_2.expect("Green channel · 2026-11-30")
    assert "Backlog: 0" in stats["text"]


async def test_a_second_instance_on_the_same_database_sends_nothing_twice(on_postgres: Harness) -> None:
    h = on_postgres
    second: Application = await create_application(h.settings, clock=h.clock, pacing=h.pacing)
    await second.jobs.start()  # its sender runs beside the first's (its polling is not needed for that)
    try:
        number = await submit(h.applicant)
        await card_in_group(h, number)
        mine = await approve_from_the_queue(h, number)
        await h.applicant.expect("已批复")
        # one sender at a time, the lock's holder: the first instance's, which started first
        assert [await h.repos.outbox.leading(), await second.app.repos.outbox.leading()] == [True, False]

        async def drained() -> bool:
            return (await h.repos.outbox.counts()).get("pending", 0) == 0

        await eventually(drained)
        texts = [m.get("text") or "" for m in h.applicant.inbox()]
        assert len([t for t in texts if "已收到申请" in t]) == 1  # each outbox row went out once, not once per sender
        assert len([t for t in texts if "已批复" in t]) == 1
        cards = [m for m in h.reviewer.inbox(h.group) if f"#{number} " in (m.get("text") or "")]
        assert len(cards) == 1
        assert await h.repos.cards.of(number) == [(GROUP_ID, cards[0]["message_id"]), (h.reviewer.id, mine)]

        await h.stop()  # the sender stops: its lock is given back, and the other instance sends from then on
        await second.app.repos.outbox.add([Outgoing(h.applicant.id, text="另一实例发送")], h.clock.now())
        await h.applicant.expect("另一实例发送")
        assert await second.app.repos.outbox.leading()
    finally:
        await second.jobs.stop()
        await second.close()
