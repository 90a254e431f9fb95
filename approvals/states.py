"""The one transition table. Every status change goes through ``transition``, which yields its audit event."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from approvals.errors import InvalidTransition, ReasonRequired
from approvals.models import AuditEvent, Status

S = Status


class Action(StrEnum):
    SUBMIT = "submit"
    CLAIM = "claim"
    RELEASE = "release"
    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_INFO = "request_info"
    RESUBMIT = "resubmit"
    WITHDRAW = "withdraw"
    ADD_MATERIAL = "add_material"  # more documents or a note for a request still with the bureau


REVIEWER_ACTIONS = frozenset({Action.CLAIM, Action.RELEASE, Action.APPROVE, Action.REJECT, Action.REQUEST_INFO})
APPLICANT_ACTIONS = frozenset({Action.RESUBMIT, Action.WITHDRAW, Action.ADD_MATERIAL})
DECISIONS = frozenset({Action.APPROVE, Action.REJECT})
# what no one may do on a request they submitted; releasing a claim they hold stays allowed (it hands it on)
SELF_REVIEW = frozenset({Action.CLAIM, Action.APPROVE, Action.REJECT, Action.REQUEST_INFO})
NEEDS_REASON = frozenset({Action.REJECT, Action.REQUEST_INFO})

# (from status, action) -> to status. A decision may come straight from the queue: claiming first is a
# courtesy that tells colleagues "I have this", not a legal step.
TRANSITIONS: Mapping[tuple[Status, Action], Status] = MappingProxyType(
    {
        (S.SUBMITTED, Action.CLAIM): S.IN_REVIEW,
        (S.RESUBMITTED, Action.CLAIM): S.IN_REVIEW,
        (S.IN_REVIEW, Action.RELEASE): S.SUBMITTED,
        **{(s, Action.APPROVE): S.APPROVED for s in (S.SUBMITTED, S.RESUBMITTED, S.IN_REVIEW)},
        **{(s, Action.REJECT): S.REJECTED for s in (S.SUBMITTED, S.RESUBMITTED, S.IN_REVIEW)},
        **{(s, Action.REQUEST_INFO): S.NEEDS_INFO for s in (S.SUBMITTED, S.RESUBMITTED, S.IN_REVIEW)},
        (S.NEEDS_INFO, Action.RESUBMIT): S.RESUBMITTED,
        **{(s, Action.WITHDRAW): S.WITHDRAWN for s in (S.SUBMITTED, S.RESUBMITTED, S.IN_REVIEW, S.NEEDS_INFO)},
        # material added while the bureau has the request changes nothing but the file: same status, same
        # deadlines, same claim. While it waits for material (补正) the applicant resubmits instead.
        **{(s, Action.ADD_MATERIAL): s for s in (S.SUBMITTED, S.RESUBMITTED, S.IN_REVIEW)},
    }
)


@dataclass(frozen=True)
class Step:
    to: Status
    event: AuditEvent


def allowed_actions(status: Status) -> frozenset[Action]:
    return frozenset(action for (source, action) in TRANSITIONS if source == status)


def transition(
    *,
    request_id: int,
    status: Status,
    action: Action,
    actor_id: int,
    at: datetime,
    actor_name: str = "",
    reason: str | None = None,
) -> Step:
    """Check ``action`` is allowed from ``status``; return the new status and its audit event."""
    target = TRANSITIONS.get((status, action))
    if target is None:
        raise InvalidTransition(status.value, action.value)
    if action in NEEDS_REASON and not (reason and reason.strip()):
        raise ReasonRequired(action.value)
    event = AuditEvent(
        request_id=request_id,
        actor_id=actor_id,
        actor_name=actor_name,
        at=at,
        action=action.value,
        from_status=status,
        to_status=target,
        reason=reason,
    )
    return Step(to=target, event=event)


def status_event(history: Sequence[AuditEvent]) -> AuditEvent | None:
    """The event that brought a request to its status: who claimed or decided it. Events that changed nothing
    but the file (material added) do not count."""
    return next((e for e in reversed(history) if e.from_status is not e.to_status), None)
