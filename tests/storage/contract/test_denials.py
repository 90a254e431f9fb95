"""The denials' contract, on every backend: refused attempts kept in order, per person, append-only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.storage.contract.conftest import Backend

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


async def test_each_person_s_refusals_come_in_the_order_they_happened(backend: Backend) -> None:
    await backend.denials.record(7, "Forbidden", "approve 12", NOW)
    await backend.denials.record(8, "NotFound", "view 3", NOW)
    await backend.denials.record(7, "SelfReview", "claim 4", NOW)
    assert await backend.denials.of(7) == [("Forbidden", "approve 12"), ("SelfReview", "claim 4")]
    assert await backend.denials.of(9) == []


async def test_a_long_detail_is_cut_to_500_characters(backend: Backend) -> None:
    await backend.denials.record(-1001234567890, "Forbidden", "审" * 600, NOW)
    assert await backend.denials.of(-1001234567890) == [("Forbidden", "审" * 500)]


async def test_denials_are_append_only(backend: Backend) -> None:
    await backend.denials.record(7, "Forbidden", "approve 12", NOW)
    with pytest.raises(Exception, match="append-only"):
        await backend.rows("UPDATE denials SET detail = '' RETURNING detail")
    with pytest.raises(Exception, match="append-only"):
        await backend.rows("DELETE FROM denials RETURNING detail")
    assert await backend.denials.of(7) == [("Forbidden", "approve 12")]
