"""Phases 1 and 2: the echo baseline and Green Channel under the same chat load, side by side."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.processes import REVIEWER_BASE, Server, bot


@dataclass(frozen=True)
class ChatLoad:
    applicants: int  # closed loop: each fills in one whole form, all at once
    reviewers: int
    paced_rate: float  # updates/s for the latency phase
    paced_applicants: int
    burst_users: int
    burst_per_user: int


QUICK = ChatLoad(applicants=150, reviewers=4, paced_rate=200, paced_applicants=40, burst_users=500, burst_per_user=10)
FULL = ChatLoad(applicants=800, reviewers=8, paced_rate=200, paced_applicants=300, burst_users=2000, burst_per_user=10)


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
        steps = await server.post(  # the target's unit: each step one update, one reply, its state stored
            "/bench/load", applicants=load.applicants, reviewers=0, base=base + 50_000, fake_buttons=fake, script="form"
        )
        paced = await server.post(
            "/bench/load",
            applicants=load.paced_applicants,
            reviewers=2,
            base=base + 100_000,
            rate=load.paced_rate,
            fake_buttons=fake,
        )
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
