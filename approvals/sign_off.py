"""The sign-off chain (经办 → 审核 → 签发): who must sign a decision, in which order, and who may sign which step.

APPROVAL_CHAIN names the roles, e.g. ``reviewer,chief,director``. The reviewer's Approve or Reject is the first
signature (经办): the decision is *proposed* and the request waits in status SIGNING for the next role. Each later
role signs in turn; the last signature is the decision itself (the ordinary APPROVE or REJECT, which issues the
approval number). Any signer may return the proposal, with a reason, to the reviewer who made it. With the default
chain (``reviewer`` alone) nothing here applies: the reviewer decides at once.

Who may fill a step: the reviewer step (经办) any of the bureau's staff who may decide today; a later step only a
person given that role (``/reviewers add ID chief|director``). Admins are reviewers too, so they may propose, but
an admin signs as chief or director only if given that role: administering the bot is not signing authority.
Nobody fills two steps of one round (a person holding several roles signs once), and nobody signs a request
they submitted (approvals/rules.py's self-review rule covers SIGN and RETURN_SIGNATURE).

The signatures are the audit log's SIGN events of the current round (since the proposal); the request row keeps
only what the queries and the next step need: the decision proposed and the step awaited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from approvals.errors import DomainError
from approvals.models import Actor, ApprovalRequest, AuditEvent, Role, Status
from approvals.states import RETURNS, Action

CHAIN_ROLES = (Role.REVIEWER, Role.CHIEF, Role.DIRECTOR)  # the roles a chain may name, in the usual order
DEFAULT_CHAIN: tuple[Role, ...] = (Role.REVIEWER,)


class Decision(StrEnum):
    """What a proposal will decide once its last signature is given."""

    APPROVE = "approve"
    REJECT = "reject"

    @property
    def action(self) -> Action:
        return Action.APPROVE if self is Decision.APPROVE else Action.REJECT


class BadChain(ValueError):
    """APPROVAL_CHAIN cannot be a sign-off chain; the message says why."""


def parse_chain(text: str) -> tuple[Role, ...]:
    """The roles of APPROVAL_CHAIN (comma-separated), checked once at start."""
    names = [name.strip().lower() for name in text.split(",")]
    if names == [""]:
        raise BadChain("it is empty; the default is reviewer (the reviewer decides alone)")
    known = {role.value: role for role in CHAIN_ROLES}
    chain: list[Role] = []
    for name in names:
        if not name:
            raise BadChain("an entry is empty (two commas, or one at an end)")
        if name not in known:
            raise BadChain(f"unknown role {name!r}; use {', '.join(known)}")
        if known[name] in chain:
            raise BadChain(f"{name} appears twice: each role signs once")
        chain.append(known[name])
    if chain[0] is not Role.REVIEWER:
        raise BadChain("it must start with reviewer: the reviewer who handles a request proposes its decision")
    return tuple(chain)


class SignatureRefused(DomainError):
    """Base of the chain's refusals: ``request_id`` and ``role`` (the step's) for the message."""

    def __init__(self, message: str, request_id: int, role: Role, **params: Any) -> None:
        super().__init__(message, request_id=request_id, role=role.value, **params)
        self.request_id = request_id
        self.role = role


class NotSigner(SignatureRefused):
    """The actor does not hold the role whose signature the step awaits."""

    key = "error.not_signer"

    def __init__(self, request_id: int, role: Role) -> None:
        super().__init__(f"request {request_id} awaits a {role.value}'s signature", request_id, role)


class SignsLater(SignatureRefused):
    """The actor holds a later role of the chain: the reviewer's step (the proposal) is another person's. Proposing
    would leave them unable to sign their own step (nobody signs twice) and, with no colleague in that role, the
    proposal could never be signed nor returned."""

    key = "error.signs_later"

    def __init__(self, request_id: int, role: Role) -> None:
        super().__init__(f"request {request_id}: the actor signs later as {role.value}", request_id, role)


class AlreadySigned(SignatureRefused):
    """The actor signed an earlier step of this round (or proposed it): another person must sign this one."""

    key = "error.already_signed"

    def __init__(self, request_id: int, role: Role, signed_as: Role) -> None:
        super().__init__(f"already signed request {request_id} as {signed_as.value}", request_id, role)
        self.signed_as = signed_as


class StepTaken(SignatureRefused):
    """The step the button showed was signed, or the proposal returned, meanwhile (a race, or an old card)."""

    key = "error.step_taken"

    def __init__(self, request_id: int, role: Role, by_name: str = "") -> None:
        super().__init__(f"that step of request {request_id} is no longer awaited", request_id, role)
        self.by_name = by_name


@dataclass(frozen=True)
class Signature:
    role: Role
    actor_id: int
    name: str
    at: datetime


@dataclass(frozen=True)
class SignOff:
    """Where a SIGNING request's chain stands, for cards and the signer's checks."""

    chain: tuple[Role, ...]
    decision: Decision
    reason: str | None  # a rejection's reason, as proposed
    signatures: tuple[Signature, ...]

    @property
    def step(self) -> int:
        return len(self.signatures)

    @property
    def awaited(self) -> Role:
        return self.chain[min(self.step, len(self.chain) - 1)]

    @property
    def is_last(self) -> bool:
        """The signature awaited issues the decision (``>=``: a chain shortened meanwhile ends at its last role)."""
        return self.step >= len(self.chain) - 1


def is_long(chain: Sequence[Role]) -> bool:
    """More than the reviewer alone: decisions are proposed and signed."""
    return len(chain) > 1


def _proposed_at(history: Sequence[AuditEvent]) -> int | None:
    """Where the current round starts in ``history``: the last SIGN that entered SIGNING from elsewhere."""
    return max(
        (i for i, e in enumerate(history) if e.action == Action.SIGN and e.from_status is not Status.SIGNING),
        default=None,
    )


def round_signatures(history: Sequence[AuditEvent], chain: Sequence[Role]) -> tuple[Signature, ...]:
    """The signatures of the current round, oldest first: the SIGN events since the proposal (the last SIGN that
    entered SIGNING from elsewhere). A request not signing has none; each is named by its place in ``chain``."""
    if not history or history[-1].to_status is not Status.SIGNING:
        return ()
    start = _proposed_at(history)
    if start is None:
        return ()
    signed = [e for e in history[start:] if e.action == Action.SIGN]
    return tuple(Signature(chain[min(k, len(chain) - 1)], e.actor_id, e.actor_name, e.at) for k, e in enumerate(signed))


def sign_off(request: ApprovalRequest, history: Sequence[AuditEvent], chain: Sequence[Role]) -> SignOff | None:
    """The chain's state of a SIGNING request; None for any other."""
    if request.status is not Status.SIGNING or request.signing_decision is None:
        return None
    decision = Decision(request.signing_decision)
    reason = request.last_reason if decision is Decision.REJECT else None
    return SignOff(tuple(chain), decision, reason, round_signatures(history, chain))


