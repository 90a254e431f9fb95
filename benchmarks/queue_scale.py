"""Phase 3: /next, /queue and the daily summary figures with 1k … 1M pending requests in the database.

The database is filled with plain sqlite3 (indexes dropped during the load and rebuilt after, as a bulk import
would), then measured through the application's own use cases, exactly as the handlers call them.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from approvals.models import Actor, Role
from assembly import create_application
from config import Settings
from storage.open import open_storage

QUICK_SIZES = (1_000, 10_000, 100_000)
FULL_SIZES = (1_000, 100_000, 1_000_000)
DECIDED = 10_000  # decided requests beside the pending ones (over two years): a busy bureau's history
REVIEWER = 777
NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)  # a Wednesday morning in Beijing


class FixedClock:
    def now(self) -> datetime:
        return NOW


def _rows(count: int, decided: int, rng: random.Random) -> Iterator[tuple[Any, ...]]:
    today = NOW.date()
    statuses = ("submitted",) * 8 + ("in_review", "resubmitted", "needs_info")
    for n in range(count + decided):
        lane = 0 if rng.random() < 0.02 else rng.choice((1, 2))
        submitted = today - timedelta(days=rng.randint(0, 40))
        # a queue kept mostly in hand: about one in twenty near or past its promised date
        promised = today + timedelta(days=rng.randint(-3, 3) if rng.random() < 0.05 else rng.randint(5, 80))
        status = rng.choice(statuses) if n < count else rng.choice(("approved",) * 9 + ("rejected",))
        decided_on = (today - timedelta(days=rng.randint(0, 700))).isoformat() if n >= count else None
        yield (
            10_000 + n % 5000,
            f"示例项目 {n}",
            "示例建设单位",
            "张工",
            "13812345678",
            "infrastructure",
            "report_form",
            "1200.5",
            "城东街道",
            "基准测试数据",
            f"K{n % 50 + 1:02d}" if lane == 0 else None,
            lane,
            status,
            1,
            f"{submitted.isoformat()}T01:00:00.000000Z",
            f"{submitted.isoformat()}T01:00:00.000000Z",
            submitted.isoformat(),
            REVIEWER if status == "in_review" else None,
            decided_on,
            decided_on,
            submitted.isoformat() if status == "needs_info" else None,
            promised.isoformat(),
            (promised + timedelta(days=30)).isoformat(),
        )


def fill(path: Path, count: int) -> None:
    """``count`` open requests plus a share of decided ones, inserted with the indexes off, then re-indexed."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        indexes = [
            sql
            for (sql,) in conn.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'requests'")
            if sql
        ]
        names = [
            n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='requests'")
        ]
        conn.execute("BEGIN")
        for name in names:
            if not name.startswith("sqlite_autoindex"):
                conn.execute(f"DROP INDEX {name}")
        conn.executemany(
            "INSERT INTO requests (applicant_id, project_name, organisation, contact_name, phone, category, "
            "document_type, investment, location, description, key_code, lane, status, version, submitted_at, "
            "updated_at, accepted_on, claimed_by, decided_at, decided_on, paused_since, promised_due, statutory_due) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _rows(count, min(DECIDED, count), random.Random(count)),
        )
        for sql in indexes:
            conn.execute(sql)
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
    finally:
        conn.close()


async def _median_ms(action: Callable[[], Awaitable[Any]], repeat: int) -> float:
    await action()  # warm the page cache, as a running bot's would be
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        await action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


async def measure_one(count: int, workdir: Path) -> dict[str, Any]:
    path = workdir / f"queue-{count}.db"
    await (await open_storage(path, UTC)).close()  # creates the schema through the migrations
    started = time.perf_counter()
    fill(path, count)
    seeded = time.perf_counter() - started
    settings = Settings(bot_token="4242:BENCH-not-a-real-token", database_path=path)  # type: ignore[arg-type]
    application = await create_application(settings, clock=FixedClock())
    try:
        approvals = application.app.approvals
        actor = Actor(user_id=REVIEWER + 1, name="reviewer", roles=frozenset({Role.REVIEWER}))

        async def claim_only() -> None:
            claimed = await approvals.claim_next(actor)
            assert claimed is not None
            released.append(claimed.id)

        released: list[int] = []
        next_ms = await _median_ms(claim_only, 30)
        for request_id in released:  # put them back, so the queue is as it was for /queue
            await approvals.release(actor, request_id)
        queue_ms = await _median_ms(lambda: approvals.queue_page(actor, page=0), 30)
        summary_ms = await _median_ms(application.app.figures, 5)
    finally:
        await application.close()
    return {"pending": count, "seed_s": seeded, "next_ms": next_ms, "queue_ms": queue_ms, "summary_ms": summary_ms}


async def measure(sizes: tuple[int, ...], workdir: Path) -> list[dict[str, Any]]:
    results = []
    for count in sizes:
        results.append(await measure_one(count, workdir))
        (workdir / f"queue-{count}.db").unlink()
    return results
