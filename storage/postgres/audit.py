"""The append-only audit log on PostgreSQL: one row per step, and with it the outbox row that tells people about it
(an ``event`` row for chat 0, which the sender expands into the messages the step means)."""

from __future__ import annotations

import asyncpg

from approvals.models import AuditEvent, Status
from storage.columns import AUDIT_COLUMNS

_COLUMNS = AUDIT_COLUMNS
SELECT_EVENTS = f"SELECT {', '.join(_COLUMNS)} FROM audit_events"
_INSERT = (
    f"INSERT INTO audit_events ({', '.join(_COLUMNS)}) "
    f"VALUES ({', '.join(f'${n}' for n in range(1, len(_COLUMNS) + 1))}) RETURNING id"
)
# due at once ('-infinity', as SQLite's ''): the event's time is the domain's clock, not the sender's
_ANNOUNCE = (
    "INSERT INTO outbox (chat_id, kind, event_id, request_id, created_at, next_attempt_at) "
    "VALUES (0, 'event', $1, $2, $3, '-infinity')"
)


def event_of(row: asyncpg.Record) -> AuditEvent:
    data = dict(row)
    data.update(
        from_status=Status(data["from_status"]) if data["from_status"] else None,
        to_status=Status(data["to_status"]),
    )
    return AuditEvent(**data)


async def insert_event(conn: asyncpg.Connection, event: AuditEvent, *, notify: bool = True) -> int:
    """The audit record and, in the caller's transaction, the outbox row that will tell people about it (``notify``:
    a step no one is told of, such as the bureau's copy of a document kept, has none). Returns the event's id."""
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
        await conn.execute(_ANNOUNCE, event_id, event.request_id, event.at)
    return event_id
