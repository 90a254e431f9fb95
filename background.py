"""Background loops: waiting for a wake-up and stopping them, in ways a stop always ends (used by jobs/ and storage/).

Not ``asyncio.wait_for(event.wait(), seconds)``: on Python 3.11 it swallows a cancel that lands just as the event
is set, so a ``while True`` loop around it runs on and the ``stop()`` that cancelled it waits for ever (a bot that
does not exit on SIGTERM). ``asyncio.timeout`` lets the cancel through.
"""

from __future__ import annotations

import asyncio
import contextlib


async def woken(event: asyncio.Event, seconds: float) -> None:
    """Wait until ``event`` is set or ``seconds`` pass, then clear it."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await event.wait()
    event.clear()


async def stopped(task: asyncio.Task[None] | None) -> None:
    """Cancel a background loop and wait until it has ended. Its cancel is swallowed; a cancel of the caller's own
    (a stop under a timeout) is let through, not mistaken for the loop's."""
    if task is None:
        return
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise
