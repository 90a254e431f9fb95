"""The bureau's own checklists of standard materials (migration 13); a document type without one keeps the default."""

from __future__ import annotations

import json
from collections.abc import Sequence

from approvals.models import DocumentType
from storage.database import Database


class SqliteChecklists:
    """Implements ``approvals.checklists.ChecklistStore``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, document_type: DocumentType) -> tuple[str, ...] | None:
        async with (
            self.db.point_read() as conn,
            conn.execute(
                "SELECT items FROM material_checklists WHERE document_type = ?", (document_type.value,)
            ) as cursor,
        ):
            row = await cursor.fetchone()
        return tuple(json.loads(row[0])) if row else None

    async def put(self, document_type: DocumentType, items: Sequence[str] | None) -> None:
        async with self.db.transaction() as conn:
            if items is None:
                await conn.execute("DELETE FROM material_checklists WHERE document_type = ?", (document_type.value,))
            else:
                await conn.execute(
                    "INSERT INTO material_checklists (document_type, items) VALUES (?, ?) "
                    "ON CONFLICT (document_type) DO UPDATE SET items = excluded.items",
                    (document_type.value, json.dumps(list(items), ensure_ascii=False)),
                )
