"""Pollutant discharge quotas (总量控制): amounts, what a request needs, and the district's balance.

Amounts are tonnes per year with three decimals, always ``Decimal``. Storage keeps them as whole thousandths of a
tonne (kilograms), so sums in SQL are exact; ``to_kg``/``from_kg`` convert at its edge.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from enum import StrEnum

from approvals import validation as v
from approvals.errors import DomainError
from approvals.models import Status
from approvals.quota_claim import QuotaClaim, QuotaSource
from approvals.states import Action

DEFAULT_POLLUTANTS = ("COD", "NH3-N", "NOx", "VOCs", "SO2", "颗粒物")
# categories the bureau needs no quota for (settable: QUOTA_EXEMPT); shown translated where the catalogue knows them
DEFAULT_EXEMPT = ("road", "rail", "hydropower", "solar", "onshore_wind")
TONNE = Decimal("0.001")  # three decimals: a kilogram a year
MAX_TONNES = Decimal("1000000")  # a district's whole balance stays far below; anything above is a typing slip
MAX_LINE = 500  # characters of typed amounts read at most
ZERO = Decimal(0)

__all__ = ["QuotaClaim", "QuotaSource"]  # with the rest: what a request declares


class EntryKind(StrEnum):
    """How a ledger entry moves the balance: available = opening + credits − reserved − allocated."""

    OPENING = "opening"  # the admin set the opening amount: the entry is the change (may be negative)
    CREDIT = "credit"  # a reduction project confirmed
    RESERVE = "reserve"  # an approval proposed: held while its notice and signatures run
    RELEASE = "release"  # a reservation given back (rejected, withdrawn, sent back)
    ALLOCATE = "allocate"  # the approval decided: what was reserved is allocated (available unchanged)
    RETURN = "return"  # an approval revoked: its allocation given back


class Move(StrEnum):
    """What a step of the procedure does to the request's quota (``move_for``)."""

    RESERVE = "reserve"
    ALLOCATE = "allocate"
    RELEASE = "release"


def parse_tonnes(text: str) -> Decimal:
    """``text`` as tonnes a year: not negative, at most three decimals, below ``MAX_TONNES``."""
    cleaned = re.sub(r"\s*(吨|t|tonnes?)\s*(/\s*(a|年|yr))?$", "", text.strip(), flags=re.IGNORECASE)
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise v.InvalidField("tonnes", "not_tonnes", text=text[:20]) from None
    if not amount.is_finite() or amount < 0 or amount >= MAX_TONNES:
        raise v.InvalidField("tonnes", "tonnes_range", max=str(MAX_TONNES))
    if amount != amount.quantize(TONNE):
        raise v.InvalidField("tonnes", "tonnes_precision")
    return amount.quantize(TONNE)


def to_kg(amount: Decimal) -> int:
    return int((amount * 1000).to_integral_exact())


def from_kg(kg: int) -> Decimal:
    return (Decimal(kg) / 1000).quantize(TONNE)


def tonnes(amount: Decimal) -> str:
    """Three decimals, as the bureau writes them: 12.350."""
    return f"{amount.quantize(TONNE):f}"


def pollutant_named(text: str, pollutants: Sequence[str]) -> str:
    """The configured name ``text`` means (case, spaces and the hyphen aside), or InvalidField."""

    def key(name: str) -> str:
        return re.sub(r"[\s\-_]", "", name).casefold().replace("₂", "2").replace("ₓ", "x")

    wanted = key(text)
    for name in pollutants:
        if key(name) == wanted:
            return name
    raise v.InvalidField("pollutant", "unknown_pollutant", name=text[:30], known=" ".join(pollutants))


