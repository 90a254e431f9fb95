"""APScheduler 3 jobs, started and stopped with the dispatcher.

The cron trigger carries the bureau's time zone, so the host's zone never shifts 08:30. Runs missed while the
process was down (a week back at most) are caught up at start, oldest first and marked late; the database claim
(summary_runs) makes every day's run happen once however many processes try.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import time, timedelta, tzinfo

from aiogram import Dispatcher
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from approvals.ports import Clock
from approvals.schedule import CATCH_UP_DAYS, daily_runs_due
from handlers.context import AppContext
from jobs.clock_stops import end_stated_stops, remind_stated_ends
from jobs.copies import DocumentCopier
from jobs.periods import take_overdue_steps
from jobs.reminders import OVERDUE, send_overdue_list, send_reminders
from jobs.sender import OutboxSender
from jobs.summary import SUMMARY, send_daily_summary

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScheduleSettings:
    summary_time: time = time(8, 30)
    workdays_only: bool = False
    reminder_minutes: int = 30


def summary_trigger(tz: tzinfo, settings: ScheduleSettings) -> CronTrigger:
    """The zone is the bureau's, given explicitly: the host's zone never moves the summary."""
    return CronTrigger(hour=settings.summary_time.hour, minute=settings.summary_time.minute, timezone=tz)


class Jobs:
    def __init__(
        self,
        app: AppContext,
        clock: Clock,
        sender: OutboxSender,
        settings: ScheduleSettings,
        copier: DocumentCopier | None = None,
    ) -> None:
        self.app = app
        self.clock = clock
        self.sender = sender
        self.settings = settings
        self.copier = copier  # the bureau's copies of documents
        self.scheduler = AsyncIOScheduler(timezone=app.tz)
        self._catch_up: asyncio.Task[None] | None = None

    async def daily(self) -> None:
        """Runs at the summary time, and once at start in case the process was down then."""
        await self.run_daily()

    async def run_daily(self) -> bool:
        """Every day whose run is due and not done, oldest first. True when this process claimed a summary."""
        now = self.clock.now()
        runs = self.app.repos.runs
        today = now.astimezone(self.app.tz).date()
        days = daily_runs_due(
            now,
            self.app.tz,
            self.settings.summary_time,
            self.app.approvals.calendar,
            workdays_only=self.settings.workdays_only,
            first_day=await runs.counting_from(today, now),
            done=await runs.done_days((SUMMARY, OVERDUE), since=today - timedelta(days=CATCH_UP_DAYS)),
        )
        claimed = False
        for day in days:  # each day claimed in its own transaction: a crash part-way keeps the days already sent
            claimed = await send_daily_summary(self.app, day, now) or claimed
            await send_overdue_list(self.app, day, now)
        if days:
            self.sender.wake.set()
        return claimed

    async def reminders(self) -> None:
        now = self.clock.now()
        if await send_reminders(self.app, now.astimezone(self.app.tz).date(), now):
            self.sender.wake.set()

    async def periods(self) -> None:
        """Deemed acceptances and returns whose period ran out, and clock stops at their stated end or the day
        before it (checked as often as reminders)."""
        ended = await end_stated_stops(self.app)
        reminded = await remind_stated_ends(self.app, self.clock.now())
        if await take_overdue_steps(self.app) or ended or reminded:
            self.sender.wake.set()

    async def start(self) -> None:
        # coalesce: a stalled loop that missed several firings runs once; no misfire limit: late is better than
        # never, and the day's claim keeps it to one summary
        self.scheduler.add_job(
            self.daily,
            summary_trigger(self.app.tz, self.settings),
            id="daily",
            coalesce=True,
            misfire_grace_time=None,
            max_instances=1,
            replace_existing=True,
        )
        self.scheduler.add_job(
            self.reminders,
            IntervalTrigger(minutes=self.settings.reminder_minutes, timezone=self.app.tz),
            id="reminders",
            coalesce=True,
            misfire_grace_time=None,
            max_instances=1,
            replace_existing=True,
        )
        self.scheduler.add_job(
            self.periods,
            IntervalTrigger(minutes=self.settings.reminder_minutes, timezone=self.app.tz),
            id="periods",
            coalesce=True,
            misfire_grace_time=None,
            max_instances=1,
            replace_existing=True,
        )
        self.scheduler.start()
        self.sender.start()
        if self.copier is not None:
            self.copier.start()
        self._catch_up = asyncio.create_task(self._start_jobs(), name="catch-up")

    async def _start_jobs(self) -> None:
        try:
            await self.daily()
            await self.periods()  # before reminders: a request deemed accepted is reminded of as accepted
            await self.reminders()
        except Exception:
            log.exception("catch-up at start failed")

    async def catch_up_done(self) -> None:
        if self._catch_up is not None:
            await self._catch_up

    async def stop(self) -> None:
        if self._catch_up is not None:
            await self._catch_up
        self.scheduler.shutdown(wait=False)
        if self.copier is not None:  # a copy cut short stays pending for the next start
            await self.copier.stop()
        try:
            await self.sender.flush()  # what is due goes out before the process ends
        except Exception:  # what could not go out stays queued for the next start; the stop goes on
            log.exception("last outbox pass before stopping failed")
        await self.sender.stop()

    def attach(self, dp: Dispatcher) -> None:
        dp.startup.register(self.start)
        dp.shutdown.register(self.stop)
