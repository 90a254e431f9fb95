"""deploy/: the systemd unit is valid (systemd-analyze verify, where the machine has it) and hardened, and it
agrees with the example environment file on where the data lives."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from config import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNIT = DEPLOY / "green-channel.service"
ENV_EXAMPLE = DEPLOY / "green-channel.env.example"
EXEC_START = "/opt/green-channel/venv/bin/green-channel"


def directives(text: str) -> dict[str, list[str]]:
    """'Section.Key' -> every value given (a key such as ReadWritePaths may be repeated)."""
    found: dict[str, list[str]] = {}
    section = ""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        found.setdefault(f"{section}.{key}", []).append(value)
    return found


def say(capsys: pytest.CaptureFixture[str], line: str) -> None:
    """A line in the test run's own output, -q or not: what was not checked is said, never skipped silently."""
    with capsys.disabled():
        print(f"\n{line}")


def env_example() -> dict[str, str]:
    pairs = (line.split("=", 1) for line in ENV_EXAMPLE.read_text("utf-8").splitlines() if re.match(r"^[A-Z_]+=", line))
    return {key: value for key, value in pairs}


def test_the_unit_restarts_runs_confined_as_its_own_user_and_reads_the_environment_file() -> None:
    unit = directives(UNIT.read_text("utf-8"))
    assert unit["Service.ExecStart"] == [EXEC_START]
    assert unit["Service.Restart"] == ["on-failure"]
    assert unit["Service.User"] == ["green-channel"]
    assert unit["Service.NoNewPrivileges"] == ["yes"]
    assert unit["Service.ProtectSystem"] == ["strict"]  # everything read-only but ReadWritePaths
    assert unit["Service.EnvironmentFile"] == ["/etc/green-channel/green-channel.env"]
    assert unit["Service.RestartPreventExitStatus"] == ["2"]  # a bad setting: not retried in a loop
    assert unit["Install.WantedBy"] == ["multi-user.target"]


def test_every_path_the_example_writes_to_is_writable_under_the_unit() -> None:
    unit = directives(UNIT.read_text("utf-8"))
    writable = [path.lstrip("-") for path in unit["Service.ReadWritePaths"]]
    env = env_example()
    for name in ("DATABASE_PATH", "FILES_DIR", "BACKUP_DIR"):
        assert any(Path(env[name]).is_relative_to(root) for root in writable), (name, env[name], writable)
    assert unit["Service.WorkingDirectory"] == [str(Path(env["DATABASE_PATH"]).parent)]


def test_the_example_environment_file_is_a_valid_configuration() -> None:
    settings = Settings(_env_file=ENV_EXAMPLE)  # type: ignore[call-arg]
    assert settings.metrics_port is not None and settings.telegram_api_base is not None
    known = {name.upper() for name in Settings.model_fields}
    assert set(env_example()) - known == set()  # every key in the example is a real setting


def test_systemd_analyze_verifies_the_unit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        say(capsys, "systemd-analyze not found: deploy/green-channel.service had the static checks only")
        assert directives(UNIT.read_text("utf-8"))  # the static checks above still ran on it
        return
    # verify also checks that ExecStart exists: the installed command is stood in for by a script here
    command = tmp_path / "green-channel"
    command.write_text("#!/bin/sh\n")
    command.chmod(0o755)
    unit = tmp_path / UNIT.name
    unit.write_text(UNIT.read_text("utf-8").replace(f"ExecStart={EXEC_START}", f"ExecStart={command}"))
    verified = subprocess.run(
        [analyze, "verify", "--man=no", str(unit)], capture_output=True, text=True, timeout=120, check=False
    )
    assert verified.returncode == 0 and not verified.stderr.strip(), verified.stderr
    security = subprocess.run(
        [analyze, "security", "--offline=yes", str(unit)], capture_output=True, text=True, timeout=120, check=False
    )
    exposure = re.search(r"Overall exposure level for \S+: ([\d.]+)", security.stdout)
    assert exposure is not None, security.stdout[-2000:] + security.stderr
    say(capsys, f"systemd-analyze security: exposure {exposure.group(1)} (0 = locked down, 10 = unprotected)")
    assert float(exposure.group(1)) <= 2.5
