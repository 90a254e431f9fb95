"""The echo baseline, the form floor and Green Channel under the same chat load, side by side: quiet, then with a
busy neighbour (one core taken, or another process fsyncing to the same disk)."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.contention import contention
from benchmarks.processes import REVIEWER_BASE, Server, bot


@dataclass(frozen=True)
class ChatLoad:
    applicants: int  # closed loop: each fills in one whole form, all at once
    reviewers: int
    paced_rate: float  # updates/s for the latency phase
    paced_applicants: int
    burst_users: int
    burst_per_user: int
    contention_bound_s: float  # a neighbour's own deadline: far more than its phases take, should nobody stop it


QUICK = ChatLoad(
    applicants=150,
    reviewers=4,
    paced_rate=200,
    paced_applicants=40,
    burst_users=500,
    burst_per_user=10,
    contention_bound_s=180,
)
FULL = ChatLoad(
    applicants=800,
    reviewers=8,
    paced_rate=200,
    paced_applicants=300,
    burst_users=2000,
    burst_per_user=10,
    contention_bound_s=900,
)
WARM_UP_APPLICANTS = 20  # a fresh bot's first updates pay for imports and cold caches: not the neighbour's doing


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summarise(tally: dict[str, Any]) -> dict[str, Any]:
    latencies = tally["latencies_ms"]
    by_step: dict[str, list[float]] = {}
    for label, latency in zip(tally["labels"], latencies, strict=True):
        by_step.setdefault(label, []).append(latency)
    return {
        "by_step": {
            label: {"n": len(v), "p50_ms": statistics.median(v), "p99_ms": percentile(v, 0.99)}
            for label, v in sorted(by_step.items())
        },
        "updates": tally["steps"],
        "updates_per_s": tally["steps"] / tally["seconds"],
        "p50_ms": statistics.median(latencies),
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": max(latencies),
        "calls": tally["calls"],
        "calls_per_update": sum(n for m, n in tally["calls"].items() if m != "getUpdates") / tally["steps"],
    }


async def measure_floor(server: Server, workdir: Path, load: ChatLoad, round_no: int) -> dict[str, Any]:
    """The form's questions alone against the plainest aiogram version of the form (``form_floor_bot``)."""
    base = 1_000_000 * (round_no * 10 + 3)
    async with bot("floor", server, workdir / f"floor-{round_no}", reviewer_ids=[]):
        steps = await server.post(
            "/bench/load", applicants=load.applicants, reviewers=0, base=base, fake_buttons=False, script="form"
        )
    return {"form_steps": summarise(steps)}


async def measure(kind: str, server: Server, workdir: Path, load: ChatLoad, round_no: int) -> dict[str, Any]:
    """Throughput (closed loop), latency at a fixed rate, then a fresh process for the burst's peak memory."""
    base = 1_000_000 * (round_no * 10 + (1 if kind == "echo" else 2))  # fresh users for every phase
    reviewers = [base + REVIEWER_BASE + n for n in range(load.reviewers)]
    paced_reviewers = [base + 100_000 + REVIEWER_BASE + n for n in range(2)]
    fake = kind == "echo"
    async with bot(kind, server, workdir / f"{kind}-{round_no}-load", reviewer_ids=reviewers + paced_reviewers):
        closed = await server.post(
            "/bench/load", applicants=load.applicants, reviewers=load.reviewers, base=base, fake_buttons=fake
        )
        steps = await _form_steps(server, load.applicants, base + 50_000, fake)
        paced = await _paced(server, load, base + 100_000, fake)
    await server.post("/bench/burst", users=load.burst_users, per_user=load.burst_per_user, base=base + 200_000)
    async with bot(kind, server, workdir / f"{kind}-{round_no}-burst", reviewer_ids=[]) as process:
        burst = await server.post("/bench/burst/wait", seconds=600)
        peak = process.peak_rss_mb()
    return {
        "closed": summarise(closed),
        "form_steps": summarise(steps),
        "paced": summarise(paced),
        "burst": {
            "updates": burst["replies"],
            "updates_per_s": burst["replies"] / burst["seconds"],
            "peak_rss_mb": peak,
        },
    }


async def measure_contended(kind: str, server: Server, workdir: Path, load: ChatLoad, round_no: int) -> dict[str, Any]:
    """The paced load with one core kept busy (``cpu``), then the paced load and the form questions alone while
    another process appends and fsyncs to a file beside the bot's database (``io``). One bot process, warmed up
    before any neighbour starts; each neighbour runs only while its phases do."""
    base = 1_000_000 * (round_no * 10 + (4 if kind == "echo" else 5))
    paced_reviewers = [base + offset + REVIEWER_BASE + n for offset in (0, 100_000) for n in range(2)]
    fake = kind == "echo"
    where = workdir / f"{kind}-{round_no}-contended"  # Green Channel's database is here, and the writer's file
    started = time.monotonic()
    async with bot(kind, server, where, reviewer_ids=paced_reviewers):
        await _form_steps(server, WARM_UP_APPLICANTS, base + 300_000, fake)
        async with contention("cpu", where, load.contention_bound_s) as cpu:
            cpu_paced = await _paced(server, load, base, fake)
        async with contention("io", where, load.contention_bound_s) as io:
            io_paced = await _paced(server, load, base + 100_000, fake)
            io_steps = await _form_steps(server, load.applicants, base + 50_000, fake)
    return {
        "cpu": {"paced": summarise(cpu_paced), "neighbour": cpu.stats},
        "io": {"paced": summarise(io_paced), "form_steps": summarise(io_steps), "neighbour": io.stats},
        "seconds": time.monotonic() - started,  # the bot's start and warm-up included
    }


async def _form_steps(server: Server, applicants: int, base: int, fake: bool) -> dict[str, Any]:
    """The target's unit, closed loop: each step one update, one reply, its state stored."""
    return await server.post(
        "/bench/load", applicants=applicants, reviewers=0, base=base, fake_buttons=fake, script="form"
    )


async def _paced(server: Server, load: ChatLoad, base: int, fake: bool) -> dict[str, Any]:
    """Whole forms and two reviewers, steps let through at ``load.paced_rate`` overall."""
    return await server.post(
        "/bench/load",
        applicants=load.paced_applicants,
        reviewers=2,
        base=base,
        rate=load.paced_rate,
        fake_buttons=fake,
    )
