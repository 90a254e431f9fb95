"""What both key-project stores (SQLite, PostgreSQL) share about pending imports: how their projects are held
(JSON, the liaison column included) and what pressing a button of an import that is no longer pending reports."""

from __future__ import annotations

from pydantic import TypeAdapter

from approvals.key_list import ImportOutcome
from approvals.ledger import KeyProject

PROJECTS = TypeAdapter(list[KeyProject])
DONE = {
    "applied": ImportOutcome.ALREADY_APPLIED,
    "cancelled": ImportOutcome.ALREADY_CANCELLED,
    "superseded": ImportOutcome.OUT_OF_DATE,
}
