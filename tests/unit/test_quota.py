"""The quota rules on their own: amounts, typed discharges, ratios, what is required and missing, what each step of
the procedure does to a request's quota, the settings, and the ledger's fold (a property test)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from approvals import quota as q
from approvals.models import Status
from approvals.quota_claim import QuotaClaim, QuotaSource
from approvals.quota_settings import parse_quota_settings
from approvals.states import Action
from approvals.validation import InvalidField

P = q.DEFAULT_POLLUTANTS
T = Decimal
AT = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "tonnes"), [("12.35", "12.350"), ("0.8 吨", "0.800"), ("2 t/a", "2.000"), ("0", "0.000")]
)
def test_tonnes_are_read_with_three_decimals(text: str, tonnes: str) -> None:
    assert q.tonnes(q.parse_tonnes(text)) == tonnes


@pytest.mark.parametrize(
    ("text", "problem"),
    [("1.2345", "tonnes_precision"), ("-1", "tonnes_range"), ("1e9", "tonnes_range"), ("NaN", "tonnes_range"),
     ("abc", "not_tonnes"), ("1t2", "not_tonnes"), ("12,350", "not_tonnes")],
)  # fmt: skip
def test_bad_amounts_are_refused_by_name(text: str, problem: str) -> None:
    with pytest.raises(InvalidField) as refused:
        q.parse_tonnes(text)
    assert refused.value.params["problem"] == problem


def test_discharges_are_typed_as_the_bureau_writes_them() -> None:
    assert q.parse_discharges("COD 1.2, NOx 0.5", P) == {"COD": T("1.200"), "NOx": T("0.500")}
    assert q.parse_discharges("NH3-N 15；so2=1.5\n颗粒物：3 吨", P) == {"NH3-N": T(15), "SO2": T("1.5"), "颗粒物": T(3)}
    assert q.parse_discharges("nh3 n 2、VOCs 0", P) == {"NH3-N": T(2)}  # a zero is no discharge
    refusals = [("XX 1", "unknown_pollutant"), ("COD 1, cod 2", "discharge_twice"), (" , ", "discharge_format")]
    for text, problem in [*refusals, ("COD 1" * 200, "too_long")]:
        with pytest.raises(InvalidField) as refused:
            q.parse_discharges(text, P)
        assert refused.value.params["problem"] == problem


def test_ratios_by_pollutant_and_by_zone_the_highest_zone_wins() -> None:
    ratios = q.parse_ratios("NOx=2.0, VOCs=2, 工业园/NOx=2.5, 北区/NOx=3", P)
    assert ratios.of("COD", "城东") == T(1)
    assert ratios.of("NOx", "城东") == T("2.0")
    assert ratios.of("NOx", "高新工业园") == T("2.5")
    assert ratios.of("NOx", "北区工业园") == T(3)
    for bad in ("NOx", "XX=2", "NOx=0.5", "NOx=abc"):
        with pytest.raises(ValueError, match=r"NOx|XX"):
            q.parse_ratios(bad, P)


def test_what_is_required_rounds_up_to_the_kilogram_and_nothing_when_exempt() -> None:
    ratios = q.Ratios({"NOx": T("1.5")})
    claim = QuotaClaim(discharges={"NOx": T("0.333"), "COD": T(1)})
    assert q.required(claim, ratios, "") == {"NOx": T("0.500"), "COD": T("1.000")}  # 0.4995 up to 0.500
    exempt = claim.model_copy(update={"source": QuotaSource.EXEMPT, "exempt_as": "solar"})
    assert q.required(exempt, ratios, "") == {} and q.required(None, ratios, "") == {}
    assert q.shortfall({"NOx": T("0.5"), "COD": T(1)}, {"NOx": T("0.2"), "COD": T(-3)}) == {
        "NOx": T("0.3"),
        "COD": T(1),
    }


@pytest.mark.parametrize(
    ("action", "before", "after", "move"),
    [
        (Action.PROPOSE_APPROVAL, Status.IN_REVIEW, Status.IN_NOTICE, q.Move.RESERVE),
        (Action.APPROVE, Status.IN_NOTICE, Status.APPROVED, q.Move.ALLOCATE),
        (Action.APPROVE, Status.SIGNING, Status.APPROVED, q.Move.ALLOCATE),
        (Action.SIGN, Status.IN_NOTICE, Status.SIGNING, None),
        (Action.STOP_CLOCK, Status.IN_NOTICE, Status.EXCLUDED, None),
        (Action.REJECT, Status.IN_NOTICE, Status.REJECTED, q.Move.RELEASE),
        (Action.REJECT, Status.SIGNING, Status.REJECTED, q.Move.RELEASE),
        (Action.WITHDRAW, Status.EXCLUDED, Status.WITHDRAWN, q.Move.RELEASE),
        (Action.RETURN_SIGNATURE, Status.SIGNING, Status.IN_REVIEW, q.Move.RELEASE),
        (Action.REVOKE, Status.APPROVED, Status.SUBMITTED, q.Move.RELEASE),
        (Action.REVOKE, Status.REJECTED, Status.SUBMITTED, None),
        (Action.CLAIM, Status.SUBMITTED, Status.IN_REVIEW, None),
        (Action.CORRECT_NUMBER, Status.APPROVED, Status.APPROVED, None),
    ],
)
def test_what_each_step_does_to_the_quota(action: Action, before: Status, after: Status, move: q.Move | None) -> None:
    assert q.move_for(action, before, after) is move


def test_settings_are_parsed_and_bad_ones_named() -> None:
    settings = parse_quota_settings("COD, NOx,PM2.5", "NOx=2", "road, solar")
    assert settings.pollutants == ("COD", "NOx", "PM2.5") and settings.exempt == ("road", "solar")
    for pollutants in ("", "COD,1.5", "a/b", "x" * 30):
        with pytest.raises(ValueError, match="pollutant"):
            parse_quota_settings(pollutants, "", "")


KINDS = list(q.EntryKind)


@given(st.lists(st.tuples(st.sampled_from(P[:3]), st.sampled_from(KINDS), st.integers(0, 10**7)), max_size=60))
def test_the_fold_balances_opening_plus_credits_less_reserved_less_allocated(
    steps: list[tuple[str, q.EntryKind, int]],
) -> None:
    """Whatever the entries, each kind lands where it should and available is what the identity says."""
    entries = [q.LedgerEntry(p, kind, q.from_kg(kg), 1, AT) for p, kind, kg in steps]
    folded = q.fold(entries, P)
    for pollutant in P:
        mine = [e for e in entries if e.pollutant == pollutant]

        def total(*kinds: q.EntryKind) -> Decimal:
            return sum((e.amount for e in mine if e.kind in kinds), T(0))  # noqa: B023

        b = folded[pollutant]
        assert b.opening == total(q.EntryKind.OPENING) and b.credits == total(q.EntryKind.CREDIT)
        assert b.reserved == total(q.EntryKind.RESERVE) - total(q.EntryKind.RELEASE, q.EntryKind.ALLOCATE)
        assert b.allocated == total(q.EntryKind.ALLOCATE) - total(q.EntryKind.RETURN)
        assert b.available == b.opening + b.credits - b.reserved - b.allocated
        assert q.to_kg(b.available) == sum(
            {"opening": 1, "credit": 1, "reserve": -1, "release": 1, "allocate": 0, "return": 1}[e.kind]
            * q.to_kg(e.amount)
            for e in mine
        )
