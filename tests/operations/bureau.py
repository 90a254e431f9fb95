"""A bureau's files for the operations tests: the release dump loaded into a real database, documents kept in
FILES_DIR and recorded on its attachments, and ways to compare two such installations table by table."""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from storage.blobs import BlobStore

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "releases"
RELEASE = 18  # the schema of the last release, whose dump is checked in (releases/release_18.sql)
TOKEN = "4242:TEST-not-a-real-token"


def load_release(database: Path, release: int = RELEASE) -> None:
    """A database file as the release left it, with the sandbox's sample data in it."""
    database.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(sqlite3.connect(database)) as conn:
        conn.executescript((DATA / f"release_{release}.sql").read_text("utf-8"))
    os.chmod(database, 0o600)


def keep_documents(database: Path, files_dir: Path, count: int = 12) -> dict[str, bytes]:
    """Documents in FILES_DIR, as the copier keeps them, the first ones recorded on the sample attachments."""
    store = BlobStore(files_dir)
    kept: dict[str, bytes] = {}
    for n in range(count):
        data = os.urandom(1000 + 997 * n) + f"document {n}".encode()
        digest, _ = store.keep(data)
        kept[digest] = data
    with contextlib.closing(sqlite3.connect(database)) as conn, conn:
        ids = [row[0] for row in conn.execute("SELECT id FROM attachments ORDER BY id")]
        for attachment, digest in zip(ids, kept, strict=False):
            conn.execute(
                "UPDATE attachments SET sha256 = ?, stored_at = ? WHERE id = ?",
                (digest, datetime.now(UTC).isoformat(), attachment),
            )
    return kept


def contents(database: Path) -> dict[str, Counter[tuple[object, ...]]]:
    """Every table's rows (as a multiset), read-only."""
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: Counter(tuple(row) for row in conn.execute(f'SELECT * FROM "{t}"')) for t in tables}


def documents(files_dir: Path) -> dict[str, str]:
    """Every document in FILES_DIR by name, with the SHA-256 of its bytes."""
    return {
        f"{p.parent.name}/{p.name}": hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(files_dir.glob("??/*"))
        if p.is_file()
    }


def environment(database: Path, files_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BACKUP_", "LOG_LEVEL"))}
    env.update(BOT_TOKEN=TOKEN, DATABASE_PATH=str(database), FILES_DIR=str(files_dir), **extra)
    return env


def bot_command(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python bot.py ARGS`` as an operator runs it (from the data directory, which has no .env of its own)."""
    Path(env["DATABASE_PATH"]).parent.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        bot_command_args(*args),
        env=env,
        cwd=Path(env["DATABASE_PATH"]).parent,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def bot_command_args(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "bot.py"), *args]