def may_fill(actor: Actor, role: Role) -> bool:
    """Whether ``actor`` may sign as ``role``: the reviewer step any staff who may decide; later ones the role."""
    if role is Role.REVIEWER:
        return actor.is_reviewer
    return role in actor.roles


def check_proposer(actor: Actor, request_id: int, chain: Sequence[Role]) -> None:
    """Only someone who signs no later step proposes: a chief or director signs their own step, not the reviewer's."""
    later = next((role for role in chain[1:] if role in actor.roles), None)
    if later is not None:
        raise SignsLater(request_id, later)


def next_action(actor: Actor, request: ApprovalRequest, state: SignOff, *, expected_step: int | None) -> Action:
    """What ``actor``'s signature on a SIGNING request is — SIGN (forward) or, at the last step, the decision — or
    the refusal: the step moved on (``expected_step`` is what the presser saw), they signed already, wrong role."""
    role = state.awaited
    if expected_step is not None and expected_step != state.step:
        last = state.signatures[-1].name if state.signatures else ""
        raise StepTaken(request.id, role, last)
    earlier = next((s for s in state.signatures if s.actor_id == actor.user_id), None)
    if earlier is not None:
        raise AlreadySigned(request.id, role, earlier.role)
    if not may_fill(actor, role):
        raise NotSigner(request.id, role)
    return state.decision.action if state.is_last else Action.SIGN


def return_action(history: Sequence[AuditEvent]) -> Action:
    """Where a return sends the proposal: back where it was made. One made in notice (an approval is proposed
    there only once its notice has run) goes back in notice, to be signed again without a second notice; one
    made in review or from the queue goes back in review."""
    start = _proposed_at(history)
    made_in_notice = start is not None and history[start].from_status is Status.IN_NOTICE
    return Action.RETURN_TO_NOTICE if made_in_notice else Action.RETURN_SIGNATURE


def check_return(actor: Actor, request: ApprovalRequest, state: SignOff, *, expected_step: int | None) -> None:
    """Who may return a proposal: a person who may sign the step awaited now (not one who signed already)."""
    next_action(actor, request, state, expected_step=expected_step)


def proposal(actor: Actor, decision: Decision, *, reason: str | None, approval_number: str | None) -> dict[str, Any]:
    """What the reviewer's proposal (the first signature) keeps on the request, as a ``model_copy`` update: the
    decision, its reason or typed number for the last signer to issue, and its proposer (``claimed_by``): a
    returned proposal goes back to their hands."""
    return {
        "signing_decision": decision.value,
        "signing_step": 1,
        "claimed_by": actor.user_id,
        "last_reason": reason,
        "approval_number": approval_number,
    }


def fields(action: Action, request: ApprovalRequest, *, to: Status, reason: str | None) -> dict[str, Any]:
    """What a later step changes on the sign-off fields (after approvals/effects, which clears the claim): each
    signature moves the step on, a return puts the request back in its proposer's hands, and leaving SIGNING by
    any way (the decision, a withdrawal) clears them. The proposal's are ``proposal``'s."""
    if action is Action.SIGN and request.status is Status.SIGNING:
        return {"signing_step": request.signing_step + 1, "claimed_by": request.claimed_by}
    if action in RETURNS:  # the proposal's typed number is not kept: the reviewer proposes anew
        return {
            "signing_decision": None,
            "signing_step": 0,
            "claimed_by": request.claimed_by,
            "approval_number": None,
            "last_reason": reason,
        }
    if to is not Status.SIGNING and (request.signing_decision is not None or request.signing_step):
        return {"signing_decision": None, "signing_step": 0}
    return {}
