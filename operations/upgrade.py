"""Upgrades: which schema steps a database file still needs, read without changing it.

Steps are forward-only (``storage/migrations.py``): each runs once, in its own transaction, at the first start of
a version that has it; there is no step back, so the way back from an upgrade is the backup taken before it.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from storage.migrations import MIGRATIONS, SchemaTooNew

# what a statement does, for a person: "CREATE TABLE approval_numbers", "ALTER TABLE requests ADD COLUMN stage"
_HEAD = re.compile(
    r"^\s*((?:CREATE|DROP)\s+(?:UNIQUE\s+)?(?:TABLE|INDEX|TRIGGER|VIEW)(?:\s+IF\s+(?:NOT\s+)?EXISTS)?\s+\w+"
    r"|ALTER\s+TABLE\s+\w+\s+(?:ADD\s+COLUMN\s+\w+|RENAME\s+(?:TO|COLUMN)\s+\w+(?:\s+TO\s+\w+)?|DROP\s+COLUMN\s+\w+)"
    r"|(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\w+)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Step:
    number: int
    actions: tuple[str, ...]

    def describe(self) -> str:
        """Tables and columns by name; indexes and triggers counted (rebuilt with their table, mostly)."""
        main = [a for a in self.actions if not re.search(r"\b(INDEX|TRIGGER)\b", a)]
        extra = [
            f"{n} {kind.lower()}{'es' if kind == 'INDEX' and n > 1 else 's' if n > 1 else ''}"
            for kind in ("INDEX", "TRIGGER")
            if (n := sum(bool(re.search(rf"\b{kind}\b", a)) for a in self.actions))
        ]
        return f"step {self.number}: " + "; ".join(main + ([" and ".join(extra)] if extra else []))


def file_version(database: Path) -> int:
    """The schema version recorded in ``database`` (0 for a file that does not exist yet), read-only."""
    if not database.exists():
        return 0
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


def pending(current: int, migrations: tuple[str, ...] = MIGRATIONS) -> list[Step]:
    """The steps a file at ``current`` would run, in order; ``SchemaTooNew`` when it is past them all."""
    if current > len(migrations):
        raise SchemaTooNew(current, len(migrations))
    return [Step(n, describe(migrations[n - 1])) for n in range(current + 1, len(migrations) + 1)]


def describe(script: str) -> tuple[str, ...]:
    """Each statement's head, in order (comments and bodies left out)."""
    found: list[str] = []
    buffer = ""
    for chunk in script.split(";"):
        buffer += chunk + ";"
        if not sqlite3.complete_statement(buffer):  # inside a trigger's body: not a statement of the step yet
            continue
        lines = [line for line in buffer.splitlines() if not line.strip().startswith("--")]
        buffer = ""
        match = _HEAD.match("\n".join(lines))
        if match:
            found.append(" ".join(match.group(1).split()))
    return tuple(found) or ("(data changes)",)


def check_report(database: Path) -> tuple[int, str]:
    """``migrate --check``: an exit status (0 up to date, 1 steps would run) and what to print."""
    if not database.exists():
        return 1, f"{database}: no database yet; the first start creates it ({len(MIGRATIONS)} steps)"
    current = file_version(database)
    steps = pending(current)
    if not steps:
        return 0, f"{database}: schema {current}, up to date; nothing would run"
    head = f"{database}: schema {current}; {len(steps)} steps would run (to schema {len(MIGRATIONS)}):"
    return 1, "\n".join([head, *(f"  {s.describe()}" for s in steps)])
