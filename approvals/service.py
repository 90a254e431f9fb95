"""Use cases: what applicants and reviewers can do, with every rule checked here and nowhere else."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Any

from approvals import deadlines as dl
from approvals import search
from approvals import validation as v
from approvals.calendar import WorkCalendar
from approvals.errors import (
    AlreadyDecided,
    Forbidden,
    InvalidTransition,
    NotClaimant,
    NotFound,
    SameProjectOpen,
    SelfReview,
)
from approvals.lanes import assign_lane
from approvals.models import Actor, ApprovalRequest, Attachment, AuditEvent, RequestDraft, Status
from approvals.ports import ApprovalStore, Clock, KeyProjectStore
from approvals.states import APPLICANT_ACTIONS, DECISIONS, REVIEWER_ACTIONS, SELF_REVIEW, Action, Step, transition

CAS_ATTEMPTS = 3  # a lost compare-and-set is re-read and re-judged; a third loss means heavy contention


def ensure_reviewer(actor: Actor, what: str) -> None:
    """Queue, figures and exports are for the bureau's staff only."""
    if not actor.is_reviewer:
        raise Forbidden(what)


@dataclass(frozen=True)
class RequestView:
    request: ApprovalRequest
    history: list[AuditEvent]
    days_left: int | None  # working days to the promised deadline; None once decided
    statutory_days_left: int | None
    at_risk: bool
    estimated: bool  # a deadline falls in a year without a published holiday schedule


@dataclass(frozen=True)
class QueuePage:
    items: list[RequestView]
    page: int
    pages: int
    total: int
    own: frozenset[int] = frozenset()  # ids on this page the viewer submitted: listed, but a colleague reviews them


