"""Writes the checked-in dump of a release's database, filled with the sandbox's sample data (run once per release).

    .venv/bin/python -m tests.operations.release_dump

The dump (``releases/release_<N>.sql``) is what a bureau's file at schema N holds; ``release_<N>.json`` records the
program's version and each released step's SHA-256, so a test can tell that no released step was edited since.
``test_upgrade.py`` migrates the dump to whatever ``MIGRATIONS`` holds now and checks the data came through.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
import tempfile
from pathlib import Path

from assembly import create_application
from config import Settings
from operations.version import version
from sandbox.cast import TOKEN, seed
from storage.migrations import MIGRATIONS

DATA = Path(__file__).resolve().parent / "releases"


async def fill(directory: Path) -> Path:
    database = directory / "release.db"
    settings = Settings(bot_token=TOKEN, database_path=database, files_dir=directory / "files")  # type: ignore[call-arg]
    application = await create_application(settings)
    try:
        assert await seed(application.app.repos, application.app.approvals)
    finally:
        await application.close()
    return database


def main() -> None:
    release = len(MIGRATIONS)
    with tempfile.TemporaryDirectory() as work:
        database = asyncio.run(fill(Path(work)))
        with sqlite3.connect(database) as conn:
            lines = list(conn.iterdump())
    header = (
        f"-- Green Channel {version()}, schema {release}: the sandbox's sample data\nPRAGMA user_version = {release};\n"
    )
    (DATA / f"release_{release}.sql").write_text(header + "\n".join(lines) + "\n", "utf-8")
    steps = [hashlib.sha256(step.encode()).hexdigest() for step in MIGRATIONS]
    record = {"version": version(), "schema": release, "steps": steps}
    (DATA / f"release_{release}.json").write_text(json.dumps(record, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
