"""What both key-project stores (SQLite, PostgreSQL) share: how a pending import's projects are held (JSON, the
liaison column included), what pressing a button of an import that is no longer pending reports, and the reads
served from the list as last loaded (``ListingReads``)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import TypeAdapter

from approvals.key_list import ImportOutcome
from approvals.ledger import KeyProject, key_project_matches

PROJECTS = TypeAdapter(list[KeyProject])
DONE = {
    "applied": ImportOutcome.ALREADY_APPLIED,
    "cancelled": ImportOutcome.ALREADY_CANCELLED,
    "superseded": ImportOutcome.OUT_OF_DATE,
}


@dataclass(frozen=True)
class Listing:
    version: int
    current: list[KeyProject]
    by_code: dict[str, KeyProject]  # current and archived
    codes: frozenset[str]  # the current ones


class ListingReads:
    """The key-project store's reads, each from the list as its backend last loaded it (``_listing``)."""

    async def _listing(self) -> Listing:
        raise NotImplementedError

    async def snapshot(self) -> tuple[int, list[KeyProject]]:
        listing = await self._listing()
        return listing.version, list(listing.current)

    async def all(self) -> list[KeyProject]:
        return list((await self._listing()).current)

    async def get(self, code: str) -> KeyProject | None:
        project = (await self._listing()).by_code.get(code)
        return project if project is not None and not project.archived else None

    async def known(self, code: str) -> KeyProject | None:
        return (await self._listing()).by_code.get(code)

    async def codes(self) -> set[str]:
        return set((await self._listing()).codes)

    async def search(self, text: str, *, limit: int) -> list[KeyProject]:
        """Code prefix or any part of the name or owner, in list order, ignoring case."""
        found = (p for p in await self.all() if key_project_matches(p, text))
        return [p for _, p in zip(range(limit), found, strict=False)]
