"""The repositories over one database, handed around as one object. Its fields are ports (Protocols): nothing
outside ``storage/`` learns which database is behind them; ``over`` builds the SQLite ones
(``storage/sqlite_repositories.py``), ``storage/postgres/repositories.py`` the PostgreSQL ones."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, tzinfo
from typing import TYPE_CHECKING

from aiogram.fsm.storage.base import BaseStorage

from approvals.board import BoardReader
from approvals.checklists import ChecklistStore
from approvals.leadership import LeadershipSource
from approvals.ports import ApprovalStore, KeyProjectStore, NoteStore, NoticeStore, PeopleStore, SummarySource
from approvals.quota_service import QuotaStore
from paperwork.issued import PaperStore
from storage.ports import (
    ApprovalNumbers,
    CardStore,
    Chats,
    Committer,
    Copies,
    Denials,
    Health,
    Inbox,
    KeyServiceRecords,
    Outbox,
    Replies,
    Runs,
    Subscribers,
    Units,
    Updates,
)

if TYPE_CHECKING:
    from storage.database import Database


@dataclass(frozen=True)
class Repositories:
    committer: Committer  # small per-update writes, committed many updates at a time
    units: Units  # each update's unit of work, over the committer
    requests: ApprovalStore
    people: PeopleStore
    key_projects: KeyProjectStore
    summary: SummarySource
    cards: CardStore
    outbox: Outbox
    chats: Chats
    updates: Updates
    denials: Denials
    runs: Runs
    subscribers: Subscribers
    inbox: Inbox
    replies: Replies
    notes: NoteStore
    copies: Copies  # the bureau's copies of documents still to make
    numbers: ApprovalNumbers  # the register of approval numbers issued
    checklists: ChecklistStore  # the standard materials a list of missing material is ticked from
    notices: NoticeStore  # public notices, and the comments and hearing requests they drew
    papers: PaperStore  # the written notices (文书) issued, with their files' hashes
    quota: QuotaStore  # pollutant quotas (总量控制): balance, ledger, holds, reduction projects
    leadership: LeadershipSource  # time to decision, investment approved (approvals/leadership.py)
    key_service: KeyServiceRecords  # liaisons, consultations, bulletins (approvals/key_service.py)
    board: BoardReader  # the public notice board's reads (approvals/board.py)
    health: Health  # what the health endpoint reads and probes (monitoring/)
    # a new aiogram FSM storage (one per dispatcher: it caches form state); None where this database keeps none and
    # form state is shared between instances instead (coordination's ``form_storage``)
    forms: Callable[[], BaseStorage] | None

    @classmethod
    def over(cls, db: Database, tz: tzinfo = UTC) -> Repositories:
        """SQLite's, over ``db`` (``storage/sqlite_repositories.py``): imported here only when asked for, so an
        instance on PostgreSQL never loads the SQLite backend. ``tz``: see ``sqlite_repositories``."""
        from storage.sqlite_repositories import sqlite_repositories

        return sqlite_repositories(db, tz)
