"""The subscribers' contract, on every backend: a subscription waits for an admin, and each change is stored only
with the notice that reports it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from storage.outbox import Outgoing
from tests.storage.contract.conftest import Backend

NOW = datetime(2026, 11, 30, 1, tzinfo=UTC)
ADMINS = [Outgoing(9001, "5 asks"), Outgoing(9002, "5 asks")]


async def texts(backend: Backend) -> list[str | None]:
    return [text for _, _, text, _, _ in await backend.queued()]


async def test_subscriptions_wait_for_an_admin(backend: Backend) -> None:
    assert await backend.subscribers.request(5, ADMINS, NOW) == "pending"
    assert await backend.subscribers.active() == []
    assert await backend.subscribers.request(5, ADMINS, NOW) == "pending"  # asked again: the admins told again
    assert await backend.subscribers.approve(5, Outgoing(5, "welcome"), NOW)
    assert not await backend.subscribers.approve(5, Outgoing(5, "welcome again"), NOW)
    assert await backend.subscribers.request(5, ADMINS, NOW) == "active"
    assert await backend.subscribers.active() == [5]
    assert await texts(backend) == ["5 asks"] * 4 + ["welcome"]  # no notice for what changed nothing
    assert await backend.subscribers.remove(5)
    assert not await backend.subscribers.remove(5)
    assert await backend.subscribers.active() == []


async def test_active_subscribers_come_in_id_order(backend: Backend) -> None:
    for user_id in (30, -1001234567890, 10, 20):
        await backend.subscribers.request(user_id, [], NOW)
    for user_id in (30, 10, -1001234567890):
        await backend.subscribers.approve(user_id, Outgoing(user_id, "welcome"), NOW)
    assert await backend.subscribers.active() == [-1001234567890, 10, 30]  # 20 still waits


async def test_a_request_to_subscribe_is_kept_only_with_its_notices_to_the_admins(backend: Backend) -> None:
    async with backend.refusing_messages_to(9002):
        with pytest.raises(backend.fault):
            await backend.subscribers.request(5, ADMINS, NOW)
    assert not await backend.subscribers.decline(5, Outgoing(5, "declined"), NOW)  # nothing was on file
    assert await texts(backend) == []
    assert await backend.subscribers.request(5, ADMINS, NOW) == "pending"
    assert await texts(backend) == ["5 asks", "5 asks"]


async def test_an_approval_is_written_only_with_its_notice_to_the_subscriber(backend: Backend) -> None:
    await backend.subscribers.request(5, [], NOW)
    async with backend.refusing_messages_to(5):
        with pytest.raises(backend.fault):
            await backend.subscribers.approve(5, Outgoing(5, "welcome"), NOW)
    assert await backend.subscribers.active() == []  # still pending: pressing Approve again finishes the job
    assert await backend.subscribers.approve(5, Outgoing(5, "welcome"), NOW)
    assert await backend.subscribers.active() == [5]
    assert await texts(backend) == ["welcome"]


async def test_a_decline_is_written_only_with_its_notice_and_never_undoes_an_approval(backend: Backend) -> None:
    await backend.subscribers.request(5, [], NOW)
    async with backend.refusing_messages_to(5):
        with pytest.raises(backend.fault):
            await backend.subscribers.decline(5, Outgoing(5, "declined"), NOW)
    assert await backend.subscribers.decline(5, Outgoing(5, "declined"), NOW)
    assert await texts(backend) == ["declined"]
    await backend.subscribers.request(6, [], NOW)
    assert await backend.subscribers.approve(6, Outgoing(6, "welcome"), NOW)
    assert not await backend.subscribers.decline(6, Outgoing(6, "declined"), NOW)  # a colleague approved first
    assert await backend.subscribers.active() == [6]
    assert await texts(backend) == ["declined", "welcome"]


async def test_of_two_admins_deciding_at_once_on_two_instances_one_tells_the_person(backend: Backend) -> None:
    await backend.subscribers.request(5, [], NOW)
    async with backend.another() as other:
        results = await asyncio.wait_for(
            asyncio.gather(
                *(
                    b.subscribers.approve(5, Outgoing(5, f"welcome {n}"), NOW)
                    if n % 2
                    else b.subscribers.decline(5, Outgoing(5, f"declined {n}"), NOW)
                    for n, b in enumerate([backend, other] * 3)
                )
            ),
            60,
        )
    assert results.count(True) == 1
    (told,) = await texts(backend)
    won = results.index(True)
    assert told == (f"welcome {won}" if won % 2 else f"declined {won}")
    assert await backend.subscribers.active() == ([5] if won % 2 else [])
