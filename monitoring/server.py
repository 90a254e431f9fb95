"""The HTTP side: /healthz, /readyz and /metrics on METRICS_HOST:METRICS_PORT (aiohttp, in the bot's process).

Nothing here is personal data (counts and times only), but bind it to the loopback or a management network:
Prometheus scrapes it, the public never needs it.
"""

from __future__ import annotations

import logging

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from monitoring.figures import DatabaseFigures
from monitoring.metrics import Metrics
from monitoring.readiness import Readiness

log = logging.getLogger(__name__)


class HealthServer:
    def __init__(self, version: str, metrics: Metrics, figures: DatabaseFigures, readiness: Readiness) -> None:
        self.version = version
        self.metrics = metrics
        self.figures = figures
        self.readiness = readiness
        self._runner: web.AppRunner | None = None
        self.port: int | None = None  # the port bound (METRICS_PORT=0 in tests: a free one)

    def application(self) -> web.Application:
        app = web.Application(client_max_size=1024)  # nothing is posted here
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/readyz", self.readyz)
        app.router.add_get("/metrics", self.metrics_page)
        return app

    async def start(self, host: str, port: int) -> None:
        self._runner = web.AppRunner(self.application(), access_log=None)  # scrapes every 15 s: no log line each
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        try:
            await site.start()
        except OSError:  # the port is taken, or the address is not this machine's
            await self.stop()
            raise
        self.port = self._runner.addresses[0][1]
        log.info("health endpoint listening host=%s port=%d", host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def healthz(self, request: web.Request) -> web.Response:
        """The process is up and its event loop answers."""
        return web.json_response({"status": "ok", "version": self.version})

    async def readyz(self, request: web.Request) -> web.Response:
        """200 when every check passes; 503 naming each that failed, with what to look at."""
        checks = await self.readiness.checks()
        failing = [c for c in checks if not c.ok]
        body = {
            "status": "not ready" if failing else "ready",
            "version": self.version,
            "failing": [c.name for c in failing],
            "checks": {c.name: c.problem or "ok" for c in checks},
        }
        return web.json_response(body, status=503 if failing else 200)

    async def metrics_page(self, request: web.Request) -> web.Response:
        try:
            await self.figures.refresh()
        except Exception:  # the counters are still worth having; the gauges keep their last values
            log.exception("could not read the database's figures for /metrics")
        response = web.Response(body=self.metrics.exposition())
        response.content_type = CONTENT_TYPE_LATEST.split(";")[0]
        response.charset = "utf-8"
        return response
