"""Upgrades: the last release's database, with data in it, migrated to whatever MIGRATIONS holds now; released
steps never edited; ``migrate --check`` says what would run and runs nothing; a newer database stops start-up
with one line; ``--version``."""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import tomllib
from collections import Counter
from importlib import metadata
from pathlib import Path

import pytest

from approvals.models import Status
from operations import version as version_module
from storage.database import Database
from storage.migrations import MIGRATIONS
from storage.repositories import Repositories
from tests.operations.bureau import DATA, RELEASE, ROOT, bot_command, contents, environment, load_release

# Columns whose stored values a later step changes on purpose, as (table, column). A step that rewrites values
# names them here, and tests its rewrite itself; every other value of the release must come through unchanged.
CHANGED_BY_DESIGN: frozenset[tuple[str, str]] = frozenset()
DROPPED_BY_DESIGN: frozenset[str] = frozenset()  # tables a later step removes on purpose


def columns(database: Path) -> dict[str, list[str]]:
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: [r[1] for r in conn.execute(f'PRAGMA table_info("{t}")')] for t in tables}


def project(database: Path, table: str, names: list[str]) -> Counter[tuple[object, ...]]:
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
        listed = ", ".join(f'"{n}"' for n in names)
        return Counter(tuple(row) for row in conn.execute(f'SELECT {listed} FROM "{table}"'))


def schema(database: Path) -> set[tuple[str, str, str]]:
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
        rows = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
        return {(kind, name, " ".join((sql or "").split())) for kind, name, sql in rows}


def user_version(database: Path) -> int:
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


