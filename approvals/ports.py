"""What the domain needs from the outside world. Storage implements these; tests may fake them."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from approvals.clock_stops import ClockStop
from approvals.key_attention import KeyRequest
from approvals.key_list import ImportOutcome, ImportResult
from approvals.ledger import KeyProject
from approvals.models import ApprovalRequest, Attachment, AuditEvent, Lane, Note, Role, Status
from approvals.notices import Notice, NoticeKind
from approvals.public_comments import PublicComment
from approvals.quota import QuotaMove


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


@dataclass(frozen=True)
class DecisionRecord:
    """One decided request, as the decision-time figures need it."""

    lane: Lane
    status: Status
    accepted_on: date
    decided_on: date
    paused_working_days: int
    promised_due: date


@dataclass(frozen=True)
class NumberIssue:
    """An approval number to issue with a decision: the next of ``year``'s gapless sequence, written by ``render``
    (year, serial) as the bureau's format says. ``year`` is the decision's year in the bureau's time zone."""

    year: int
    render: Callable[[int, int], str]


class ApprovalStore(Protocol):
    async def add(self, request: ApprovalRequest, event: AuditEvent) -> ApprovalRequest:
        """Store a new request (its ``id`` is assigned here) together with its first audit event.

        A request whose ``client_key`` is already stored is not stored again: the stored one's id comes back."""
        ...

    async def get(self, request_id: int) -> ApprovalRequest | None: ...

    async def apply(
        self,
        updated: ApprovalRequest,
        *,
        expected_version: int,
        event: AuditEvent,
        new_attachments: Sequence[Attachment] = (),
        issue: NumberIssue | None = None,
        notices: Sequence[Notice] = (),
        clock: ClockStop | None = None,
        quota: QuotaMove | None = None,
    ) -> ApprovalRequest | None:
        """Compare-and-set: write ``updated`` only if the stored version is still ``expected_version``.

        The audit event and attachments are written in the same transaction, and so is the approval number
        ``issue`` asks for (set on the request and its event), and the public ``notices`` the step opens (a
        decision's announcement with the number issued): a decision rolled back or never committed consumes
        no number. ``clock``: a clock stop to record (id 0: a new one) or to end (its ended fields), in the same
        transaction. ``quota``: the step's pollutant quota change, in the same transaction; reserving raises
        ``QuotaShortfall`` (nothing written) when the balance does not cover it, so two approvals racing for the
        last tonnes cannot both pass. The request as stored; None when someone was first (nothing written, no
        number taken).
        """
        ...

    async def open_clock_stop(self, request_id: int) -> ClockStop | None:
        """The request's clock stop not yet ended, if any (at most one)."""
        ...

    async def open_clock_stops(self, *, limit: int) -> list[ClockStop]:
        """Clock stops not yet ended on requests still in excluded time, the earliest stated end first."""
        ...

    async def clock_stops_of(self, request_id: int) -> list[ClockStop]:
        """Every clock stop of the request, oldest first."""
        ...

    async def by_applicant(self, applicant_id: int, *, limit: int, offset: int = 0) -> list[ApprovalRequest]: ...

    async def undecided_of(self, applicant_id: int) -> list[ApprovalRequest]:
        """The applicant's requests not yet approved, rejected or withdrawn (waiting for material included)."""
        ...

    async def find(self, *, text: str, status: Status | None, limit: int) -> tuple[list[ApprovalRequest], bool]:
        """Up to ``limit`` requests in ``status`` (if given) or matching ``text`` (if not empty), newest first where
        the search allows, and whether more may match. Text matches the start of the project, organisation, contact
        or applicant's name in any request, and any part of them among recent ones: bounded work at any size."""
        ...

    async def history(self, request_id: int) -> list[AuditEvent]: ...

    async def event(self, event_id: int) -> AuditEvent | None:
        """One audit event (the outbox's event rows name theirs)."""
        ...

    async def last_events(self, request_ids: Sequence[int], actions: Collection[str]) -> dict[int, AuditEvent]:
        """Each request's latest event among ``actions`` (requests without one are left out)."""
        ...

    async def with_status(self, statuses: Collection[Status], *, limit: int) -> list[ApprovalRequest]:
        """Up to ``limit`` requests in any of ``statuses``, oldest first (the periods the bot watches)."""
        ...

    async def claimed_by(self, user_id: int) -> list[ApprovalRequest]:
        """The requests ``user_id`` holds now (in review, claimed by them)."""
        ...

    async def queue(
        self,
        *,
        risk_cutoff: date,
        limit: int,
        offset: int = 0,
        unclaimed_only: bool = False,
        exclude_applicant: int | None = None,
    ) -> list[ApprovalRequest]:
        """Open requests in ``lanes.queue_key`` order; without those ``exclude_applicant`` submitted, if given."""
        ...

    async def count_open(self) -> int: ...

    async def all_requests(self) -> list[ApprovalRequest]:
        """Every request (for exports)."""
        ...

    async def all_history(self) -> list[AuditEvent]: ...


