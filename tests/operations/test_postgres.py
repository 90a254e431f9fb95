"""With PostgreSQL the backup command delegates to pg_dump and the restore to pg_restore (stand-ins on PATH here:
the PostgreSQL backend itself is issue 18). The password never appears on their command lines."""

from __future__ import annotations

import json
import os
import stat
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import SecretStr

from config import load_settings
from operations.archive import MANIFEST, ArchiveError, Manifest
from operations.backup import take_backup
from operations.postgres import PostgresError, postgres_url
from operations.restore import restore_backup
from tests.operations.bureau import TOKEN, documents, keep_documents, load_release

URL = "postgresql://green:s3cret-pw@db.internal:5433/green_channel"
STAND_IN = """#!{python}
import json, os, sys
calls = os.environ["CALLS"]
with open(calls, "a") as log:
    log.write(json.dumps({{"argv": sys.argv, "password": os.environ.get("PGPASSWORD")}}) + "\\n")
if sys.argv[0].endswith("pg_dump"):
    out = next(a for a in sys.argv if a.startswith("--file=")).split("=", 1)[1]
    open(out, "wb").write(b"PGDMP stand-in dump")
"""


@dataclass
class Tools:
    calls: Path

    def log(self) -> list[dict[str, object]]:
        return [json.loads(line) for line in self.calls.read_text().splitlines()]


@pytest.fixture
def tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Tools:
    import sys

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("pg_dump", "pg_restore"):
        path = bin_dir / name
        path.write_text(STAND_IN.format(python=sys.executable))
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("CALLS", str(tmp_path / "calls.jsonl"))
    return Tools(tmp_path / "calls.jsonl")


def test_the_url_comes_from_database_url_once_there_is_one() -> None:
    assert postgres_url(load_settings(bot_token=TOKEN, _env_file=None)) is None  # SQLite: no DATABASE_URL yet

    @dataclass
    class Later:
        database_url: SecretStr

    assert postgres_url(Later(SecretStr(URL))) == URL
    assert postgres_url(Later(SecretStr("sqlite:///x.db"))) is None


def test_backup_delegates_to_pg_dump_and_archives_its_dump_with_the_documents(tools: Tools, tmp_path: Path) -> None:
    database, files_dir = tmp_path / "green.db", tmp_path / "files"
    load_release(database)
    keep_documents(database, files_dir, count=3)
    archive = tmp_path / "pg.tar"
    take_backup(tmp_path / "no-sqlite-here.db", files_dir, archive, postgres=URL)
    (call,) = tools.log()
    argv = [str(a) for a in call["argv"]]  # type: ignore[union-attr]
    assert Path(argv[0]).name == "pg_dump" and "--format=custom" in argv
    assert "--dbname=postgresql://green@db.internal:5433/green_channel" in argv
    assert call["password"] == "s3cret-pw" and not any("s3cret" in a for a in argv)
    with tarfile.open(archive) as tar:
        manifest = Manifest.from_json(tar.extractfile(MANIFEST).read())  # type: ignore[union-attr]
        assert tar.extractfile("database.pgdump").read() == b"PGDMP stand-in dump"  # type: ignore[union-attr]
    assert manifest.backend == "postgresql" and manifest.database.name == "database.pgdump"
    assert len(manifest.files) == 3

    fresh_files = tmp_path / "fresh" / "files"
    report = restore_backup(archive, tmp_path / "fresh" / "unused.db", fresh_files, postgres=URL)
    restore_call = tools.log()[-1]
    argv = [str(a) for a in restore_call["argv"]]  # type: ignore[union-attr]
    assert Path(argv[0]).name == "pg_restore" and "--single-transaction" in argv and "--clean" in argv
    assert restore_call["password"] == "s3cret-pw" and not any("s3cret" in a for a in argv)
    assert documents(fresh_files) == documents(files_dir) and report.files_new == 3
    assert not (tmp_path / "fresh" / "unused.db").exists()
    assert "PostgreSQL database loaded with pg_restore" in report.summary()


def test_a_sqlite_backup_is_not_restored_into_postgresql_nor_the_reverse(tools: Tools, tmp_path: Path) -> None:
    database, files_dir = tmp_path / "green.db", tmp_path / "files"
    load_release(database)
    take_backup(database, files_dir, tmp_path / "lite.tar")
    with pytest.raises(ArchiveError, match="a sqlite backup, and the configured database is not one"):
        restore_backup(tmp_path / "lite.tar", tmp_path / "x.db", tmp_path / "xf", postgres=URL)
    take_backup(database, files_dir, tmp_path / "pg.tar", postgres=URL)
    with pytest.raises(ArchiveError, match="a postgresql backup"):
        restore_backup(tmp_path / "pg.tar", tmp_path / "x.db", tmp_path / "xf")


def test_without_the_client_tools_the_backup_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PostgresError, match=r"pg_dump not found: install the PostgreSQL client tools"):
        take_backup(tmp_path / "x.db", tmp_path / "files", tmp_path / "pg.tar", postgres=URL)
    assert not list(tmp_path.glob("pg.tar*"))
