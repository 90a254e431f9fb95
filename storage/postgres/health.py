"""What the health endpoint reads and probes (monitoring/) on PostgreSQL, as ``storage/health.py``: a few figures,
each on an index (the outbox's pending rows, ``requests_status_lane``, ``summary_runs_kind``), and a write probe.

Two differences from SQLite. Requests by status and lane are counted on the index, and every status and lane is
listed (0 where there are none): SQLite lists the pairs its counter table has ever held, so a pair never seen is
absent there; either way a count that falls to 0 is reported as 0. The probe cannot see the server's disk, so
``min_free_bytes`` is not checked here (the server's own monitoring watches its disk)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from approvals.models import Lane, Status
from storage.ports import DatabaseNotWritable, OutboxBacklog


class PostgresHealth:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def outbox_backlog(self) -> OutboxBacklog:
        # both on the partial index outbox_pending: the pending rows only, however many were sent
        row = await self.pool.fetchrow(
            "SELECT count(*), (SELECT created_at FROM outbox WHERE id = min(p.id)) FROM outbox p "
            "WHERE p.status = 'pending'"
        )
        assert row is not None  # an aggregate without GROUP BY always gives one row
        return OutboxBacklog(int(row[0]), row[1])

    async def requests_by_state_and_lane(self) -> list[tuple[str, int, int]]:
        """(status, lane, count) for every status and lane, in that order; 0 where there are none."""
        rows = await self.pool.fetch("SELECT status, lane, count(*) FROM requests GROUP BY status, lane")
        counts = {(str(status), int(lane)): int(n) for status, lane, n in rows}
        pairs = sorted((status.value, lane.value) for status in Status for lane in Lane)
        return [(status, lane, counts.get((status, lane), 0)) for status, lane in pairs]

    async def last_runs(self, kinds: Sequence[str]) -> dict[str, datetime]:
        """When each of ``kinds`` was last claimed (each the end of its range of summary_runs_kind); kinds never run
        are left out."""
        rows = await self.pool.fetch(
            "SELECT kind, (SELECT max(claimed_at) FROM summary_runs WHERE summary_runs.kind = k.kind) "
            "FROM unnest($1::text[]) AS k (kind)",
            list(kinds),
        )
        return {str(kind): at for kind, at in rows if at is not None}

    async def probe_write(self, *, min_free_bytes: int) -> None:
        """Raise ``DatabaseNotWritable`` unless a write could be committed now: a connection is had, the server is
        not a standby (in recovery), transactions are not read-only, and this role may still write the outbox (a
        changed grant). ``min_free_bytes``: see the module's note."""
        try:
            async with self.pool.acquire() as conn, conn.transaction():
                row = await conn.fetchrow(
                    "SELECT pg_is_in_recovery(), current_setting('transaction_read_only') = 'on', "
                    "has_table_privilege('outbox', 'INSERT, UPDATE')"
                )
        except Exception as exc:  # the connection refused or lost, whatever the server said
            raise DatabaseNotWritable(f"a transaction could not be had: {exc}") from exc
        assert row is not None
        standby, read_only, may_write = row
        if standby:
            raise DatabaseNotWritable("the server is a standby (in recovery): it takes no writes")
        if read_only:
            raise DatabaseNotWritable("transactions are read-only on this connection (default_transaction_read_only)")
        if not may_write:
            raise DatabaseNotWritable("this role may not write the outbox (INSERT, UPDATE)")
