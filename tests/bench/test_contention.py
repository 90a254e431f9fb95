"""The contended phase's neighbours: busy while a phase runs, gone after it however it ends, never left behind."""

import asyncio
import glob
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from benchmarks.chat_load import QUICK, measure_contended
from benchmarks.contention import CHUNK, ROOT, contention
from benchmarks.processes import bot_api_server

FORM_STEPS = 12


def running(pid: int) -> bool:
    """Alive and not a zombie: a zombie has stopped, only its exit status is left to collect."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


async def exited(pid: int, timeout: float = 60) -> None:
    """Wait until the process ``pid`` (not our child) has exited, woken by the kernel through a pidfd."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return  # gone, and already reaped by whoever adopted it
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    loop.add_reader(fd, done.set_result, None)
    try:
        await asyncio.wait_for(done, timeout)
    finally:
        loop.remove_reader(fd)
        os.close(fd)


@pytest.mark.parametrize("kind", ["cpu", "io"])
async def test_a_neighbour_is_at_work_during_the_phase_and_gone_after_it(kind: str, tmp_path: Path) -> None:
    async with contention(kind, tmp_path, seconds=120) as neighbour:
        assert running(neighbour.proc.pid)
        if kind == "io":
            assert neighbour.file is not None and neighbour.file.parent == tmp_path
            assert neighbour.file.stat().st_size >= CHUNK  # it reports ready after its first fsync
    assert not running(neighbour.proc.pid)
    assert neighbour.stats["reason"] == "signal" and neighbour.stats["pid"] == neighbour.proc.pid
    assert neighbour.stats["loops" if kind == "cpu" else "fsyncs"] >= 1
    assert os.listdir(tmp_path) == []  # the writer's file is removed


async def test_a_neighbour_is_stopped_when_its_phase_fails(tmp_path: Path) -> None:
    pids = []
    with pytest.raises(ZeroDivisionError):
        async with contention("io", tmp_path, seconds=120) as neighbour:
            pids.append(neighbour.proc.pid)
            _ = 1 / 0
    assert pids and not running(pids[0])
    assert os.listdir(tmp_path) == []


async def test_a_neighbour_is_stopped_when_the_run_is_cancelled_as_ctrl_c_does(tmp_path: Path) -> None:
    started: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def phase() -> None:
        async with contention("cpu", tmp_path, seconds=120) as neighbour:
            started.set_result(neighbour.proc.pid)
            await asyncio.Event().wait()  # a phase that would never end by itself

    task = asyncio.create_task(phase())
    pid = await asyncio.wait_for(started, 60)
    task.cancel()  # asyncio.run cancels the main task on KeyboardInterrupt
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not running(pid)


async def test_a_phase_that_outlasts_its_neighbours_bound_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="bound"):
        async with contention("cpu", tmp_path, seconds=0.5) as neighbour:
            await asyncio.wait_for(neighbour.proc.wait(), 60)  # it stops at its own deadline


async def test_a_neighbour_whose_benchmark_died_stops_by_itself(tmp_path: Path) -> None:
    """The benchmark killed outright (no cleanup at all): its neighbour notices it has been orphaned."""
    dies_at_once = (
        "import subprocess, sys, os\n"
        "child = subprocess.Popen([sys.executable, '-m', 'benchmarks.contention', 'cpu', '--seconds', '600'],"
        " stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)\n"
        "assert child.stdout.readline().strip() == b'ready'\n"
        "print(child.pid, flush=True)\n"
        "os._exit(0)\n"
    )
    out = subprocess.run(  # noqa: ASYNC221 — a few tenths of a second; nothing else runs in this test
        [sys.executable, "-c", dies_at_once], cwd=ROOT, capture_output=True, check=True, timeout=60
    )
    await exited(int(out.stdout))


async def test_echo_and_green_channel_answer_the_contended_phase_in_full(tmp_path: Path) -> None:
    tiny = replace(QUICK, applicants=3, paced_applicants=2, contention_bound_s=300)
    seen: dict[str, dict[str, Any]] = {}
    async with bot_api_server() as server:
        for kind in ("echo", "green"):
            seen[kind] = await measure_contended(kind, server, tmp_path, tiny, round_no=0)
    for kind, contended in seen.items():
        assert contended["io"]["form_steps"]["updates"] == 3 * FORM_STEPS, kind
        for neighbour in ("cpu", "io"):
            assert contended[neighbour]["paced"]["updates"] >= 2 * 14, (kind, neighbour)  # two whole forms at least
            assert contended[neighbour]["neighbour"]["reason"] == "signal", (kind, neighbour)
            assert not running(contended[neighbour]["neighbour"]["pid"]), (kind, neighbour)
        assert contended["io"]["neighbour"]["fsyncs"] >= 1
    assert not glob.glob(f"{tmp_path}/**/contention-*.bin", recursive=True)
