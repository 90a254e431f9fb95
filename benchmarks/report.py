"""The run's figures: one JSON document, and the table printed at the end."""

from __future__ import annotations

import math
import platform
import statistics
from dataclasses import asdict
from typing import Any

import aiogram

from benchmarks.chat_load import ChatLoad
from benchmarks.contention import CHUNK, KINDS

P99_RATIO_CONTENDED_TARGET = 3.0  # ours over echo's p99 at 200/s, under each kind of neighbour
FORM_STEP_IO_TARGET = 0.9  # the form-step ratio with the disk neighbour, as a share of the quiet one


def _at(measured: dict[str, Any], phase: str) -> dict[str, Any]:
    """``phase`` may be a path into a round: ``"contended/io/paced"``."""
    for part in phase.split("/"):
        measured = measured[part]
    return measured


def _median(rounds: list[dict[str, Any]], phase: str, key: str) -> float:
    return float(statistics.median(_at(r, phase)[key] for r in rounds))


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
        **_contended(echo, green, statistics.median(step_ratio)),
        "queue_scale": scale,
        "growth_exponent": {k: _growth(scale, k) for k in ("next_ms", "queue_ms", "summary_ms")},
        "rounds": results,
    }


def _contended(echo: list[dict[str, Any]], green: list[dict[str, Any]], form_step_ratio: float) -> dict[str, Any]:
    """The same load with a busy neighbour; every ratio is ours over the echo bot's in the same round."""
    p99_rounds = {k: _ratios(echo, green, f"contended/{k}/paced", "p99_ms") for k in KINDS}
    io_steps = _ratios(echo, green, "contended/io/form_steps")
    both = echo + green
    writer = [_at(r, "contended/io/neighbour") for r in both]
    return {
        "p50_ms_contended": {k: _median(green, f"contended/{k}/paced", "p50_ms") for k in KINDS},
        "p99_ms_contended": {k: _median(green, f"contended/{k}/paced", "p99_ms") for k in KINDS},
        "baseline_p99_ms_contended": {k: _median(echo, f"contended/{k}/paced", "p99_ms") for k in KINDS},
        "p99_ratio_contended": {k: statistics.median(v) for k, v in p99_rounds.items()},
        "p99_ratio_contended_rounds": p99_rounds,
        "form_step_ratio_io": statistics.median(io_steps),
        "form_step_ratio_io_rounds": io_steps,
        "form_step_ratio_io_of_quiet": statistics.median(io_steps) / form_step_ratio,
        # what the neighbours did, so runs on different days can be compared (the disk here is shared too)
        "neighbours": {
            "cpu_share_of_busy_loop": _median(both, "contended/cpu/neighbour", "cpu_share"),
            "writer_fsyncs_per_s": statistics.median(w["fsyncs"] / w["seconds"] for w in writer),
            "writer_chunk_kib": CHUNK // 1024,
        },
    }


def _ratios(
    base: list[dict[str, Any]], other: list[dict[str, Any]], phase: str, key: str = "updates_per_s"
) -> list[float]:
    """``other``'s ``key`` over ``base``'s, round by round (each pair measured minutes apart)."""
    return [_at(o, phase)[key] / _at(b, phase)[key] for b, o in zip(base, other, strict=True)]


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
    for kind, beside in (("cpu", "one core busy"), ("io", "disk writer")):
        row(f"{beside}: p50 ms at {result['paced_rate']:.0f}/s", f"contended/{kind}/paced", "p50_ms", "{:.1f}", False)
        row(f"{beside}: p99 ms at {result['paced_rate']:.0f}/s", f"contended/{kind}/paced", "p99_ms", "{:.1f}")
    row("disk writer: form steps/s", "contended/io/form_steps", "updates_per_s")
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
        *_contended_lines(result),
    ]
    if "run_seconds" in result:
        lines.append(f"\nrun took {result['run_seconds'] / 60:.1f} min")
    return "\n".join(lines)


def _contended_lines(result: dict[str, Any]) -> list[str]:
    lines = []
    for kind, beside in (("cpu", "one core busy"), ("io", "disk writer")):
        ratio = result["p99_ratio_contended"][kind]
        lines.append(
            f"p99_ms_contended {kind} {result['p99_ms_contended'][kind]:.1f} ms ({beside}; echo "
            f"{result['baseline_p99_ms_contended'][kind]:.1f})   p99_ratio_contended {kind} {ratio:.2f} "
            f"(target <= {P99_RATIO_CONTENDED_TARGET:g}: {_verdict(ratio <= P99_RATIO_CONTENDED_TARGET)})"
        )
    share = result["form_step_ratio_io_of_quiet"]
    neighbours = result["neighbours"]
    return [
        *lines,
        f"form_step_ratio_io {result['form_step_ratio_io']:.2f}, {share:.2f} of the quiet form_step_ratio "
        f"(target >= {FORM_STEP_IO_TARGET:g} of it: {_verdict(share >= FORM_STEP_IO_TARGET)})",
        f"neighbours: the busy loop got {neighbours['cpu_share_of_busy_loop']:.2f} of a core; the writer made "
        f"{neighbours['writer_fsyncs_per_s']:,.0f} fsyncs/s of {neighbours['writer_chunk_kib']} KiB",
    ]


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"
