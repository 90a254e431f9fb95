"""The gauges read from the database, refreshed at scrape time at most every few seconds.

A scrape every 15 s from Prometheus (or several scrapers, or someone reloading the page) costs one refresh per
``max_age``: the reads are indexed, on the long-read connection's thread, and never take the write lock.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from approvals.models import Lane
from approvals.ports import SummarySource
from approvals.service import ApprovalService
from monitoring.metrics import Metrics
from storage.ports import Health

# the daily runs whose last time is a gauge: the summary (jobs/summary.py) and the nightly backup (operations/)
RUNS = ("summary", "backup")
REFRESH_SECONDS = 5.0


class DatabaseFigures:
    def __init__(
        self,
        metrics: Metrics,
        health: Health,
        source: SummarySource,
        approvals: ApprovalService,
        *,
        max_age: float = REFRESH_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.metrics = metrics
        self.health = health
        self.source = source
        self.approvals = approvals
        self.max_age = max_age
        self.monotonic = monotonic
        self._fresh_until = float("-inf")
        self._refreshing = asyncio.Lock()  # concurrent scrapes share one refresh

    async def refresh(self) -> None:
        if self.monotonic() < self._fresh_until:
            return
        async with self._refreshing:
            if self.monotonic() < self._fresh_until:
                return  # another scrape refreshed while this one waited
            await self._read()
            self._fresh_until = self.monotonic() + self.max_age

    async def _read(self) -> None:
        m = self.metrics
        now = self.approvals.clock.now()
        backlog = await self.health.outbox_backlog()
        m.outbox_pending.set(backlog.pending)
        m.outbox_oldest_age.set(age(now, backlog.oldest))
        for state, lane, count in await self.health.requests_by_state_and_lane():
            m.requests.labels(state, lane_name(lane)).set(count)
        # the daily summary's own definitions (approvals/summary.py): due by the risk cutoff, past yesterday
        today = self.approvals.today()
        yesterday = today - timedelta(days=1)
        overdue = await self.source.count_open_due_by(yesterday)
        m.overdue.set(overdue)
        m.at_risk.set(await self.source.count_open_due_by(self.approvals.risk_cutoff(today)) - overdue)
        m.overdue_statutory.set(await self.source.count_open_due_by(yesterday, statutory=True))
        for run, at in (await self.health.last_runs(RUNS)).items():
            m.last_run.labels(run).set(at.timestamp())


def age(now: datetime, since: datetime | None) -> float:
    return max((now - since).total_seconds(), 0.0) if since is not None else 0.0


def lane_name(lane: int) -> str:
    try:
        return Lane(lane).name.lower()
    except ValueError:  # a lane a newer release added: still counted, by number
        return str(lane)
