"""The operator's guide (docs/运维手册.md and its English twin) keeps up with the code: every setting, every
/readyz check and the words each failure is reported in, and the README points to both."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from config import Settings

ROOT = Path(__file__).resolve().parents[2]
GUIDES = [ROOT / "docs" / "运维手册.md", ROOT / "docs" / "operations.md"]
# what /readyz says (monitoring/readiness.py, storage/health.py): the guide's table explains each
CHECKS = ("database", "bot_api", "scheduler", "outbox")
COMMAND = r"^(?:gc|systemctl|curl|cp|chmod|chown|install|useradd|apt-get|git|python3|mkdir) .*$"
REPORTED = (
    "is not writable by this process",
    "MiB free on the disk",
    "database is locked",
    "the job scheduler is not running",
    "jobs paused",
    "the outbox sender is not running",
    "waiting messages has waited",
    "Unauthorized",
)


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_the_guide_names_every_setting(guide: Path) -> None:
    text = guide.read_text("utf-8")
    missing = [name.upper() for name in Settings.model_fields if f"`{name.upper()}`" not in text]
    assert missing == []


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_the_guide_explains_each_readiness_failure_as_reported(guide: Path) -> None:
    text = guide.read_text("utf-8")
    assert all(f"`{check}`" in text for check in CHECKS)
    assert [phrase for phrase in REPORTED if phrase not in text] == []


def test_the_readiness_code_still_says_what_the_guide_quotes() -> None:
    code = (ROOT / "monitoring" / "readiness.py").read_text("utf-8") + (ROOT / "storage" / "health.py").read_text(
        "utf-8"
    )
    quoted = [
        phrase for phrase in REPORTED if phrase not in ("database is locked", "Unauthorized")
    ]  # SQLite's, Telegram's
    assert [phrase for phrase in quoted if phrase not in code] == []


def test_the_twins_have_the_same_sections_and_commands() -> None:
    chinese, english = (guide.read_text("utf-8") for guide in GUIDES)
    assert len(re.findall(r"^## ", chinese, re.M)) == len(re.findall(r"^## ", english, re.M))
    commands = [
        [re.sub(r"<[^>]*>", "<>", re.sub(r"\s+#.*$", "", line)) for line in re.findall(COMMAND, text, re.M)]
        for text in (chinese, english)
    ]
    assert len(commands[0]) > 20 and commands[0] == commands[1]  # comments and <placeholders> translated


def test_the_readme_links_both() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "(docs/运维手册.md)" in readme and "(docs/operations.md)" in readme
