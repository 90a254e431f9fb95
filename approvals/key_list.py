"""Replacing the key-project list: what a new file would change, shown to the admin before anything changes.

An import is two steps. The file's projects are held as a pending import (durable, owned by the admin who sent
it, tied to the version of the list it was compared with) and the admin sees the changes; only Confirm applies
them, and only while the list is still at that version: of two admins confirming previews of the same list, the
second is told the list changed under them. Codes the new list leaves out are archived, not deleted: requests
that name them keep showing the name, and the headline ("12 of the 50") counts the current list only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from approvals.ledger import KeyProject


@dataclass(frozen=True)
class Renamed:
    code: str
    old_name: str
    new_name: str


@dataclass(frozen=True)
class ListChanges:
    """What replacing ``current`` with ``incoming`` does, by code. ``named``: for each removed code that requests
    name, how many name it (they keep the code and its name; the code no longer counts in the headline)."""

    added: list[KeyProject]
    removed: list[KeyProject]
    renamed: list[Renamed]
    details_changed: int  # same code and name, another owner or planned date
    unchanged: int
    named: dict[str, int]
    total: int  # projects in the new list
    liaisons: int = 0  # projects the file gives another liaison (帮包人)

    @property
    def changes_anything(self) -> bool:
        return bool(self.added or self.removed or self.renamed or self.details_changed or self.liaisons)

    @property
    def before(self) -> int:
        """Projects on the list now."""
        return len(self.removed) + len(self.renamed) + self.details_changed + self.unchanged

    @property
    def requests_naming_removed(self) -> int:
        return sum(self.named.values())


def list_changes(
    current: Sequence[KeyProject],
    incoming: Sequence[KeyProject],
    requests_per_code: Mapping[str, int],
    liaisons: Mapping[str, int] | None = None,
) -> ListChanges:
    """The difference by code, each part in its list's order; removed codes that requests name come first (they
    are what the admin must look at)."""
    before = {p.code: p for p in current}
    after = {p.code: p for p in incoming}
    added = [p for p in incoming if p.code not in before]
    removed = [p for p in current if p.code not in after]
    removed.sort(key=lambda p: requests_per_code.get(p.code, 0) == 0)  # stable: named ones first, in list order
    renamed: list[Renamed] = []
    details_changed = unchanged = 0
    for project in incoming:
        old = before.get(project.code)
        if old is None:
            continue
        if old.name != project.name:
            renamed.append(Renamed(project.code, old.name, project.name))
        elif _details(old) != _details(project):
            details_changed += 1
        else:
            unchanged += 1
    named = {p.code: requests_per_code[p.code] for p in removed if requests_per_code.get(p.code, 0)}
    now = liaisons or {}
    new_liaisons = sum(1 for p in incoming if p.liaison is not None and now.get(p.code) != p.liaison)
    return ListChanges(added, removed, renamed, details_changed, unchanged, named, len(incoming), new_liaisons)


def _details(project: KeyProject) -> tuple[object, ...]:
    return (project.owner, project.planned_start, project.planned_approval)


class ImportOutcome(StrEnum):
    """What pressing Confirm (or Cancel) on a preview did."""

    APPLIED = "applied"
    CANCELLED = "cancelled"
    ALREADY_APPLIED = "already_applied"  # a second press, or the other button after the first
    ALREADY_CANCELLED = "already_cancelled"
    OUT_OF_DATE = "out_of_date"  # the list changed since the preview, or a newer file replaced it: nothing done
    UNKNOWN = "unknown"  # no such preview, or another admin's


@dataclass(frozen=True)
class ImportPreview:
    """A pending import (``import_id`` is what its buttons carry; 0: nothing to confirm, the file changes
    nothing) and what it would change."""

    import_id: int
    changes: ListChanges


@dataclass(frozen=True)
class ImportResult:
    outcome: ImportOutcome
    total: int = 0  # projects on the list after an applied import
    archived: int = 0  # codes it archived
