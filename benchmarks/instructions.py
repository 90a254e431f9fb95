"""Instructions per update, counted by valgrind's callgrind: a figure this shared, noisy machine cannot move.

``python -m benchmarks.instructions [--applicants N] [--script form|whole] [echo floor green ...]`` runs each bot
under callgrind (instrumentation switched on after start-up and a warm-up), plays the closed loop once, and prints
the instructions the bot executed per update, and each bot's count over the first's. Needs ``valgrind`` on PATH;
takes about a minute per bot at 20 applicants. Wall-clock ratios (``python -m benchmarks``) come out lower than
these for the heavier bots: instructions are not all equally fast, and the kernel's share is not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
from pathlib import Path

from benchmarks.processes import REVIEWER_BASE, Server, bot, bot_api_server

KINDS = ("echo", "floor", "green")
WARM_UP_APPLICANTS = 5


async def control(pid: int, *args: str) -> None:
    proc = await asyncio.create_subprocess_exec(
        "callgrind_control", *args, str(pid), stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    await proc.wait()


def dumped_instructions(out: Path) -> int:
    """The ``totals:`` line of the newest dump (the one ``callgrind_control --dump`` just wrote)."""
    newest = max(out.parent.glob(out.name + "*"), key=lambda p: p.stat().st_mtime)
    for line in newest.read_text().splitlines():
        if line.startswith(("totals:", "summary:")):
            return int(line.split()[1])
    raise RuntimeError(f"no totals in {newest}")


async def count(kind: str, server: Server, workdir: Path, applicants: int, script: str, base: int) -> float:
    out = workdir / f"callgrind.{kind}"
    wrapper = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}.%p"]
    load = {"reviewers": 0, "fake_buttons": kind == "echo", "script": script}
    async with bot(kind, server, workdir / kind, reviewer_ids=[REVIEWER_BASE], wrapper=wrapper) as process:
        await server.post("/bench/load", applicants=WARM_UP_APPLICANTS, base=base + 500_000, **load)
        await control(process.proc.pid, "--instr=on")
        await control(process.proc.pid, "--zero")
        result = await server.post("/bench/load", applicants=applicants, base=base, **load)
        await control(process.proc.pid, "--dump")
        return dumped_instructions(out) / result["steps"]


async def run(kinds: list[str], applicants: int, script: str) -> dict[str, float]:
    counts: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="gc-instr-") as tmp:
        async with bot_api_server() as server:
            for n, kind in enumerate(kinds):
                base = 1_000_000 * (n + 1)  # fresh people for each bot
                counts[kind] = await count(kind, server, Path(tmp) / str(n), applicants, script, base)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.instructions", description=__doc__)
    parser.add_argument("kinds", nargs="*", metavar="BOT", help="echo, floor and/or green (default: all three)")
    parser.add_argument("--applicants", type=int, default=20)
    parser.add_argument("--script", choices=["form", "whole"], default="form")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt install valgrind)")
    kinds = args.kinds or list(KINDS)
    if unknown := set(kinds) - set(KINDS):
        parser.error(f"unknown bot {', '.join(sorted(unknown))}; choose from {', '.join(KINDS)}")
    counts = asyncio.run(run(kinds, args.applicants, args.script))
    first = counts[kinds[0]]
    for kind, per_update in counts.items():
        print(f"{kind:8} {per_update / 1e6:7.3f} M instructions/update   {first / per_update:5.2f} × {kinds[0]}")


if __name__ == "__main__":
    main()
