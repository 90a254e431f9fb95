"""Backups taken while the bot's writer commits, restored into a fresh directory, compared table by table and file
by file; and the restore's refusals, each leaving everything as it was."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import sqlite3
import tarfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from operations.archive import MANIFEST, ArchiveError, Manifest
from operations.backup import BackupStopped, take_backup
from operations.restore import restore_backup
from storage.database import Database
from storage.lock import ProcessLock
from tests.operations.bureau import (
    bot_command,
    bot_command_args,
    contents,
    documents,
    environment,
    keep_documents,
    load_release,
)

PAYLOAD = 3000  # bytes a load row carries: the file grows by pages while the copy runs
PREFILL = 1500  # rows before the backup starts (~5 MB: the copy takes many steps)


@dataclass
class Load:
    """The bot's writer committing one row at a time on the loop, each with the running count in another table
    (in the same transaction): a consistent copy has rows 1..n and the count n, nothing in between."""

    db: Database
    committed: int = 0
    slowest: float = 0.0
    latencies: list[float] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def prepare(self) -> None:
        def create(conn: sqlite3.Connection) -> None:
            conn.execute("CREATE TABLE load (n INTEGER PRIMARY KEY, payload BLOB NOT NULL)")
            conn.execute("CREATE TABLE load_count (total INTEGER NOT NULL)")
            conn.execute("INSERT INTO load_count VALUES (0)")

        await self.db.run_transaction(create)
        for _ in range(PREFILL):
            await self.write()
        self.latencies.clear()

    async def write(self) -> None:
        n = self.committed + 1

        def work(conn: sqlite3.Connection) -> None:
            conn.execute("INSERT INTO load VALUES (?, ?)", (n, os.urandom(PAYLOAD)))
            conn.execute("UPDATE load_count SET total = ?", (n,))

        started = time.perf_counter()
        await self.db.run_transaction(work)
        self.latencies.append(time.perf_counter() - started)
        self.committed = n

    async def run(self) -> None:
        while not self.stop.is_set():
            await self.write()
            await asyncio.sleep(0)  # a busy bot: the loop goes on between commits


@pytest.fixture
async def bureau(tmp_path: Path) -> AsyncIterator[tuple[Database, Path, Path]]:
    database, files_dir = tmp_path / "live" / "green.db", tmp_path / "live" / "files"
    load_release(database)
    keep_documents(database, files_dir)
    db = await Database.open(database)
    try:
        yield db, database, files_dir
    finally:
        await db.close()


def consistent_load(database: Path) -> int:
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
        total = conn.execute("SELECT total FROM load_count").fetchone()[0]
        rows = conn.execute("SELECT count(*), coalesce(min(n), 0), coalesce(max(n), 0) FROM load").fetchone()
    assert rows == (total, 1, total), "the copy mixes two states of the database"
    return int(total)


def assert_same_installation(source: Path, files: Path, restored: Path, restored_files: Path, upto: int) -> None:
    """Every table equal, the load's rows up to the copy's snapshot; every document present with its bytes."""
    before, after = contents(source), contents(restored)
    assert set(after) == set(before)
    for table in before:
        if table == "load":
            assert after[table] == Counter({row: k for row, k in before[table].items() if int(str(row[0])) <= upto})
        elif table != "load_count":
            assert after[table] == before[table], table
    assert documents(restored_files) == documents(files)
    assert all(name.replace("/", "") == digest for name, digest in documents(restored_files).items())


async def test_a_backup_taken_in_steps_while_the_writer_commits_restores_into_a_fresh_directory_whole(
    bureau: tuple[Database, Path, Path], tmp_path: Path
) -> None:
    db, database, files_dir = bureau
    load = Load(db)
    await load.prepare()
    start = load.committed
    writer = asyncio.create_task(load.run())
    archive = tmp_path / "backups" / "b.tar"
    # 16 pages a step: hundreds of steps, with commits landing between them (the copy must not restart or mix)
    report = await asyncio.to_thread(take_backup, database, files_dir, archive, step_pages=16)
    during = load.committed - start
    load.stop.set()
    await writer
    assert during > 0, "the writer committed nothing while the backup ran: the test proves nothing"
    assert max(load.latencies) < 5.0, "the writer was held up by the backup"  # a sanity bound: a busy disk is slow
    assert report.missing == [] and report.damaged == []
    assert report.files == len(documents(files_dir))
    assert os.stat(archive).st_mode & 0o777 == 0o600

    fresh_db, fresh_files = tmp_path / "fresh" / "green.db", tmp_path / "fresh" / "files"
    restored = restore_backup(archive, fresh_db, fresh_files)
    upto = consistent_load(fresh_db)
    assert start <= upto <= load.committed
    assert_same_installation(database, files_dir, fresh_db, fresh_files, upto)
    assert restored.files_new == report.files and restored.previous is None
    assert restored.counts["requests"] == 8
    print(
        f"backup {report.seconds:.2f} s for {report.database_bytes / 1e6:.1f} MB in 16-page steps; "
        f"{during} commits meanwhile, slowest {max(load.latencies) * 1000:.1f} ms"
    )


async def test_the_backup_command_from_another_process_while_the_bot_writes_and_restore_into_a_fresh_directory(
    bureau: tuple[Database, Path, Path], tmp_path: Path
) -> None:
    db, database, files_dir = bureau
    load = Load(db)
    await load.prepare()
    start = load.committed
    writer = asyncio.create_task(load.run())
    backups = tmp_path / "backups"
    process = await asyncio.create_subprocess_exec(
        *bot_command_args("backup"),
        env=environment(database, files_dir, BACKUP_DIR=str(backups)),
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    load.stop.set()
    await writer
    assert process.returncode == 0, err.decode()
    assert load.committed > start
    (archive,) = backups.glob("green-channel-*.tar")
    assert out.decode().startswith(f"backup written to {archive}: database schema ")

    fresh_db, fresh_files = tmp_path / "fresh" / "green.db", tmp_path / "fresh" / "files"
    done = bot_command("restore", str(archive), env=environment(fresh_db, fresh_files))
    assert done.returncode == 0, done.stderr
    assert f"database {fresh_db}: schema " in done.stdout and "integrity ok, 8 requests" in done.stdout
    assert f"{len(documents(files_dir))} checked, {len(documents(files_dir))} written" in done.stdout
    assert_same_installation(database, files_dir, fresh_db, fresh_files, consistent_load(fresh_db))


def test_restore_is_refused_while_a_bot_holds_the_database_and_changes_nothing(tmp_path: Path) -> None:
    database, files_dir = tmp_path / "live" / "green.db", tmp_path / "live" / "files"
    load_release(database)
    keep_documents(database, files_dir)
    archive = tmp_path / "b.tar"
    take_backup(database, files_dir, archive)
    before = database.read_bytes()
    lock = ProcessLock.take(database)  # what a running bot holds
    try:
        done = bot_command("restore", str(archive), env=environment(database, files_dir))
    finally:
        lock.release()
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"restore refused: database {database} is in use by another Green Channel process (pid {os.getpid()}); "
        "stop that process first, or give this one its own DATABASE_PATH"
    )
    assert database.read_bytes() == before
    assert not list(database.parent.glob("*.before-restore-*"))


def rewrite(archive: Path, out: Path, change: dict[str, bytes], *, manifest_too: bool = False) -> None:
    """A copy of ``archive`` with some members' bytes replaced (and, with ``manifest_too``, the manifest made to
    agree, as someone covering their tracks would)."""
    with tarfile.open(archive) as source:
        members = {m.name: source.extractfile(m).read() for m in source}  # type: ignore[union-attr]
    members.update(change)
    if manifest_too:
        manifest = json.loads(members[MANIFEST])
        for entry in [manifest["database"], *manifest["files"]]:
            data = members[entry["name"]]
            entry["sha256"], entry["size"] = __import__("hashlib").sha256(data).hexdigest(), len(data)
        members[MANIFEST] = json.dumps(manifest).encode()
    with tarfile.open(out, "w") as target:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            target.addfile(info, io.BytesIO(data))


@pytest.fixture
def taken(tmp_path: Path) -> tuple[Path, Path, Path]:
    """An installation that a restore must not touch, and a good backup of another one."""
    source, source_files = tmp_path / "source" / "green.db", tmp_path / "source" / "files"
    load_release(source)
    keep_documents(source, source_files)
    archive = tmp_path / "good.tar"
    take_backup(source, source_files, archive)
    target, target_files = tmp_path / "target" / "green.db", tmp_path / "target" / "files"
    load_release(target)
    keep_documents(target, target_files, count=2)
    return archive, target, target_files


def assert_refused_and_untouched(archive: Path, target: Path, target_files: Path, reason: str) -> None:
    before, files_before = target.read_bytes(), documents(target_files)
    with pytest.raises(ArchiveError, match=reason):
        restore_backup(archive, target, target_files)
    done = bot_command("restore", str(archive), env=environment(target, target_files))
    assert done.returncode == 2 and done.stderr.startswith("restore refused, nothing was changed: "), done.stderr
    assert target.read_bytes() == before and documents(target_files) == files_before
    assert sorted(p.name for p in target.parent.iterdir()) == ["files", "green.db", "green.db.lock"]
    assert not [p for p in target_files.iterdir() if p.name.startswith(".")]


def test_a_document_changed_in_the_archive_is_refused(taken: tuple[Path, Path, Path], tmp_path: Path) -> None:
    archive, target, target_files = taken
    with tarfile.open(archive) as tar:
        name = next(m.name for m in tar if m.name.startswith("files/"))
    bad = tmp_path / "bad.tar"
    rewrite(archive, bad, {name: b"not what was kept"})
    assert_refused_and_untouched(bad, target, target_files, "does not match its SHA-256 in the manifest")


def test_a_database_failing_its_integrity_check_is_refused_even_with_a_matching_manifest(
    taken: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    archive, target, target_files = taken
    with tarfile.open(archive) as tar:
        database = bytearray(tar.extractfile("database.sqlite").read())  # type: ignore[union-attr]
    page = 4096
    for n in range(3, len(database) // page, 5):  # scribble over b-tree pages, keep the header
        database[n * page + 8 : n * page + 400] = os.urandom(392)
    bad = tmp_path / "bad.tar"
    rewrite(archive, bad, {"database.sqlite": bytes(database)}, manifest_too=True)
    assert_refused_and_untouched(bad, target, target_files, "integrity check|cannot be read|broken references")


def test_an_archive_without_its_manifest_or_with_a_strange_member_is_refused(
    taken: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    archive, target, target_files = taken
    with tarfile.open(archive) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar}  # type: ignore[union-attr]
    cut = tmp_path / "cut.tar"
    with tarfile.open(cut, "w") as out:
        for name, data in members.items():
            if name != MANIFEST:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                out.addfile(info, io.BytesIO(data))
    assert_refused_and_untouched(cut, target, target_files, "has no manifest")
    strange = tmp_path / "strange.tar"
    rewrite(archive, strange, {"../../etc/cron.d/x": b"* * * * * root true"})
    assert_refused_and_untouched(strange, target, target_files, "unexpected member")


def test_restore_over_a_database_keeps_the_old_one_beside_it_and_reports_what_it_did(
    taken: tuple[Path, Path, Path],
) -> None:
    archive, target, target_files = taken
    old = contents(target)
    present = set(documents(target_files))
    report = restore_backup(archive, target, target_files)
    (aside,) = target.parent.glob("green.db.before-restore-*")
    assert report.previous == aside and contents(aside) == old
    assert os.stat(aside).st_mode & 0o777 == 0o600 and os.stat(target).st_mode & 0o777 == 0o600
    with tarfile.open(archive) as tar:
        manifest = Manifest.from_json(tar.extractfile(MANIFEST).read())  # type: ignore[union-attr]
    restored = {m.name.removeprefix("files/") for m in manifest.files}
    assert set(documents(target_files)) == restored | present  # documents of neither kind are lost
    assert report.files_present == len(restored & present) and report.files_new == len(restored - present)
    text = report.summary()
    assert f"the database that was there is kept as {aside}" in text
    assert "integrity ok, 8 requests, 8 attachments" in text


def test_a_document_damaged_on_disk_is_reported_by_the_backup_and_left_out_by_the_restore(tmp_path: Path) -> None:
    database, files_dir = tmp_path / "live" / "green.db", tmp_path / "live" / "files"
    load_release(database)
    kept = keep_documents(database, files_dir)
    victim = next(iter(kept))
    (files_dir / victim[:2] / victim[2:]).write_bytes(b"bit rot")
    gone = list(kept)[1]
    (files_dir / gone[:2] / gone[2:]).unlink()
    done = bot_command("backup", str(tmp_path / "b.tar"), env=environment(database, files_dir))
    assert done.returncode == 1  # written, with something to look at
    assert f"1 damaged documents left out: {victim[:2]}/{victim[2:]}" in done.stdout
    assert f"1 recorded documents not in FILES_DIR: {gone[:2]}/{gone[2:]}" in done.stdout
    fresh_files = tmp_path / "fresh" / "files"
    report = restore_backup(tmp_path / "b.tar", tmp_path / "fresh" / "green.db", fresh_files)
    assert report.damaged == [f"{victim[:2]}/{victim[2:]}"]
    assert f"{victim[:2]}/{victim[2:]}" not in documents(fresh_files)
    assert len(documents(fresh_files)) == len(kept) - 2


def test_a_backup_stopped_part_way_leaves_nothing_that_looks_like_a_backup(tmp_path: Path) -> None:
    database, files_dir = tmp_path / "live" / "green.db", tmp_path / "live" / "files"
    load_release(database)
    keep_documents(database, files_dir)
    stop = __import__("threading").Event()
    stop.set()
    with pytest.raises(BackupStopped):
        take_backup(database, files_dir, tmp_path / "out" / "b.tar", stop=stop)
    assert list((tmp_path / "out").iterdir()) == []


def test_backup_without_a_place_to_put_it_says_so(tmp_path: Path) -> None:
    database = tmp_path / "green.db"
    load_release(database)
    done = bot_command("backup", env=environment(database, tmp_path / "files"))
    assert done.returncode == 2
    assert done.stderr.strip() == "say where: python bot.py backup FILE, or set BACKUP_DIR"
