"""The append-only audit log on PostgreSQL: one row per step, and with it the outbox row that tells people about it.

The ``audit_events`` table comes with the approval store's step (``requests`` and what refers to it); the stores
that write events for their own changes (notices, papers, copies) share this one writer, as on SQLite
(``storage/audit.py``)."""

from __future__ import annotations

import asyncpg

from approvals.models import AuditEvent

_COLUMNS = (
    "request_id",
    "actor_id",
    "actor_name",
    "at",
    "action",
    "from_status",
    "to_status",
    "reason",
    "approval_number",
    "target_id",
    "target_name",
    "file_name",
    "sha256",
    "file_size",
)
_INSERT = (
    f"INSERT INTO audit_events ({', '.join(_COLUMNS)}) "
    f"VALUES ({', '.join(f'${n}' for n in range(1, len(_COLUMNS) + 1))}) RETURNING id"
)
_EVENT_ROW = (
    "INSERT INTO outbox (chat_id, kind, event_id, request_id, created_at, next_attempt_at) "
    "VALUES (0, 'event', $1, $2, $3, $3)"
)


async def insert_event(conn: asyncpg.Connection, event: AuditEvent, *, notify: bool = True) -> int:
    """Inside a caller's transaction: the audit record and the outbox row that will tell people about it
    (``notify``: a step no one is told of, such as the bureau's copy of a document kept, has none). Its id."""
    event_id: int = await conn.fetchval(
        _INSERT,
        event.request_id,
        event.actor_id,
        event.actor_name,
        event.at,
        event.action,
        event.from_status.value if event.from_status else None,
        event.to_status.value,
        event.reason,
        event.approval_number,
        event.target_id,
        event.target_name,
        event.file_name,
        event.sha256,
        event.file_size,
    )
    if notify:
        await conn.execute(_EVENT_ROW, event_id, event.request_id, event.at)
    return event_id


async def status_of(conn: asyncpg.Connection, request_id: int) -> str:
    """A request's status as stored (the steps recorded here keep it: their events go from it to it)."""
    status = await conn.fetchval("SELECT status FROM requests WHERE id = $1", request_id)
    assert status is not None  # a request is never deleted
    return str(status)
