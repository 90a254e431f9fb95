"""Requests and their documents as PostgreSQL rows: the columns, the values written, the models read back."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import asyncpg

from approvals.models import ApprovalRequest, Attachment, Category, DocumentType, Lane, Status
from storage.columns import REQUEST_COLUMNS

_ENUMS = ("category", "document_type", "status")
COLUMNS = REQUEST_COLUMNS
SELECT = f"SELECT id, {', '.join(COLUMNS)} FROM requests"
INSERT = (
    f"INSERT INTO requests ({', '.join(COLUMNS)}) "
    f"VALUES ({', '.join(f'${n}' for n in range(1, len(COLUMNS) + 1))}) "
    "ON CONFLICT (client_key) WHERE client_key IS NOT NULL DO NOTHING RETURNING id"
)
# the compare-and-set: the row is written only if no one changed it since it was read
_N = len(COLUMNS)
UPDATE = (
    f"UPDATE requests SET {', '.join(f'{name} = ${n}' for n, name in enumerate(COLUMNS, start=1))} "
    f"WHERE id = ${_N + 1} AND version = ${_N + 2}"
)
_FILES = "file_id, name, size, mime, unique_id, uploaded_at, sha256"


def row_values(r: ApprovalRequest) -> list[Any]:
    """The request's values in ``COLUMNS`` order, as asyncpg takes them (dates, datetimes and Decimal as they are)."""
    values: list[Any] = []
    for name in COLUMNS:
        value = getattr(r, name)
        if name in _ENUMS:
            value = value.value
        elif name == "lane":
            value = int(value)
        values.append(value)
    return values


def request_of(row: asyncpg.Record, attachments: Iterable[Attachment]) -> ApprovalRequest:
    data = dict(row)
    data.update(
        category=Category(data["category"]),
        document_type=DocumentType(data["document_type"]),
        status=Status(data["status"]),
        lane=Lane(data["lane"]),
        attachments=tuple(attachments),
    )
    # stored rows were validated on the way in; construct without re-running every field rule
    return ApprovalRequest.model_construct(**data)


async def attachments_of(conn: asyncpg.Connection, ids: list[int]) -> dict[int, list[Attachment]]:
    found: dict[int, list[Attachment]] = {}
    if not ids:
        return found
    rows = await conn.fetch(
        f"SELECT request_id, {_FILES} FROM attachments WHERE request_id = ANY($1::bigint[]) ORDER BY id", ids
    )
    for row in rows:
        data = dict(row)
        found.setdefault(data.pop("request_id"), []).append(Attachment.model_construct(**data))
    return found


async def insert_attachments(conn: asyncpg.Connection, request_id: int, files: Iterable[Attachment]) -> bool:
    """The request's new documents and, in the caller's transaction, the bureau's copy of each still to make (the
    obligation is stored with the document: a crash cannot lose it). True when there was any."""
    copies = []
    for f in files:  # a handful per step: one round trip each keeps the ids in the documents' order
        copies.append(
            await conn.fetchval(
                f"INSERT INTO attachments (request_id, {_FILES}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                request_id,
                f.file_id,
                f.name,
                f.size,
                f.mime,
                f.unique_id,
                f.uploaded_at,
                f.sha256,
            )
        )
    if copies:
        await conn.execute("INSERT INTO file_copies (attachment_id) SELECT unnest($1::bigint[])", copies)
    return bool(copies)
