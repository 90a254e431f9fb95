"""PostgreSQL's own tools do its backups: ``pg_dump --format=custom`` and ``pg_restore``.

With the PostgreSQL backend (issue 18, docs/storage.md), its setting ``DATABASE_URL``
(``postgresql://user:password@host/db``) makes ``python bot.py backup`` and ``restore`` delegate here: the dump
goes into the same archive as the documents (``database.pgdump``, hashed in the manifest), and ``pg_restore``
loads it. The password travels in ``PGPASSWORD``, never on a command line other users can read in ``ps``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

SCHEMES = ("postgres", "postgresql")


class PostgresError(Exception):
    """pg_dump or pg_restore failed, or is not installed."""


def postgres_url(settings: object) -> str | None:
    """The PostgreSQL URL the settings name (``DATABASE_URL``), or None (SQLite)."""
    url = getattr(settings, "database_url", None)
    if url is None:
        return None
    text = url.get_secret_value() if hasattr(url, "get_secret_value") else str(url)
    return text if urlsplit(text).scheme in SCHEMES else None


def dump_command(url: str, out: Path) -> tuple[list[str], dict[str, str]]:
    """``pg_dump`` into ``out`` (custom format: compressed, restorable table by table), and its environment."""
    bare, env = _without_password(url)
    return ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={out}", f"--dbname={bare}"], env


def restore_command(url: str, dump: Path) -> tuple[list[str], dict[str, str]]:
    """``pg_restore`` of ``dump`` over the database's objects, in one transaction: all or nothing."""
    bare, env = _without_password(url)
    command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction"]
    return [*command, "--exit-on-error", f"--dbname={bare}", str(dump)], env


def run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise PostgresError(f"{command[0]} not found: install the PostgreSQL client tools (postgresql-client)")
    done = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise PostgresError(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()[-500:]}")


def _without_password(url: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(url)
    if parts.password is None:
        return url, {}
    host = parts.hostname or ""
    if parts.port is not None:
        host += f":{parts.port}"
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment)), {
        "PGPASSWORD": parts.password
    }
