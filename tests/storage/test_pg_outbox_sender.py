"""The PostgreSQL outbox as the sender sees it (``storage.ports.Outbox``) with several instances: one sends at a
time, another takes over when it is gone, and a message queued on any instance wakes the one that sends. Runs with
TEST_DATABASE_URL (the terminal summary says when it was left out)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta

import pytest

from approvals.models import ApprovalRequest, AuditEvent, Lane
from storage.ports import Outgoing
from storage.postgres.outbox import PostgresOutbox
from storage.postgres.outbox_leader import SENDER_LOCK_CLASS
from storage.postgres.pool import open_pool
from storage.postgres.requests import PostgresApprovalStore
from tests.factories import make_draft
from tests.servers import eventually

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
WAIT = 60  # generous: a busy machine
Opener = Callable[[], Awaitable[PostgresOutbox]]


@pytest.fixture
async def instances(pg_schema: tuple[str, str]) -> AsyncIterator[Opener]:
    """Opens outboxes of instances of their own (a pool each) on one schema; all closed afterwards."""
    url, schema = pg_schema
    async with AsyncExitStack() as stack:

        async def instance() -> PostgresOutbox:
            pool = await open_pool(url, schema=schema, min_size=1, max_size=4)
            stack.push_async_callback(pool.close)
            outbox = PostgresOutbox(pool)
            stack.push_async_callback(outbox.close)
            return outbox

        yield instance


def messages(chat_id: int, count: int) -> list[Outgoing]:
    return [Outgoing(chat_id=chat_id, text=f"{chat_id}/{n}") for n in range(count)]


async def test_one_instance_sends_and_the_others_get_nothing_to_send(instances: Opener) -> None:
    one, two = await instances(), await instances()
    await one.add(messages(5, 2) + messages(6, 1), NOW)
    assert await one.leading() is True
    assert await two.leading() is False
    assert await two.pending() == []  # it must not send: Telegram's limits are per bot
    heads = await one.pending()
    assert [row.message.text for row in heads] == ["5/0", "6/0"]  # each chat's oldest, in order


async def test_a_killed_sender_s_place_is_taken_by_another_instance(instances: Opener) -> None:
    one, two = await instances(), await instances()
    assert await one.leading()
    await one.add(messages(5, 2), NOW)
    (held,) = await one.pending()  # claimed, then the instance is killed before marking it sent
    async with one.pool.acquire() as conn:  # what the kernel does to a killed process's socket
        killed = await conn.fetchval(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND classid = $1",
            SENDER_LOCK_CLASS,
        )
    assert killed is True

    async def taken_over() -> bool:
        return await two.leading()

    await eventually(taken_over, timeout=WAIT)  # the server ends the killed session's backend
    (again,) = await two.pending()  # at once, not when the dead sender's lease runs out (a minute)
    assert again.id == held.id  # the killed sender's row goes again (at most this one twice), before the next
    await two.mark_sent(again.id, NOW)
    assert [row.message.text for row in await two.pending()] == ["5/1"]


async def test_a_stopping_sender_hands_over_at_once(instances: Opener) -> None:
    one, two = await instances(), await instances()
    assert await one.leading()
    await one.add(messages(5, 1), NOW)
    assert len(await one.pending()) == 1
    await one.close()
    assert await two.leading()
    assert [row.message.text for row in await two.pending()] == ["5/0"]  # released, not held for the lease


async def test_a_message_queued_on_another_instance_wakes_the_sender(instances: Opener) -> None:
    one, two = await instances(), await instances()
    assert await one.leading()  # listens from now on
    one.added.clear()
    await two.add(messages(9, 1), NOW)
    await asyncio.wait_for(one.added.wait(), WAIT)
    assert [row.message.text for row in await one.pending()] == ["9/0"]


async def test_sent_retried_and_given_up_rows_leave_the_chat_s_head(instances: Opener) -> None:
    (one,) = [await instances()]
    assert await one.leading()
    await one.add(messages(5, 3) + messages(6, 1), NOW)
    first, other = await one.pending()
    await one.mark_sent(first.id, NOW)
    await one.retry_at(other.id, datetime.now(UTC) + timedelta(hours=1), "Too Many Requests: retry after 3600")
    (second,) = await one.pending()  # chat 6 waits for its retry; chat 5 goes on
    assert second.message.text == "5/1"
    await one.give_up(second.id, "Bad Request: chat not found")
    (third,) = await one.pending()
    assert third.message.text == "5/2"
    counts = await one.counts()
    assert counts == {"sent": 1, "undeliverable": 1, "pending": 2}
    async with one.pool.acquire() as conn:
        attempts = await conn.fetchval("SELECT attempts FROM outbox WHERE id = $1", other.id)
    assert attempts == 1


async def test_an_event_row_is_replaced_by_its_messages_in_one_step(instances: Opener) -> None:
    (one,) = [await instances()]
    assert await one.leading()
    request = ApprovalRequest(
        **make_draft().model_dump(),
        id=0,
        applicant_id=101,
        lane=Lane.GREEN,
        submitted_at=NOW,
        updated_at=NOW,
        accepted_on=NOW.date(),
        promised_due=NOW.date(),
        statutory_due=NOW.date(),
    )
    submit = AuditEvent(request_id=0, actor_id=101, at=NOW, action="submit", from_status=None, to_status=request.status)
    stored = await PostgresApprovalStore(one.pool).add(request, submit)  # its audit event queues an event row
    (event,) = await one.pending()
    assert (event.message.kind, event.message.request_id) == ("event", stored.id)
    await one.expand([(event.id, messages(5, 1) + messages(6, 1))], NOW)
    assert sorted(row.message.text for row in await one.pending()) == ["5/0", "6/0"]
    assert (await one.counts())["sent"] == 1
