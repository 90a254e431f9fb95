"""The run's figures: one JSON document, and the table printed at the end."""

from __future__ import annotations

import math
import platform
import statistics
from dataclasses import asdict
from typing import Any

import aiogram

from benchmarks.chat_load import ChatLoad


def _median(rounds: list[dict[str, Any]], phase: str, key: str) -> float:
    return statistics.median(r[phase][key] for r in rounds)


def _growth(scale: list[dict[str, Any]], key: str) -> float:
    """How the time grew from the smallest to the largest size, as a power of n: ~0 for log n, ~1 for linear."""
    first, last = scale[0], scale[-1]
    if first[key] <= 0:
        return float("nan")
    return math.log(last[key] / first[key]) / math.log(last["pending"] / first["pending"])


def combine(
    results: dict[str, list[dict[str, Any]]], scale: list[dict[str, Any]], *, quick: bool, load: ChatLoad
) -> dict[str, Any]:
    echo, floor, green = results["echo"], results["floor"], results["green"]
    at_largest = scale[-1]
    million = at_largest if at_largest["pending"] >= 1_000_000 else None
    ratio = _ratios(echo, green, "closed")
    step_ratio = _ratios(echo, green, "form_steps")
    rss = [g["burst"]["peak_rss_mb"] / e["burst"]["peak_rss_mb"] for e, g in zip(echo, green, strict=True)]
    return {
        "quick": quick,
        "machine": {"python": platform.python_version(), "aiogram": aiogram.__version__, "cpus": _cpus()},
        "load": asdict(load),
        "throughput_ratio": statistics.median(ratio),
        "throughput_ratio_rounds": ratio,
        "baseline_updates_per_s": _median(echo, "closed", "updates_per_s"),
        "green_updates_per_s": _median(green, "closed", "updates_per_s"),
        "form_step_ratio": statistics.median(step_ratio),
        "form_step_ratio_rounds": step_ratio,
        "baseline_form_steps_per_s": _median(echo, "form_steps", "updates_per_s"),
        "green_form_steps_per_s": _median(green, "form_steps", "updates_per_s"),
        # the plainest aiogram bot asking the same questions with the same messages, nothing stored: the ratio
        # any aiogram implementation of these steps can reach here, and what Green Channel's extras cost on top
        "floor_form_steps_per_s": _median(floor, "form_steps", "updates_per_s"),
        "floor_form_step_ratio": statistics.median(_ratios(echo, floor, "form_steps")),
        "form_step_ratio_to_floor": statistics.median(_ratios(floor, green, "form_steps")),
        "p50_ms": _median(green, "paced", "p50_ms"),
        "p99_ms": _median(green, "paced", "p99_ms"),
        "baseline_p99_ms": _median(echo, "paced", "p99_ms"),
        "paced_rate": load.paced_rate,
        "peak_rss_mb": _median(green, "burst", "peak_rss_mb"),
        "baseline_peak_rss_mb": _median(echo, "burst", "peak_rss_mb"),
        "peak_rss_ratio": statistics.median(rss),
        "next_ms_at_1m": million["next_ms"] if million else None,
        "queue_ms_at_1m": million["queue_ms"] if million else None,
        "summary_ms_at_1m": million["summary_ms"] if million else None,
        "queue_scale": scale,
        "growth_exponent": {k: _growth(scale, k) for k in ("next_ms", "queue_ms", "summary_ms")},
        "rounds": results,
    }


def _ratios(base: list[dict[str, Any]], other: list[dict[str, Any]], phase: str) -> list[float]:
    """``other``'s updates/s over ``base``'s, round by round (each pair measured minutes apart)."""
    return [o[phase]["updates_per_s"] / b[phase]["updates_per_s"] for b, o in zip(base, other, strict=True)]


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


def table(result: dict[str, Any]) -> str:
    rounds = result["rounds"]
    lines = [
        f"Green Channel benchmark ({'quick' if result['quick'] else 'full'}; {len(rounds['echo'])} round(s))",
        "",
        f"{'':34}{'echo baseline':>16}{'Green Channel':>16}{'ratio':>9}",
    ]

    def row(label: str, phase: str, key: str, fmt: str = "{:.0f}", ratio: bool = True) -> None:
        e, g = _median(rounds["echo"], phase, key), _median(rounds["green"], phase, key)
        r = f"{g / e:.2f}" if ratio and e else ""
        lines.append(f"{label:34}{fmt.format(e):>16}{fmt.format(g):>16}{r:>9}")

    row("whole forms + reviewers, updates/s", "closed", "updates_per_s")
    row("  p50 ms", "closed", "p50_ms", "{:.1f}", False)
    row("  p99 ms", "closed", "p99_ms", "{:.1f}", False)
    row("form questions alone, steps/s", "form_steps", "updates_per_s")
    floor = _median(rounds["floor"], "form_steps", "updates_per_s")
    lines.append(
        f"{'  plainest aiogram form, no storage':34}{'':>16}{floor:>16.0f}{result['floor_form_step_ratio']:>9.2f}"
    )
    row(f"p50 ms at {result['paced_rate']:.0f} updates/s", "paced", "p50_ms", "{:.1f}", False)
    row(f"p99 ms at {result['paced_rate']:.0f} updates/s", "paced", "p99_ms", "{:.1f}", False)
    row("burst updates/s", "burst", "updates_per_s")
    row("burst peak RSS MB", "burst", "peak_rss_mb")
    lines += ["", f"{'pending requests':>18}{'/next ms':>12}{'/queue ms':>12}{'summary ms':>12}"]
    for size in result["queue_scale"]:
        lines.append(
            f"{size['pending']:>18,}{size['next_ms']:>12.2f}{size['queue_ms']:>12.2f}{size['summary_ms']:>12.1f}"
        )
    growth = result["growth_exponent"]
    lines.append(
        "growth as n^k, k = "
        + ", ".join(f"{k.removesuffix('_ms')} {v:.2f}" for k, v in growth.items())
        + "   (0 = flat/log n, 1 = linear)"
    )
    lines += [
        "",
        f"form_step_ratio {result['form_step_ratio']:.2f} (target >= 0.80; the plainest aiogram form reaches "
        f"{result['floor_form_step_ratio']:.2f}, Green Channel {result['form_step_ratio_to_floor']:.2f} of that)",
        f"throughput_ratio {result['throughput_ratio']:.2f} (whole forms + reviewers)",
        f"p99 {result['p99_ms']:.1f} ms at {result['paced_rate']:.0f}/s (target < 50)   "
        f"peak_rss_ratio {result['peak_rss_ratio']:.2f} (target <= 1.15)",
    ]
    return "\n".join(lines)
