import asyncio
import os
import signal
import sys
from pathlib import Path

from storage.database import Database

ROOT = Path(__file__).resolve().parents[2]


async def test_committed_requests_survive_kill_9(tmp_path: Path) -> None:
    path = tmp_path / "crash.db"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.storage.crash_writer",
        str(path),
        "25",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None
    committed: list[int] = []
    while (line := (await asyncio.wait_for(proc.stdout.readline(), 60)).decode().strip()) != "done":
        assert line, "writer exited early"
        committed.append(int(line))
    proc.send_signal(signal.SIGKILL)  # no clean shutdown, no checkpoint: only the WAL on disk
    await proc.wait()
    assert proc.returncode == -signal.SIGKILL

    db = await Database.open(path)
    try:
        assert await db.integrity_check() == "ok"
        async with db.reader.execute("SELECT id FROM requests ORDER BY id") as cursor:
            stored = [row[0] for row in await cursor.fetchall()]
        async with db.reader.execute("SELECT count(*) FROM audit_events WHERE action = 'submit'") as cursor:
            events = await cursor.fetchone()
    finally:
        await db.close()
    assert stored == committed
    assert len(committed) == 25
    assert events == (25,)
