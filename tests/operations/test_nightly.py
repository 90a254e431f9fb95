"""The nightly backup: at BACKUP_TIME, once per day across restarts, the last BACKUP_KEEP days kept."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

from operations.nightly import BACKUP, BackupSchedule, NightlyBackup, nightly_name
from storage.database import Database
from storage.repositories import Repositories
from tests.conftest import SHANGHAI, FakeClock


def job(repos: Repositories, clock: FakeClock, db: Database, directory: Path, keep: int = 3) -> NightlyBackup:
    schedule = BackupSchedule(directory, keep_days=keep, at=time(2, 30))
    return NightlyBackup(repos.runs, clock, SHANGHAI, schedule, db.path, db.path.parent / "files")


async def test_once_a_day_after_its_time_across_restarts_keeping_the_last_days(
    repos: Repositories, db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    for day in range(20, 30):  # nightly backups of earlier days, and one taken by hand
        (backups / nightly_name(date(2026, 11, day))).write_bytes(b"old")
    by_hand = backups / "green-channel-20261101T080000Z.tar"
    by_hand.write_bytes(b"kept until the operator removes it")

    clock.set_local(2026, 11, 30, 2, 29)
    assert await job(repos, clock, db, backups).run() is None  # before its time
    assert not (backups / nightly_name(date(2026, 11, 30))).exists()

    clock.set_local(2026, 11, 30, 2, 30)
    report = await job(repos, clock, db, backups).run()
    assert report is not None and report.path == backups / nightly_name(date(2026, 11, 30))
    assert report.path.is_file()
    taken = report.path.stat().st_mtime_ns
    assert await repos.runs.is_claimed(BACKUP, date(2026, 11, 30))

    clock.set_local(2026, 11, 30, 23, 0)
    assert await job(repos, clock, db, backups).run() is None  # a restart the same day: none again
    assert report.path.stat().st_mtime_ns == taken

    clock.set_local(2026, 12, 1, 9, 0)  # down at 02:30, started later: the day's backup at once
    assert await job(repos, clock, db, backups).run() is not None
    assert sorted(p.name for p in backups.iterdir()) == [
        by_hand.name,
        nightly_name(date(2026, 11, 29)),
        nightly_name(date(2026, 11, 30)),
        nightly_name(date(2026, 12, 1)),
    ]


async def test_a_backup_not_recorded_before_a_crash_is_taken_again_into_the_same_file(
    repos: Repositories, db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    backups = tmp_path / "backups"
    clock.set_local(2026, 11, 30, 3, 0)
    first = await job(repos, clock, db, backups).run()
    assert first is not None
    await db.run_transaction(lambda c: c.execute("DELETE FROM summary_runs WHERE kind = ?", (BACKUP,)))  # the crash
    again = await job(repos, clock, db, backups).run()
    assert again is not None and again.path == first.path
    assert [p.name for p in backups.iterdir()] == [nightly_name(date(2026, 11, 30))]  # one backup for the day
