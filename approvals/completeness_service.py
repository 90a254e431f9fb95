"""Use cases of receipt and the completeness check (approvals/completeness.py has the rules): accept (受理), the
one list of missing material, the applicant supplying it, and the steps the law takes when a period runs out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from approvals import completeness
from approvals import validation as v
from approvals.errors import AlreadyDecided, InvalidTransition, PeriodNotOver
from approvals.models import Actor, ApprovalRequest, Attachment, Status
from approvals.rules import authorise
from approvals.service_base import BOT, ServiceBase, ensure_reviewer
from approvals.states import Action

CHECK_BATCH = 10_000  # received requests looked at for the next to check: a district bureau has dozens


@dataclass
class CompletenessSteps(ServiceBase):
    """The use cases before acceptance; ApprovalService has them with the rest."""

    async def material_action(self, actor: Actor, request_id: int) -> Action:
        """What material sent for a request now is: the reply the bureau asked for (补正: resubmit, the clock
        runs again) while it waits for one, else an addition to a request still in progress. Raises as that
        action would (someone else's request, one already decided)."""
        request = await self._get(request_id)
        action = {Status.NEEDS_INFO: Action.RESUBMIT, Status.INCOMPLETE: Action.SUPPLY}.get(
            request.status, Action.ADD_MATERIAL
        )
        await self.check(actor, request_id, action)
        return action

    async def supply(
        self, actor: Actor, request_id: int, note: str, attachments: Sequence[Attachment] = ()
    ) -> ApprovalRequest:
        """The material a list asked for: the request is received again and checked again."""
        text = v.clean_text("reason", note) if note.strip() or not attachments else ""
        return await self._act(actor, request_id, Action.SUPPLY, reason=text or None, attachments=attachments)

    async def accept(self, actor: Actor, request_id: int) -> ApprovalRequest:
        """受理: the material is complete; the legal clock runs from today. After the check's period the law has
        already accepted it as of receipt: that is recorded instead (as the bot's step, deemed)."""
        request = await self._get(request_id)
        authorise(actor, request, Action.ACCEPT)
        if completeness.overdue_step(request, self.today(), self.calendar, self.policy) is Action.DEEM_ACCEPT:
            return await self._act(BOT, request_id, Action.DEEM_ACCEPT)
        return await self._act(actor, request_id, Action.ACCEPT)

    async def list_missing(self, actor: Actor, request_id: int, text: str) -> ApprovalRequest:
        """一次性告知补正: the one list of everything missing (composed from the checklist and free text)."""
        return await self._act(actor, request_id, Action.LIST_MISSING, reason=v.clean_text("reason", text))

    async def next_to_check(self, actor: Actor) -> ApprovalRequest | None:
        """The received request to check first (the earliest receipt: its period ends first), not ``actor``'s own.
        /next offers it before claiming anything: left unchecked, the law accepts it as it stands."""
        ensure_reviewer(actor, Action.ACCEPT.value)
        waiting = await self.requests.with_status((Status.RECEIVED,), limit=CHECK_BATCH)
        others = [r for r in waiting if r.applicant_id != actor.user_id]
        return min(others, key=lambda r: (r.received_on or r.accepted_on, r.id), default=None)

    async def take_overdue_step(self, request_id: int) -> ApprovalRequest | None:
        """The step a run-out period calls for (deemed acceptance, return), taken once: a request already moved
        on, by a reviewer, the applicant or another run, is left alone (None)."""
        request = await self._get(request_id)
        action = completeness.overdue_step(request, self.today(), self.calendar, self.policy)
        if action is None:
            return None
        try:
            return await self._act(BOT, request_id, action)
        except (AlreadyDecided, InvalidTransition, PeriodNotOver):  # moved on meanwhile
            return None
