"""Clock stops (excluded time, art. 45) on PostgreSQL: written in the transaction of the step that opens or ends one
(``PostgresApprovalStore.apply``), read for cards, the queue and the job that ends them at their stated end."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

from approvals.clock_stops import ClockStop, StopKind
from storage.columns import CLOCK_STOP_COLUMNS

_COLUMNS = CLOCK_STOP_COLUMNS
SELECT_STOPS = f"SELECT {', '.join(f's.{c}' for c in _COLUMNS)} FROM clock_stops s"
OPEN_OF_REQUEST = f"{SELECT_STOPS} WHERE s.request_id = $1 AND s.ended_on IS NULL"
OF_REQUEST = f"{SELECT_STOPS} WHERE s.request_id = $1 ORDER BY s.id"
# along clock_stops_due; a withdrawn request's stop ended with it, the join keeps out any left open otherwise
ALL_OPEN = (
    f"{SELECT_STOPS} JOIN requests r ON r.id = s.request_id "
    "WHERE s.ended_on IS NULL AND r.status = 'excluded' ORDER BY s.expected_end, s.id LIMIT $1"
)


def stop_of(row: asyncpg.Record) -> ClockStop:
    data = dict(row)
    return ClockStop(**{**data, "kind": StopKind(data["kind"])})


async def write_stop(conn: asyncpg.Connection, stop: ClockStop) -> None:
    """A new stop (id 0) is inserted; a stored one gets its end. The unique index on open stops refuses a second
    open stop for one request, which the request's compare-and-set already prevents."""
    if stop.id == 0:
        await conn.execute(
            "INSERT INTO clock_stops (request_id, kind, days, started_on, started_at, expected_end) "
            "VALUES ($1, $2, $3, $4, $5, $6)",
            stop.request_id,
            stop.kind.value,
            stop.days,
            stop.started_on,
            stop.started_at,
            stop.expected_end,
        )
        return
    await conn.execute(
        "UPDATE clock_stops SET ended_on = $1, ended_at = $2, ended_by = $3, result = $4, excluded_days = $5 "
        "WHERE id = $6 AND ended_on IS NULL",
        stop.ended_on,
        stop.ended_at,
        stop.ended_by,
        stop.result,
        stop.excluded_days,
        stop.id,
    )


async def select_stops(conn: asyncpg.Connection | asyncpg.Pool, sql: str, *params: Any) -> list[ClockStop]:
    rows: Sequence[asyncpg.Record] = await conn.fetch(sql, *params)
    return [stop_of(row) for row in rows]
