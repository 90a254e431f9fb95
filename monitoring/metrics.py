"""The figures Prometheus scrapes, in a registry of this bot's own (no module-level state: a test, or the sandbox
next to a bot, can hold several).

The update counters and the latency histogram are moved on every update, on the event loop: they are plain
integers and floats here (``LoopCounts``), turned into Prometheus families only when scraped — the scrape runs on
the same loop, so nothing needs prometheus_client's per-value locks (measured: ~1 µs per update instead of ~8 on
this machine, tests/unit/test_monitoring.py). Failed Bot API calls are rarer and use a plain Counter. Gauges read
from the database are set at scrape time (``figures.py``).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

# from a toast answered from memory to a long export: the histogram's buckets, in seconds
LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class LoopCounts(Collector):
    """Updates by type and outcome, and their latency by type: touched only on the event loop, never locked."""

    def __init__(self) -> None:
        self.updates: dict[tuple[str, str], int] = {}
        self.buckets: dict[str, list[int]] = {}  # per type: a count per bucket, the last one for +Inf
        self.sums: dict[str, float] = {}

    def add(self, kind: str, outcome: str, seconds: float) -> None:
        key = (kind, outcome)
        self.updates[key] = self.updates.get(key, 0) + 1
        buckets = self.buckets.get(kind)
        if buckets is None:
            buckets = self.buckets[kind] = [0] * (len(LATENCY_BUCKETS) + 1)
            self.sums[kind] = 0.0
        buckets[bisect_left(LATENCY_BUCKETS, seconds)] += 1  # the first bound >= seconds: Prometheus' "le"
        self.sums[kind] += seconds

    def collect(self) -> Iterator[Metric]:
        updates = CounterMetricFamily(
            "green_channel_updates", "Updates handled, by type and outcome", labels=["type", "outcome"]
        )
        for (kind, outcome), n in sorted(self.updates.items()):
            updates.add_metric([kind, outcome], n)
        yield updates
        latency = HistogramMetricFamily(
            "green_channel_update_seconds",
            "Time from an update reaching the dispatcher to its writes committed, by type",
            labels=["type"],
        )
        for kind, counts in sorted(self.buckets.items()):
            cumulative, running = [], 0
            for bound, n in zip((*map(str, LATENCY_BUCKETS), "+Inf"), counts, strict=True):
                running += n
                cumulative.append((bound, running))
            latency.add_metric([kind], cumulative, self.sums[kind])
        yield latency


class Metrics:
    def __init__(self, version: str) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)  # memory, CPU, open files of this process
        PlatformCollector(registry=self.registry)
        r = self.registry
        Gauge("green_channel_build_info", "The running version", ["version"], registry=r).labels(version).set(1)
        self.loop_counts = LoopCounts()
        r.register(self.loop_counts)
        self._send_failures = Counter(
            "green_channel_send_failures", "Bot API calls that failed, by error code", ["code"], registry=r
        )
        self.outbox_pending = Gauge("green_channel_outbox_pending", "Messages waiting in the outbox", registry=r)
        self.outbox_oldest_age = Gauge(
            "green_channel_outbox_oldest_age_seconds", "How long the oldest waiting message has waited", registry=r
        )
        self.requests = Gauge("green_channel_requests", "Requests by state and lane", ["state", "lane"], registry=r)
        self.at_risk = Gauge(
            "green_channel_requests_at_risk", "Requests with the bureau due within RISK_DAYS, not overdue", registry=r
        )
        self.overdue = Gauge(
            "green_channel_requests_overdue", "Requests with the bureau past their promised deadline", registry=r
        )
        self.overdue_statutory = Gauge(
            "green_channel_requests_overdue_statutory",
            "Requests with the bureau past their legal deadline",
            registry=r,
        )
        self.last_run = Gauge(
            "green_channel_last_run_timestamp_seconds",
            "When a daily run (summary, backup) last ran, as a Unix time; absent until it has run once",
            ["run"],
            registry=r,
        )
        self._failure_children: dict[str, Counter] = {}
        self.update_done = self.loop_counts.add

    def send_failed(self, code: str) -> None:
        counter = self._failure_children.get(code)
        if counter is None:
            counter = self._failure_children[code] = self._send_failures.labels(code)
        counter.inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
