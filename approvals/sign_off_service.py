"""Use cases of the sign-off chain (approvals/sign_off.py has the rules): propose a decision, sign it, return it,
and list what awaits one's signature. Every step is a compare-and-set of the request (approvals/service_base.py):
two signers pressing at once, or a return racing a signature, leave exactly one of them written; the other is
told the step was taken."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from approvals import sign_off as so
from approvals import validation as v
from approvals.errors import AlreadyDecided, DomainError, InvalidTransition
from approvals.models import Actor, ApprovalRequest, AuditEvent, Role, Status
from approvals.rules import authorise
from approvals.service_base import ServiceBase, ensure_reviewer
from approvals.states import Action

SIGNING_BATCH = 1_000  # requests awaiting a signature looked at for /sign: each is a decision in flight


@dataclass
class SignOffSteps(ServiceBase):
    """The chain's use cases; ApprovalService has them with the rest. ``chain``: APPROVAL_CHAIN's roles."""

    chain: tuple[Role, ...] = field(default=so.DEFAULT_CHAIN)

    @property
    def signs_off(self) -> bool:
        """Decisions are proposed and signed (APPROVAL_CHAIN longer than the reviewer alone)."""
        return so.is_long(self.chain)

    async def check(self, actor: Actor, request_id: int, action: Action) -> ApprovalRequest:
        """As the other checks, and: who signs a later step of the chain does not propose an approval either (they
        would hold it in notice and could not take the reviewer's step after it)."""
        if action is Action.PROPOSE_APPROVAL:
            so.check_proposer(actor, request_id, self.chain)
        return await super().check(actor, request_id, action)

    async def propose(
        self,
        actor: Actor,
        request_id: int,
        decision: so.Decision,
        *,
        reason: str | None = None,
        approval_number: str | None = None,
    ) -> ApprovalRequest:
        """The reviewer's Approve or Reject where a chain must sign: the first signature (SIGN), checked by every
        rule the decision itself would be (so no proposal goes where the decision could not)."""

        async def guard(request: ApprovalRequest) -> dict[str, Any]:
            so.check_proposer(actor, request.id, self.chain)
            if request.status is Status.SIGNING:  # a colleague proposed first
                state = await self.sign_off_state(request)
                signed = state.signatures[0].name if state and state.signatures else ""
                raise so.StepTaken(request.id, self.chain[0], signed)
            await self.check(actor, request.id, decision.action)  # whatever the decision itself must meet
            return so.proposal(actor, decision, reason=reason, approval_number=approval_number)

        return await self._act(
            actor, request_id, Action.SIGN, reason=reason, approval_number=approval_number, guard=guard
        )

    async def sign(self, actor: Actor, request_id: int, *, step: int | None = None) -> ApprovalRequest:
        """Sign the step a SIGNING request awaits: forward it, or at the last step issue the decision (APPROVE
        with its number, or REJECT with the proposal's reason). ``step``: the one the signer saw (a card's
        button); without it, the one read now. Either way a step signed meanwhile is refused, never signed twice."""
        request, state = await self._signing(actor, request_id)
        expected = state.step if step is None else step
        action = so.next_action(actor, request, state, expected_step=expected)

        async def guard(fresh: ApprovalRequest) -> dict[str, Any]:
            now = await self._state_of(fresh)
            if so.next_action(actor, fresh, now, expected_step=expected) is not action:
                raise so.StepTaken(fresh.id, now.awaited)
            return {}

        number = None if self.numbering is not None else request.approval_number  # issued in storage, or typed
        return await self._act(actor, request_id, action, reason=state.reason, approval_number=number, guard=guard)

    async def return_signature(
        self, actor: Actor, request_id: int, reason: str, *, step: int | None = None
    ) -> ApprovalRequest:
        """Send the proposal back to its reviewer, in their hands, with a reason: in review, or in notice when it
        was proposed there (its notice has run: no second one). Only a person who may sign the step awaited may
        return it."""
        text = v.clean_text("reason", reason)
        request, state = await self._signing(actor, request_id, Action.RETURN_SIGNATURE)
        expected = state.step if step is None else step
        so.check_return(actor, request, state, expected_step=expected)
        proposer = state.signatures[0] if state.signatures else None
        back_to = Actor(user_id=request.claimed_by or 0, name=proposer.name if proposer else "")
        action = so.return_action(await self.requests.history(request_id))

        async def guard(fresh: ApprovalRequest) -> dict[str, Any]:
            now = await self._state_of(fresh)
            so.check_return(actor, fresh, now, expected_step=expected)
            if so.return_action(await self.requests.history(request_id)) is not action:  # proposed anew meanwhile
                raise so.StepTaken(request_id, now.awaited)
            return {}

        return await self._act(actor, request_id, action, reason=text, target=back_to, guard=guard)

    async def check_signature(self, actor: Actor, request_id: int, action: Action, *, step: int | None) -> int:
        """Would ``actor`` be allowed to sign (SIGN) or return now? The step awaited; raises as the step would."""
        request, state = await self._signing(actor, request_id, action)
        so.next_action(actor, request, state, expected_step=state.step if step is None else step)
        return state.step

    async def awaiting_signature(self, actor: Actor) -> list[ApprovalRequest]:
        """The SIGNING requests ``actor`` may sign now (oldest first): their role's step, not their own request,
        not one they signed already in this round."""
        ensure_reviewer(actor, Action.SIGN.value)
        waiting = await self.requests.with_status((Status.SIGNING,), limit=SIGNING_BATCH)
        mine = []
        for request in waiting:
            if request.applicant_id == actor.user_id:
                continue
            if not so.may_fill(actor, self.chain[min(request.signing_step, len(self.chain) - 1)]):
                continue  # decided on the row alone: only the few in their role's step read their history
            state = await self._state_of(request)
            try:
                so.next_action(actor, request, state, expected_step=None)
            except DomainError:
                continue
            mine.append(request)
        return mine

    async def sign_off_state(
        self, request: ApprovalRequest, history: list[AuditEvent] | None = None
    ) -> so.SignOff | None:
        """Where the chain of a SIGNING request stands (None for any other)."""
        if request.status is not Status.SIGNING:
            return None
        found = history if history is not None else await self.requests.history(request.id)
        return so.sign_off(request, found, self.chain)

    async def _state_of(self, request: ApprovalRequest) -> so.SignOff:
        state = await self.sign_off_state(request)
        if state is None:
            raise InvalidTransition(request.status.value, Action.SIGN.value)
        return state

    async def _signing(
        self, actor: Actor, request_id: int, action: Action = Action.SIGN
    ) -> tuple[ApprovalRequest, so.SignOff]:
        """The request and its chain, for a signer: decided meanwhile reads as "already decided"."""
        request = await self._get(request_id)
        authorise(actor, request, action)
        if request.is_final:
            name = await self._name_of(request.id, request.decided_by)
            raise AlreadyDecided(request.id, request.status.value, request.decided_by, name, action=action.value)
        state = await self.sign_off_state(request)
        if state is None:  # returned meanwhile, or never proposed
            raise InvalidTransition(request.status.value, action.value)
        return request, state
