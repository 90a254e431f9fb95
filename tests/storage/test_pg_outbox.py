"""The PostgreSQL outbox under several senders: leased claims of each chat's oldest pending row. Runs with
TEST_DATABASE_URL (the terminal summary says when it was left out)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from approvals.models import ApprovalRequest, AuditEvent, Lane
from storage.outbox import Outgoing
from storage.postgres.outbox import PostgresOutbox
from storage.postgres.pool import open_pool
from storage.postgres.requests import PostgresApprovalStore
from tests.factories import make_draft

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)
SUPERGROUP = -1001234567890  # beyond 32 bits


@pytest.fixture
async def pool(pg_schema: tuple[str, str]) -> AsyncIterator[asyncpg.Pool]:
    url, schema = pg_schema
    opened = await open_pool(url, schema=schema, min_size=2, max_size=6)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def outbox(pool: asyncpg.Pool) -> AsyncIterator[PostgresOutbox]:
    opened = PostgresOutbox(pool)
    try:
        yield opened
    finally:
        await opened.close()


def messages(chat_id: int, count: int) -> list[Outgoing]:
    return [Outgoing(chat_id=chat_id, text=f"{chat_id}/{n}") for n in range(count)]


async def test_two_senders_at_once_never_share_a_row_and_keep_each_chat_s_order(outbox: PostgresOutbox) -> None:
    for chat in range(40):  # rows of different chats interleaved, as they are queued in real life
        await outbox.add(messages(SUPERGROUP - chat, 1) + messages(chat + 1, 1), NOW)
    for chat in range(40):
        await outbox.add(messages(SUPERGROUP - chat, 3) + messages(chat + 1, 3), NOW)
    sent: list[tuple[str, int, int]] = []  # (sender, chat, row) in the order the messages went out

    async def sender(name: str) -> None:
        while True:
            batch = await outbox.claim(name, NOW, LEASE, limit=7)
            if not batch:
                if (await outbox.counts()).get("pending", 0) == 0:
                    return
                continue  # the other sender holds the heads that are left: ask again once it marked them
            for row in batch:
                sent.append((name, row.message.chat_id, row.id))  # sent now; marked just after
                assert await outbox.mark_sent_by(row.id, name, NOW)

    await asyncio.wait_for(asyncio.gather(sender("one"), sender("two")), 120)
    rows = [row for _, _, row in sent]
    assert len(rows) == len(set(rows)) == 80 * 4  # every row sent, none twice
    assert {name for name, _, _ in sent} == {"one", "two"}  # both took part
    for chat in {chat for _, chat, _ in sent}:
        order = [row for _, c, row in sent if c == chat]
        assert order == sorted(order), f"chat {chat} out of order"
    assert await outbox.counts() == {"sent": 320}


async def test_a_chat_s_next_row_waits_while_its_first_is_held(outbox: PostgresOutbox) -> None:
    await outbox.add([*messages(SUPERGROUP, 2), *messages(7, 1)], NOW)
    first = await outbox.claim("one", NOW, LEASE, limit=1)
    assert [row.message.text for row in first] == [f"{SUPERGROUP}/0"]
    assert first[0].message.chat_id == SUPERGROUP
    second = await outbox.claim("two", NOW, LEASE)
    assert [row.message.text for row in second] == ["7/0"]  # another chat, not the held chat's next row
    assert await outbox.mark_sent_by(first[0].id, "one", NOW)
    # and its own held row again: a row it claimed but did not send in that pass (paced) is still its to send
    assert [row.message.text for row in await outbox.claim("two", NOW, LEASE)] == [f"{SUPERGROUP}/1", "7/0"]
    assert await outbox.claim("one", NOW, LEASE) == []  # both heads are held by "two"


async def test_only_the_holder_marks_a_row_sent(outbox: PostgresOutbox) -> None:
    await outbox.add(messages(5, 1), NOW)
    (row,) = await outbox.claim("one", NOW, LEASE)
    assert await outbox.mark_sent_by(row.id, "two", NOW) is False
    assert await outbox.give_up_by(row.id, "two", "no") is False
    assert await outbox.counts() == {"pending": 1}
    assert await outbox.mark_sent_by(row.id, "one", NOW) is True
    assert await outbox.mark_sent_by(row.id, "one", NOW) is False  # once
    assert await outbox.counts() == {"sent": 1}


async def test_a_killed_sender_s_lease_runs_out_and_its_row_is_taken_over(outbox: PostgresOutbox) -> None:
    await outbox.add(messages(SUPERGROUP, 2), NOW)
    (held,) = await outbox.claim("killed", NOW, LEASE)  # then the process dies
    assert await outbox.claim("alive", NOW + LEASE - timedelta(seconds=1), LEASE) == []
    later = NOW + LEASE + timedelta(seconds=1)
    (taken,) = await outbox.claim("alive", later, LEASE)
    assert taken.id == held.id  # the same row again, not the chat's next one: order is kept
    assert await outbox.mark_sent_by(held.id, "killed", later) is False  # a stalled old holder cannot mark it
    assert await outbox.mark_sent_by(taken.id, "alive", later) is True
    assert [row.message.text for row in await outbox.claim("alive", later, LEASE)] == [f"{SUPERGROUP}/1"]


async def test_a_row_put_back_for_a_retry_holds_its_chat_until_due(outbox: PostgresOutbox) -> None:
    await outbox.add(messages(5, 2), NOW)
    (row,) = await outbox.claim("one", NOW, LEASE)
    assert await outbox.retry_by(row.id, "one", NOW + timedelta(seconds=60), "Too Many Requests: retry after 60")
    assert await outbox.claim("two", NOW + timedelta(seconds=59), LEASE) == []
    (again,) = await outbox.claim("two", NOW + timedelta(seconds=60), LEASE)
    assert (again.id, again.attempts) == (row.id, 1)


async def test_a_stopping_sender_releases_its_rows_at_once(outbox: PostgresOutbox) -> None:
    await outbox.add(messages(5, 1) + messages(6, 1), NOW)
    assert len(await outbox.claim("one", NOW, LEASE)) == 2
    assert await outbox.release("one") == 2
    assert len(await outbox.claim("two", NOW, LEASE)) == 2


async def test_a_message_s_fields_come_back_as_queued(outbox: PostgresOutbox, pool: asyncpg.Pool) -> None:
    await pool.execute(f"ALTER TABLE requests ALTER COLUMN id RESTART WITH {2**40}")  # a request id beyond 32 bits
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
    assert (await PostgresApprovalStore(pool).add(request, submit)).id == 2**40
    await pool.execute("UPDATE outbox SET status = 'sent' WHERE kind = 'event'")  # its announcement: not under test
    queued = Outgoing(
        chat_id=SUPERGROUP,
        text="<b>批复</b>",
        photo=b"\x89PNG",
        reply_markup='{"inline_keyboard": []}',
        kind="edit_card",
        request_id=2**40,
        edit_message_id=12,
    )
    await outbox.add([queued], NOW)
    (row,) = await outbox.claim("one", NOW, LEASE)
    assert row.message == queued
