"""python -m benchmarks [--quick] [--out FILE]: Green Channel against a bare aiogram bot, quiet and with a busy
neighbour, and the queue at scale."""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import chat_load, queue_scale, report
from benchmarks.processes import bot_api_server


async def run(quick: bool, rounds: int, workdir: Path) -> dict[str, Any]:
    load = chat_load.QUICK if quick else chat_load.FULL
    results: dict[str, list[dict[str, Any]]] = {"echo": [], "floor": [], "green": []}
    async with bot_api_server() as server:
        for round_no in range(rounds):  # interleaved, so a noisy neighbour hits all alike
            results["echo"].append(await chat_load.measure("echo", server, workdir, load, round_no))
            results["floor"].append(await chat_load.measure_floor(server, workdir, load, round_no))
            results["green"].append(await chat_load.measure("green", server, workdir, load, round_no))
            for kind in ("echo", "green"):  # the same neighbours for both, one right after the other
                contended = await chat_load.measure_contended(kind, server, workdir, load, round_no)
                results[kind][-1]["contended"] = contended
    sizes = queue_scale.QUICK_SIZES if quick else queue_scale.FULL_SIZES
    scale = await queue_scale.measure(sizes, workdir)
    return report.combine(results, scale, quick=quick, load=load)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller loads, same measurements (a few minutes)")
    parser.add_argument(
        "--rounds", type=int, default=None, help="rounds of echo, floor and Green Channel (default: 1 quick, 5 full)"
    )
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/latest.json"))
    args = parser.parse_args()
    rounds = args.rounds or (1 if args.quick else 5)  # a shared machine: medians of five rounds move less
    started = time.monotonic()
    # the bots' databases and the disk neighbour's file share this directory: its fsyncs queue on their disk
    with tempfile.TemporaryDirectory(prefix="gc-bench-") as tmp:
        result = asyncio.run(run(args.quick, rounds, Path(tmp)))
    result["run_seconds"] = round(time.monotonic() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(report.table(result))
    print(f"\nresults written to {args.out}")


if __name__ == "__main__":
    main()
