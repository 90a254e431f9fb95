"""The runs' contract, on every backend: a day's run of each kind, and each reminder, is claimed once with its
messages, however many instances try at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest

from storage.outbox import Outgoing
from tests.storage.contract.conftest import Backend

NOW = datetime(2026, 11, 30, 1, tzinfo=UTC)
SUPERGROUP = -1001234567890


async def test_a_day_is_claimed_once_with_its_messages_even_by_two_instances_at_once(backend: Backend) -> None:
    async with backend.another() as other:
        results = await asyncio.wait_for(
            asyncio.gather(
                *(
                    b.runs.claim_daily("summary", date(2026, 11, 30), [Outgoing(SUPERGROUP, f"from {n}")], NOW)
                    for n, b in enumerate([backend, other] * 5)
                )
            ),
            60,
        )
    assert results.count(True) == 1
    winner = results.index(True)
    assert await backend.queued() == [(SUPERGROUP, "message", f"from {winner}", None, None)]  # the winner's alone
    assert await backend.runs.is_claimed("summary", date(2026, 11, 30))
    assert not await backend.runs.is_claimed("summary", date(2026, 12, 1))
    assert not await backend.runs.is_claimed("overdue", date(2026, 11, 30))


async def test_a_claim_refused_its_messages_is_not_a_claim(backend: Backend) -> None:
    async with backend.refusing_messages_to(SUPERGROUP):
        with pytest.raises(backend.fault):
            await backend.runs.claim_daily("summary", date(2026, 11, 30), [Outgoing(SUPERGROUP, "summary")], NOW)
    assert not await backend.runs.is_claimed("summary", date(2026, 11, 30))  # the next attempt sends it
    assert await backend.runs.claim_daily("summary", date(2026, 11, 30), [Outgoing(SUPERGROUP, "summary")], NOW)
    assert await backend.queued() == [(SUPERGROUP, "message", "summary", None, None)]


async def test_a_fresh_database_counts_daily_runs_from_its_first_start(backend: Backend) -> None:
    assert await backend.runs.counting_from(date(2026, 11, 30), NOW) == date(2026, 11, 30)
    assert await backend.runs.counting_from(date(2026, 12, 9), NOW) == date(2026, 11, 30)  # the first start stays


async def test_a_database_with_runs_counts_from_the_earliest(backend: Backend) -> None:
    await backend.runs.claim_daily("summary", date(2026, 11, 2), [], NOW)
    await backend.runs.claim_daily("summary", date(2026, 11, 20), [], NOW)
    assert await backend.runs.counting_from(date(2026, 11, 30), NOW) == date(2026, 11, 2)
    assert await backend.queued() == []  # a claim with nothing to say queues nothing


async def test_a_day_is_done_when_every_kind_of_its_run_is_claimed(backend: Backend) -> None:
    for day, kinds in ((23, ("summary", "overdue")), (27, ("summary",)), (30, ("overdue", "summary"))):
        for kind in kinds:
            await backend.runs.claim_daily(kind, date(2026, 11, day), [], NOW)
    done = await backend.runs.done_days(("summary", "overdue"), since=date(2026, 11, 24))
    assert done == {date(2026, 11, 30)}  # the 23rd is before ``since``; the 27th still owes its overdue list
    assert await backend.runs.done_days(("summary", "summary"), since=date(2026, 11, 23)) == {
        date(2026, 11, 23),
        date(2026, 11, 27),
        date(2026, 11, 30),
    }  # a kind named twice is still one kind
    assert await backend.runs.done_days((), since=date(2026, 11, 1)) == set()


async def test_reminders_are_claimed_once_per_request_and_kind(backend: Backend) -> None:
    request = await backend.request()
    assert await backend.runs.claim_reminder(request, "promise_50", [Outgoing(1, "half")], NOW)
    assert not await backend.runs.claim_reminder(request, "promise_50", [Outgoing(1, "half again")], NOW)
    assert await backend.runs.claim_reminder(request, "promise_80", [Outgoing(1, "most")], NOW)
    assert await backend.runs.reminders_sent() == {(request, "promise_50"), (request, "promise_80")}
    assert [text for _, _, text, _, _ in await backend.queued()] == ["half", "most"]


async def test_a_reminder_is_claimed_once_even_by_two_instances_at_once(backend: Backend) -> None:
    request = await backend.request()
    async with backend.another() as other:
        results = await asyncio.wait_for(
            asyncio.gather(
                *(
                    b.runs.claim_reminder(request, "overdue", [Outgoing(SUPERGROUP, f"from {n}")], NOW)
                    for n, b in enumerate([other, backend] * 4)
                )
            ),
            60,
        )
    assert results.count(True) == 1
    assert await backend.queued() == [(SUPERGROUP, "message", f"from {results.index(True)}", None, None)]
    assert await backend.runs.reminders_sent() == {(request, "overdue")}
