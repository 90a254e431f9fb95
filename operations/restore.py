"""Restore a backup: check everything first, then put the documents in place, then the database.

Refused while a bot holds the database (the caller takes ``storage/lock.py``'s lock and keeps it throughout). The
whole archive is read into a staging directory and checked — every member's SHA-256 against the manifest, every
document's against its name, the database's ``PRAGMA integrity_check`` and ``foreign_key_check``, a schema this
version can run — before anything is changed: a bad archive changes nothing. Then the documents go into FILES_DIR
(those already there with the right bytes are kept; documents there that the backup lacks are left alone: they are
named by their hash, so they contradict nothing), and last the database (renamed into place, so the file is the old
one or the new one), the database that was there being kept beside it as ``<name>.before-restore-<time>``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from operations import postgres as pg
from operations.archive import (
    CHUNK,
    DOCUMENT_NAME,
    FILES_PREFIX,
    MANIFEST,
    MAX_MANIFEST_BYTES,
    POSTGRES_MEMBER,
    SQLITE_MEMBER,
    ArchiveError,
    Manifest,
    fsync_dir,
)
from storage.migrations import MIGRATIONS

COUNTED = ("requests", "attachments", "audit_events", "people")  # what the report names, where the schema has them


@dataclass
class RestoreReport:
    archive: Path
    manifest: Manifest
    database: Path
    files_dir: Path
    counts: dict[str, int] = field(default_factory=dict)
    files_new: int = 0
    files_present: int = 0
    damaged: list[str] = field(default_factory=list)  # damaged when backed up: left out
    previous: Path | None = None

    def summary(self) -> str:
        m = self.manifest
        counts = ", ".join(f"{n} {table}" for table, n in self.counts.items())
        pending = len(MIGRATIONS) - m.schema_version
        database = (
            "PostgreSQL database loaded with pg_restore (in one transaction)"
            if m.backend == "postgresql"
            else f"database {self.database}: schema {m.schema_version}, integrity ok, {counts}"
            + (f"; {pending} schema steps will run at the next start" if pending else "")
        )
        lines = [
            f"restored {self.archive} (taken {m.created_at} by Green Channel {m.version})",
            database,
            f"documents in {self.files_dir}: {len(m.files) - len(self.damaged)} checked, {self.files_new} written, "
            f"{self.files_present} already there",
        ]
        if self.damaged:
            lines.append(f"left out {len(self.damaged)} documents damaged before the backup: {', '.join(self.damaged)}")
        if self.previous is not None:
            lines.append(f"the database that was there is kept as {self.previous}")
        return "\n".join(lines)


def restore_backup(archive: Path, database: Path, files_dir: Path, *, postgres: str | None = None) -> RestoreReport:
    """Restore ``archive`` into ``database`` and ``files_dir``. The caller holds the database's process lock.
    A PostgreSQL backup goes into the database at ``postgres`` through pg_restore (``operations/postgres.py``)."""
    if not archive.is_file():
        raise ArchiveError(f"no backup file at {archive}")
    database.parent.mkdir(parents=True, exist_ok=True)
    files_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(dir=database.parent, prefix=".restore-") as db_stage,
        tempfile.TemporaryDirectory(dir=files_dir, prefix=".restore-") as files_stage,
    ):
        manifest, staged_db, staged_files = _unpack(archive, Path(db_stage), Path(files_stage))
        if (manifest.backend == "postgresql") != (postgres is not None):
            raise ArchiveError(f"a {manifest.backend} backup, and the configured database is not one")
        report = RestoreReport(archive, manifest, database if postgres is None else Path(POSTGRES_MEMBER), files_dir)
        if postgres is None:
            report.counts = _check_database(staged_db, manifest)
        for name, staged in staged_files.items():  # documents first: the database never names one not there
            if staged is None:
                report.damaged.append(name)
            elif _place_document(staged, files_dir / name):
                report.files_new += 1
            else:
                report.files_present += 1
        if postgres is not None:
            pg.run(*pg.restore_command(postgres, staged_db))
            return report
        report.previous = _set_aside(database)
        os.chmod(staged_db, 0o600)
        os.replace(staged_db, database)
        fsync_dir(database.parent)
    return report


def _unpack(archive: Path, db_stage: Path, files_stage: Path) -> tuple[Manifest, Path, dict[str, Path | None]]:
    """Stream every member into the staging directories, hashing it; check the lot against the manifest.
    Returns the manifest, the staged database, and each document's staged path (None: damaged before the backup)."""
    staged_db = db_stage / "database"
    staged: dict[str, Path] = {}
    try:
        with tarfile.open(archive, "r:*") as tar:
            manifest_data, hashes = _stream(tar, staged_db, files_stage, staged)
    except (OSError, tarfile.TarError, EOFError) as exc:
        raise ArchiveError(f"{archive} cannot be read, or is cut short or damaged: {exc}") from None
    if manifest_data is None:
        raise ArchiveError(f"{archive} has no manifest: not a Green Channel backup, or one cut short")
    manifest = Manifest.from_json(manifest_data)
    expected = {m.name: (m.sha256, m.size) for m in (manifest.database, *manifest.files)}
    if set(expected) != set(hashes):
        absent = sorted(set(expected) - set(hashes))
        extra = sorted(set(hashes) - set(expected))
        raise ArchiveError(f"the archive is not what its manifest lists (missing {absent[:3]}, extra {extra[:3]})")
    for name, found in hashes.items():
        if found != expected[name]:
            raise ArchiveError(f"{name} does not match its SHA-256 in the manifest: the archive is damaged")
    documents: dict[str, Path | None] = {}
    for name, path in staged.items():
        documents[name] = path if hashes[FILES_PREFIX + name][0] == name.replace("/", "") else None
    return manifest, staged_db, documents


