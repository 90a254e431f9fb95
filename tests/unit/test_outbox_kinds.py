"""Every kind of outbox row the code queues is one PostgreSQL's outbox accepts (its CHECK names them), so a row
the SQLite backend stores today is never refused by the other backend (a new kind must be added to both)."""

from __future__ import annotations

import re
from pathlib import Path

from storage.postgres.schema import STEPS

ROOT = Path(__file__).resolve().parents[2]


def queued_kinds() -> set[str]:
    found = {"message", "event"}  # the default, and domain events (storage/outbox.py)
    for folder in ("jobs", "handlers", "approvals", "storage"):
        for source in (ROOT / folder).rglob("*.py"):
            found |= set(re.findall(r'\bkind="([a-z_]+)"', source.read_text(encoding="utf-8")))
    return found


def test_postgres_accepts_every_outbox_kind_queued() -> None:
    check = re.search(r"kind text NOT NULL DEFAULT 'message'\s+CHECK \(kind IN \(([^)]*)\)\)", "\n".join(STEPS))
    assert check is not None
    accepted = set(re.findall(r"'([a-z_]+)'", check.group(1)))
    assert queued_kinds() - accepted == set()
    assert {"card", "edit_card", "call", "paper"} <= queued_kinds()  # the scan finds what it must
