"""The upkeep commands run as real processes with no BOT_TOKEN (and bot settings that would stop the bot), and the
guides' restore drill runs as written (paths moved into a temporary directory)."""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.operations.bureau import ROOT, bot_command, documents, environment, keep_documents, load_release

# settings the bot would refuse, which the upkeep commands do not read
BROKEN_BOT_SETTINGS = {"WEBHOOK_URL": "https://example.org/hook", "TIMEZONE": "Mars/Olympus", "PUBLIC_PORT": "x"}


def without_token(database: Path, files_dir: Path, **extra: str) -> dict[str, str]:
    env = environment(database, files_dir, **BROKEN_BOT_SETTINGS, **extra)
    del env["BOT_TOKEN"]
    return env


def test_backup_restore_and_migrate_check_run_without_a_token(tmp_path: Path) -> None:
    database, files_dir = tmp_path / "live" / "green.db", tmp_path / "live" / "files"
    load_release(database)
    kept = keep_documents(database, files_dir)
    archive = tmp_path / "b.tar"

    done = bot_command("backup", str(archive), env=without_token(database, files_dir))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"backup written to {archive}")
    assert "BOT_TOKEN" not in done.stderr and tarfile.is_tarfile(archive)

    fresh_db, fresh_files = tmp_path / "fresh" / "green.db", tmp_path / "fresh" / "files"
    done = bot_command("restore", str(archive), env=without_token(fresh_db, fresh_files))
    assert done.returncode == 0, done.stderr
    assert f"{len(kept)} checked, {len(kept)} written" in done.stdout
    assert documents(fresh_files) == documents(files_dir)

    done = bot_command("migrate", "--check", env=without_token(database, files_dir))
    assert done.returncode in (0, 1), done.stderr
    assert str(database) in done.stdout and "configuration error" not in done.stderr


def test_a_bad_setting_the_commands_read_is_still_named(tmp_path: Path) -> None:
    database = tmp_path / "green.db"
    done = bot_command("migrate", "--check", env=without_token(database, tmp_path / "files", LOG_LEVEL="loud"))
    assert done.returncode == 2
    assert done.stderr.startswith("configuration error: LOG_LEVEL is invalid")


def drill(guide: str) -> str:
    """The restore drill's shell block from a guide."""
    text = (ROOT / "docs" / guide).read_text(encoding="utf-8")
    block = re.search(r"```sh\n(install -d[^`]*/var/tmp/drill\n)```", text)
    assert block is not None, f"no drill in {guide}"
    return block.group(1)


@pytest.mark.parametrize("guide", ["operations.md", "运维手册.md"])
def test_the_guides_restore_drill_runs_as_written(guide: str, tmp_path: Path) -> None:
    live, files_dir = tmp_path / "live" / "green_channel.db", tmp_path / "live" / "files"
    load_release(live)
    kept = keep_documents(live, files_dir)
    backups = tmp_path / "backups"
    backups.mkdir()
    # the production environment file, without a token: the drill needs none
    env_file = tmp_path / "green-channel.env"
    env_file.write_text(f"DATABASE_PATH={live}\nFILES_DIR={files_dir}\nTIMEZONE=Asia/Shanghai\n", encoding="utf-8")
    done = bot_command(
        "backup", str(backups / "green-channel-nightly-2026-12-01.tar"), env=without_token(live, files_dir)
    )
    assert done.returncode == 0, done.stderr

    script = drill(guide)
    for old, new in {
        "/etc/green-channel/green-channel.env": str(env_file),
        "/var/tmp/drill": str(tmp_path / "drill"),
        # this tree's code (the venv's green-channel may be installed from another checkout)
        "/opt/green-channel/venv/bin/green-channel": f"{sys.executable} {ROOT / 'bot.py'}",
        "/var/backups/green-channel": str(backups),
        "runuser -u green-channel -- ": "",
        "install -d -o green-channel -g green-channel -m 0700": "install -d -m 0700",
    }.items():
        script = script.replace(old, new)
    env = without_token(live, files_dir)
    for name in ("DATABASE_PATH", "FILES_DIR", *BROKEN_BOT_SETTINGS):
        env.pop(name)  # only what the environment file and the drill itself set
    ran = subprocess.run(["sh", "-e", "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert f"{len(kept)} checked, {len(kept)} written" in ran.stdout
    counts = ran.stdout.strip().splitlines()
    assert counts[-1].strip() == str(len(kept))  # the documents, not the hash folders
    assert any(line.startswith("accepted|") or "|" in line for line in counts[:-1])  # the statuses were read
    assert not (tmp_path / "drill").exists()
