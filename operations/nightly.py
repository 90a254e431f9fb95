"""The nightly backup: once a day at BACKUP_TIME into BACKUP_DIR, the last BACKUP_KEEP days kept.

Once per day across restarts, like the daily summary: the day's ``backup`` row in ``summary_runs`` records that
it was taken, and is written only after the archive is complete. A process stopped or killed before that row is
written takes the day's backup again at its next start (the day's file has a fixed name, so the second replaces the
first: one backup per day either way). A start after the backup time catches the day's backup up at once; a day
the bot was down entirely has none (a backup of a past day cannot be taken).

The backup runs on a thread with a connection of its own (``operations/backup.py``): the loop and the bot's writer
go on meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from aiogram import Dispatcher
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger

from approvals.ports import Clock
from config import Settings
from operations.backup import BackupError, BackupReport, BackupStopped, take_backup
from operations.postgres import postgres_url
from storage.outbox import Outgoing

log = logging.getLogger(__name__)
BACKUP = "backup"  # its kind in summary_runs
_NIGHTLY = re.compile(r"green-channel-nightly-(\d{4}-\d{2}-\d{2})\.tar")


class DailyRuns(Protocol):
    """What the job needs of ``storage/runs.py``."""

    async def is_claimed(self, kind: str, day: date) -> bool: ...

    async def claim_daily(self, kind: str, day: date, messages: Sequence[Outgoing], now: datetime) -> bool: ...


@dataclass(frozen=True)
class BackupSchedule:
    directory: Path
    keep_days: int = 14
    at: time = time(2, 30)


def nightly_name(day: date) -> str:
    return f"green-channel-nightly-{day.isoformat()}.tar"


def prune(directory: Path, today: date, keep_days: int) -> list[Path]:
    """Remove nightly backups older than ``keep_days`` days (today's counts as one); other files are left alone
    (a backup taken by hand is the operator's to remove)."""
    removed: list[Path] = []
    oldest_kept = today - timedelta(days=keep_days - 1)
    for path in sorted(directory.glob("green-channel-nightly-*.tar")):
        match = _NIGHTLY.fullmatch(path.name)
        if match and date.fromisoformat(match.group(1)) < oldest_kept:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


class NightlyBackup:
    def __init__(
        self,
        runs: DailyRuns,
        clock: Clock,
        tz: tzinfo,
        schedule: BackupSchedule,
        database: Path,
        files_dir: Path,
        postgres: str | None = None,
    ) -> None:
        self.runs = runs
        self.clock = clock
        self.tz = tz
        self.schedule = schedule
        self.database = database
        self.files_dir = files_dir
        self.postgres = postgres
        self._stop = threading.Event()  # seen between the copy's steps and between documents
        self._running = asyncio.Lock()  # the catch-up at start and the timer never overlap
        self._first: asyncio.Task[None] | None = None

    async def run(self) -> BackupReport | None:
        """Today's backup unless it was taken, or its time has not come; the report when this call took it."""
        async with self._running:
            now = self.clock.now()
            local = now.astimezone(self.tz)
            today = local.date()
            if local.time() < self.schedule.at or await self.runs.is_claimed(BACKUP, today):
                return None
            target = self.schedule.directory / nightly_name(today)
            report = await asyncio.to_thread(
                take_backup, self.database, self.files_dir, target, stop=self._stop, postgres=self.postgres
            )
            await self.runs.claim_daily(BACKUP, today, [], now)
            removed = await asyncio.to_thread(prune, self.schedule.directory, today, self.schedule.keep_days)
            log.info(
                "nightly %s; removed %d older than %d days", report.summary(), len(removed), self.schedule.keep_days
            )
            if report.damaged or report.missing:
                log.error(
                    "nightly backup found documents damaged=%d missing=%d", len(report.damaged), len(report.missing)
                )
            return report

    async def run_logged(self) -> None:
        try:
            await self.run()
        except BackupStopped:
            log.info("nightly backup abandoned: the bot is stopping (the next start takes it)")
        except BackupError as exc:
            log.error("nightly backup failed: %s", exc)
        except Exception:
            log.exception("nightly backup failed")

    def attach(self, dp: Dispatcher, scheduler: BaseScheduler) -> None:
        async def start() -> None:
            scheduler.add_job(
                self.run_logged,
                CronTrigger(hour=self.schedule.at.hour, minute=self.schedule.at.minute, timezone=self.tz),
                id=BACKUP,
                coalesce=True,
                misfire_grace_time=None,
                max_instances=1,
                replace_existing=True,
            )
            self._first = asyncio.create_task(self.run_logged(), name="nightly-backup-catch-up")

        dp.startup.register(start)
        dp.shutdown.register(self.stop)

    async def stop(self) -> None:
        """A backup in progress is abandoned (no partial file stays); the next start takes it."""
        self._stop.set()
        if self._first is not None:
            await self._first
        async with self._running:  # the timer's run, if one is under way, has seen the stop
            pass


def nightly_backup(settings: Settings, runs: DailyRuns, clock: Clock) -> NightlyBackup | None:
    """The job BACKUP_DIR asks for, or None (no nightly backup) when it is not set."""
    if settings.backup_dir is None:
        return None
    schedule = BackupSchedule(settings.backup_dir, settings.backup_keep, settings.backup_time)
    tz = ZoneInfo(settings.timezone)
    return NightlyBackup(runs, clock, tz, schedule, settings.database_path, settings.files_dir, postgres_url(settings))
