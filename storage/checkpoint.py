"""WAL checkpoints on a connection and a thread of their own, never inside the writer's COMMIT.

SQLite's default checkpoints from the committing connection once the WAL holds 1,000 pages: that one COMMIT also
writes the pages back into the database file and fsyncs it. Every reply waiting on that commit waits for it too;
beside another process fsyncing to the same disk it set the tail of the reply latency (a standalone loop of small
commits at 200/s: p99 10.8 ms with it, 6.9 ms without). So the writer runs with ``wal_autocheckpoint=0`` and this
checkpointer copies the WAL back in the background (PASSIVE: it never waits for, nor blocks, the writer or the
readers), at most once per ``PAUSE_SECONDS`` and only after commits. SQLite restarts the WAL from its start once a
checkpoint has copied all of it and no commit came in between. Under writes that never pause that moment never
comes (each pass reports itself complete, as of the frames it saw) and the WAL grew for good (82,000 frames after
27,000 small commits in a test); so once a pass that copied all it saw finds more than ``CATCH_UP_FRAMES``, the next
holds the writer back (the write lock) while it copies what came since, and the next transaction starts the WAL
over. A pass held back by a reader (a backup's long snapshot) is left at that: holding the writer would not help.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from background import stopped

log = logging.getLogger(__name__)

PAUSE_SECONDS = 0.5  # a burst's commits share one checkpoint; the WAL grows by at most this much writing
# after a checkpoint restarts the WAL, SQLite cuts the file back to this size (a burst may have grown it)
JOURNAL_SIZE_LIMIT = 16 * 1024 * 1024
CATCH_UP_FRAMES = 4096  # 16 MiB of 4 KiB pages


@dataclass(frozen=True)
class Pass:
    """One checkpoint's outcome, as ``PRAGMA wal_checkpoint`` reports it."""

    busy: bool  # it could not run at all (another checkpoint, or a recovery, held the lock)
    wal_frames: int  # frames in the WAL
    copied: int  # of which now in the database file

    @property
    def complete(self) -> bool:
        """All of the WAL copied, as of the moment the pass began (commits during it are not counted)."""
        return not self.busy and self.copied == self.wal_frames


class Checkpointer:
    def __init__(self, path: Path, write_lock: asyncio.Lock) -> None:
        self._write_lock = write_lock
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        # the same durability as the writer: the WAL is synced before its pages are copied, the file after
        self._conn.execute("PRAGMA synchronous=FULL")
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-checkpoint")
        self._wrote = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.passes = 0  # for tests and benchmarks
        self.catch_ups = 0  # passes that held the writer back
        self.failures = 0
        self.last: Pass | None = None
        self._passed = asyncio.Condition()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="sqlite-checkpoint")

    def committed(self) -> None:
        """The writer committed: there is something to copy back."""
        self._wrote.set()

    async def checkpoint(self) -> Pass:
        """One PASSIVE checkpoint on the checkpoint thread."""
        done = await asyncio.get_running_loop().run_in_executor(self._thread, self._passive)
        self.passes += 1
        self.last = done
        async with self._passed:
            self._passed.notify_all()
        return done

    async def until(self, condition: Callable[[Pass], bool]) -> Pass:
        """The first pass from now on (or the last one) that meets ``condition`` (for tests and benchmarks)."""
        async with self._passed:
            await self._passed.wait_for(lambda: self.last is not None and condition(self.last))
        assert self.last is not None
        return self.last

    def _passive(self) -> Pass:
        busy, frames, copied = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return Pass(bool(busy), int(frames), int(copied))

    async def _run(self) -> None:
        while True:
            await self._wrote.wait()
            self._wrote.clear()
            try:
                done = await self.checkpoint()
                # a pass that copied all it saw, yet the WAL is long: commits never paused. One that copied less
                # was held back by a reader (a backup's snapshot): holding the writer back would not help it.
                if done.complete and done.wal_frames > CATCH_UP_FRAMES:
                    async with self._write_lock:  # no commit in between: this pass copies all of it
                        await self.checkpoint()
                    self.catch_ups += 1
            except Exception:  # the next commit brings another try; the WAL only grows meanwhile
                self.failures += 1
                log.exception("WAL checkpoint failed")
            await asyncio.sleep(PAUSE_SECONDS)

    async def stop(self) -> None:
        """No more checkpoints until ``start`` (the WAL only grows meanwhile)."""
        task, self._task = self._task, None
        await stopped(task)

    async def close(self) -> None:
        await self.stop()
        # a pass still on the thread finishes before the connection closes — waited for off the loop, which a
        # long pass beside a busy disk would otherwise hold up at shutdown
        await asyncio.to_thread(self._thread.shutdown, True)
        self._conn.close()
