"""Quota use cases: the check and reservation with approval (QuotaSteps, part of ApprovalService), and what
reviewers and admins do with the balance and reduction projects (QuotaService)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from decimal import Decimal
from pathlib import PurePath
from typing import Protocol

from approvals import quota as q
from approvals import validation as v
from approvals.errors import Forbidden
from approvals.models import Actor, ApprovalRequest
from approvals.ports import Clock
from approvals.quota_settings import QuotaSettings
from approvals.service_base import ServiceBase, ensure_admin, ensure_reviewer
from approvals.states import Action

MAX_SHEET_BYTES = 1024 * 1024  # an opening-quota sheet is a few rows; anything bigger is not one
MAX_SHEET_ROWS = 50
MAX_EXPORT_ENTRIES = 100_000
MAX_REDUCTION_NAME = 100
HOLDS_READ = 30  # requests whose holding /quota lists (newest first; the export has every entry)
WAITING_LIMIT = 500  # requests waiting for quota looked at for the summary (more: the count says "at least")


class QuotaStore(Protocol):
    async def balances(self) -> dict[str, q.Balance]: ...

    async def record(self, entries: Sequence[q.LedgerEntry]) -> None:
        """Append opening entries (and their effect on the balance) in one transaction."""
        ...

    async def entries(self, *, limit: int) -> list[q.LedgerEntry]: ...

    async def claim_of(self, request_id: int) -> q.QuotaClaim | None: ...

    async def held_by(self, request_id: int) -> dict[str, tuple[Decimal, str]]: ...

    async def holds(self, *, limit: int) -> list[tuple[int, str, Decimal, str]]:
        """Newest request first, at most ``limit`` rows."""
        ...

    async def available(self, pollutants: Sequence[str], reduction_id: int | None) -> dict[str, Decimal]: ...

    async def waiting(self, *, limit: int) -> list[tuple[int, str, q.QuotaClaim]]: ...

    async def add_reduction(
        self, name: str, organisation: str, amounts: Mapping[str, Decimal], *, actor_id: int, at: datetime
    ) -> int:
        """The new project's id, or 0 when one of that name exists."""
        ...

    async def confirm_reduction(self, reduction_id: int, base: q.LedgerEntry, on: date) -> bool: ...

    async def reductions(self) -> list[q.ReductionProject]: ...

    async def reduced_between(self, first: date, last: date) -> dict[str, Decimal]: ...


class QuotaSheetReader(Protocol):
    async def read(self, data: bytes) -> list[tuple[str, str]]:
        """(pollutant, amount) as typed in the first sheet's first two columns, or InvalidField("sheet", …)."""
        ...


@dataclass
class QuotaSteps(ServiceBase):
    """Approval's side of the quota: refused while not covered, reserved when proposed, allocated when decided,
    given back when the approval is left behind. Without a ``quota`` store nothing is checked (tests, old setups)."""

    quota: QuotaStore | None = None
    quota_settings: QuotaSettings = field(default_factory=QuotaSettings)

    async def needed_for(self, request: ApprovalRequest) -> tuple[dict[str, Decimal], int | None]:
        """What the request must find per pollutant (ratios applied) and the reduction project it names."""
        if self.quota is None:
            return {}, None
        claim = await self.quota.claim_of(request.id)
        needed = q.required(claim, self.quota_settings.ratios, request.location)
        reduction = claim.reduction_id if claim and claim.source is q.QuotaSource.REDUCTION else None
        return needed, reduction

    async def check(self, actor: Actor, request_id: int, action: Action) -> ApprovalRequest:
        """As the other checks; an approval (proposed, or decided with nothing reserved) also needs its quota."""
        request = await super().check(actor, request_id, action)
        if self.quota is not None and action in (Action.PROPOSE_APPROVAL, Action.APPROVE):
            if action is Action.APPROVE and await self.quota.held_by(request_id):
                return request
            needed, reduction = await self.needed_for(request)
            if needed:
                missing = q.shortfall(needed, await self.quota.available(list(needed), reduction))
                if missing:
                    raise q.QuotaShortfall(request_id, missing)
        return request

    async def _quota_move(self, action: Action, before: ApprovalRequest, after: ApprovalRequest) -> q.QuotaMove | None:
        move = q.move_for(action, before.status, after.status)
        if move is None or self.quota is None:
            return None
        needed, reduction = await self.needed_for(before) if move is not q.Move.RELEASE else ({}, None)
        return q.QuotaMove(move, needed, reduction)


@dataclass(frozen=True)
class QuotaView:
    """What /quota shows: each pollutant's balance, what is held per request, reduction projects, and the
    requests still waiting for quota (with what each lacks now)."""

    balances: list[q.Balance]
    holds: list[tuple[int, str, Decimal, str]]
    reductions: list[q.ReductionProject]
    waiting: list[tuple[int, dict[str, Decimal]]]  # request id, shortfall (empty: covered now)

    @property
    def short(self) -> int:
        return sum(1 for _, missing in self.waiting if missing)