def _stream(
    tar: tarfile.TarFile, staged_db: Path, files_stage: Path, staged: dict[str, Path]
) -> tuple[bytes | None, dict[str, tuple[str, int]]]:
    """Each member to its staging place (regular files of our names only); returns the manifest's bytes and each
    member's SHA-256 and size as read."""
    hashes: dict[str, tuple[str, int]] = {}
    manifest_data: bytes | None = None
    for info in tar:
        if not info.isreg():
            raise ArchiveError(f"unexpected member {info.name!r} (not a regular file)")
        if info.name == MANIFEST:
            if info.size > MAX_MANIFEST_BYTES:
                raise ArchiveError("the manifest is too large")
            manifest_data = _read(tar, info)
            continue
        if info.name in hashes:
            raise ArchiveError(f"member {info.name!r} appears twice")
        if info.name in (SQLITE_MEMBER, POSTGRES_MEMBER):
            out = staged_db
        elif info.name.startswith(FILES_PREFIX) and DOCUMENT_NAME.fullmatch(info.name[len(FILES_PREFIX) :]):
            name = info.name[len(FILES_PREFIX) :]
            out = staged[name] = files_stage / name.replace("/", "")
        else:
            raise ArchiveError(f"unexpected member {info.name!r}")
        hashes[info.name] = _extract(tar, info, out)
    return manifest_data, hashes


def _read(tar: tarfile.TarFile, info: tarfile.TarInfo) -> bytes:
    source = tar.extractfile(info)
    assert source is not None  # a regular file
    return source.read()


def _extract(tar: tarfile.TarFile, info: tarfile.TarInfo, out: Path) -> tuple[str, int]:
    source = tar.extractfile(info)
    assert source is not None
    digest = hashlib.sha256()
    size = 0
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as sink:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            sink.write(chunk)
        sink.flush()
        os.fsync(sink.fileno())
    return digest.hexdigest(), size


def _check_database(path: Path, manifest: Manifest) -> dict[str, int]:
    """The staged database must be whole, consistent, and of a schema this version can run."""
    if manifest.schema_version > len(MIGRATIONS):
        raise ArchiveError(
            f"the backup's schema {manifest.schema_version} is newer than this program's ({len(MIGRATIONS)}): "
            "restore it with the version that took it"
        )
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        try:
            check = [str(row[0]) for row in conn.execute("PRAGMA integrity_check").fetchall()]
            if check != ["ok"]:
                raise ArchiveError(f"the database fails its integrity check: {'; '.join(check[:3])}")
            broken = conn.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise ArchiveError(f"the database has {len(broken)} broken references, e.g. {broken[0]}")
            if int(conn.execute("PRAGMA user_version").fetchone()[0]) != manifest.schema_version:
                raise ArchiveError("the database's schema version is not the manifest's")
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            return {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in COUNTED if t in tables}
        except sqlite3.DatabaseError as exc:
            raise ArchiveError(f"the database in the archive cannot be read: {exc}") from None


def _place_document(staged: Path, target: Path) -> bool:
    """Move a checked document into FILES_DIR; False when the same bytes were there already."""
    if target.is_file() and _sha256(target) == target.parent.name + target.name:
        return False  # the same document (a damaged one there is replaced)
    if not target.parent.is_dir():
        target.parent.mkdir(mode=0o700)
        fsync_dir(target.parent.parent)
    os.replace(staged, target)
    fsync_dir(target.parent)
    return True


def _set_aside(database: Path) -> Path | None:
    """Keep the database being replaced (with what its WAL held) as ``<name>.before-restore-<time>``."""
    if not database.exists():
        return None
    with contextlib.suppress(sqlite3.Error), contextlib.closing(sqlite3.connect(database, isolation_level=None)) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # a damaged file is set aside as it is, with its -wal
        c.execute("PRAGMA journal_mode=DELETE")  # closing then leaves one file, no -wal or -shm
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = database.with_name(f"{database.name}.before-restore-{stamp}")
    os.replace(database, aside)
    os.chmod(aside, 0o600)  # it holds what the database held
    for suffix in ("-wal", "-shm", "-journal"):  # none should be left; one that is belongs to the old file
        with contextlib.suppress(FileNotFoundError):
            os.replace(database.with_name(database.name + suffix), aside.with_name(aside.name + suffix))
    return aside


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
