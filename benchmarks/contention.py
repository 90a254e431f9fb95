"""A busy neighbour for the contended phase: one core kept busy, or another process writing and fsyncing.

``python -m benchmarks.contention cpu --seconds S`` spins a plain Python loop; ``... io --seconds S --file F``
appends ``CHUNK`` bytes to ``F`` and fsyncs, over and over (``F`` sits beside the bot's database, so on the same
disk and the same journal). Either prints ``ready`` once it is running and, when it stops, one JSON line saying
what it did. It stops on SIGTERM or SIGINT, when its own deadline passes, or when its parent is gone — so a
benchmark killed outright leaves nothing spinning. The benchmark starts it with :func:`contention`, which always
stops it and reaps it, also when the phase fails or is cancelled (Ctrl-C).

Only the standard library is imported here: the child starts in a few tens of milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("cpu", "io")
# 64 KiB per fsync: ~4,700 fsyncs/s (~300 MB/s) on this machine's disk, about a third of a core in the kernel.
# 4 KiB gives more fsyncs but moves little data; 1 MiB gives ~650 fsyncs/s; each measured alone, 3 s.
CHUNK = 64 * 1024
WRAP = 64 * 1024 * 1024  # the file is cut back to nothing at this size: bounded on disk too
WAIT_SECONDS = 30.0  # for a neighbour to start, or to stop once asked


# --- the child -------------------------------------------------------------------------------------------------


class _Stop:
    """Why the loop should end, if it should: a signal, the deadline, or the parent gone."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.parent = os.getppid()
        self.signalled = False

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.signalled = True  # the loop notices at its next check; a syscall in progress is finished first

    def reason(self) -> str | None:
        if self.signalled:
            return "signal"
        if time.monotonic() >= self.deadline:
            return "deadline"
        if os.getppid() != self.parent:
            return "orphaned"  # the benchmark died without stopping us
        return None


def burn_cpu(stop: Callable[[], str | None], working: Callable[[], None]) -> dict[str, Any]:
    """Interpreter work and nothing else, checking whether to stop every ~0.1 ms."""
    loops = 0
    while (reason := stop()) is None:
        for _ in range(10_000):
            pass
        loops += 1
        if loops == 1:
            working()
    return {"reason": reason, "loops": loops}


def write_and_fsync(path: Path, stop: Callable[[], str | None], working: Callable[[], None]) -> dict[str, Any]:
    """Append and fsync in a loop, the way a log shipper or a second database does."""
    chunk = b"\0" * CHUNK
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600)
    fsyncs = size = 0
    try:
        while (reason := stop()) is None:
            os.write(fd, chunk)
            os.fsync(fd)
            fsyncs += 1
            size += CHUNK
            if fsyncs == 1:
                working()
            if size >= WRAP:
                os.ftruncate(fd, 0)
                size = 0
    finally:
        os.close(fd)
        path.unlink(missing_ok=True)
    return {"reason": reason, "fsyncs": fsyncs, "mb_written": fsyncs * CHUNK / 2**20}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.contention", description=__doc__)
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("--seconds", type=float, required=True, help="stop by itself after this long")
    parser.add_argument("--file", type=Path, help="io: the file to append to (removed at the end)")
    args = parser.parse_args(argv)
    if args.kind == "io" and args.file is None:
        parser.error("io needs --file")
    stop = _Stop(args.seconds)
    for signum in (signal.SIGTERM, signal.SIGINT):  # Ctrl-C reaches the whole process group: stop quietly
        signal.signal(signum, stop.on_signal)
    started = time.monotonic()

    def working() -> None:
        print("ready", flush=True)  # after the first unit of work: the neighbour is busy once this is read

    work = burn_cpu if args.kind == "cpu" else partial(write_and_fsync, args.file)
    stats = work(stop.reason, working)
    seconds = time.monotonic() - started
    used = os.times()
    stats |= {"pid": os.getpid(), "seconds": seconds, "cpu_share": (used.user + used.system) / seconds}
    with suppress(BrokenPipeError):  # orphaned: nobody is reading
        print(json.dumps(stats), flush=True)


# --- the benchmark's side ------------------------------------------------------------------------------------


@dataclass
class Neighbour:
    kind: str
    proc: asyncio.subprocess.Process
    file: Path | None
    stats: dict[str, Any] = field(default_factory=dict)  # what it did, filled in once it has stopped


@asynccontextmanager
async def contention(kind: str, workdir: Path, seconds: float) -> AsyncIterator[Neighbour]:
    """Run a ``kind`` neighbour (``cpu`` or ``io``, writing in ``workdir``) for the body of the ``with``;
    ``seconds`` bounds it should the benchmark never stop it. Raises if that bound ran out before the body ended:
    the phase would have been measured partly without its neighbour."""
    if kind not in KINDS:
        raise ValueError(f"unknown contention {kind!r}")
    args = [kind, "--seconds", str(seconds)]
    file = workdir / f"contention-{os.getpid()}-{time.monotonic_ns()}.bin" if kind == "io" else None
    if file is not None:
        args += ["--file", str(file)]
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "benchmarks.contention", *args, cwd=ROOT, stdout=asyncio.subprocess.PIPE
    )
    neighbour = Neighbour(kind, proc, file)
    try:
        assert proc.stdout is not None
        first = await asyncio.wait_for(proc.stdout.readline(), WAIT_SECONDS)
        if first.strip() != b"ready":
            raise RuntimeError(f"the {kind} contention did not start: {first!r}")
        yield neighbour
    finally:
        neighbour.stats = await _stop(proc)
        if file is not None:
            file.unlink(missing_ok=True)  # the child removes it; not if it was killed
    if neighbour.stats.get("reason") == "deadline":
        raise RuntimeError(f"the {kind} contention stopped at its {seconds:g} s bound before the phase ended")


async def _stop(proc: asyncio.subprocess.Process) -> dict[str, Any]:
    """SIGTERM, then its report; SIGKILL if it does not answer. Always reaped before returning or raising."""
    with suppress(ProcessLookupError):
        proc.send_signal(signal.SIGTERM)
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), WAIT_SECONDS)
    except TimeoutError:
        with suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
        return {"reason": "killed"}
    except asyncio.CancelledError:  # cancelled again (a second Ctrl-C): do not leave it running
        with suppress(ProcessLookupError):
            proc.kill()
        raise
    lines = out.decode().strip().splitlines()
    return json.loads(lines[-1]) if lines else {"reason": "no report"}


if __name__ == "__main__":
    main()
