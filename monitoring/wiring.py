"""How assembly.py plugs the endpoint in: ``Monitor.configured`` before the dispatcher is built (its update middleware
goes first), ``start`` once the bot and jobs exist, ``stop`` at close. With METRICS_PORT unset there is no
Monitor: nothing is counted and no port is opened."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from aiogram import Bot

from approvals.ports import Clock
from config import Settings
from handlers.context import AppContext
from jobs.scheduler import Jobs
from monitoring.figures import DatabaseFigures
from monitoring.metrics import Metrics
from monitoring.middleware import SendFailures, UpdateMetrics
from monitoring.readiness import Readiness
from monitoring.server import HealthServer
from monitoring.version import running_version

log = logging.getLogger(__name__)


@dataclass
class Monitor:
    settings: Settings
    version: str
    metrics: Metrics
    updates: UpdateMetrics
    server: HealthServer | None = field(default=None)

    @classmethod
    def configured(cls, settings: Settings) -> Monitor | None:
        if settings.metrics_port is None:
            return None
        version = running_version()
        metrics = Metrics(version)
        return cls(settings, version, metrics, UpdateMetrics(metrics))

    async def start(self, bot: Bot, app: AppContext, jobs: Jobs, clock: Clock) -> None:
        bot.session.middleware(SendFailures(self.metrics))
        health = app.repos.health
        figures = DatabaseFigures(self.metrics, health, app.repos.summary, app.approvals)
        readiness = Readiness(
            health=health,
            bot=bot,
            jobs=jobs,
            clock=clock,
            outbox_stuck_seconds=self.settings.outbox_stuck_seconds,
        )
        server = HealthServer(self.version, self.metrics, figures, readiness)
        host, port = self.settings.metrics_host, self.settings.metrics_port
        assert port is not None
        try:
            await server.start(host, port)
        except OSError as exc:
            # the applicants' service matters more than its dashboard: run on, and say so (monitoring that scrapes
            # this endpoint sees it down, which is the alert)
            log.error("health endpoint not started host=%s port=%d: %s", host, port, exc)
            return
        self.server = server

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.stop()
