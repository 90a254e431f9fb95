"""One bot process per database file.

Two processes on one file would both send every outbox row (two receipts, two cards, the daily summary twice) and
each trust its own caches. The first process holds an exclusive lock on ``<database>.lock`` for its whole life (the
kernel drops it when the process ends, however it ends); the file names the holder's PID for the error a second
process prints.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class DatabaseInUse(Exception):
    def __init__(self, database: Path, pid: str) -> None:
        super().__init__(
            f"database {database} is in use by another Green Channel process (pid {pid or 'unknown'}); "
            "stop that process first, or give this one its own DATABASE_PATH"
        )
        self.database = database
        self.pid = pid


class ProcessLock:
    def __init__(self, database: Path, fd: int) -> None:
        self.database = database
        self._fd: int | None = fd

    @classmethod
    def take(cls, database: Path) -> ProcessLock:
        """Lock ``database`` for this process, or raise ``DatabaseInUse`` naming the holder."""
        database.parent.mkdir(parents=True, exist_ok=True)
        path = database.with_name(database.name + ".lock")
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            os.close(fd)
            raise DatabaseInUse(database, holder) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return cls(database, fd)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the lock
            self._fd = None
