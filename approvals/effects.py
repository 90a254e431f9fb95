"""What each step changes on a request besides its status: the other half of the transition table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from approvals import clock_stops, completeness, notices
from approvals import deadlines as dl
from approvals.calendar import WorkCalendar
from approvals.models import Actor, ApprovalRequest, Attachment
from approvals.states import ACCEPTANCES, DECISIONS, Action

UNDECIDED = {"decided_by": None, "decided_at": None, "decided_on": None, "approval_number": None}


def effects(
    action: Action,
    request: ApprovalRequest,
    *,
    actor: Actor,
    target: Actor | None,
    reason: str | None,
    approval_number: str | None,
    attachments: Sequence[Attachment],
    now: datetime,
    today: date,
    calendar: WorkCalendar,
    policy: dl.DeadlinePolicy,
    clock: clock_stops.ClockStop | None = None,
) -> dict[str, Any]:
    """The fields ``action`` sets, as a ``model_copy`` update. ``today`` is the bureau's local date of ``now``;
    ``clock``: the clock stop a STOP_CLOCK opens or a RESUME_CLOCK ends (approvals/clock_stops.py)."""
    if action is Action.STOP_CLOCK:
        assert clock is not None
        return clock_stops.stop_effects(request, clock)
    if action in (Action.RESUME_CLOCK, Action.HEARING_HELD):
        assert clock is not None
        return clock_stops.resume_effects(request, clock, calendar, policy)
    if action is Action.CLAIM:
        return {"claimed_by": actor.user_id}
    if action is Action.PROPOSE_APPROVAL:  # the proposer decides once the notice has run
        promised = notices.promised_after_proposal(calendar, request.promised_due, request.statutory_due)
        return {"claimed_by": actor.user_id, "promised_due": promised}
    if action in ACCEPTANCES:  # the legal clock starts: from acceptance, or from receipt when deemed
        accepted = completeness.accepted_on(action, request, today, calendar)
        return {"accepted_on": accepted, **_dues(request, accepted, request.paused_working_days, calendar, policy)}
    if action is Action.LIST_MISSING:
        return {
            "claimed_by": None,
            "last_reason": reason,
            "listed_on": today,
            "listed_documents": len(request.attachments),
        }
    if action is Action.SUPPLY:  # received again: the check's period starts over from this receipt
        received = calendar.next_working_day(today)
        return {
            "received_on": received,
            "accepted_on": received,
            "listed_documents": None,  # a new receipt: it may have its own list, even if only a note came
            "attachments": (*request.attachments, *attachments),
            **_dues(request, received, 0, calendar, policy),
        }
    if action in (Action.RELEASE, Action.FORCE_RELEASE):
        return {"claimed_by": None}
    if action is Action.REASSIGN:
        assert target is not None
        return {"claimed_by": target.user_id}
    if action is Action.ADD_MATERIAL:  # status, deadlines and claim stay as they are
        return {"attachments": (*request.attachments, *attachments)}
    if action in DECISIONS:
        return {
            "decided_by": actor.user_id,
            "decided_at": now,
            "decided_on": today,
            "approval_number": approval_number,
            "last_reason": reason,
        }
    if action is Action.CORRECT_NUMBER:
        return {"approval_number": approval_number}
    if action is Action.REVOKE:
        # no longer decided: out of the day's and the year's approvals; the old number stays in the audit log
        return {**UNDECIDED, "claimed_by": None, "last_reason": reason}
    if action is Action.REQUEST_INFO:
        return {"claimed_by": None, "last_reason": reason, "paused_since": today}
    if action is Action.RESUBMIT:
        paused = request.paused_working_days + dl.paused_days(calendar, request.paused_since or today, today)
        return {
            "paused_since": None,
            "paused_working_days": paused,
            "attachments": (*request.attachments, *attachments),
            **clock_stops.moved_dues(request, paused, calendar, policy),
        }
    return {"claimed_by": None}  # withdraw, return


def _dues(
    request: ApprovalRequest, accepted: date, paused: int, calendar: WorkCalendar, policy: dl.DeadlinePolicy
) -> dict[str, Any]:
    dues = dl.compute_deadlines(
        calendar,
        policy,
        lane=request.lane,
        document_type=request.document_type,
        accepted_on=accepted,
        paused_working_days=paused,
    )
    return {"promised_due": dues.promised, "statutory_due": dues.statutory}