async def test_the_last_releases_database_with_its_data_upgrades_to_head_and_every_value_comes_through(
    tmp_path: Path,
) -> None:
    old = tmp_path / "bureau.db"
    load_release(old)
    assert user_version(old) == RELEASE
    before_columns, before_rows = columns(old), contents(old)
    assert sum(map(len, before_rows.values())) > 100  # the sample data is there to be carried

    db = await Database.open(old)  # what the first start of the new version does
    await db.close()

    assert user_version(old) == len(MIGRATIONS)
    after_columns = columns(old)
    for table, names in before_columns.items():
        if table in DROPPED_BY_DESIGN:
            continue
        assert table in after_columns, f"table {table} of the release is gone"
        kept = [n for n in names if (table, n) not in CHANGED_BY_DESIGN]
        assert set(kept) <= set(after_columns[table]), f"{table} lost columns"
        assert project(old, table, kept) == project_before(before_rows[table], names, kept), table
    with contextlib.closing(sqlite3.connect(old)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    # an upgraded bureau has exactly the schema of a fresh install of this version
    fresh = await Database.open(tmp_path / "fresh.db")
    await fresh.close()
    assert schema(old) == schema(tmp_path / "fresh.db")


def project_before(rows: Counter[tuple[object, ...]], names: list[str], kept: list[str]) -> Counter[tuple[object, ...]]:
    where = [names.index(n) for n in kept]
    result: Counter[tuple[object, ...]] = Counter()
    for row, count in rows.items():
        result[tuple(row[i] for i in where)] += count
    return result


async def test_the_upgraded_sample_data_reads_through_the_programs_own_stores(tmp_path: Path) -> None:
    old = tmp_path / "bureau.db"
    load_release(old)
    db = await Database.open(old)
    try:
        repos = Repositories.over(db)
        found = [r for user in (1001, 1002) for r in await repos.requests.by_applicant(user, limit=50)]
        assert len(found) == 8
        assert {r.status for r in found} >= {
            Status.RECEIVED,
            Status.INCOMPLETE,
            Status.RETURNED,
            Status.IN_REVIEW,
            Status.NEEDS_INFO,
            Status.APPROVED,
            Status.REJECTED,
        }
        approved = [r for r in found if r.status is Status.APPROVED]
        assert sorted(r.approval_number or "" for r in approved) == ["区环审〔2026〕1号", "区环审〔2026〕2号"]
        returned = next(r for r in found if r.status is Status.RETURNED)
        assert [e.action for e in await repos.requests.history(returned.id)] == ["submit", "list_missing", "return"]
        assert len(await repos.key_projects.codes()) == 50
    finally:
        await db.close()


def test_no_released_step_was_edited() -> None:
    """Forward-only: a bureau's file already ran every released step; editing one would split the installations
    into two schemas under one version number."""
    record = json.loads((DATA / f"release_{RELEASE}.json").read_text("utf-8"))
    assert len(MIGRATIONS) >= record["schema"] == RELEASE
    for number, (step, digest) in enumerate(zip(MIGRATIONS, record["steps"], strict=False), start=1):
        assert hashlib.sha256(step.encode()).hexdigest() == digest, f"released step {number} was edited"


def partly_migrated(database: Path, upto: int) -> None:
    """A file that ran the first ``upto`` steps only (an older release's)."""
    with contextlib.closing(sqlite3.connect(database)) as conn:
        for script in MIGRATIONS[:upto]:
            conn.executescript(script)
        conn.execute(f"PRAGMA user_version = {upto}")


def test_migrate_check_says_which_steps_would_run_and_runs_none_then_migrate_runs_them(tmp_path: Path) -> None:
    database = tmp_path / "green.db"
    partly_migrated(database, 12)
    before = database.read_bytes()
    env = environment(database, tmp_path / "files")
    done = bot_command("migrate", "--check", env=env)
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    pending = len(MIGRATIONS) - 12
    assert lines[0] == f"{database}: schema 12; {pending} steps would run (to schema {len(MIGRATIONS)}):"
    assert [line.split(":")[0].strip() for line in lines[1:]] == [f"step {n}" for n in range(13, len(MIGRATIONS) + 1)]
    assert "CREATE TABLE approval_number_counters; CREATE TABLE approval_numbers" in lines[1]
    assert database.read_bytes() == before and user_version(database) == 12

    done = bot_command("migrate", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{database}: schema 12 -> {len(MIGRATIONS)}, {pending} steps ran"
    done = bot_command("migrate", "--check", env=env)
    assert done.returncode == 0
    assert done.stdout.strip() == f"{database}: schema {len(MIGRATIONS)}, up to date; nothing would run"


def test_migrate_check_on_the_last_releases_database_lists_exactly_the_steps_added_since(tmp_path: Path) -> None:
    database = tmp_path / "green.db"
    load_release(database)
    done = bot_command("migrate", "--check", env=environment(database, tmp_path / "files"))
    added = range(RELEASE + 1, len(MIGRATIONS) + 1)
    assert done.returncode == (1 if added else 0), done.stderr
    listed = [line.split(":")[0].strip() for line in done.stdout.splitlines()[1:]]
    assert listed == [f"step {n}" for n in added]
    assert user_version(database) == RELEASE


def test_a_database_newer_than_the_program_stops_start_up_with_one_clear_line(tmp_path: Path) -> None:
    database = tmp_path / "green.db"
    load_release(database)
    with contextlib.closing(sqlite3.connect(database)) as conn:
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 3}")
    before = contents(database)
    # no Bot API server anywhere: the refusal comes before any network
    env = environment(database, tmp_path / "files", TELEGRAM_API_BASE="http://127.0.0.1:9")
    for args in ((), ("migrate",), ("migrate", "--check")):
        done = bot_command(*args, env=env, timeout=60)
        assert done.returncode == 2, (args, done.stderr)
        plain = [line for line in done.stderr.splitlines() if not line.startswith("{")]
        assert plain == [
            f"{database}: database schema {len(MIGRATIONS) + 3} is newer than this program's {len(MIGRATIONS)}: it "
            "was upgraded by a newer Green Channel; run that version (or restore a backup taken before the upgrade)"
        ], args
        assert "Traceback" not in done.stderr
        if not args:  # the bot itself logs its version first, so the logs say which program refused
            first = json.loads(done.stderr.splitlines()[0])
            assert first["event"] == f"Green Channel {metadata.version('green-channel')} starting"
    assert contents(database) == before and user_version(database) == len(MIGRATIONS) + 3


def test_version_comes_from_the_package_metadata_and_else_from_pyproject(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
    done = bot_command("--version", env=environment(tmp_path / "green.db", tmp_path / "files"))
    assert done.returncode == 0 and done.stdout.strip() == f"Green Channel {metadata.version('green-channel')}"
    assert version_module.version() == metadata.version("green-channel")

    def not_installed(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(version_module.metadata, "version", not_installed)
    assert version_module.version() == declared
