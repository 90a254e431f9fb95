"""Which lane a request goes in, and the one queue order every reviewer sees."""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from approvals.models import GREEN_CATEGORIES, Category, Lane


def assign_lane(category: Category, key_code: str | None, key_codes: Container[str]) -> Lane:
    """KEY when the code names a registered key project; GREEN for the three favoured categories."""
    if key_code is not None and key_code in key_codes:
        return Lane.KEY
    if category in GREEN_CATEGORIES:
        return Lane.GREEN
    return Lane.STANDARD


@dataclass(frozen=True, order=True)
class QueueKey:
    """Sort key: at-risk first (earliest deadline first), then lane, deadline, submission time, id.

    ``id`` is unique, so the order is total; a waiting request's deadline only comes closer, so it becomes
    at risk after a bounded time and then only requests due no later than it can stay ahead (no starvation).
    """

    not_at_risk: bool
    risk_due: date
    lane: int
    due: date
    submitted_at: datetime
    id: int


@dataclass(frozen=True)
class Queued:
    """The fields queue order needs; storage and tests build these without a full request."""

    id: int
    lane: Lane
    due: date  # the earlier of the promised and statutory deadlines
    submitted_at: datetime


def queue_key(item: Queued, risk_cutoff: date) -> QueueKey:
    """``risk_cutoff``: the last due date that counts as at risk today (see ``deadlines.is_at_risk``)."""
    at_risk = item.due <= risk_cutoff
    return QueueKey(
        not_at_risk=not at_risk,
        risk_due=item.due if at_risk else date.min,
        lane=int(item.lane),
        due=item.due,
        submitted_at=item.submitted_at,
        id=item.id,
    )


T = TypeVar("T", bound="Queued")


def order_queue(items: Iterable[T], risk_cutoff: date) -> list[T]:
    return sorted(items, key=lambda item: queue_key(item, risk_cutoff))
