"""Commit latency beside a disk writer, with SQLite's own checkpoints and with the checkpointer's.

``python -m benchmarks.commit_latency [--seconds S]`` runs, for each mode, small transactions (three 2 kB rows,
synchronous=FULL, WAL) about every 5 ms while ``benchmarks.contention``'s writer appends and fsyncs beside the
database, and prints p50/p90/p99/max of BEGIN…COMMIT. ``auto`` is SQLite's default (a COMMIT that takes the WAL
past 1,000 pages checkpoints); ``checkpointer`` is what the bot does (``wal_autocheckpoint=0`` on the writer, PASSIVE
checkpoints on another connection and thread). Figures from one machine at one time: compare the modes of one run.
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def measure(mode: str, workdir: Path, seconds: float) -> list[float]:
    path = workdir / f"{mode}.db"
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT)")
    stop = threading.Event()
    checkpointing: threading.Thread | None = None
    if mode == "checkpointer":
        conn.execute("PRAGMA wal_autocheckpoint=0")
        side = sqlite3.connect(path, isolation_level=None, check_same_thread=False)

        def checkpoint() -> None:
            while not stop.wait(0.5):
                side.execute("PRAGMA wal_checkpoint(PASSIVE)")

        checkpointing = threading.Thread(target=checkpoint)
        checkpointing.start()
    writer = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "benchmarks.contention",
            "io",
            "--seconds",
            str(seconds * 4),
            "--file",
            str(workdir / "w"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
    )
    try:
        assert writer.stdout is not None
        writer.stdout.readline()  # "ready": the writer is busy
        latencies: list[float] = []
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            started = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            for _ in range(3):
                conn.execute("INSERT INTO t (payload) VALUES (?)", ("x" * 2000,))
            conn.execute("COMMIT")
            latencies.append(time.perf_counter() - started)
            time.sleep(0.005)
        return sorted(latencies)
    finally:
        writer.terminate()
        writer.wait()
        stop.set()
        if checkpointing is not None:
            checkpointing.join()
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.commit_latency", description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="per mode")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gc-commit-") as tmp:
        for mode in ("auto", "checkpointer", "auto", "checkpointer"):  # interleaved: the disk drifts
            lat = measure(mode, Path(tmp), args.seconds)

            def at(share: float, lat: list[float] = lat) -> float:
                return lat[int(share * (len(lat) - 1))] * 1000

            print(
                f"{mode:>12}: n={len(lat)} p50 {at(0.5):.2f}  p90 {at(0.9):.2f}  p99 {at(0.99):.2f}  "
                f"max {lat[-1] * 1000:.1f} ms"
            )
            for leftover in Path(tmp).glob(f"{mode}.db*"):
                leftover.unlink()


if __name__ == "__main__":
    main()
