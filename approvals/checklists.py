"""The standard materials a reviewer ticks when listing what is missing: the defaults, or the bureau's own list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from approvals.completeness import DEFAULT_CHECKLISTS, clean_checklist
from approvals.errors import Forbidden
from approvals.models import Actor, DocumentType


class ChecklistStore(Protocol):
    async def get(self, document_type: DocumentType) -> tuple[str, ...] | None:
        """The bureau's list for ``document_type``, or None when it keeps the default."""
        ...

    async def put(self, document_type: DocumentType, items: Sequence[str] | None) -> None:
        """Replace the list (None: back to the default)."""
        ...


@dataclass
class Checklists:
    store: ChecklistStore

    async def items(self, document_type: DocumentType) -> tuple[str, ...]:
        """Default items are keys (``completeness.STANDARD_MATERIALS``) a front end names; others are the admin's
        own words."""
        own = await self.store.get(document_type)
        return own if own is not None else DEFAULT_CHECKLISTS.get(document_type, ())

    async def replace(self, actor: Actor, document_type: DocumentType, items: Sequence[str]) -> tuple[str, ...]:
        if not actor.is_admin:
            raise Forbidden("checklist")
        cleaned = clean_checklist(items)
        await self.store.put(document_type, cleaned or None)  # an empty list would leave nothing to tick
        return await self.items(document_type)

    async def reset(self, actor: Actor, document_type: DocumentType) -> tuple[str, ...]:
        if not actor.is_admin:
            raise Forbidden("checklist")
        await self.store.put(document_type, None)
        return await self.items(document_type)
