"""Which key projects need someone's attention today: the few lines the summary and /stats show.

A key project needs attention while it is not approved and one of its requests is
- overdue: with the bureau and past its promised deadline;
- at risk: with the bureau and due within the risk window (``RISK_DAYS`` working days);
- waiting: sent back to the applicant for more material (补正) — the clock has stopped, nobody at the bureau
  will move it, and leadership may want to call the owner.
A project whose requests are all on time, not yet submitted or rejected needs nothing today.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from enum import IntEnum

from approvals.calendar import WorkCalendar
from approvals.ledger import KeyProject
from approvals.models import Status

Rank = tuple[int, date, int]  # reason, deadline, request number: smaller is more urgent
WITH_THE_BUREAU = frozenset({Status.SUBMITTED, Status.IN_REVIEW, Status.RESUBMITTED, Status.SIGNING})


class Attention(IntEnum):
    """Most urgent first: the order the list is shown in."""

    OVERDUE = 0
    AT_RISK = 1
    WAITING = 2


@dataclass(frozen=True)
class KeyRequest:
    """A request that names a key project and is still undecided (with the bureau or waiting for material)."""

    code: str
    request_id: int
    status: Status
    promised_due: date


@dataclass(frozen=True)
class KeyAttention:
    project: KeyProject
    reason: Attention
    request_id: int  # the request that makes it so
    due: date  # its promised deadline (while waiting for material the clock is stopped: moved on resubmission)
    days_left: int  # working days to that deadline (negative or 0 when overdue); 0 when waiting


def key_projects_needing_attention(
    projects: Sequence[KeyProject],
    requests: Sequence[KeyRequest],
    approved_codes: Collection[str],
    *,
    calendar: WorkCalendar,
    today: date,
    risk_cutoff: date,
) -> list[KeyAttention]:
    """The projects of the current list that need attention, most urgent first: overdue (longest overdue
    first), at risk (earliest deadline first), waiting (longest waiting first: lowest request number)."""
    by_code: dict[str, list[KeyRequest]] = {}
    for request in requests:
        by_code.setdefault(request.code, []).append(request)
    found: list[tuple[Rank, KeyAttention]] = []
    for project in projects:
        if project.code in approved_codes:
            continue
        ranked = [
            (_rank(reason, request), reason, request)
            for request in by_code.get(project.code, [])
            if (reason := _reason(request, today, risk_cutoff)) is not None
        ]
        if not ranked:
            continue
        rank, reason, request = min(ranked, key=lambda item: item[0])
        left = 0 if reason is Attention.WAITING else calendar.working_days_between(today, request.promised_due)
        found.append((rank, KeyAttention(project, reason, request.request_id, request.promised_due, left)))
    found.sort(key=lambda pair: pair[0])
    return [attention for _, attention in found]


def _rank(reason: Attention, request: KeyRequest) -> Rank:
    due = date.min if reason is Attention.WAITING else request.promised_due
    return (int(reason), due, request.request_id)


def _reason(request: KeyRequest, today: date, risk_cutoff: date) -> Attention | None:
    if request.status is Status.NEEDS_INFO:
        return Attention.WAITING
    if request.status not in WITH_THE_BUREAU:
        return None
    if request.promised_due < today:
        return Attention.OVERDUE
    if request.promised_due <= risk_cutoff:
        return Attention.AT_RISK
    return None
