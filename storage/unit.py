"""One update's pending writes (the unit of work), and the context that tells storage which unit is current.

An update's small writes — its form state, the processed-update mark, the reply about to be sent — wait in its
``WriteUnit`` and reach the database, through the group commit (``storage/group_commit.py``), when the update next
shows the user something or ends. Not earlier: the mark that an update was handled must not be stored before what
the update did (a decision is its own transaction, made before the reply that confirms it is shown).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextvars import ContextVar, Token
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from storage.ports import Committer as Committer
from storage.ports import Op as Op
from storage.ports import Undo as Undo


def execute_ops(conn: sqlite3.Connection, ops: Sequence[Op]) -> None:
    """Run ``ops`` with one ``executemany`` per statement. Callers' statements are idempotent upserts or inserts
    of independent rows, so different statements may be reordered; the same statement keeps its order."""
    ordered = sorted(ops, key=lambda op: op[0])  # stable
    for sql, group in groupby(ordered, key=lambda op: op[0]):
        conn.executemany(sql, [params for _, params in group])


class WriteUnit:
    """A write given a ``key`` replaces the pending write with the same key (a form step sets its data and then
    its state: one upsert of the row reaches the database, not two). A write may bring an ``undo``: what to do to
    this process's caches if the write is never committed."""

    def __init__(self, committer: Committer) -> None:
        self.committer = committer
        self._ops: dict[object, Op] = {}
        self._undo: list[Undo] = []

    def add(self, sql: str, params: Sequence[Any], key: object = None, undo: Undo | None = None) -> None:
        self._ops[key if key is not None else object()] = (sql, params)
        if undo is not None:
            self._undo.append(undo)

    @property
    def pending(self) -> bool:
        return bool(self._ops)

    def flush_soon(self) -> None:
        """What is left, stored soon and not waited for (``GroupCommit.commit_soon``): the update is over and shows
        nothing more. Kept until stored, so no undo is needed."""
        ops = list(self._ops.values())
        self._ops, self._undo = {}, []
        self.committer.commit_soon(ops)

    async def flush(self) -> None:
        if not self._ops:
            return
        ops, undo = list(self._ops.values()), self._undo
        self._ops, self._undo = {}, []
        try:
            await self.committer.commit(ops)
        except BaseException:
            for step in undo:  # also when cancelled: the commit may or may not happen, and a cache re-read is safe
                step()
            raise


_current: ContextVar[WriteUnit | None] = ContextVar("green_channel_write_unit", default=None)


def current_unit() -> WriteUnit | None:
    """The unit of the update being handled in this task, if any."""
    return _current.get()


class UnitOfWork:
    """Collect the writes made inside; at the end, also when the handler failed, hand what is left to be stored
    soon (``WriteUnit.flush_soon``).

    A class rather than ``@asynccontextmanager``: it is entered for every update, and the generator-based
    version cost about as much as the rest of the ledger's work."""

    def __init__(self, committer: Committer) -> None:
        self.unit = WriteUnit(committer)
        self._token: Token[WriteUnit | None] | None = None

    async def __aenter__(self) -> WriteUnit:
        self._token = _current.set(self.unit)
        return self.unit

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._token is not None
        _current.reset(self._token)
        self.unit.flush_soon()


async def write(
    committer: Committer, sql: str, params: Sequence[Any], key: object = None, undo: Undo | None = None
) -> None:
    """Into the current update's unit if there is one (``key``, ``undo``: see ``WriteUnit``), else committed now
    (with whatever else is queued)."""
    unit = current_unit()
    if unit is not None:
        unit.add(sql, params, key, undo)
        return
    try:
        await committer.commit([(sql, params)])
    except BaseException:
        if undo is not None:
            undo()
        raise


@dataclass(frozen=True)
class Units:
    """Implements ``storage.ports.Units`` over a committer: the front end opens an update's unit through this."""

    committer: Committer

    def begin(self) -> UnitOfWork:
        return UnitOfWork(self.committer)

    def current(self) -> WriteUnit | None:
        return _current.get()
