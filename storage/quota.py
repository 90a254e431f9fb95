"""Pollutant quotas (总量控制): the balance, its append-only ledger, what requests declare and hold, and reduction
projects. Every change of ``quota_balances`` is written with its ledger entries in one transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from approvals.quota import (
    Balance,
    EntryKind,
    LedgerEntry,
    Move,
    QuotaClaim,
    QuotaMove,
    QuotaShortfall,
    QuotaSource,
    ReductionProject,
    ReductionUnknown,
    from_kg,
    to_kg,
)
from storage.codec import day, stamp, unday, unstamp
from storage.database import Database
from storage.inline import InlineConnection
from storage.reader import SnapshotReader

Connection = SnapshotReader | InlineConnection
# requests that may still come to need quota and hold none: not decided, their approval not proposed
WAITING = "('received', 'incomplete', 'submitted', 'resubmitted', 'in_review', 'needs_info', 'excluded')"
_ENTRY = "pollutant, kind, kg, actor_id, actor_name, at, reason, request_id, reduction_id"
_COLUMN = {
    EntryKind.OPENING: "opening_kg",
    EntryKind.CREDIT: "credits_kg",
    EntryKind.RESERVE: "reserved_kg",
    EntryKind.RELEASE: "reserved_kg",
    EntryKind.ALLOCATE: "allocated_kg",
    EntryKind.RETURN: "allocated_kg",
}
_SIGN = {EntryKind.RELEASE: -1, EntryKind.RETURN: -1}
# reductions confirmed between two days, along reduction_projects_confirmed (the leadership figures)
REDUCED = (
    "SELECT a.pollutant, sum(a.kg) FROM reduction_projects r JOIN reduction_amounts a ON a.reduction_id = r.id "
    "WHERE r.confirmed_on IS NOT NULL AND r.confirmed_on BETWEEN ? AND ? GROUP BY a.pollutant"
)


async def _rows(conn: Connection, sql: str, params: Sequence[Any] = ()) -> list[Any]:
    async with conn.execute(sql, tuple(params)) as cursor:
        return list(await cursor.fetchall())


async def append(conn: InlineConnection, entry: LedgerEntry) -> None:
    """One ledger entry and its effect on the running balance (an allocation moves reserved to allocated)."""
    kg = to_kg(entry.amount)
    await conn.execute(
        f"INSERT INTO quota_entries ({_ENTRY}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            entry.pollutant,
            entry.kind.value,
            kg,
            entry.actor_id,
            entry.actor_name,
            stamp(entry.at),
            entry.reason,
            entry.request_id,
            entry.reduction_id,
        ),
    )
    await conn.execute("INSERT INTO quota_balances (pollutant) VALUES (?) ON CONFLICT DO NOTHING", (entry.pollutant,))
    column = _COLUMN[entry.kind]
    extra = ", reserved_kg = reserved_kg - ?" if entry.kind is EntryKind.ALLOCATE else ""
    await conn.execute(
        f"UPDATE quota_balances SET {column} = {column} + ?{extra} WHERE pollutant = ?",
        (_SIGN.get(entry.kind, 1) * kg, *((kg,) if extra else ()), entry.pollutant),
    )


async def _available(conn: Connection, pollutants: Sequence[str], reduction_id: int | None) -> dict[str, Decimal]:
    """What can be taken now: the balance, and where a reduction project is named, no more than it has left."""
    marks = ", ".join("?" for _ in pollutants)
    rows = await _rows(
        conn,
        f"SELECT pollutant, opening_kg + credits_kg - reserved_kg - allocated_kg FROM quota_balances "
        f"WHERE pollutant IN ({marks})",
        pollutants,
    )
    found = {p: from_kg(kg) for p, kg in rows}
    if reduction_id is not None:
        left = await reduction_left(conn, reduction_id)
        found = {p: min(found.get(p, Decimal(0)), left.get(p, Decimal(0))) for p in pollutants}
    return found


async def reduction_left(conn: Connection, reduction_id: int) -> dict[str, Decimal]:
    """A confirmed reduction project's reductions less what requests naming it hold; nothing if unconfirmed."""
    rows = await _rows(
        conn,
        "SELECT a.pollutant, a.kg - coalesce((SELECT sum(h.kg) FROM quota_holds h WHERE h.reduction_id = "
        "a.reduction_id AND h.pollutant = a.pollutant), 0) FROM reduction_amounts a JOIN reduction_projects r "
        "ON r.id = a.reduction_id WHERE a.reduction_id = ? AND r.confirmed_on IS NOT NULL",
        (reduction_id,),
    )
    return {p: from_kg(kg) for p, kg in rows}