@dataclass
class QuotaService:
    store: QuotaStore
    clock: Clock
    tz: tzinfo
    settings: QuotaSettings = field(default_factory=QuotaSettings)
    sheet_reader: QuotaSheetReader | None = None

    def _entry(self, actor: Actor, pollutant: str, kind: q.EntryKind, amount: Decimal, reason: str) -> q.LedgerEntry:
        return q.LedgerEntry(pollutant, kind, amount, actor.user_id, self.clock.now(), actor.name, reason)

    async def view(self, actor: Actor) -> QuotaView:
        ensure_reviewer(actor, "quota")
        stored = await self.store.balances()
        balances = [stored.get(p, q.Balance(p)) for p in self.settings.pollutants]
        balances += [b for p, b in sorted(stored.items()) if p not in self.settings.pollutants]
        holds = await self.store.holds(limit=HOLDS_READ * len(balances))
        return QuotaView(balances, holds, await self.store.reductions(), await self.waiting())

    async def standing(self) -> tuple[list[q.Balance], int]:
        """The summary's line: each pollutant's balance, and how many requests wait for quota not covered now."""
        stored = await self.store.balances()
        balances = [stored.get(p, q.Balance(p)) for p in self.settings.pollutants]
        return balances, sum(1 for _, missing in await self.waiting() if missing)

    async def waiting(self) -> list[tuple[int, dict[str, Decimal]]]:
        """Undecided requests that will need quota, each with its shortfall against the balance as it is now."""
        found = []
        for request_id, location, claim in await self.store.waiting(limit=WAITING_LIMIT):
            needed = q.required(claim, self.settings.ratios, location)
            reduction = claim.reduction_id if claim.source is q.QuotaSource.REDUCTION else None
            found.append((request_id, q.shortfall(needed, await self.store.available(list(needed), reduction))))
        return found

    async def set_opening(self, actor: Actor, pollutant: str, amount: str, reason: str) -> q.Balance:
        """/quota set: the opening amount becomes ``amount``; the ledger records the change and why."""
        ensure_admin(actor, "quota_set")
        name = q.pollutant_named(pollutant, self.settings.pollutants)
        target = q.parse_tonnes(amount)
        why = v.clean_text("reason", reason) if reason.strip() else ""
        current = (await self.store.balances()).get(name, q.Balance(name))
        if target != current.opening:
            await self.store.record([self._entry(actor, name, q.EntryKind.OPENING, target - current.opening, why)])
        return (await self.store.balances()).get(name, q.Balance(name))

    def check_sheet(self, filename: str, size: int) -> None:
        """Before fetching a sheet: an .xlsx of at most MAX_SHEET_BYTES."""
        if PurePath(filename.lower()).suffix != ".xlsx":
            raise v.InvalidField("sheet", "sheet_type")
        if size > MAX_SHEET_BYTES:
            raise v.InvalidField("sheet", "sheet_too_big", max_kb=MAX_SHEET_BYTES // 1024)

    async def import_openings(self, actor: Actor, filename: str, data: bytes, reason: str) -> list[q.Balance]:
        """Every opening amount in a sheet (pollutant, tonnes), all or nothing, one ledger entry per change."""
        ensure_admin(actor, "quota_set")
        self.check_sheet(filename, len(data))
        if self.sheet_reader is None:
            raise Forbidden("quota_import")
        rows = await self.sheet_reader.read(data)
        if not rows or len(rows) > MAX_SHEET_ROWS:
            raise v.InvalidField("sheet", "sheet_rows", max=MAX_SHEET_ROWS)
        targets: dict[str, Decimal] = {}
        for name, amount in rows:
            pollutant = q.pollutant_named(name, self.settings.pollutants)
            if pollutant in targets:
                raise v.InvalidField("discharge", "discharge_twice", name=pollutant)
            targets[pollutant] = q.parse_tonnes(amount)
        why = v.clean_text("reason", reason) if reason.strip() else ""
        current = await self.store.balances()
        changes = [
            self._entry(actor, p, q.EntryKind.OPENING, t - current.get(p, q.Balance(p)).opening, why)
            for p, t in targets.items()
            if t != current.get(p, q.Balance(p)).opening
        ]
        await self.store.record(changes)
        stored = await self.store.balances()
        return [stored.get(p, q.Balance(p)) for p in targets]

    async def declare_reduction(self, actor: Actor, name: str, organisation: str, amounts: str) -> int:
        """A reduction project and what it will cut ("COD 120, NH3-N 15"); credited once confirmed."""
        ensure_reviewer(actor, "reduction")
        title = v.clean_text("project_name", name)[:MAX_REDUCTION_NAME]
        owner = v.clean_text("organisation", organisation) if organisation.strip() else ""
        cuts = q.parse_discharges(amounts, self.settings.pollutants)
        if not cuts:
            raise v.InvalidField("discharge", "discharge_format")
        rid = await self.store.add_reduction(title, owner, cuts, actor_id=actor.user_id, at=self.clock.now())
        if not rid:
            raise v.InvalidField("project_name", "reduction_exists", name=title)
        return rid

    async def confirm_reduction(self, actor: Actor, reduction_id: int) -> bool:
        """The bureau accepted the completed works: the reductions credit the balance (once; False after)."""
        ensure_admin(actor, "reduction_confirm")
        now = self.clock.now()
        base = self._entry(actor, "", q.EntryKind.CREDIT, Decimal(0), "confirm_reduction")
        return await self.store.confirm_reduction(reduction_id, base, now.astimezone(self.tz).date())

    async def ledger(self, actor: Actor) -> list[q.LedgerEntry]:
        ensure_reviewer(actor, "quota_export")
        return await self.store.entries(limit=MAX_EXPORT_ENTRIES)

    async def reduced_this_year(self) -> dict[str, Decimal]:
        today = self.clock.now().astimezone(self.tz).date()
        return await self.store.reduced_between(date(today.year, 1, 1), today)
