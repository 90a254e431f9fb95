"""The bureau's own checklists of standard materials, on PostgreSQL; a document type without one keeps the default."""

from __future__ import annotations

import json
from collections.abc import Sequence

import asyncpg

from approvals.models import DocumentType


class PostgresChecklists:
    """Implements ``approvals.checklists.ChecklistStore``: a JSON array per document type."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def get(self, document_type: DocumentType) -> tuple[str, ...] | None:
        async with self.pool.acquire() as conn:
            items = await conn.fetchval(
                "SELECT items::text FROM material_checklists WHERE document_type = $1", document_type.value
            )
        return tuple(json.loads(items)) if items is not None else None

    async def put(self, document_type: DocumentType, items: Sequence[str] | None) -> None:
        async with self.pool.acquire() as conn:
            if items is None:
                await conn.execute("DELETE FROM material_checklists WHERE document_type = $1", document_type.value)
            else:
                await conn.execute(
                    "INSERT INTO material_checklists (document_type, items) VALUES ($1, $2::jsonb) "
                    "ON CONFLICT (document_type) DO UPDATE SET items = excluded.items",
                    document_type.value,
                    json.dumps(list(items), ensure_ascii=False),
                )
