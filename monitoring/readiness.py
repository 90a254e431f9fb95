"""/readyz: can this process do its work now? Four checks, each named with what failed.

- ``database``: a write could be committed (writable file and directory, room on the disk, the write lock had).
- ``bot_api``: the Bot API server (Telegram's or the self-hosted one at TELEGRAM_API_BASE) answers getMe.
- ``scheduler``: the scheduled jobs (daily summary, reminders, periods) and the outbox sender are running.
- ``outbox``: no message has waited longer than OUTBOX_STUCK_SECONDS.

The checks run together, each bounded in time; the answer is kept ``max_age`` seconds so a probe every second
(several load balancers) costs one getMe and one empty write transaction per period.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiogram import Bot

from approvals.ports import Clock
from jobs.scheduler import Jobs
from monitoring.figures import age
from storage.ports import DatabaseNotWritable, Health

CHECK_TIMEOUT_SECONDS = 5.0
MIN_FREE_BYTES = 100 * 2**20  # below this a busy day's writes (documents are kept on the same disk) may fail
CACHE_SECONDS = 2.0


@dataclass(frozen=True)
class Check:
    name: str
    problem: str | None  # None: passed

    @property
    def ok(self) -> bool:
        return self.problem is None


class Readiness:
    def __init__(
        self,
        *,
        health: Health,
        bot: Bot,
        jobs: Jobs,
        clock: Clock,
        outbox_stuck_seconds: float,
        min_free_bytes: int = MIN_FREE_BYTES,
        max_age: float = CACHE_SECONDS,
        timeout: float = CHECK_TIMEOUT_SECONDS,
    ) -> None:
        self.health = health
        self.bot = bot
        self.jobs = jobs
        self.clock = clock
        self.outbox_stuck_seconds = outbox_stuck_seconds
        self.min_free_bytes = min_free_bytes
        self.max_age = max_age
        self.timeout = timeout
        self._last: tuple[float, list[Check]] | None = None
        self._checking = asyncio.Lock()

    async def checks(self) -> list[Check]:
        async with self._checking:
            if self._last is not None and time.monotonic() < self._last[0]:
                return self._last[1]
            named: dict[str, Callable[[], Awaitable[None]]] = {
                "database": self._database,
                "bot_api": self._bot_api,
                "scheduler": self._scheduler,
                "outbox": self._outbox,
            }
            results = await asyncio.gather(*(self._run(name, check) for name, check in named.items()))
            self._last = (time.monotonic() + self.max_age, results)
            return results

    async def _run(self, name: str, check: Callable[[], Awaitable[None]]) -> Check:
        try:
            await asyncio.wait_for(check(), self.timeout)
        except TimeoutError:
            return Check(name, f"no answer within {self.timeout:.0f} s")
        except NotReady as exc:
            return Check(name, str(exc))
        except Exception as exc:  # whatever it was, it is named, and the others still answer
            return Check(name, f"{type(exc).__name__}: {exc}"[:300])
        return Check(name, None)

    async def _database(self) -> None:
        try:
            await self.health.probe_write(min_free_bytes=self.min_free_bytes)
        except DatabaseNotWritable as exc:
            raise NotReady(str(exc)) from exc

    async def _bot_api(self) -> None:
        await self.bot.get_me(request_timeout=int(self.timeout))

    async def _scheduler(self) -> None:
        if not self.jobs.scheduler.running:
            raise NotReady("the job scheduler is not running (daily summary, reminders, time limits)")
        paused = [job.id for job in self.jobs.scheduler.get_jobs() if job.next_run_time is None]
        if paused:
            raise NotReady(f"jobs paused: {', '.join(paused)}")
        if not self.jobs.sender.running:
            raise NotReady("the outbox sender is not running")

    async def _outbox(self) -> None:
        backlog = await self.health.outbox_backlog()
        waited = age(self.clock.now(), backlog.oldest)
        if waited > self.outbox_stuck_seconds:
            raise NotReady(
                f"the oldest of {backlog.pending} waiting messages has waited {waited:.0f} s "
                f"(more than OUTBOX_STUCK_SECONDS={self.outbox_stuck_seconds:.0f})"
            )


class NotReady(Exception):
    """A check's answer: what is wrong, for the operator reading /readyz."""
