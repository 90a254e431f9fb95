"""People, roles and the key-project ledger: what admins manage and what everyone's rights derive from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Protocol

from approvals.errors import Forbidden, LedgerImportError, RowProblem
from approvals.key_list import ImportOutcome, ImportPreview, ImportResult, list_changes
from approvals.ledger import (
    MAX_KEY_QUERY,
    MAX_REPORTED_PROBLEMS,
    KeyProject,
    KeyProjectStatus,
    key_project_matches,
    key_project_status,
)
from approvals.models import SIGN_OFF_ROLES, Actor, ApprovalRequest, Role
from approvals.ports import KeyProjectStore, LedgerReader, PeopleStore, Person, SummarySource
from approvals.service import ApprovalService, ensure_admin

MAX_LEDGER_BYTES = 5 * 1024 * 1024
LEDGER_KINDS = (".csv", ".xlsx")
STAFF_GRANTS = (Role.REVIEWER, *SIGN_OFF_ROLES)  # the roles /reviewers gives and takes (admins: ADMIN_IDS)


def ledger_too_big() -> LedgerImportError:
    return LedgerImportError([RowProblem(0, "too_big", max_mb=MAX_LEDGER_BYTES // 1024 // 1024)])


def check_ledger_file(filename: str, size: int) -> str:
    """The kind of a key-project file ('.csv' or '.xlsx'), if it may be read at all: a front end calls this with
    the size the file claims before fetching it, the import again with the bytes that came."""
    if size > MAX_LEDGER_BYTES:
        raise ledger_too_big()
    kind = PurePath(filename.lower()).suffix
    if kind not in LEDGER_KINDS:
        raise LedgerImportError([RowProblem(0, "bad_type")])
    return kind


class LiaisonSource(Protocol):
    async def liaisons(self) -> dict[str, int]:
        """Key-project code -> its liaison's user id."""
        ...


