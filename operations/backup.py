"""An online backup: the database through SQLite's backup API while the bot runs, then the documents, in one tar.

The copy is taken on a connection of its own, inside one read transaction: in WAL mode that transaction sees one
committed state of the file from its first step to its last, and the bot's writer never waits for it (WAL readers
do not block writers; only the checkpoint waits until the copy ends, and the WAL grows meanwhile). The pages are
copied ``STEP_PAGES`` at a time, so a stop request or a progress report is never far away. The documents are added
after the snapshot: the copier writes a document before it records it, so every document the snapshot names is
already in FILES_DIR; documents kept after the snapshot come along too, harmlessly (they are named by their hash).

The archive is written to ``<target>.partial`` and renamed when complete (fsynced), so a backup cut short never
leaves a file that looks like a backup. Blocking I/O throughout: the nightly job runs it on a thread.
"""

from __future__ import annotations

import contextlib
import io
import os
import sqlite3
import tarfile
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from operations import postgres as pg
from operations.archive import (
    DOCUMENT_NAME,
    FILES_PREFIX,
    MANIFEST,
    POSTGRES_MEMBER,
    SQLITE_MEMBER,
    HashingReader,
    Manifest,
    Member,
    fsync_dir,
    private_info,
)
from operations.version import version

STEP_PAGES = 1024  # 4 MiB a step with SQLite's default page size
BUSY_TIMEOUT_MS = 10_000


class BackupError(Exception):
    """The backup could not be taken; nothing that looks like a backup was left behind."""


class BackupStopped(BackupError):
    """The process is stopping: the backup was abandoned (the next start takes it)."""


@dataclass
class BackupReport:
    path: Path
    schema_version: int
    database_bytes: int
    files: int = 0
    file_bytes: int = 0
    damaged: list[str] = field(default_factory=list)  # documents whose bytes no longer match their name
    missing: list[str] = field(default_factory=list)  # documents the database records but FILES_DIR lacks
    seconds: float = 0.0

    def summary(self) -> str:
        line = (
            f"backup written to {self.path}: database schema {self.schema_version} "
            f"({self.database_bytes / 1e6:.1f} MB), {self.files} documents ({self.file_bytes / 1e6:.1f} MB), "
            f"{self.seconds:.1f} s"
        )
        if self.damaged:
            line += f"; {len(self.damaged)} damaged documents left out: {', '.join(self.damaged[:5])}"
        if self.missing:
            line += f"; {len(self.missing)} recorded documents not in FILES_DIR: {', '.join(self.missing[:5])}"
        return line


def take_backup(
    database: Path,
    files_dir: Path,
    target: Path,
    *,
    stop: threading.Event | None = None,
    step_pages: int = STEP_PAGES,
    postgres: str | None = None,
) -> BackupReport:
    """Write a backup of ``database`` and ``files_dir`` to ``target`` (a tar, owner-only). With ``postgres`` (a
    PostgreSQL URL) the database part is pg_dump's instead (``operations/postgres.py``)."""
    started = time.monotonic()
    stop = stop or threading.Event()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as work:
        if postgres is None:
            snapshot, backend = Path(work) / SQLITE_MEMBER, "sqlite"
            schema = copy_database(database, snapshot, stop=stop, step_pages=step_pages)
            recorded = _recorded_documents(snapshot)
        else:
            snapshot, backend = Path(work) / POSTGRES_MEMBER, "postgresql"
            pg.run(*pg.dump_command(postgres, snapshot))
            schema, recorded = 0, set()  # the dump is pg_dump's to check; pg_restore --list reads it
        report = BackupReport(target, schema, snapshot.stat().st_size)
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out, tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
                database_member = _add(tar, snapshot, snapshot.name)
                files = _add_documents(tar, files_dir, report, stop)
                manifest = Manifest(
                    created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                    version=version(),
                    schema_version=schema,
                    database=database_member,
                    files=files,
                    backend=backend,
                )
                data = manifest.to_json()
                tar.addfile(private_info(MANIFEST, len(data), time.time()), io.BytesIO(data))
                tar.close()
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    fsync_dir(target.parent)
    kept = {m.name.removeprefix(FILES_PREFIX) for m in files}
    report.missing = sorted(name for name in recorded if name not in kept and name not in report.damaged)
    report.seconds = time.monotonic() - started
    return report


def copy_database(database: Path, out: Path, *, stop: threading.Event, step_pages: int = STEP_PAGES) -> int:
    """Copy ``database`` to ``out`` with the backup API, ``step_pages`` at a time, from one read snapshot;
    check the copy and return its schema version."""
    if not database.is_file():
        raise BackupError(f"no database at {database}")
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        # one read transaction for every step: the copy is of one committed state, and a commit by the bot in
        # between does not restart it (SQLite restarts a backup whose source changed between steps)
        source.execute("BEGIN")
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.close(fd)
        copy = sqlite3.connect(out, isolation_level=None)
        try:

            def progress(status: int, remaining: int, total: int) -> None:
                if stop.is_set():
                    raise BackupStopped("stopping: backup abandoned")

            source.backup(copy, pages=step_pages, progress=progress)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            check = [str(row[0]) for row in copy.execute("PRAGMA integrity_check").fetchall()]
            if check != ["ok"]:
                raise BackupError(f"the database copy fails its integrity check: {'; '.join(check[:3])}")
            return int(copy.execute("PRAGMA user_version").fetchone()[0])
        finally:
            copy.close()
    except sqlite3.Error as exc:
        raise BackupError(f"could not copy the database {database}: {exc}") from exc
    finally:
        with contextlib.suppress(sqlite3.Error):
            source.execute("ROLLBACK")
        source.close()


def _add(tar: tarfile.TarFile, path: Path, name: str) -> Member:
    stat = path.stat()
    with path.open("rb") as source:
        reader = HashingReader(source)
        tar.addfile(private_info(name, stat.st_size, stat.st_mtime), reader)
    return Member(name, reader.hash.hexdigest(), reader.size)


def _add_documents(tar: tarfile.TarFile, files_dir: Path, report: BackupReport, stop: threading.Event) -> list[Member]:
    """Every document in ``files_dir`` (temporary files of a copy in progress are not documents)."""
    members: list[Member] = []
    if not files_dir.is_dir():
        return members
    for path in sorted(files_dir.glob("??/*")):
        name = f"{path.parent.name}/{path.name}"
        if not DOCUMENT_NAME.fullmatch(name) or not path.is_file():
            continue
        if stop.is_set():
            raise BackupStopped("stopping: backup abandoned")
        member = _add(tar, path, FILES_PREFIX + name)
        if member.sha256 != name.replace("/", ""):
            report.damaged.append(name)  # in the archive all the same, flagged: restore leaves it out
        members.append(member)
        report.files += 1
        report.file_bytes += member.size
    return members


def _recorded_documents(snapshot: Path) -> set[str]:
    """The documents the snapshot says the bureau keeps (FILES_DIR names)."""
    with contextlib.closing(sqlite3.connect(f"file:{snapshot}?mode=ro", uri=True)) as conn:
        try:
            rows = conn.execute("SELECT DISTINCT sha256 FROM attachments WHERE stored_at IS NOT NULL").fetchall()
        except sqlite3.OperationalError:  # a schema from before documents were kept
            return set()
    return {f"{h[:2]}/{h[2:]}" for (h,) in rows if isinstance(h, str) and len(h) == 64}
