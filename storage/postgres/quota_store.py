"""The quota store on PostgreSQL: what reviewers and admins read and change of the balance and reduction projects
(the approval's own moves are ``storage/postgres/quota.py``'s, inside the decision's transaction)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal

import asyncpg

from approvals.quota import Balance, EntryKind, LedgerEntry, QuotaClaim, QuotaSource, ReductionProject, ReductionUnknown
from storage.postgres.quota import (
    AVAILABLE,
    BY_NAME,
    ENTRY,
    WAITING,
    append,
    entry_of,
    lock_balances,
    reduction_left,
    within_reduction,
)

# reductions confirmed between two days, along reduction_projects_confirmed (the leadership figures)
REDUCED = (
    "SELECT a.pollutant, sum(a.tonnes) AS tonnes FROM reduction_projects r "
    "JOIN reduction_amounts a ON a.reduction_id = r.id "
    "WHERE r.confirmed_on IS NOT NULL AND r.confirmed_on BETWEEN $1 AND $2 GROUP BY a.pollutant"
)


class PostgresQuotaStore:
    """Implements ``approvals.quota_service.QuotaStore``. Each call is a plain transaction of its own."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def balances(self) -> dict[str, Balance]:
        rows = await self.pool.fetch("SELECT pollutant, opening, credits, reserved, allocated FROM quota_balances")
        return {
            row["pollutant"]: Balance(
                row["pollutant"], row["opening"], row["credits"], row["reserved"], row["allocated"]
            )
            for row in rows
        }

    async def record(self, entries: Sequence[LedgerEntry]) -> None:
        """Openings set (by hand or an import): their entries, all in one transaction."""
        async with self.pool.acquire() as conn, conn.transaction():
            await lock_balances(conn, [e.pollutant for e in entries])
            for entry in entries:
                await append(conn, entry)

    async def entries(self, *, limit: int) -> list[LedgerEntry]:
        """The ledger, oldest first (the export), at most ``limit`` entries."""
        rows = await self.pool.fetch(f"SELECT {ENTRY} FROM quota_entries ORDER BY id LIMIT $1", limit)
        return [entry_of(row) for row in rows]

    async def claim_of(self, request_id: int) -> QuotaClaim | None:
        async with self.pool.acquire() as conn, conn.transaction(readonly=True, isolation="repeatable_read"):
            head = await conn.fetchrow(
                "SELECT source, reduction_id, exempt_as FROM request_quota WHERE request_id = $1", request_id
            )
            if head is None:
                return None
            amounts = await conn.fetch(
                "SELECT pollutant, tonnes FROM request_discharges WHERE request_id = $1", request_id
            )
        return QuotaClaim(
            discharges={row["pollutant"]: row["tonnes"] for row in amounts},
            source=QuotaSource(head["source"]),
            reduction_id=head["reduction_id"],
            exempt_as=head["exempt_as"],
        )

    async def held_by(self, request_id: int) -> dict[str, tuple[Decimal, str]]:
        rows = await self.pool.fetch(
            "SELECT pollutant, tonnes, state FROM quota_holds WHERE request_id = $1", request_id
        )
        return {row["pollutant"]: (row["tonnes"], row["state"]) for row in rows}

    async def holds(self, *, limit: int) -> list[tuple[int, str, Decimal, str]]:
        """What requests hold, newest request first, at most ``limit`` rows (along the primary key): request id,
        pollutant, amount, 'reserved' or 'allocated'."""
        rows = await self.pool.fetch(
            f"SELECT request_id, pollutant, tonnes, state FROM quota_holds ORDER BY request_id DESC, {BY_NAME} "
            "LIMIT $1",
            limit,
        )
        return [(row["request_id"], row["pollutant"], row["tonnes"], row["state"]) for row in rows]

    async def available(self, pollutants: Sequence[str], reduction_id: int | None) -> dict[str, Decimal]:
        """What can be taken now (a reading: the reservation itself checks again under its locks)."""
        async with self.pool.acquire() as conn, conn.transaction(readonly=True, isolation="repeatable_read"):
            rows = await conn.fetch(
                f"SELECT pollutant, {AVAILABLE} AS available FROM quota_balances WHERE pollutant = ANY($1::text[])",
                list(pollutants),
            )
            found = {row["pollutant"]: row["available"] for row in rows}
            if reduction_id is not None:
                found = within_reduction(found, pollutants, await reduction_left(conn, reduction_id))
        return found

    async def waiting(self, *, limit: int) -> list[tuple[int, str, QuotaClaim]]:
        """Undecided requests declaring a discharge that needs quota and holding none: id, location, claim."""
        rows = await self.pool.fetch(
            "SELECT r.id, r.location, q.source, q.reduction_id, d.pollutant, d.tonnes FROM requests r "
            "JOIN request_quota q ON q.request_id = r.id JOIN request_discharges d ON d.request_id = r.id "
            "WHERE r.status = ANY($1::text[]) AND q.source <> 'exempt' ORDER BY r.id LIMIT $2",
            list(WAITING),
            limit * 10,
        )
        found: dict[int, tuple[str, QuotaClaim]] = {}
        for rid, location, source, reduction_id, pollutant, tonnes in rows:
            location, claim = found.get(rid, (location, QuotaClaim(source=source, reduction_id=reduction_id)))
            found[rid] = location, claim.model_copy(update={"discharges": {**claim.discharges, pollutant: tonnes}})
        return [(rid, location, claim) for rid, (location, claim) in list(found.items())[:limit]]

    async def add_reduction(
        self, name: str, organisation: str, amounts: Mapping[str, Decimal], *, actor_id: int, at: datetime
    ) -> int:
        async with self.pool.acquire() as conn, conn.transaction():
            rid = await conn.fetchval(
                "INSERT INTO reduction_projects (name, organisation, declared_at, declared_by) "
                "VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING RETURNING id",
                name,
                organisation,
                at,
                actor_id,
            )
            if rid is None:
                return 0  # a project of that name is declared already
            await conn.executemany(
                "INSERT INTO reduction_amounts (reduction_id, pollutant, tonnes) VALUES ($1, $2, $3)",
                [(rid, pollutant, amount) for pollutant, amount in amounts.items()],
            )
        return int(rid)

    async def confirm_reduction(self, reduction_id: int, base: LedgerEntry, on: date) -> bool:
        """Confirm once: its reductions credit the balance in the same transaction. False if confirmed already
        (of two admins confirming at once, the second's UPDATE waits for the first's and then finds it done)."""
        async with self.pool.acquire() as conn, conn.transaction():
            done = await conn.fetchval(
                "UPDATE reduction_projects SET confirmed_on = $1, confirmed_by = $2 "
                "WHERE id = $3 AND confirmed_on IS NULL RETURNING id",
                on,
                base.actor_id,
                reduction_id,
            )
            if done is None:
                if await conn.fetchval("SELECT 1 FROM reduction_projects WHERE id = $1", reduction_id) is None:
                    raise ReductionUnknown(reduction_id)
                return False
            amounts = await conn.fetch(
                f"SELECT pollutant, tonnes FROM reduction_amounts WHERE reduction_id = $1 ORDER BY {BY_NAME}",
                reduction_id,
            )
            await lock_balances(conn, [row["pollutant"] for row in amounts])  # after the project's row, as every writer
            for row in amounts:
                credit = LedgerEntry(
                    row["pollutant"],
                    EntryKind.CREDIT,
                    row["tonnes"],
                    base.actor_id,
                    base.at,
                    base.actor_name,
                    base.reason,
                    None,
                    reduction_id,
                )
                await append(conn, credit)
        return True

    async def reductions(self) -> list[ReductionProject]:
        async with self.pool.acquire() as conn, conn.transaction(readonly=True, isolation="repeatable_read"):
            rows = await conn.fetch(
                "SELECT id, name, organisation, declared_at, confirmed_on, confirmed_by "
                "FROM reduction_projects ORDER BY id"
            )
            cuts = await conn.fetch("SELECT reduction_id, pollutant, tonnes FROM reduction_amounts")
        amounts: dict[int, dict[str, Decimal]] = {}
        for cut in cuts:
            amounts.setdefault(cut["reduction_id"], {})[cut["pollutant"]] = cut["tonnes"]
        return [
            ReductionProject(
                row["id"],
                row["name"],
                row["organisation"],
                amounts.get(row["id"], {}),
                row["declared_at"],
                row["confirmed_on"],
                row["confirmed_by"],
            )
            for row in rows
        ]

    async def reduced_between(self, first: date, last: date) -> dict[str, Decimal]:
        """Reductions of projects confirmed between the two days, inclusive (along reduction_projects_confirmed)."""
        return {row["pollutant"]: row["tonnes"] for row in await self.pool.fetch(REDUCED, first, last)}
