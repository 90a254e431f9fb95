"""Run a parser over bytes someone sent, in a child process that cannot take the bot down with it.

The child bounds itself before it reads a byte: address space (``RLIMIT_AS``), CPU seconds (``RLIMIT_CPU``: SIGXCPU,
then SIGKILL), no files written, no core dumps. The parent adds a wall-clock limit and kills the child when it is
reached, or when the waiting task is cancelled. Meanwhile the event loop only waits on pipes, so every other user
is answered as usual. The child gets no environment of ours (no token), only what it needs to start Python.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import resource
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limits:
    """What one child may use. Python with openpyxl takes ~50 MB of address space; a genuine list of 5,000 projects
    ~100 MB and 1-3 s of CPU (openpyxl, with defusedxml, reads ~50,000 cells a second)."""

    memory_bytes: int = 512 << 20
    cpu_seconds: int = 20
    wall_seconds: float = 45.0  # CPU time plus room for a busy machine
    input_bytes: int = 32 << 20


class WorkerFailed(Exception):
    """The child ran out of time or memory, or died: nothing it printed is used."""


async def run_confined(module: str, args: Sequence[str], payload: bytes, limits: Limits) -> Any:
    """Start ``python -m module``, hand it ``payload`` on stdin and return the JSON it prints."""
    if len(payload) > limits.input_bytes:
        raise WorkerFailed(f"{len(payload)} bytes is more than {limits.input_bytes}")
    command = [sys.executable, "-m", module, str(limits.memory_bytes), str(limits.cpu_seconds), *args]
    process = await asyncio.create_subprocess_exec(
        *command,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"},
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(payload), limits.wall_seconds)
    except TimeoutError:
        raise WorkerFailed(f"{module} still running after {limits.wall_seconds} s") from None
    finally:
        if process.returncode is None:  # timed out, or the bot is stopping: the child must not outlive the wait
            process.kill()
            await process.wait()
    if process.returncode != 0:
        tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise WorkerFailed(f"{module} exited with {process.returncode}: {tail[0][:300]}")
    try:
        return json.loads(out)
    except ValueError:
        raise WorkerFailed(f"{module} printed no JSON") from None


def confine(memory_bytes: int, cpu_seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def serve_child(work: Callable[[Sequence[str], bytes], dict[str, Any]]) -> None:
    """The child's main: bound itself, read stdin, print ``work``'s answer (with its peak memory) as JSON."""
    memory_bytes, cpu_seconds, *args = sys.argv[1:]
    confine(int(memory_bytes), int(cpu_seconds))
    answer = work(args, sys.stdin.buffer.read())
    answer["peak_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sys.stdout.write(json.dumps(answer, ensure_ascii=False))