@dataclass(frozen=True)
class KeyBoard:
    rows: list[tuple[KeyProject, KeyProjectStatus]]

    @property
    def approved(self) -> int:
        return sum(1 for _, status in self.rows if status is KeyProjectStatus.APPROVED)

    @property
    def total(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class Removal:
    was_reviewer: bool
    released: list[ApprovalRequest]  # the claims they held, back in the queue
    admin: bool = False  # an admin from ADMIN_IDS: a reviewer by configuration, nothing removed


@dataclass(frozen=True)
class Addition:
    already: bool  # a reviewer before (by role, or as an admin from ADMIN_IDS)
    known: bool  # has started the bot, submitted or subscribed: someone the bot has heard from


@dataclass(frozen=True)
class KeyMatches:
    """One page of the key projects matching a search, and how many matched in all."""

    text: str
    items: list[KeyProject]
    total: int
    page: int
    size: int

    @property
    def pages(self) -> int:
        return max((self.total + self.size - 1) // self.size, 1)

    @property
    def first(self) -> int:
        """1-based position of the first project shown (0 when none are)."""
        return self.page * self.size + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.page * self.size + len(self.items)

    @property
    def more(self) -> int:
        """Matches after this page."""
        return self.total - self.last


@dataclass(frozen=True)
class KeyBoardPage:
    """One page of /keyprojects: the projects shown with their status, and the whole list's headline."""

    matches: KeyMatches
    rows: list[tuple[KeyProject, KeyProjectStatus]]
    approved: int
    total: int


@dataclass
class AdminService:
    people: PeopleStore
    key_projects: KeyProjectStore
    source: SummarySource
    admin_ids: frozenset[int]
    ledger_reader: LedgerReader
    approvals: ApprovalService
    liaisons: LiaisonSource | None = None  # the key-project service's liaisons, for an import's liaison column

    async def actor(self, user_id: int, name: str = "") -> Actor:
        """Roles come from the database plus the configured admins (who are always reviewers too)."""
        person = await self.people.get(user_id)
        roles = {Role.APPLICANT, *(person.roles if person else ())}
        if user_id in self.admin_ids:
            roles |= {Role.ADMIN, Role.REVIEWER}
        return Actor(
            user_id=user_id,
            name=name or (person.name if person else ""),
            roles=frozenset(roles),
            locale=person.locale if person else None,
        )

    async def locale(self, user_id: int) -> str | None:
        """The language to write to someone in: their choice, else their app's, else None."""
        person = await self.people.get(user_id)
        return (person.locale or person.seen_locale) if person else None

    async def notice_language(self, actor: Actor, seen_locale: str) -> None:
        """Keep the language a known person's app uses (and their name), so what reaches them later — a card
        handed to them, a reminder, a notice — is in it. Writes only when it changed, and only for people already
        on record (an applicant, a reviewer): no row for every passer-by."""
        person = await self.people.get(actor.user_id)
        if person is None or person.locale is not None or person.seen_locale == seen_locale:
            return
        await self.people.remember(actor.user_id, actor.name, seen_locale)

    async def set_locale(self, user_id: int, locale: str) -> None:
        await self.people.set_locale(user_id, locale)

    async def remember(self, actor: Actor, seen_locale: str | None = None) -> None:
        """Called when a person starts, submits or subscribes: not on every update."""
        await self.people.remember(actor.user_id, actor.name, seen_locale)

    async def reviewers(self, actor: Actor) -> list[Person]:
        """The bureau's staff given a role: reviewers, section chiefs and directors, each with their roles."""
        self._admin(actor, "list_reviewers")
        return await self.people.with_roles(STAFF_GRANTS)

    async def add_reviewer(self, actor: Actor, user_id: int, role: Role = Role.REVIEWER) -> Addition:
        """Make ``user_id`` a reviewer, or give them a sign-off role (chief, director); roles add up. Says whether
        they had it already and whether the bot has heard from them (it cannot write to them otherwise)."""
        self._admin(actor, "add_reviewer")
        if role not in STAFF_GRANTS:
            raise Forbidden(f"grant_{role.value}")  # applicant is everyone's; admins come from ADMIN_IDS
        person = await self.people.get(user_id)
        already = (role is Role.REVIEWER and user_id in self.admin_ids) or (person is not None and role in person.roles)
        await self.people.grant(user_id, role)
        return Addition(already, person is not None and bool(person.name or person.seen_locale))

    async def remove_reviewer(
        self, actor: Actor, user_id: int, *, role: Role | None = None, reason: str | None = None
    ) -> Removal:
        """Take ``role`` away (None: every staff role), then, if they are no longer staff, free every claim they
        hold (each audited, its cards redrawn).

        In that order: once the role is gone they cannot claim again, so nothing is left held by someone who may
        not decide it. Removing again frees what a crash in between left held."""
        self._admin(actor, "remove_reviewer")
        if role is not None and role not in STAFF_GRANTS:
            raise Forbidden(f"revoke_{role.value}")
        if user_id in self.admin_ids and role in (None, Role.REVIEWER):
            return Removal(False, [], admin=True)  # a reviewer by configuration: ADMIN_IDS is where that changes
        was_reviewer = False
        for taken in (role,) if role is not None else STAFF_GRANTS:
            was_reviewer = await self.people.revoke(user_id, taken) or was_reviewer
        if (await self.actor(user_id)).is_reviewer:
            return Removal(was_reviewer, [])  # an admin from ADMIN_IDS stays a reviewer, and keeps their claims
        return Removal(was_reviewer, await self.approvals.release_claims_of(actor, user_id, reason))

    async def preview_key_projects(self, actor: Actor, filename: str, data: bytes) -> ImportPreview:
        """Read a key-project file and hold its projects as a pending import of this admin, compared with the list
        as it is now; the list itself changes only on Confirm. Bad rows raise ``LedgerImportError``. A file that
        changes nothing is not held (``import_id`` 0)."""
        self._admin(actor, "import_key_projects")
        kind = check_ledger_file(filename, len(data))
        projects = await self.ledger_reader.read(kind, data)
        version, current = await self.key_projects.snapshot()
        naming = {code: len(statuses) for code, statuses in (await self.source.key_code_statuses()).items()}
        liaisons = await self.liaisons.liaisons() if self.liaisons is not None else {}
        if any(p.liaison is not None for p in projects):  # a liaison must be one of the bureau's staff
            staff = {p.user_id for p in await self.people.with_roles(STAFF_GRANTS)} | self.admin_ids
            wrong = [
                RowProblem(0, "not_staff_liaison", code=p.code, value=p.liaison)
                for p in projects
                if p.liaison is not None and p.liaison not in staff
            ]
            if wrong:
                raise LedgerImportError(wrong[:MAX_REPORTED_PROBLEMS], more=max(len(wrong) - MAX_REPORTED_PROBLEMS, 0))
        changes = list_changes(current, projects, naming, liaisons)
        if not changes.changes_anything:
            return ImportPreview(0, changes)
        now = self.approvals.clock.now()
        return ImportPreview(
            await self.key_projects.stage(actor.user_id, projects, base_version=version, at=now), changes
        )

    async def confirm_key_import(self, actor: Actor, import_id: int) -> ImportResult:
        """Apply a pending import this admin was shown, if the list has not changed since (one transaction)."""
        self._admin(actor, "import_key_projects")
        return await self.key_projects.apply_import(import_id, actor.user_id, at=self.approvals.clock.now())

    async def cancel_key_import(self, actor: Actor, import_id: int) -> ImportOutcome:
        self._admin(actor, "import_key_projects")
        return await self.key_projects.cancel_import(import_id, actor.user_id, at=self.approvals.clock.now())

    async def key_board(self) -> KeyBoard:
        statuses = await self.source.key_code_statuses()
        projects = await self.key_projects.all()
        return KeyBoard([(p, key_project_status(statuses.get(p.code, []))) for p in projects])

    async def search_key_projects(self, text: str, *, limit: int = 8) -> list[KeyProject]:
        return await self.key_projects.search(text.strip(), limit=limit)

    async def key_project_page(self, text: str, *, page: int = 0, size: int = 8) -> KeyMatches:
        """The form's key-project search, a page at a time: the applicant sees how many more matched and can turn
        the page or narrow the search. A page past the end shows the last one."""
        wanted = text.strip()[:MAX_KEY_QUERY]
        found = [p for p in await self.key_projects.all() if key_project_matches(p, wanted)]
        pages = max((len(found) + size - 1) // size, 1)
        page = min(max(page, 0), pages - 1)
        return KeyMatches(wanted, found[page * size : (page + 1) * size], len(found), page, size)

    async def key_board_page(self, text: str = "", *, page: int = 0, size: int = 10) -> KeyBoardPage:
        """/keyprojects: a page of the list (or of the projects matching ``text``), each with its status."""
        found = await self.key_project_page(text, page=page, size=size)
        by_code = await self.source.key_code_statuses()
        codes = await self.key_projects.codes()
        approved = sum(1 for code in codes if key_project_status(by_code.get(code, [])) is KeyProjectStatus.APPROVED)
        rows = [(p, key_project_status(by_code.get(p.code, []))) for p in found.items]
        return KeyBoardPage(found, rows, approved, len(codes))

    @staticmethod
    def _admin(actor: Actor, action: str) -> None:
        ensure_admin(actor, action)