async def apply_move(
    conn: InlineConnection, request_id: int, move: QuotaMove, *, by: tuple[int, str], at: datetime, reason: str
) -> None:
    """A step's quota change inside its decision's transaction; raises QuotaShortfall (rolling the step back)
    when reserving finds less than needed. ``by`` (id, name), ``at`` and ``reason``: for the ledger entries."""
    held = await _rows(
        conn, "SELECT pollutant, kg, state, reduction_id FROM quota_holds WHERE request_id = ?", (request_id,)
    )

    def entry(pollutant: str, kind: EntryKind, kg: int, reduction_id: int | None) -> LedgerEntry:
        return LedgerEntry(pollutant, kind, from_kg(kg), by[0], at, by[1], reason, request_id, reduction_id)

    if move.move is Move.RELEASE:
        for pollutant, kg, state, reduction_id in held:
            kind = EntryKind.RELEASE if state == "reserved" else EntryKind.RETURN
            await append(conn, entry(pollutant, kind, kg, reduction_id))
        await conn.execute("DELETE FROM quota_holds WHERE request_id = ?", (request_id,))
        return
    if not held and move.needed:  # reserve now: what is available is read and taken in this one transaction
        available = await _available(conn, list(move.needed), move.reduction_id)
        missing = {p: a - max(available.get(p, Decimal(0)), Decimal(0)) for p, a in move.needed.items()}
        if any(amount > 0 for amount in missing.values()):
            raise QuotaShortfall(request_id, {p: a for p, a in missing.items() if a > 0})
        for pollutant, amount in move.needed.items():
            await append(conn, entry(pollutant, EntryKind.RESERVE, to_kg(amount), move.reduction_id))
            await conn.execute(
                "INSERT INTO quota_holds (request_id, pollutant, kg, state, reduction_id) VALUES (?, ?, ?, ?, ?)",
                (request_id, pollutant, to_kg(amount), "reserved", move.reduction_id),
            )
        held = [(p, to_kg(a), "reserved", move.reduction_id) for p, a in move.needed.items()]
    if move.move is Move.ALLOCATE:
        for pollutant, kg, state, reduction_id in held:
            if state == "reserved":
                await append(conn, entry(pollutant, EntryKind.ALLOCATE, kg, reduction_id))
        await conn.execute("UPDATE quota_holds SET state = 'allocated' WHERE request_id = ?", (request_id,))


async def write_claim(conn: InlineConnection, request_id: int, claim: QuotaClaim | None) -> None:
    """What a new request declares, in the transaction that stores it."""
    if claim is None:
        return
    await conn.execute(
        "INSERT INTO request_quota (request_id, source, reduction_id, exempt_as) VALUES (?, ?, ?, ?)",
        (request_id, claim.source.value, claim.reduction_id, claim.exempt_as),
    )
    for pollutant, amount in claim.discharges.items():
        await conn.execute(
            "INSERT INTO request_discharges (request_id, pollutant, kg) VALUES (?, ?, ?)",
            (request_id, pollutant, to_kg(amount)),
        )


def _reduction(row: Sequence[Any], amounts: Mapping[str, Decimal]) -> ReductionProject:
    rid, name, organisation, declared_at, confirmed_on, confirmed_by = row
    return ReductionProject(
        rid, name, organisation, dict(amounts), unstamp(declared_at), unday(confirmed_on), confirmed_by
    )


def _entry(row: Sequence[Any]) -> LedgerEntry:
    pollutant, kind, kg, actor_id, actor_name, at, reason, request_id, reduction_id = row
    return LedgerEntry(
        pollutant, EntryKind(kind), from_kg(kg), actor_id, unstamp(at), actor_name, reason, request_id, reduction_id
    )