def _name_and_amount(item: str, pollutants: Sequence[str]) -> tuple[str, str]:
    """ "NH3-N 15", "SO2=1.5", "cod：120 吨": the longest configured name the item starts with, then its amount."""
    folded = item.casefold()
    for name in sorted(pollutants, key=len, reverse=True):
        if folded.startswith(name.casefold()):
            return name, item[len(name) :].strip().lstrip("=:：").strip()
    written = re.fullmatch(r"(.+?)[\s=:：]+(\S+)", item)  # a name written differently ("NH3 N", "so₂")
    if written is None:
        raise v.InvalidField("discharge", "discharge_format")
    return pollutant_named(written.group(1), pollutants), written.group(2)


def parse_discharges(text: str, pollutants: Sequence[str]) -> dict[str, Decimal]:
    """ "COD 1.2, NOx 0.5" (or with = : ； 、 or one a line) per configured pollutant; zero amounts are left out."""
    if len(text) > MAX_LINE:
        raise v.InvalidField("discharge", "too_long", max=MAX_LINE)
    found: dict[str, Decimal] = {}
    for item in filter(None, (part.strip() for part in re.split(r"[,，;；、\n]+", text))):
        name, amount = _name_and_amount(item, pollutants)
        if name in found:
            raise v.InvalidField("discharge", "discharge_twice", name=name)
        found[name] = parse_tonnes(amount)
    if not found:
        raise v.InvalidField("discharge", "discharge_format")
    return {name: amount for name, amount in found.items() if amount > 0}


@dataclass(frozen=True)
class Ratios:
    """倍量替代: what must be found per tonne discharged; 1.0 unless set for the pollutant, or for a zone and it."""

    by_pollutant: Mapping[str, Decimal] = field(default_factory=dict)
    by_zone: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)  # (zone, pollutant)

    def of(self, pollutant: str, location: str) -> Decimal:
        """A zone's ratio applies to a request whose location names the zone; the highest, if several do."""
        zoned = [r for (zone, p), r in self.by_zone.items() if p == pollutant and zone in location]
        return max(zoned) if zoned else self.by_pollutant.get(pollutant, Decimal(1))


def parse_ratios(text: str, pollutants: Sequence[str]) -> Ratios:
    """QUOTA_RATIOS: "NOx=2.0,VOCs=2.0,工业园/NOx=2.5" (a zone before the slash)."""
    plain: dict[str, Decimal] = {}
    zoned: dict[tuple[str, str], Decimal] = {}
    for item in filter(None, (part.strip() for part in re.split(r"[,，;；]", text))):
        name, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"{item!r}: expected POLLUTANT=RATIO or ZONE/POLLUTANT=RATIO")
        zone, slash, pollutant = name.strip().rpartition("/")
        try:
            ratio = Decimal(value.strip())
            known = pollutant_named(pollutant, pollutants)
        except (InvalidOperation, v.InvalidField):
            raise ValueError(f"{item!r}: unknown pollutant or not a number") from None
        if not ratio.is_finite() or not Decimal(1) <= ratio <= Decimal(10):
            raise ValueError(f"{item!r}: a ratio is between 1 and 10")
        if slash:
            zoned[(zone.strip(), known)] = ratio
        else:
            plain[known] = ratio
    return Ratios(plain, zoned)


def required(claim: QuotaClaim | None, ratios: Ratios, location: str) -> dict[str, Decimal]:
    """What must be found per pollutant: discharge × ratio, rounded up to the kilogram. Nothing when exempt."""
    if claim is None or not claim.needs_quota:
        return {}
    return {
        p: (amount * ratios.of(p, location)).quantize(TONNE, rounding=ROUND_CEILING)
        for p, amount in claim.discharges.items()
    }


