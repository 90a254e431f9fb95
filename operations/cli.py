"""The command line: ``bot.py [--log-level L] [--version] [backup [FILE] | restore FILE | migrate [--check]]``.

Each command prints what it did in plain words on stdout (the logs stay JSON on stderr) and exits 0 when all is
well, 1 when it did its work but found something to look at (or, for ``migrate --check``, when steps would run),
2 when it refused (a bot holds the database, the database is newer than this program, a bad archive).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from operations.archive import ArchiveError
from operations.backup import BackupError, take_backup
from operations.postgres import PostgresError, postgres_url
from operations.restore import restore_backup
from operations.settings import OperationsSettings
from operations.upgrade import check_report, file_version
from operations.version import version
from storage.database import Database
from storage.lock import DatabaseInUse, ProcessLock
from storage.migrations import SchemaTooNew

LEVELS = ("debug", "info", "warning", "error")


@dataclass(frozen=True)
class Options:
    command: str | None  # None: run the bot
    file: Path | None = None
    check: bool = False
    log_level: str | None = None  # overrides LOG_LEVEL
    sandbox: bool = False


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="green-channel", description="Green Channel (绿色通道): the bot, and its upkeep.")
    p.add_argument("--version", action="version", version=f"Green Channel {version()}")
    p.add_argument("--log-level", type=str.lower, choices=LEVELS, help="overrides LOG_LEVEL (default info)")
    p.add_argument("--sandbox", action="store_true", help="the local stand-in for Telegram with a web chat")
    commands = p.add_subparsers(dest="command", metavar="COMMAND")
    backup = commands.add_parser("backup", help="back up the database and the documents while the bot runs")
    backup.add_argument("file", nargs="?", type=Path, help="the archive to write (default: a new one in BACKUP_DIR)")
    restore = commands.add_parser("restore", help="restore a backup (the bot must be stopped)")
    restore.add_argument("file", type=Path)
    migrate = commands.add_parser("migrate", help="upgrade the database's schema (it also happens at start)")
    migrate.add_argument("--check", action="store_true", help="only say which steps would run")
    return p


def parse(args: list[str]) -> Options | int:
    """The options, or the exit status when argparse answered by itself (--version, --help, a bad argument)."""
    try:
        ns = parser().parse_args(args)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    return Options(ns.command, getattr(ns, "file", None), getattr(ns, "check", False), ns.log_level, ns.sandbox)


def run(options: Options, settings: OperationsSettings) -> int:
    """Run a command (not the bot)."""
    if options.command == "backup":
        return backup(settings, options.file)
    if options.command == "restore":
        assert options.file is not None
        return restore(settings, options.file)
    if options.command == "migrate":
        return check(settings) if options.check else migrate(settings)
    raise ValueError(options.command)


def backup(settings: OperationsSettings, file: Path | None) -> int:
    name = f"green-channel-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.tar"
    if file is None:
        if settings.backup_dir is None:
            print("say where: python bot.py backup FILE, or set BACKUP_DIR", file=sys.stderr)
            return 2
        file = settings.backup_dir / name
    elif file.is_dir():
        file = file / name
    try:
        report = take_backup(settings.database_path, settings.files_dir, file, postgres=postgres_url(settings))
    except (BackupError, PostgresError, OSError) as exc:
        print(f"backup failed: {exc}", file=sys.stderr)
        return 1
    print(report.summary())
    return 1 if report.damaged or report.missing else 0


def restore(settings: OperationsSettings, file: Path) -> int:
    try:
        lock = ProcessLock.take(settings.database_path)  # held throughout: no bot starts on a half-restored file
    except DatabaseInUse as exc:
        print(f"restore refused: {exc}", file=sys.stderr)
        return 2
    try:
        report = restore_backup(file, settings.database_path, settings.files_dir, postgres=postgres_url(settings))
    except (ArchiveError, PostgresError) as exc:
        print(f"restore refused, nothing was changed: {exc}", file=sys.stderr)
        return 2
    finally:
        lock.release()
    print(report.summary())
    return 0


def check(settings: OperationsSettings) -> int:
    try:
        status, text = check_report(settings.database_path)
    except SchemaTooNew as exc:
        print(f"{settings.database_path}: {exc}", file=sys.stderr)
        return 2
    print(text)
    return status


def migrate(settings: OperationsSettings) -> int:
    """The steps a start would run, run now (after a backup, say, with the bot stopped)."""
    try:
        lock = ProcessLock.take(settings.database_path)
    except DatabaseInUse as exc:
        print(f"migrate refused: {exc}", file=sys.stderr)
        return 2
    try:
        before = file_version(settings.database_path)
        asyncio.run(_open_and_close(settings.database_path))
        after = file_version(settings.database_path)
    except SchemaTooNew as exc:
        print(f"{settings.database_path}: {exc}", file=sys.stderr)
        return 2
    finally:
        lock.release()
    done = f"{after - before} steps ran" if after != before else "nothing to do"
    print(f"{settings.database_path}: schema {before} -> {after}, {done}")
    return 0


async def _open_and_close(path: Path) -> None:
    db = await Database.open(path)  # opening migrates
    await db.close()