class SqliteQuotaStore:
    """Implements ``approvals.quota_service.QuotaStore``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def balances(self) -> dict[str, Balance]:
        async with self.db.point_read() as conn:
            rows = await _rows(
                conn, "SELECT pollutant, opening_kg, credits_kg, reserved_kg, allocated_kg FROM quota_balances"
            )
        return {p: Balance(p, *(from_kg(kg) for kg in amounts)) for p, *amounts in rows}

    async def record(self, entries: Sequence[LedgerEntry]) -> None:
        """Openings set (by hand or an import): their entries, all in one transaction."""
        async with self.db.transaction() as conn:
            for entry in entries:
                await append(conn, entry)

    async def entries(self, *, limit: int) -> list[LedgerEntry]:
        """The ledger, oldest first (the export), at most ``limit`` entries."""
        return [
            _entry(r)
            for r in await _rows(self.db.reader, f"SELECT {_ENTRY} FROM quota_entries ORDER BY id LIMIT ?", (limit,))
        ]

    async def claim_of(self, request_id: int) -> QuotaClaim | None:
        async with self.db.point_read() as conn:
            head = await _rows(
                conn, "SELECT source, reduction_id, exempt_as FROM request_quota WHERE request_id = ?", (request_id,)
            )
            if not head:
                return None
            amounts = await _rows(
                conn, "SELECT pollutant, kg FROM request_discharges WHERE request_id = ?", (request_id,)
            )
        source, reduction_id, exempt_as = head[0]
        return QuotaClaim(
            discharges={p: from_kg(kg) for p, kg in amounts},
            source=QuotaSource(source),
            reduction_id=reduction_id,
            exempt_as=exempt_as,
        )

    async def held_by(self, request_id: int) -> dict[str, tuple[Decimal, str]]:
        async with self.db.point_read() as conn:
            rows = await _rows(conn, "SELECT pollutant, kg, state FROM quota_holds WHERE request_id = ?", (request_id,))
        return {p: (from_kg(kg), state) for p, kg, state in rows}

    async def holds(self, *, limit: int) -> list[tuple[int, str, Decimal, str]]:
        """What requests hold, newest request first, at most ``limit`` rows (along the primary key): request id,
        pollutant, amount, 'reserved' or 'allocated'."""
        rows = await _rows(
            self.db.reader,
            "SELECT request_id, pollutant, kg, state FROM quota_holds ORDER BY request_id DESC, pollutant LIMIT ?",
            (limit,),
        )
        return [(rid, p, from_kg(kg), state) for rid, p, kg, state in rows]

    async def available(self, pollutants: Sequence[str], reduction_id: int | None) -> dict[str, Decimal]:
        async with self.db.point_read() as conn:
            return await _available(conn, pollutants, reduction_id)

    async def waiting(self, *, limit: int) -> list[tuple[int, str, QuotaClaim]]:
        """Undecided requests declaring a discharge that needs quota and holding none: id, location, claim."""
        rows = await _rows(
            self.db.reader,
            f"SELECT r.id, r.location, q.source, q.reduction_id, d.pollutant, d.kg FROM requests r "
            f"JOIN request_quota q ON q.request_id = r.id JOIN request_discharges d ON d.request_id = r.id "
            f"WHERE r.status IN {WAITING} AND q.source <> 'exempt' ORDER BY r.id LIMIT ?",
            (limit * 10,),
        )
        found: dict[int, tuple[str, QuotaClaim]] = {}
        for rid, location, source, reduction_id, pollutant, kg in rows:
            location, claim = found.get(rid, (location, QuotaClaim(source=source, reduction_id=reduction_id)))
            found[rid] = location, claim.model_copy(update={"discharges": {**claim.discharges, pollutant: from_kg(kg)}})
        return [(rid, location, claim) for rid, (location, claim) in list(found.items())[:limit]]

    async def add_reduction(
        self, name: str, organisation: str, amounts: Mapping[str, Decimal], *, actor_id: int, at: datetime
    ) -> int:
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO reduction_projects (name, organisation, declared_at, declared_by) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (name) DO NOTHING",
                (name, organisation, stamp(at), actor_id),
            )
            if cursor.rowcount != 1:
                return 0  # a project of that name is declared already
            rid = cursor.lastrowid
            assert rid is not None
            for pollutant, amount in amounts.items():
                await conn.execute(
                    "INSERT INTO reduction_amounts (reduction_id, pollutant, kg) VALUES (?, ?, ?)",
                    (rid, pollutant, to_kg(amount)),
                )
        return rid

    async def confirm_reduction(self, reduction_id: int, base: LedgerEntry, on: date) -> bool:
        """Confirm once: its reductions credit the balance in the same transaction. False if confirmed already."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE reduction_projects SET confirmed_on = ?, confirmed_by = ? "
                "WHERE id = ? AND confirmed_on IS NULL",
                (day(on), base.actor_id, reduction_id),
            )
            if cursor.rowcount != 1:
                if not await _rows(conn, "SELECT 1 FROM reduction_projects WHERE id = ?", (reduction_id,)):
                    raise ReductionUnknown(reduction_id)
                return False
            for pollutant, kg in await _rows(
                conn, "SELECT pollutant, kg FROM reduction_amounts WHERE reduction_id = ?", (reduction_id,)
            ):
                await append(
                    conn,
                    LedgerEntry(
                        pollutant,
                        EntryKind.CREDIT,
                        from_kg(kg),
                        base.actor_id,
                        base.at,
                        base.actor_name,
                        base.reason,
                        None,
                        reduction_id,
                    ),
                )
        return True

    async def reductions(self) -> list[ReductionProject]:
        rows = await _rows(
            self.db.reader,
            "SELECT id, name, organisation, declared_at, confirmed_on, confirmed_by "
            "FROM reduction_projects ORDER BY id",
        )
        amounts: dict[int, dict[str, Decimal]] = {}
        for rid, pollutant, kg in await _rows(
            self.db.reader, "SELECT reduction_id, pollutant, kg FROM reduction_amounts"
        ):
            amounts.setdefault(rid, {})[pollutant] = from_kg(kg)
        return [_reduction(row, amounts.get(row[0], {})) for row in rows]

    async def reduced_between(self, first: date, last: date) -> dict[str, Decimal]:
        """Reductions of projects confirmed between the two days, inclusive (along reduction_projects_confirmed)."""
        rows = await _rows(self.db.reader, REDUCED, (day(first), day(last)))
        return {p: from_kg(kg) for p, kg in rows}
