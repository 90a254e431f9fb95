"""The weekly bulletin (一周一通报): rendered per reader's language (``reports/bulletin.py``: a short message, the
workbook, a chart), claimed once per week in the transaction that queues it, at BULLETIN_DAY BULLETIN_TIME and at
start if this week's moment passed while the process was down."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, time, tzinfo
from typing import TYPE_CHECKING

from aiogram import Dispatcher
from apscheduler.triggers.cron import CronTrigger

from approvals.bulletin import bulletin_due
from approvals.key_service import KeyService
from approvals.ports import Clock
from handlers.context import AppContext
from jobs.summary import recipients
from reports.bulletin import addressed, render
from storage.ports import KeyServiceRecords, Outgoing

if TYPE_CHECKING:
    from jobs.scheduler import Jobs

log = logging.getLogger(__name__)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class BulletinSettings:
    weekday: int = 0  # Monday
    at: time = time(9, 0)


def bulletin_trigger(tz: tzinfo, settings: BulletinSettings) -> CronTrigger:
    """In the bureau's zone, given explicitly: the host's zone never moves the bulletin."""
    return CronTrigger(
        day_of_week=WEEKDAYS[settings.weekday], hour=settings.at.hour, minute=settings.at.minute, timezone=tz
    )


class WeeklyBulletin:
    """Adds the weekly job to the daily jobs' scheduler (started first) and catches this week's up at start."""

    def __init__(
        self,
        app: AppContext,
        service: KeyService,
        store: KeyServiceRecords,
        clock: Clock,
        jobs: Jobs,
        settings: BulletinSettings,
    ) -> None:
        self.app = app
        self.service = service
        self.store = store
        self.clock = clock
        self.jobs = jobs
        self.settings = settings
        self._catch_up: asyncio.Task[bool] | None = None

    async def run(self) -> bool:
        """This week's bulletin if it is due and no process sent it. True when this call claimed it."""
        now = self.clock.now()
        today = now.astimezone(self.app.tz).date()
        first = await self.app.repos.runs.counting_from(today, now)
        week = bulletin_due(now, self.app.tz, self.settings.weekday, self.settings.at, first_day=first)
        if week is None or await self.store.bulletin_claimed(week):
            return False
        claimed = await self.send(week, today)
        if claimed:
            self.jobs.sender.wake.set()
        return claimed

    async def send(self, week: date, today: date) -> bool:
        bulletin = await self.service.bulletin()
        late = today != date.fromordinal(week.toordinal() + self.settings.weekday)
        rendered: dict[str, list[Outgoing]] = {}
        messages: list[Outgoing] = []
        for chat_id, locale in await recipients(self.app):
            if locale not in rendered:
                rendered[locale] = await render(self.app, bulletin, locale, late=late)
            messages += [addressed(m, chat_id) for m in rendered[locale]]
        claimed = await self.store.claim_bulletin(week, messages, self.clock.now())
        log.info("weekly bulletin week=%s late=%s claimed=%s messages=%d", week, late, claimed, len(messages))
        return claimed

    async def _safe_run(self) -> bool:
        try:
            return await self.run()
        except Exception:
            log.exception("weekly bulletin failed")
            return False

    async def start(self) -> None:
        self.jobs.scheduler.add_job(
            self._safe_run,
            bulletin_trigger(self.app.tz, self.settings),
            id="bulletin",
            coalesce=True,
            misfire_grace_time=None,
            max_instances=1,
            replace_existing=True,
        )
        self._catch_up = asyncio.create_task(self._safe_run(), name="bulletin-catch-up")

    async def catch_up_done(self) -> bool:
        return await self._catch_up if self._catch_up is not None else False

    async def stop(self) -> None:
        if self._catch_up is not None:
            await self._catch_up

    def attach(self, dp: Dispatcher) -> None:
        """After ``Jobs.attach``: its start runs first, so the scheduler is running when this adds its job."""
        dp.startup.register(self.start)
        dp.shutdown.register(self.stop)
