"""Pollutant quotas (总量控制) on PostgreSQL: the balance, its append-only ledger, what requests declare and hold,
and reduction projects. Every change of ``quota_balances`` is written with its ledger entries in one transaction.

Several instances reserve at once, so a reservation cannot trust a balance it merely read: it locks the rows it
checks (``SELECT … FOR UPDATE``) and reads, checks and takes under that lock, so of two transactions wanting the
last tonnes the second waits for the first and then sees what is left. Every writer takes the balance rows in one
order, by pollutant (``lock_balances``), so none waits on another that waits on it (``confirm_reduction`` takes its
project's row before them). A reduction project's holds of a pollutant are written and given back only under that
pollutant's lock, so what a project has left needs no lock of its own. ``apply_move`` and ``write_claim`` run
inside the approval store's transaction, as on SQLite."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

import asyncpg

from approvals.quota import (
    EntryKind,
    LedgerEntry,
    Move,
    QuotaClaim,
    QuotaMove,
    QuotaShortfall,
)
from storage.postgres.rows import changed

# requests that may still come to need quota and hold none: not decided, their approval not proposed
WAITING = ("received", "incomplete", "submitted", "resubmitted", "in_review", "needs_info", "excluded")
ENTRY = "pollutant, kind, tonnes, actor_id, actor_name, at, reason, request_id, reduction_id"
_COLUMN = {
    EntryKind.OPENING: "opening",
    EntryKind.CREDIT: "credits",
    EntryKind.RESERVE: "reserved",
    EntryKind.RELEASE: "reserved",
    EntryKind.ALLOCATE: "allocated",
    EntryKind.RETURN: "allocated",
}
_SIGN = {EntryKind.RELEASE: -1, EntryKind.RETURN: -1}
# pollutant names ordered as SQLite orders them (bytewise), whatever the database's collation
BY_NAME = 'pollutant COLLATE "C"'
_LEFT = (
    "SELECT a.pollutant, a.tonnes - coalesce((SELECT sum(h.tonnes) FROM quota_holds h "
    "WHERE h.reduction_id = a.reduction_id AND h.pollutant = a.pollutant), 0) AS left "
    "FROM reduction_amounts a JOIN reduction_projects r ON r.id = a.reduction_id "
    "WHERE a.reduction_id = $1 AND r.confirmed_on IS NOT NULL"
)
AVAILABLE = "opening + credits - reserved - allocated"


async def lock_balances(conn: asyncpg.Connection, pollutants: Sequence[str]) -> dict[str, Decimal]:
    """Lock the balance rows of ``pollutants`` (made first where missing) in the one order every writer uses;
    what is available of each, as it stands under the lock."""
    names = sorted(set(pollutants), key=lambda p: p.encode())
    if not names:
        return {}
    await conn.executemany(
        "INSERT INTO quota_balances (pollutant) VALUES ($1) ON CONFLICT DO NOTHING", [(p,) for p in names]
    )
    rows = await conn.fetch(
        f"SELECT pollutant, {AVAILABLE} AS available FROM quota_balances WHERE pollutant = ANY($1::text[]) "
        f"ORDER BY {BY_NAME} FOR UPDATE",
        names,
    )
    return {row["pollutant"]: row["available"] for row in rows}


async def append(conn: asyncpg.Connection, entry: LedgerEntry) -> None:
    """One ledger entry and its effect on the running balance (an allocation moves reserved to allocated), inside
    a transaction that holds the pollutant's row (``lock_balances`` makes and locks it)."""
    await conn.execute(
        f"INSERT INTO quota_entries ({ENTRY}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        entry.pollutant,
        entry.kind.value,
        entry.amount,
        entry.actor_id,
        entry.actor_name,
        entry.at,
        entry.reason,
        entry.request_id,
        entry.reduction_id,
    )
    column = _COLUMN[entry.kind]
    change = _SIGN.get(entry.kind, 1) * entry.amount
    if entry.kind is EntryKind.ALLOCATE:  # what was reserved becomes allocated
        sql = "UPDATE quota_balances SET allocated = allocated + $1, reserved = reserved - $1 WHERE pollutant = $2"
    else:
        sql = f"UPDATE quota_balances SET {column} = {column} + $1 WHERE pollutant = $2"
    if changed(await conn.execute(sql, change, entry.pollutant)) != 1:
        raise RuntimeError(f"no balance row for {entry.pollutant!r}: lock_balances comes first")


