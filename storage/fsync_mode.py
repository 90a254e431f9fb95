"""Where COMMIT runs: on the event loop while the disk answers fast, on a thread of its own while it is slow.

A COMMIT is an fsync. On a quiet disk it takes ~0.15 ms; handing it to a thread and back costs more than that (the
thread waits for the GIL, the loop for the thread's wake-up) and, measured under the benchmark's paced load, tripled
the time the write lock was held and the p99 with it — and with a busy CPU every hand-off waits to be scheduled. On
a disk another process is fsyncing to, one COMMIT took hundreds of milliseconds, and on the loop that stalled every
chat. So: inline while recent commits were fast; on the thread from the first slow one; back inline once the
thread has seen the disk fast for a while (the median of its recent COMMITs).
The thread times the COMMIT itself, so the disk is watched in both
modes and no commit is run on the loop to probe it. Worst case, one slow COMMIT per slow spell runs on the loop.
"""

from __future__ import annotations

import statistics
from collections import deque

SLOW_SECONDS = 0.002  # an inline COMMIT slower than this sends the next ones to the thread
# COMMIT comes back to the loop once the median of the thread's last FAST_RUN COMMITs is under FAST_SECONDS. The
# thread's time includes getting the GIL back from the busy loop (the switch interval, 0.5 ms, often more): on a
# quiet disk under load its median was 0.8 ms and one in ten took 1.9 ms, so a bound on every one of them was never
# met and left COMMIT on the thread for good. Beside a process fsyncing to the same disk the median is many times
# this.
FAST_SECONDS = 0.0012
FAST_RUN = 32


class FsyncMode:
    def __init__(self) -> None:
        self.on_thread = False
        self._recent: deque[float] = deque(maxlen=FAST_RUN)
        self.switches = 0  # for tests and benchmarks

    def inline_took(self, seconds: float) -> None:
        if seconds > SLOW_SECONDS:
            self.on_thread = True
            self._recent.clear()
            self.switches += 1

    def thread_took(self, seconds: float) -> None:
        self._recent.append(seconds)
        if len(self._recent) == FAST_RUN and statistics.median(self._recent) < FAST_SECONDS:
            self.on_thread = False
            self.switches += 1