class SummarySource(Protocol):
    async def count_approved(self, first_day: date | None, last_day: date | None) -> int:
        """Approved requests decided between the two local dates, inclusive; None leaves a side open."""
        ...

    async def approved_key_codes(self) -> set[str]: ...

    async def key_code_statuses(self) -> dict[str, list[Status]]: ...

    async def undecided_key_requests(self) -> list[KeyRequest]:
        """Requests naming a key code that are with the bureau or waiting for the applicant's material."""
        ...

    async def backlog_by_lane(self) -> dict[Lane, int]: ...

    async def count_status(self, status: Status) -> int: ...

    async def count_open_due_by(self, day: date, *, statutory: bool = False) -> int:
        """Requests with the bureau (open, or their decision being signed off) whose promised (or statutory)
        deadline is on or before ``day``."""
        ...

    async def decisions_between(self, first_day: date, last_day: date) -> list[DecisionRecord]: ...

    async def approvals_per_day(self, first_day: date, last_day: date) -> dict[date, int]: ...


class NoteStore(Protocol):
    async def add(self, note: Note) -> int:
        """Store a note and, in the same transaction, redraw every copy of its request's card; returns the count."""
        ...

    async def of(self, request_id: int, *, limit: int) -> list[Note]:
        """The request's latest ``limit`` notes, oldest first."""
        ...

    async def count(self, request_id: int) -> int: ...


class KeyProjectStore(Protocol):
    """The current list, the codes earlier lists had (archived, for the requests naming them), and imports
    waiting for an admin's Confirm."""

    async def replace_all(self, projects: Sequence[KeyProject]) -> None:
        """Make ``projects`` the list in one transaction, without a preview (sample data, tests); codes left out
        are archived."""
        ...

    async def snapshot(self) -> tuple[int, list[KeyProject]]:
        """The list's version and its projects, as of one moment."""
        ...

    async def stage(self, admin_id: int, projects: Sequence[KeyProject], *, base_version: int, at: datetime) -> int:
        """Hold ``projects`` as a pending import of ``admin_id``, compared with the list at ``base_version``;
        returns its id. The admin's earlier pending imports are out of date from then on."""
        ...

    async def apply_import(self, import_id: int, admin_id: int, *, at: datetime) -> ImportResult:
        """In one transaction: make a pending import of ``admin_id`` the list if the list is still at the version
        it was compared with (codes left out archived), and mark it applied. Anything else changes nothing but
        the import's own state."""
        ...

    async def cancel_import(self, import_id: int, admin_id: int, *, at: datetime) -> ImportOutcome: ...

    async def all(self) -> list[KeyProject]:
        """The current list, in its order (archived codes left out)."""
        ...

    async def get(self, code: str) -> KeyProject | None:
        """A project on the current list."""
        ...

    async def known(self, code: str) -> KeyProject | None:
        """A project on the current list or an archived one (``archived`` set): what a request naming it shows."""
        ...

    async def codes(self) -> set[str]:
        """The current list's codes."""
        ...

    async def search(self, text: str, *, limit: int) -> list[KeyProject]: ...


class LedgerReader(Protocol):
    async def read(self, kind: str, data: bytes) -> list[KeyProject]:
        """The projects in a key-project file (``kind``: '.csv' or '.xlsx'), or ``LedgerImportError``.

        The bytes come from whoever sent the file: a reader bounds the time and memory that reading them takes."""
        ...


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str
    roles: frozenset[Role]
    locale: str | None = None  # chosen with /lang
    seen_locale: str | None = None  # from their Telegram app, when no choice was made


class PeopleStore(Protocol):
    async def get(self, user_id: int) -> Person | None: ...

    async def remember(self, user_id: int, name: str, seen_locale: str | None = None) -> None:
        """Record the display name shown to colleagues and the language their app uses."""
        ...

    async def grant(self, user_id: int, role: Role) -> None: ...

    async def revoke(self, user_id: int, role: Role) -> bool: ...

    async def with_role(self, role: Role) -> list[Person]: ...

    async def with_roles(self, roles: Collection[Role]) -> list[Person]:
        """Everyone holding any of ``roles``, each once, with those of ``roles`` they hold."""
        ...

    async def set_locale(self, user_id: int, locale: str) -> None: ...


class NoticeStore(Protocol):
    """Public notices (opened with the step that calls for them, ``ApprovalStore.apply``) and what the public sent.
    Whatever is added or closed here is written with its audit event, which tells the reviewers."""

    async def of(self, request_id: int) -> list[Notice]: ...

    async def latest(self, request_id: int, kind: NoticeKind) -> Notice | None: ...

    async def ended_before(self, today: date, *, limit: int) -> list[Notice]:
        """Notices whose last day is before ``today`` and whose end is not recorded yet, oldest first."""
        ...

    async def close(self, notice_id: int, at: datetime, event: AuditEvent | None) -> bool:
        """Record a notice's end once (with ``event``, if any); False if it already was."""
        ...

    async def add_input(self, item: PublicComment, event: AuditEvent) -> PublicComment: ...

    async def inputs(self, request_id: int, *, limit: int = 1000) -> list[PublicComment]: ...

    async def count_inputs(self, request_id: int) -> int: ...

    async def open_hearings(self, request_id: int) -> list[PublicComment]: ...

    async def close_hearing(self, hearing_id: int, *, by: int, outcome: str, event: AuditEvent) -> bool: ...