async def reduction_left(conn: asyncpg.Connection, reduction_id: int) -> dict[str, Decimal]:
    """A confirmed reduction project's reductions less what requests naming it hold; nothing if unconfirmed."""
    return {row["pollutant"]: row["left"] for row in await conn.fetch(_LEFT, reduction_id)}


def within_reduction(
    found: Mapping[str, Decimal], pollutants: Sequence[str], left: Mapping[str, Decimal]
) -> dict[str, Decimal]:
    """Where a reduction project is named, no more than it has left."""
    return {p: min(found.get(p, Decimal(0)), left.get(p, Decimal(0))) for p in pollutants}


async def apply_move(
    conn: asyncpg.Connection, request_id: int, move: QuotaMove, *, by: tuple[int, str], at: datetime, reason: str
) -> None:
    """A step's quota change inside its decision's transaction; raises QuotaShortfall (rolling the step back)
    when reserving finds less than needed. ``by`` (id, name), ``at`` and ``reason``: for the ledger entries."""
    held = [
        (row["pollutant"], row["tonnes"], row["state"], row["reduction_id"])
        for row in await conn.fetch(
            f"SELECT pollutant, tonnes, state, reduction_id FROM quota_holds WHERE request_id = $1 ORDER BY {BY_NAME}",
            request_id,
        )
    ]

    def entry(pollutant: str, kind: EntryKind, amount: Decimal, reduction_id: int | None) -> LedgerEntry:
        return LedgerEntry(pollutant, kind, amount, by[0], at, by[1], reason, request_id, reduction_id)

    if move.move is Move.RELEASE:
        await lock_balances(conn, [p for p, *_ in held])
        for pollutant, amount, state, reduction_id in held:
            kind = EntryKind.RELEASE if state == "reserved" else EntryKind.RETURN
            await append(conn, entry(pollutant, kind, amount, reduction_id))
        await conn.execute("DELETE FROM quota_holds WHERE request_id = $1", request_id)
        return
    reserved_now = not held and bool(move.needed)
    if reserved_now:  # reserve now: what is available is read and taken under the rows' locks
        available = await lock_balances(conn, list(move.needed))
        if move.reduction_id is not None:  # read under the same locks: a pollutant's holds change only under its own
            available = within_reduction(available, list(move.needed), await reduction_left(conn, move.reduction_id))
        missing = {p: a - max(available.get(p, Decimal(0)), Decimal(0)) for p, a in move.needed.items()}
        if any(amount > 0 for amount in missing.values()):
            raise QuotaShortfall(request_id, {p: a for p, a in missing.items() if a > 0})
        for pollutant, amount in move.needed.items():
            await append(conn, entry(pollutant, EntryKind.RESERVE, amount, move.reduction_id))
            await conn.execute(
                "INSERT INTO quota_holds (request_id, pollutant, tonnes, state, reduction_id) "
                "VALUES ($1, $2, $3, 'reserved', $4)",
                request_id,
                pollutant,
                amount,
                move.reduction_id,
            )
        held = [(p, a, "reserved", move.reduction_id) for p, a in move.needed.items()]
    if move.move is Move.ALLOCATE:
        if not reserved_now:  # else its rows are locked already
            await lock_balances(conn, [p for p, _, state, _ in held if state == "reserved"])
        for pollutant, amount, state, reduction_id in held:
            if state == "reserved":
                await append(conn, entry(pollutant, EntryKind.ALLOCATE, amount, reduction_id))
        await conn.execute("UPDATE quota_holds SET state = 'allocated' WHERE request_id = $1", request_id)


async def write_claim(conn: asyncpg.Connection, request_id: int, claim: QuotaClaim | None) -> None:
    """What a new request declares, in the transaction that stores it."""
    if claim is None:
        return
    await conn.execute(
        "INSERT INTO request_quota (request_id, source, reduction_id, exempt_as) VALUES ($1, $2, $3, $4)",
        request_id,
        claim.source.value,
        claim.reduction_id,
        claim.exempt_as,
    )
    await conn.executemany(
        "INSERT INTO request_discharges (request_id, pollutant, tonnes) VALUES ($1, $2, $3)",
        [(request_id, pollutant, amount) for pollutant, amount in claim.discharges.items()],
    )


def entry_of(row: asyncpg.Record) -> LedgerEntry:
    return LedgerEntry(
        row["pollutant"],
        EntryKind(row["kind"]),
        row["tonnes"],
        row["actor_id"],
        row["at"],
        row["actor_name"],
        row["reason"],
        row["request_id"],
        row["reduction_id"],
    )
