"""Operations in the real bot: its log lines about a request carry its number (operations/log_context.py,
handlers/log_context.py), and BACKUP_DIR makes it take the day's backup (operations/nightly.py)."""

from __future__ import annotations

import contextlib
import copy
import io
import sqlite3
from datetime import date, time
from pathlib import Path

from operations.nightly import BACKUP, nightly_name
from tests.bot.conftest import Harness
from tests.bot.flows import card_in_group, submit
from tests.operations.test_logs import captured_logs, lines

__all__ = ["captured_logs"]  # the fixture "captured"


async def test_the_bots_lines_about_a_request_carry_its_number(harness: Harness, captured: io.StringIO) -> None:
    """The bureau's copy of a request's document (a job's line), and a refused button press on its card (a colleague
    claimed it first: an update's line)."""
    h = harness
    submitted = await submit(h.applicant)  # through the form, with a document the copier keeps
    kept = await h.api.wait_until(
        lambda: next((e for e in lines(captured) if str(e["event"]).startswith("document copy kept")), None)
    )
    assert kept["request_id"] == submitted and "update_id" not in kept  # the copier's line, not an update's
    card = await card_in_group(h, submitted)
    stale = copy.deepcopy(card)  # the card as reviewer 2's app still shows it
    await h.reviewer.answer(await h.reviewer.press(card, "领取"))
    await h.reviewer_2.answer(await h.reviewer_2.press(stale, "领取"))
    refused = await h.api.wait_until(
        lambda: next((e for e in lines(captured) if str(e["event"]).startswith("refused update_id=")), None)
    )
    assert refused["request_id"] == submitted
    assert f"update_id={refused['update_id']} " in str(refused["event"])


async def test_the_bot_with_backup_dir_set_takes_the_days_backup_at_start(harness: Harness, tmp_path: Path) -> None:
    h = harness
    backups = tmp_path / "nightly"
    h.settings = h.settings.model_copy(update={"backup_dir": backups, "backup_time": time(2, 30)})
    await h.restart()  # 10:00 in Shanghai: past 02:30, so the start catches the day's backup up
    target = backups / nightly_name(date(2026, 11, 30))
    await h.api.wait_until(lambda: target.is_file(), poll=0.1)

    def claimed() -> bool:
        with contextlib.closing(sqlite3.connect(f"file:{h.settings.database_path}?mode=ro", uri=True)) as conn:
            return conn.execute("SELECT 1 FROM summary_runs WHERE kind = ?", (BACKUP,)).fetchone() is not None

    await h.api.wait_until(claimed, poll=0.1)
    assert not list(backups.glob("*.partial"))
