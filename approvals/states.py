"""The one transition table. Every status change goes through ``transition``, which yields its audit event."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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
    FORCE_RELEASE = "force_release"  # an admin frees a colleague's claim (forgotten, or they left)
    REASSIGN = "reassign"  # an admin hands a claim to another reviewer
    REVOKE = "revoke"  # an admin annuls a decision: the request is reviewed again
    CORRECT_NUMBER = "correct_number"  # an admin corrects an approval's number (批复文号)
    ADD_MATERIAL = "add_material"  # more documents or a note for a request still with the bureau
    KEEP_COPY = "keep_copy"  # the bureau's own copy of a document is stored: recorded, not a transition
    # the completeness check (Administrative Licensing Law art. 32)
    ACCEPT = "accept"  # 受理: the material is complete
    LIST_MISSING = "list_missing"  # 一次性告知补正: one list of everything missing
    SUPPLY = "supply"  # the applicant sends the listed material: received again, checked again
    DEEM_ACCEPT = "deem_accept"  # no one acted within the check's period: accepted as of receipt (art. 32(4))
    RETURN = "return"  # 退件: the listed material did not come within the completion period
    # public notices (approvals/notices.py): approval is proposed, then decided once its notice has run
    PROPOSE_APPROVAL = "propose_approval"  # 拟批准: the notice of the intended decision (拟审批公示) opens
    # the sign-off chain (经办 → 审核 → 签发, approvals/sign_off.py): what a decision is before its last signature
    SIGN = "sign"  # a signature that forwards the proposed decision to the chain's next role
    RETURN_SIGNATURE = "return_signature"  # a signer sends the proposal back to its reviewer, with a reason
    # the same for a proposal made in notice, once the notice had run: back in notice (ended), no second notice
    RETURN_TO_NOTICE = "return_to_notice"
    # excluded time (art. 45): approvals/clock_stops.py has the rules
    STOP_CLOCK = "stop_clock"  # a technical assessment, expert review or hearing: the days are not counted
    RESUME_CLOCK = "resume_clock"  # its result recorded, or its stated end reached: the clock runs again
    # a hearing the public asked for during the notice of the intended decision is held (or its stated time is
    # over): the clock runs again and the request is back in its notice, to be decided once it has run
    HEARING_HELD = "hearing_held"


class Party(StrEnum):
    """Whom a request in a given status waits on."""

    BUREAU = "bureau"
    APPLICANT = "applicant"
    OUTSIDE = "outside"  # the assessment body, the experts or the hearing: the open clock stop names which


REVIEWER_ACTIONS = frozenset(
    {
        Action.CLAIM,
        Action.RELEASE,
        Action.APPROVE,
        Action.REJECT,
        Action.REQUEST_INFO,
        Action.ACCEPT,
        Action.LIST_MISSING,
        Action.PROPOSE_APPROVAL,
        Action.SIGN,
        Action.RETURN_SIGNATURE,
        Action.RETURN_TO_NOTICE,
        Action.STOP_CLOCK,
        Action.RESUME_CLOCK,
        Action.HEARING_HELD,
    }
)
ADMIN_ACTIONS = frozenset({Action.FORCE_RELEASE, Action.REASSIGN, Action.REVOKE, Action.CORRECT_NUMBER})
APPLICANT_ACTIONS = frozenset({Action.RESUBMIT, Action.WITHDRAW, Action.ADD_MATERIAL, Action.SUPPLY})
# steps only the bot's own jobs take, when a period has run out (no person may take them early)
SYSTEM_ACTIONS = frozenset({Action.DEEM_ACCEPT, Action.RETURN})
DECISIONS = frozenset({Action.APPROVE, Action.REJECT})
ON_DECISIONS = frozenset({Action.REVOKE, Action.CORRECT_NUMBER})  # act on a decision made, not towards one
# what no one may do on a request they submitted, admins included. Releasing a claim stays allowed: it decides
# nothing and hands the request back to colleagues (and a reviewer's removal must free every claim they held).
SELF_REVIEW = frozenset(
    {
        Action.CLAIM,
        Action.APPROVE,
        Action.REJECT,
        Action.REQUEST_INFO,
        Action.REASSIGN,
        Action.ACCEPT,
        Action.LIST_MISSING,
        Action.PROPOSE_APPROVAL,
        Action.SIGN,
        Action.RETURN_SIGNATURE,
        Action.RETURN_TO_NOTICE,
        Action.STOP_CLOCK,
        Action.RESUME_CLOCK,
        Action.HEARING_HELD,
        *ON_DECISIONS,
    }
)
NEEDS_REASON = frozenset(
    {
        Action.REJECT,
        Action.REQUEST_INFO,
        Action.REVOKE,
        Action.CORRECT_NUMBER,
        Action.LIST_MISSING,
        Action.RETURN_SIGNATURE,
        Action.RETURN_TO_NOTICE,
    }
)
# a signer's return of a proposal: to review, or to its notice when it was proposed there (the service chooses)
RETURNS = frozenset({Action.RETURN_SIGNATURE, Action.RETURN_TO_NOTICE})
# steps after which someone holds the request (a returned proposal: its reviewer, the step's target; a proposed
# approval: its proposer, who decides once the notice has run)
HOLDING = frozenset({Action.CLAIM, Action.REASSIGN, *RETURNS, Action.PROPOSE_APPROVAL})
# steps whose author the card names as having had the last word: a decision, a request for material, a revocation
LAST_WORD = frozenset({*DECISIONS, Action.REQUEST_INFO, Action.REVOKE, Action.LIST_MISSING, *RETURNS})
ACCEPTANCES = frozenset({Action.ACCEPT, Action.DEEM_ACCEPT})
# whom each status waits on; a status missing here is terminal
WAITS_ON: Mapping[Status, Party] = MappingProxyType(
    {
        S.RECEIVED: Party.BUREAU,
        S.SUBMITTED: Party.BUREAU,
        S.RESUBMITTED: Party.BUREAU,
        S.IN_REVIEW: Party.BUREAU,
        S.IN_NOTICE: Party.BUREAU,  # the bureau's notice runs; then its decision
        S.INCOMPLETE: Party.APPLICANT,
        S.NEEDS_INFO: Party.APPLICANT,
        S.SIGNING: Party.BUREAU,
        S.EXCLUDED: Party.OUTSIDE,
    }
)

# (from status, action) -> to status. A decision may come straight from the queue: claiming first is a
# courtesy that tells colleagues "I have this", not a legal step.
TRANSITIONS: Mapping[tuple[Status, Action], Status] = MappingProxyType(
    {
        # receipt: no decision and no claim until accepted (受理); see approvals/completeness.py for the periods
        (S.RECEIVED, Action.ACCEPT): S.SUBMITTED,
        (S.RECEIVED, Action.DEEM_ACCEPT): S.SUBMITTED,
        (S.RECEIVED, Action.LIST_MISSING): S.INCOMPLETE,
        (S.INCOMPLETE, Action.SUPPLY): S.RECEIVED,
        (S.INCOMPLETE, Action.RETURN): S.RETURNED,
        (S.RECEIVED, Action.ADD_MATERIAL): S.RECEIVED,
        (S.RECEIVED, Action.WITHDRAW): S.WITHDRAWN,
        (S.INCOMPLETE, Action.WITHDRAW): S.WITHDRAWN,
        (S.SUBMITTED, Action.CLAIM): S.IN_REVIEW,
        (S.RESUBMITTED, Action.CLAIM): S.IN_REVIEW,
        (S.IN_REVIEW, Action.RELEASE): S.SUBMITTED,
        # approval is proposed first; the decision follows once the notice has run (approvals/notices.py)
        **{(s, Action.PROPOSE_APPROVAL): S.IN_NOTICE for s in (S.SUBMITTED, S.RESUBMITTED, S.IN_REVIEW)},
        (S.IN_NOTICE, Action.APPROVE): S.APPROVED,
        **{(s, Action.REJECT): S.REJECTED for s in (S.SUBMITTED, S.RESUBMITTED, S.IN_REVIEW, S.IN_NOTICE)},
        **{(s, Action.REQUEST_INFO): S.NEEDS_INFO for s in (S.SUBMITTED, S.RESUBMITTED, S.IN_REVIEW)},
        (S.NEEDS_INFO, Action.RESUBMIT): S.RESUBMITTED,
        **{
            (s, Action.WITHDRAW): S.WITHDRAWN
            for s in (S.SUBMITTED, S.RESUBMITTED, S.IN_REVIEW, S.NEEDS_INFO, S.IN_NOTICE)
        },
        (S.IN_REVIEW, Action.FORCE_RELEASE): S.SUBMITTED,
        (S.IN_REVIEW, Action.REASSIGN): S.IN_REVIEW,
        (S.IN_NOTICE, Action.REASSIGN): S.IN_NOTICE,  # whoever decides once the notice has run
        # a revoked decision puts the request back in the queue, its deadlines unchanged (it is likely at risk)
        (S.APPROVED, Action.REVOKE): S.SUBMITTED,
        (S.REJECTED, Action.REVOKE): S.SUBMITTED,
        (S.APPROVED, Action.CORRECT_NUMBER): S.APPROVED,
        # material added while the bureau has the request changes nothing but the file: same status, same
        # deadlines, same claim. While it waits for material (补正) the applicant resubmits instead.
        # the sign-off chain, where APPROVAL_CHAIN has more than one role: the reviewer's Approve or Reject is
        # a first signature (SIGN), each further role signs in turn, the last one's APPROVE or REJECT decides.
        # A signer may send it back to the reviewer (RETURN_SIGNATURE); the applicant may still withdraw. An
        # approval is signed from in notice only, once its notice has run (the service checks it as APPROVE).
        **{(s, Action.SIGN): S.SIGNING for s in (S.SUBMITTED, S.RESUBMITTED, S.IN_REVIEW, S.IN_NOTICE, S.SIGNING)},
        (S.SIGNING, Action.APPROVE): S.APPROVED,
        (S.SIGNING, Action.REJECT): S.REJECTED,
        (S.SIGNING, Action.RETURN_SIGNATURE): S.IN_REVIEW,
        # a proposal made in notice (its notice had run) goes back there: signed again at once, no second notice
        (S.SIGNING, Action.RETURN_TO_NOTICE): S.IN_NOTICE,
        (S.SIGNING, Action.WITHDRAW): S.WITHDRAWN,
        **{(s, Action.ADD_MATERIAL): s for s in (S.SUBMITTED, S.RESUBMITTED, S.IN_REVIEW, S.IN_NOTICE, S.EXCLUDED)},
        # excluded time (art. 45): the claim is given up while the clock stands still (as for 补正); the result,
        # or the stated end, puts the request back in the queue with its deadlines moved by the excluded days
        **{(s, Action.STOP_CLOCK): S.EXCLUDED for s in (S.SUBMITTED, S.RESUBMITTED, S.IN_REVIEW)},
        (S.EXCLUDED, Action.RESUME_CLOCK): S.SUBMITTED,
        # a hearing requested during the notice of the intended decision (art. 47) is excluded time (art. 45)
        (S.IN_NOTICE, Action.STOP_CLOCK): S.EXCLUDED,
        (S.EXCLUDED, Action.HEARING_HELD): S.IN_NOTICE,
        (S.EXCLUDED, Action.WITHDRAW): S.WITHDRAWN,
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
    approval_number: str | None = None,
    target_id: int | None = None,
    target_name: str = "",
) -> Step:
    """Check ``action`` is allowed from ``status``; return the new status and its audit event.

    ``approval_number`` is the number an approval or a correction sets; ``target_*`` the other reviewer the step
    is about (a reassignment's new holder, a forced release's old one)."""
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
        approval_number=approval_number,
        target_id=target_id,
        target_name=target_name,
    )
    return Step(to=target, event=event)


def holder_name(events: Iterable[AuditEvent]) -> str:
    """Who holds the request after ``events`` (oldest first): the last claimant, or whoever it was handed to (a
    returned proposal goes back to its reviewer)."""
    name = ""
    for event in events:
        if event.action in (Action.CLAIM, Action.PROPOSE_APPROVAL):
            name = event.actor_name
        elif event.action in (Action.REASSIGN, *RETURNS):
            name = event.target_name
    return name


def last_word(events: Sequence[AuditEvent]) -> AuditEvent | None:
    """The latest decision, request for material or revocation: whose name a card gives with the outcome."""
    return next((e for e in reversed(events) if e.action in LAST_WORD), None)
