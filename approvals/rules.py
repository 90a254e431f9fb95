"""Who may take which step on which request: the checks every use case runs before it writes anything."""

from __future__ import annotations

from datetime import datetime

from approvals.completeness import refuse_before_acceptance
from approvals.errors import AlreadyDecided, Forbidden, InvalidTransition, NotClaimant, NotFound, SelfReview
from approvals.models import BOT_ACTOR_ID, Actor, ApprovalRequest, Status
from approvals.states import (
    ADMIN_ACTIONS,
    APPLICANT_ACTIONS,
    DECISIONS,
    ON_DECISIONS,
    REVIEWER_ACTIONS,
    SELF_REVIEW,
    SYSTEM_ACTIONS,
    Action,
    Step,
    transition,
)


def authorise(actor: Actor, request: ApprovalRequest, action: Action) -> None:
    """Raise unless ``actor``'s roles and relation to ``request`` allow ``action`` (its state is judged apart)."""
    if action in APPLICANT_ACTIONS and request.applicant_id != actor.user_id:
        raise NotFound(request.id)
    if action in REVIEWER_ACTIONS and not actor.is_reviewer:
        raise Forbidden(action.value)
    if action in ADMIN_ACTIONS and not actor.is_admin:
        raise Forbidden(action.value)
    if action in SYSTEM_ACTIONS and actor.user_id != BOT_ACTOR_ID:  # taken when a period ends, by no person
        raise Forbidden(action.value)
    if action in SELF_REVIEW and request.applicant_id == actor.user_id:
        raise SelfReview(request.id)  # no one reviews their own request, admins included
    held = request.status in (Status.IN_REVIEW, Status.IN_NOTICE)  # in notice: the proposer decides
    # the bot stops the clock for the hearing the public asked for, whoever holds the request in notice
    hearing = actor.user_id == BOT_ACTOR_ID and action is Action.STOP_CLOCK and request.status is Status.IN_NOTICE
    claimed = held and request.claimed_by not in (None, actor.user_id) and not hearing
    if claimed and action in REVIEWER_ACTIONS:  # an admin frees a claim with FORCE_RELEASE, not RELEASE
        raise NotClaimant(request.id, request.claimed_by or 0)


def authorise_reading(actor: Actor, request: ApprovalRequest) -> None:
    """Reading a request (its fields, history, documents): its applicant, and every reviewer. Reading decides
    nothing, so a reviewer may read a request they submitted; anyone else is told it does not exist."""
    if request.applicant_id != actor.user_id and not actor.is_reviewer:
        raise NotFound(request.id)


def judge(
    actor: Actor,
    request: ApprovalRequest,
    action: Action,
    *,
    at: datetime,
    reason: str | None = None,
    approval_number: str | None = None,
    target: Actor | None = None,
) -> Step:
    """The step ``action`` takes from the request's state; a step too late is reported as "already decided"."""
    refuse_before_acceptance(request, action)
    try:
        return transition(
            request_id=request.id,
            status=request.status,
            action=action,
            actor_id=actor.user_id,
            actor_name=actor.name,
            at=at,
            reason=reason,
            approval_number=approval_number,
            target_id=target.user_id if target else None,
            target_name=(target.name or str(target.user_id)) if target else "",
        )
    except InvalidTransition:
        if action in ON_DECISIONS:
            raise  # "there is no decision to revoke", not "already decided"
        if request.is_final or (action in DECISIONS and request.status is Status.NEEDS_INFO):
            last = request.decided_by
            if last is None and request.status is Status.WITHDRAWN:
                last = request.applicant_id
            raise AlreadyDecided(request.id, request.status.value, last, action=action.value) from None
        raise
