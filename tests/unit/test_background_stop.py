"""The outbox sender and the document copier stop when told, wherever the stop lands: even just as their wake-up
event is set (Python 3.11's ``asyncio.wait_for`` swallowed that cancel, and the stop, and the bot's exit, hung)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

import pytest

from background import stopped
from jobs.copies import DocumentCopier
from jobs.sender import OutboxSender, Pacing


class Idle:
    """Storage with nothing to do; ``passed`` is set once a pass has read it."""

    def __init__(self) -> None:
        self.added = asyncio.Event()
        self.passed = asyncio.Event()

    async def leading(self) -> bool:
        return True

    async def pending(self) -> list[Any]:
        self.passed.set()
        return []

    async def undeliverable(self) -> set[int]:
        return set()

    async def due(self, now: datetime) -> list[Any]:
        self.passed.set()
        return []

    async def next_attempt(self) -> datetime | None:
        return None


def sender(idle: Idle) -> tuple[Callable[[], None], Callable[[], Awaitable[None]]]:
    app = SimpleNamespace(repos=SimpleNamespace(outbox=idle, chats=idle))
    loop = OutboxSender(cast(Any, None), cast(Any, app), pacing=Pacing(0, 0, 1000), idle_seconds=60)
    return loop.start, loop.stop


def copier(idle: Idle) -> tuple[Callable[[], None], Callable[[], Awaitable[None]]]:
    clock = SimpleNamespace(now=lambda: datetime.now(UTC))
    loop = DocumentCopier(cast(Any, None), cast(Any, idle), cast(Any, None), idle.added, cast(Any, clock))
    return loop.start, loop.stop


@pytest.mark.parametrize("build", [sender, copier], ids=["outbox sender", "document copier"])
async def test_a_stop_ends_the_loop_even_as_it_is_woken(
    build: Callable[[Idle], tuple[Callable[[], None], Callable[[], Awaitable[None]]]],
) -> None:
    for turns in range(6):  # loop turns between the wake-up and the stop: where the cancel lands
        idle = Idle()
        start, stop = build(idle)
        start()
        await asyncio.wait_for(idle.passed.wait(), 10)
        for _ in range(3):  # from its pass to its wait for the next wake-up
            await asyncio.sleep(0)
        idle.added.set()
        for _ in range(turns):
            await asyncio.sleep(0)
        stopping = asyncio.create_task(stop())
        done, _ = await asyncio.wait({stopping}, timeout=10)
        if not done:  # a second cancel gets through: end the loop before failing
            stopping.cancel()
            await asyncio.wait({stopping}, timeout=10)
        assert done, f"stop() still waiting 10 s after a wake-up {turns} loop turns earlier"


async def test_a_stop_cancelled_by_its_own_caller_ends_cancelled_not_as_a_normal_stop() -> None:
    started, cleaning, release = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def loop() -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cleaning.set()
            await release.wait()  # a clean-up that takes a while
            raise

    task = asyncio.create_task(loop())
    await started.wait()
    stopper = asyncio.create_task(stopped(task))
    await cleaning.wait()
    stopper.cancel()  # e.g. the stop ran under a timeout that expired
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await stopper
    assert task.cancelled()
