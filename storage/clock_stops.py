"""Clock stops (excluded time, art. 45; migration 16): written in the transaction of the step that opens or ends
one (``SqliteApprovalStore.apply``), read for cards, the queue and the job that ends them at their stated end."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from approvals.clock_stops import ClockStop, StopKind
from storage.codec import day, must_day, stamp, unday, unstamp
from storage.columns import CLOCK_STOP_COLUMNS
from storage.inline import InlineConnection
from storage.reader import SnapshotReader

Connection = SnapshotReader | InlineConnection
_COLUMNS = CLOCK_STOP_COLUMNS
SELECT_STOPS = f"SELECT {', '.join(f'clock_stops.{c}' for c in _COLUMNS)} FROM clock_stops"


def stop_of(row: Sequence[Any]) -> ClockStop:
    data = dict(zip(_COLUMNS, row, strict=True))
    return ClockStop(
        id=int(data["id"]),
        request_id=int(data["request_id"]),
        kind=StopKind(data["kind"]),
        days=int(data["days"]),
        started_on=must_day(data["started_on"]),
        started_at=unstamp(data["started_at"]),
        expected_end=must_day(data["expected_end"]),
        ended_on=unday(data["ended_on"]),
        ended_at=unstamp(data["ended_at"]) if data["ended_at"] else None,
        ended_by=data["ended_by"],
        result=data["result"],
        excluded_days=data["excluded_days"],
    )


async def write_stop(conn: InlineConnection, stop: ClockStop) -> None:
    """A new stop (id 0) is inserted; a stored one gets its end. The unique index on open stops refuses a second
    open stop for one request, which the request's compare-and-set already prevents."""
    if stop.id == 0:
        await conn.execute(
            "INSERT INTO clock_stops (request_id, kind, days, started_on, started_at, expected_end) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                stop.request_id,
                stop.kind.value,
                stop.days,
                day(stop.started_on),
                stamp(stop.started_at),
                day(stop.expected_end),
            ),
        )
        return
    await conn.execute(
        "UPDATE clock_stops SET ended_on = ?, ended_at = ?, ended_by = ?, result = ?, excluded_days = ? "
        "WHERE id = ? AND ended_on IS NULL",
        (
            day(stop.ended_on),
            stamp(stop.ended_at) if stop.ended_at else None,
            stop.ended_by,
            stop.result,
            stop.excluded_days,
            stop.id,
        ),
    )


async def select_stops(conn: Connection, sql: str, params: Sequence[Any]) -> list[ClockStop]:
    async with conn.execute(sql, params) as cursor:
        return [stop_of(row) for row in await cursor.fetchall()]


OPEN_OF_REQUEST = f"{SELECT_STOPS} WHERE request_id = ? AND ended_on IS NULL"
OF_REQUEST = f"{SELECT_STOPS} WHERE request_id = ? ORDER BY id"
# a withdrawn request's stop ended with it; the join keeps out any left open by an older program
ALL_OPEN = (
    f"{SELECT_STOPS} JOIN requests ON requests.id = clock_stops.request_id "
    "WHERE clock_stops.ended_on IS NULL AND requests.status = 'excluded' "
    "ORDER BY clock_stops.expected_end, clock_stops.id LIMIT ?"
)