def shortfall(needed: Mapping[str, Decimal], available: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Per pollutant, how much is missing (only those short)."""
    missing = {p: amount - max(available.get(p, ZERO), ZERO) for p, amount in needed.items()}
    return {p: amount for p, amount in missing.items() if amount > 0}


@dataclass(frozen=True)
class Balance:
    """One pollutant's standing."""

    pollutant: str
    opening: Decimal = ZERO
    credits: Decimal = ZERO
    reserved: Decimal = ZERO
    allocated: Decimal = ZERO

    @property
    def available(self) -> Decimal:
        return self.opening + self.credits - self.reserved - self.allocated


@dataclass(frozen=True)
class LedgerEntry:
    """One change of the balance, as the append-only ledger records it (amounts positive but an opening's)."""

    pollutant: str
    kind: EntryKind
    amount: Decimal
    actor_id: int
    at: datetime
    actor_name: str = ""
    reason: str = ""
    request_id: int | None = None
    reduction_id: int | None = None


def fold(entries: Iterable[LedgerEntry], pollutants: Sequence[str] = ()) -> dict[str, Balance]:
    """The balance per pollutant that ``entries`` add up to: what the stored running totals must equal."""
    sums: dict[str, dict[EntryKind, Decimal]] = {p: {} for p in pollutants}
    for entry in entries:
        kinds = sums.setdefault(entry.pollutant, {})
        kinds[entry.kind] = kinds.get(entry.kind, ZERO) + entry.amount
    out = {}
    for p, k in sums.items():
        g = k.get
        out[p] = Balance(
            p,
            opening=g(EntryKind.OPENING, ZERO),
            credits=g(EntryKind.CREDIT, ZERO),
            reserved=g(EntryKind.RESERVE, ZERO) - g(EntryKind.RELEASE, ZERO) - g(EntryKind.ALLOCATE, ZERO),
            allocated=g(EntryKind.ALLOCATE, ZERO) - g(EntryKind.RETURN, ZERO),
        )
    return out


# statuses in which a request may hold quota: its approval proposed (notice, a hearing's stop, signatures) or given
HOLDING_STATUSES = frozenset({Status.IN_NOTICE, Status.EXCLUDED, Status.SIGNING, Status.APPROVED})


def move_for(action: Action, before: Status, after: Status) -> Move | None:
    """What a step does to the request's quota: a proposed approval reserves it (the check that it is covered),
    the decision allocates it, and a step that leaves the approval behind gives back whatever is held."""
    if action is Action.PROPOSE_APPROVAL:
        return Move.RESERVE
    if after is Status.APPROVED and before is not Status.APPROVED:
        return Move.ALLOCATE
    if before in HOLDING_STATUSES and after not in HOLDING_STATUSES:
        return Move.RELEASE
    return None


@dataclass(frozen=True)
class QuotaMove:
    """A step's quota change for ``ApprovalStore.apply``, written in the decision's transaction. ``needed``: what
    reserving takes (also for an allocation with nothing reserved, e.g. a request in notice before quotas)."""

    move: Move
    needed: Mapping[str, Decimal]
    reduction_id: int | None = None


class QuotaShortfall(DomainError):
    """An approval the quota does not cover: ``missing`` per pollutant (tonnes a year, ratios applied)."""

    key = "error.quota_shortfall"

    def __init__(self, request_id: int, missing: Mapping[str, Decimal]) -> None:
        super().__init__(f"request {request_id} lacks quota: {dict(missing)}", request_id=request_id)
        self.request_id = request_id
        self.missing = dict(missing)


class ReductionUnknown(DomainError):
    """A reduction project that is not there (or, where it matters, not confirmed yet)."""

    key = "error.reduction_unknown"

    def __init__(self, reduction_id: int) -> None:
        super().__init__(f"no reduction project {reduction_id}", reduction_id=reduction_id)
        self.reduction_id = reduction_id


@dataclass(frozen=True)
class ReductionProject:
    """A district project that cuts discharges (节能减排); confirmed by the bureau once its works are accepted, when
    its reductions credit the balance."""

    id: int
    name: str
    organisation: str
    reductions: Mapping[str, Decimal]
    declared_at: datetime
    confirmed_on: date | None = None
    confirmed_by: int | None = None

    @property
    def confirmed(self) -> bool:
        return self.confirmed_on is not None
