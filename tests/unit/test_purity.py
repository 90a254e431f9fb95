"""approvals/ is the rules only: it must not reach for the chat framework, the database or the environment."""

import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "approvals"
FORBIDDEN_MODULES = ("aiogram", "aiosqlite", "sqlite3", "storage", "handlers", "bot", "apscheduler", "os")


def domain_files() -> list[Path]:
    files = sorted(DOMAIN.glob("*.py"))
    assert len(files) > 5  # the check below must have something to read
    return files


@pytest.mark.parametrize("path", domain_files(), ids=lambda p: p.name)
def test_domain_imports_no_framework_storage_or_environment(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            assert name.split(".")[0] not in FORBIDDEN_MODULES, f"{path.name} imports {name}"
        if isinstance(node, ast.Attribute):
            assert node.attr not in ("environ", "getenv"), f"{path.name} reads the environment"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = node.func
            is_clock = target.attr in ("now", "today", "utcnow") and isinstance(target.value, ast.Name)
            assert not (is_clock and target.value.id in ("datetime", "date")), f"{path.name} reads the clock"