@dataclass
class ApprovalService:
    requests: ApprovalStore
    key_projects: KeyProjectStore
    calendar: WorkCalendar
    policy: dl.DeadlinePolicy
    clock: Clock
    tz: tzinfo

    def today(self) -> date:
        return self.clock.now().astimezone(self.tz).date()

    def risk_cutoff(self, today: date) -> date:
        return self.calendar.add_working_days(today, self.policy.risk_days)

    # --- applicants ---------------------------------------------------------------------------------------

    async def submit(
        self, actor: Actor, draft: RequestDraft, *, client_key: str | None = None, despite_open: bool = False
    ) -> ApprovalRequest:
        """Store a new request. One for a project the applicant already has undecided raises ``SameProjectOpen``
        unless they confirmed it (``despite_open``): usually they meant to add material to that one."""
        now = self.clock.now()
        accepted_on = dl.acceptance_day(self.calendar, self.policy, now.astimezone(self.tz), draft.document_type)
        codes = await self.key_projects.codes()
        lane = assign_lane(draft.category, draft.key_code, codes)
        if draft.key_code is not None and draft.key_code not in codes:
            raise v.InvalidField("key_code", "unknown_code", code=draft.key_code)
        if not despite_open:  # asked only about a draft that could be submitted
            mine = await self.requests.undecided_of(actor.user_id)
            same = search.open_duplicate(draft.project_name, mine, client_key=client_key)
            if same is not None:
                raise SameProjectOpen(same.id, same.status.value)
        dues = dl.compute_deadlines(
            self.calendar, self.policy, lane=lane, document_type=draft.document_type, accepted_on=accepted_on
        )
        request = ApprovalRequest(
            **draft.model_dump(),
            id=0,
            applicant_id=actor.user_id,
            lane=lane,
            submitted_at=now,
            updated_at=now,
            accepted_on=accepted_on,
            promised_due=dues.promised,
            statutory_due=dues.statutory,
            client_key=client_key,
        )
        event = AuditEvent(
            request_id=0,
            actor_id=actor.user_id,
            actor_name=actor.name,
            at=now,
            action=Action.SUBMIT.value,
            from_status=None,
            to_status=Status.SUBMITTED,
        )
        return await self.requests.add(request, event)

    async def resubmit(
        self, actor: Actor, request_id: int, note: str, attachments: Sequence[Attachment] = ()
    ) -> ApprovalRequest:
        text = v.clean_text("reason", note) if note.strip() or not attachments else ""
        return await self._act(actor, request_id, Action.RESUBMIT, reason=text or None, attachments=attachments)

    async def material_action(self, actor: Actor, request_id: int) -> Action:
        """What material sent for a request now is: the reply the bureau asked for (补正: resubmit, the clock
        runs again) while it waits for one, else an addition to a request still in progress. Raises as that
        action would (someone else's request, one already decided)."""
        request = await self._get(request_id)
        action = Action.RESUBMIT if request.status is Status.NEEDS_INFO else Action.ADD_MATERIAL
        await self.check(actor, request_id, action)
        return action

    async def add_material(
        self, actor: Actor, request_id: int, note: str, attachments: Sequence[Attachment] = ()
    ) -> ApprovalRequest:
        """A note or documents for a request in progress: audited and shown to reviewers, nothing else changes."""
        text = v.clean_text("reason", note) if note.strip() or not attachments else ""
        return await self._act(actor, request_id, Action.ADD_MATERIAL, reason=text or None, attachments=attachments)

    async def withdraw(self, actor: Actor, request_id: int) -> ApprovalRequest:
        return await self._act(actor, request_id, Action.WITHDRAW)

    async def my_requests(self, actor: Actor, *, limit: int = 50, offset: int = 0) -> list[RequestView]:
        found = await self.requests.by_applicant(actor.user_id, limit=limit, offset=offset)
        today = self.today()
        return [self._view(r, [], today) for r in found]

    async def view(self, actor: Actor, request_id: int) -> RequestView:
        request = await self._get(request_id)
        if request.applicant_id != actor.user_id and not actor.is_reviewer:
            raise NotFound(request_id)  # do not reveal that someone else's request exists
        return self._view(request, await self.requests.history(request_id), self.today())

    # --- reviewers ----------------------------------------------------------------------------------------

    async def claim(self, actor: Actor, request_id: int) -> ApprovalRequest:
        return await self._act(actor, request_id, Action.CLAIM)

    async def release(self, actor: Actor, request_id: int) -> ApprovalRequest:
        return await self._act(actor, request_id, Action.RELEASE)

    async def approve(self, actor: Actor, request_id: int, approval_number: str | None = None) -> ApprovalRequest:
        number = v.clean_text("approval_number", approval_number) if approval_number else None
        return await self._act(actor, request_id, Action.APPROVE, approval_number=number)

    async def reject(self, actor: Actor, request_id: int, reason: str) -> ApprovalRequest:
        return await self._act(actor, request_id, Action.REJECT, reason=v.clean_text("reason", reason))

    async def request_info(self, actor: Actor, request_id: int, reason: str) -> ApprovalRequest:
        return await self._act(actor, request_id, Action.REQUEST_INFO, reason=v.clean_text("reason", reason))

    async def check(self, actor: Actor, request_id: int, action: Action) -> ApprovalRequest:
        """Would ``action`` be allowed now? Raises as the action itself would; writes nothing.

        Lets a front end refuse at once, before asking a reviewer for a reason they could not use."""
        request = await self._get(request_id)
        try:
            self._authorise(actor, request, action)
            self._step(actor, request, action, "-" if action in (Action.REJECT, Action.REQUEST_INFO) else None)
        except (AlreadyDecided, NotClaimant) as exc:
            who = exc.by if isinstance(exc, AlreadyDecided) else exc.claimed_by
            exc.by_name = await self._name_of(request_id, who)
            raise
        return request

    async def claim_next(self, actor: Actor) -> ApprovalRequest | None:
        """Claim the top unclaimed request not submitted by ``actor``; if a colleague takes it first, try the next."""
        ensure_reviewer(actor, Action.CLAIM.value)
        for _ in range(CAS_ATTEMPTS * 3):
            cutoff = self.risk_cutoff(self.today())
            # never one's own request: the queue skips it rather than offering it only to refuse it
            top = await self.requests.queue(
                risk_cutoff=cutoff, limit=1, unclaimed_only=True, exclude_applicant=actor.user_id
            )
            if not top:
                return None
            try:
                return await self._act(actor, top[0].id, Action.CLAIM)
            except (AlreadyDecided, NotClaimant, InvalidTransition):
                continue
        return None

    async def queue_page(self, actor: Actor, *, page: int, size: int = 10) -> QueuePage:
        ensure_reviewer(actor, "queue")
        today = self.today()
        total = await self.requests.count_open()
        pages = max((total + size - 1) // size, 1)
        page = min(max(page, 0), pages - 1)
        found = await self.requests.queue(risk_cutoff=self.risk_cutoff(today), limit=size, offset=page * size)
        own = frozenset(r.id for r in found if r.applicant_id == actor.user_id)
        return QueuePage([self._view(r, [], today) for r in found], page, pages, total, own)

    async def find(self, actor: Actor, query: search.FindQuery, *, limit: int = search.FIND_LIMIT) -> search.FindResult:
        """Requests by number, status, or text in the project, organisation or applicant's name (reviewers only)."""
        ensure_reviewer(actor, "find")
        hit = await self.requests.get(query.number) if query.number is not None else None
        found, more = await self.requests.find(text=query.text, status=query.status, limit=limit)
        items, left_out = search.merge_found(hit, found, limit)
        return search.FindResult(query, items, more or left_out)

    # --- shared -------------------------------------------------------------------------------------------

    async def _get(self, request_id: int) -> ApprovalRequest:
        request = await self.requests.get(request_id)
        if request is None:
            raise NotFound(request_id)
        return request

    async def _act(
        self,
        actor: Actor,
        request_id: int,
        action: Action,
        *,
        reason: str | None = None,
        approval_number: str | None = None,
        attachments: Sequence[Attachment] = (),
    ) -> ApprovalRequest:
        for _ in range(CAS_ATTEMPTS):
            request = await self.check(actor, request_id, action)
            step = self._step(actor, request, action, reason)
            updated = request.model_copy(
                update={
                    "status": step.to,
                    "version": request.version + 1,
                    "updated_at": step.event.at,
                    **self._effects(actor, request, action, reason, approval_number, attachments),
                }
            )
            if await self.requests.apply(
                updated, expected_version=request.version, event=step.event, new_attachments=attachments
            ):
                return updated
        raise AlreadyDecided(request_id, (await self._get(request_id)).status.value, None)

    async def _name_of(self, request_id: int, user_id: int | None) -> str:
        """The name colleagues know ``user_id`` by, from the request's own audit log."""
        for event in reversed(await self.requests.history(request_id)):
            if user_id is None or event.actor_id == user_id:  # None: whoever acted last
                return event.actor_name
        return ""

    def _authorise(self, actor: Actor, request: ApprovalRequest, action: Action) -> None:
        if action in APPLICANT_ACTIONS and request.applicant_id != actor.user_id:
            raise NotFound(request.id)
        if action in REVIEWER_ACTIONS and not actor.is_reviewer:
            raise Forbidden(action.value)
        if action in SELF_REVIEW and request.applicant_id == actor.user_id:
            raise SelfReview(request.id)  # no one reviews their own request, admins included
        claimed = request.status is Status.IN_REVIEW and request.claimed_by not in (None, actor.user_id)
        if claimed and action in REVIEWER_ACTIONS and not (action is Action.RELEASE and actor.is_admin):
            raise NotClaimant(request.id, request.claimed_by or 0)

    def _step(self, actor: Actor, request: ApprovalRequest, action: Action, reason: str | None) -> Step:
        try:
            return transition(
                request_id=request.id,
                status=request.status,
                action=action,
                actor_id=actor.user_id,
                actor_name=actor.name,
                at=self.clock.now(),
                reason=reason,
            )
        except InvalidTransition:
            if request.is_final or (action in DECISIONS and request.status is Status.NEEDS_INFO):
                last = request.decided_by
                if last is None and request.status is Status.WITHDRAWN:
                    last = request.applicant_id
                raise AlreadyDecided(request.id, request.status.value, last) from None
            raise

    def _effects(
        self,
        actor: Actor,
        request: ApprovalRequest,
        action: Action,
        reason: str | None,
        approval_number: str | None,
        attachments: Sequence[Attachment],
    ) -> dict[str, Any]:
        """What each action changes besides the status."""
        now = self.clock.now()
        today = now.astimezone(self.tz).date()
        if action is Action.CLAIM:
            return {"claimed_by": actor.user_id}
        if action is Action.RELEASE:
            return {"claimed_by": None}
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
        if action is Action.REQUEST_INFO:
            return {"claimed_by": None, "last_reason": reason, "paused_since": today}
        if action is Action.RESUBMIT:
            paused = request.paused_working_days + dl.paused_days(self.calendar, request.paused_since or today, today)
            dues = dl.compute_deadlines(
                self.calendar,
                self.policy,
                lane=request.lane,
                document_type=request.document_type,
                accepted_on=request.accepted_on,
                paused_working_days=paused,
            )
            return {
                "paused_since": None,
                "paused_working_days": paused,
                "promised_due": dues.promised,
                "statutory_due": dues.statutory,
                "attachments": (*request.attachments, *attachments),
            }
        return {"claimed_by": None}  # withdraw

    def _view(self, request: ApprovalRequest, history: list[AuditEvent], today: date) -> RequestView:
        if request.is_final:
            return RequestView(request, history, None, None, False, False)
        as_of = request.paused_since or today  # the clock stands still during 补正
        return RequestView(
            request=request,
            history=history,
            days_left=dl.working_days_left(self.calendar, request.promised_due, as_of),
            statutory_days_left=dl.working_days_left(self.calendar, request.statutory_due, as_of),
            at_risk=request.is_open and dl.is_at_risk(self.calendar, self.policy, request.promised_due, today),
            estimated=self.calendar.is_estimated(request.statutory_due),
        )
