"""The append-only audit log: one row per step, and with it the outbox row that tells people about it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from approvals.models import AuditEvent, Status
from storage.codec import stamp, unstamp
from storage.columns import AUDIT_COLUMNS
from storage.inline import InlineConnection
from storage.outbox import enqueue_event

_COLUMNS = AUDIT_COLUMNS
SELECT_EVENTS = f"SELECT {', '.join(_COLUMNS)} FROM audit_events"


def event_of(row: Sequence[Any]) -> AuditEvent:
    data = dict(zip(_COLUMNS, row, strict=True))
    data.update(
        at=unstamp(data["at"]),
        from_status=Status(data["from_status"]) if data["from_status"] else None,
        to_status=Status(data["to_status"]),
    )
    return AuditEvent(**data)


async def insert_event(conn: InlineConnection, event: AuditEvent, *, notify: bool = True) -> None:
    """The audit record and, in the same transaction, the outbox row that will tell people about it (``notify``:
    a step no one is told of, such as the bureau's copy of a document kept, has none)."""
    cursor = await conn.execute(
        f"INSERT INTO audit_events ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' for _ in _COLUMNS)})",
        (
            event.request_id,
            event.actor_id,
            event.actor_name,
            stamp(event.at),
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
        ),
    )
    assert cursor.lastrowid is not None
    if notify:
        await enqueue_event(conn, cursor.lastrowid, event.request_id, stamp(event.at))
