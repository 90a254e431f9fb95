"""Use cases: what applicants and reviewers can do, with every rule checked here and nowhere else."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from approvals import completeness, search
from approvals import deadlines as dl
from approvals import validation as v
from approvals.clock_service import SYSTEM, ClockSteps
from approvals.clock_stops import StopKind
from approvals.completeness_service import CompletenessSteps
from approvals.errors import (
    AlreadyDecided,
    InvalidTransition,
    NotAReviewer,
    NotClaimant,
    SameProjectOpen,
)
from approvals.lanes import assign_lane
from approvals.models import Actor, ApprovalRequest, Attachment, AuditEvent, RequestDraft, Status
from approvals.notice_service import NoticeSteps
from approvals.notices import HEARING_DAYS
from approvals.progress import QueuePage, RequestView
from approvals.public_comments import PublicComment
from approvals.quota_service import QuotaSteps
from approvals.rules import authorise, authorise_reading
from approvals.service_base import CAS_ATTEMPTS, ensure_admin, ensure_reviewer
from approvals.sign_off import Decision
from approvals.sign_off_service import SignOffSteps
from approvals.states import HOLDING, Action, holder_name

__all__ = ["ApprovalService", "QueuePage", "RequestView", "ensure_admin", "ensure_reviewer"]  # as before the split


@dataclass
class ApprovalService(QuotaSteps, NoticeSteps, CompletenessSteps, ClockSteps, SignOffSteps):
    """Every use case; receipt and the completeness check's are inherited (approvals/completeness_service.py), and
    so are excluded time's (approvals/clock_service.py), the sign-off chain's (approvals/sign_off_service.py) and
    the public notices' (approvals/notice_service.py), and the pollutant quota's check (approvals/quota_service.py)."""

    async def hearing_requested(self, request: ApprovalRequest, hearing: PublicComment) -> None:
        """A hearing the public asked for during the notice of the intended decision (art. 47): the clock stops for
        it (art. 45), the applicant told in writing; holding it within HEARING_DAYS is the bureau's to arrange."""
        try:
            await self.stop_clock(SYSTEM, request.id, StopKind.HEARING, HEARING_DAYS)
        except (AlreadyDecided, InvalidTransition):  # a second request for the same hearing: the clock stopped
            return

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
        status = completeness.first_status(draft.document_type)  # received (收件), or a filing accepted at once
        request = ApprovalRequest(
            **draft.model_dump(),
            id=0,
            applicant_id=actor.user_id,
            lane=lane,
            status=status,
            submitted_at=now,
            updated_at=now,
            accepted_on=accepted_on,
            received_on=accepted_on,
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
            to_status=status,
        )
        return await self.requests.add(request, event)

    async def resubmit(
        self, actor: Actor, request_id: int, note: str, attachments: Sequence[Attachment] = ()
    ) -> ApprovalRequest:
        text = v.clean_text("reason", note) if note.strip() or not attachments else ""
        return await self._act(actor, request_id, Action.RESUBMIT, reason=text or None, attachments=attachments)

    async def add_material(
        self, actor: Actor, request_id: int, note: str, attachments: Sequence[Attachment] = ()
    ) -> ApprovalRequest:
        """A note or documents for a request in progress: audited and shown to reviewers, nothing else changes."""
        text = v.clean_text("reason", note) if note.strip() or not attachments else ""
        return await self._act(actor, request_id, Action.ADD_MATERIAL, reason=text or None, attachments=attachments)

    async def withdraw(self, actor: Actor, request_id: int) -> ApprovalRequest:
        stop = await self._withdrawn_stop(await self._get(request_id))  # a stop open ends with the request
        return await self._act(actor, request_id, Action.WITHDRAW, clock=stop)

    async def my_requests(self, actor: Actor, *, limit: int = 50, offset: int = 0) -> list[RequestView]:
        found = await self.requests.by_applicant(actor.user_id, limit=limit, offset=offset)
        today = self.today()
        return [await self._with_stop(self._view(r, [], today)) for r in found]

    async def view(self, actor: Actor, request_id: int) -> RequestView:
        request = await self._get(request_id)
        authorise_reading(actor, request)  # someone else's request "does not exist"
        history = await self.requests.history(request_id)
        view = await self._with_stop(self._view(request, history, self.today()))
        if actor.is_reviewer and request.status is Status.SIGNING:  # the signatures are the bureau's business
            view = replace(view, sign_off=await self.sign_off_state(request, history))
        return view

    async def documents(self, actor: Actor, request_id: int) -> ApprovalRequest:
        """The request whose documents ``actor`` asks for: its applicant's, or any for reviewers."""
        request = await self._get(request_id)
        authorise_reading(actor, request)
        return request

    # --- reviewers ----------------------------------------------------------------------------------------

    async def claim(self, actor: Actor, request_id: int) -> ApprovalRequest:
        return await self._act(actor, request_id, Action.CLAIM)

    async def release(self, actor: Actor, request_id: int) -> ApprovalRequest:
        """The claimant hands the request back; an admin may free a colleague's claim (audited as forced)."""
        request = await self._get(request_id)
        if actor.is_admin and request.claimed_by not in (None, actor.user_id):
            return await self._act(actor, request_id, Action.FORCE_RELEASE)
        return await self._act(actor, request_id, Action.RELEASE)

    def clean_number(self, text: str) -> str:
        """An approval number in the form the bureau set (APPROVAL_NUMBER_PATTERN), or InvalidField."""
        return v.clean_approval_number(text, self.approval_number_pattern)

    async def approve(self, actor: Actor, request_id: int, approval_number: str | None = None) -> ApprovalRequest:
        """Approve; where the bureau issues numbers the next one is issued with the decision (none may be typed),
        else ``approval_number`` is the typed one, if any."""
        if self.numbering is not None and approval_number:
            raise v.InvalidField("approval_number", "issued")
        number = self.clean_number(approval_number) if approval_number else None
        if self.signs_off:  # a chain signs it: this is the first signature, the last one approves
            return await self.propose(actor, request_id, Decision.APPROVE, approval_number=number)
        return await self._act(actor, request_id, Action.APPROVE, approval_number=number)

    async def reject(self, actor: Actor, request_id: int, reason: str) -> ApprovalRequest:
        text = v.clean_text("reason", reason)
        if self.signs_off:
            return await self.propose(actor, request_id, Decision.REJECT, reason=text)
        return await self._act(actor, request_id, Action.REJECT, reason=text)

    async def request_info(self, actor: Actor, request_id: int, reason: str) -> ApprovalRequest:
        return await self._act(actor, request_id, Action.REQUEST_INFO, reason=v.clean_text("reason", reason))

    # --- admins -------------------------------------------------------------------------------------------

    async def reassign(self, actor: Actor, request_id: int, to: Actor, reason: str | None = None) -> ApprovalRequest:
        """Hand a claimed request to another reviewer (not its applicant). Handing it to its holder changes nothing."""
        request = await self._get(request_id)
        authorise(actor, request, Action.REASSIGN)
        if not to.is_reviewer or to.user_id == request.applicant_id:
            raise NotAReviewer(to.user_id)
        if request.status is Status.IN_REVIEW and request.claimed_by == to.user_id:
            return request  # a repeated press: already theirs
        text = v.clean_text("reason", reason) if reason and reason.strip() else None
        return await self._act(actor, request_id, Action.REASSIGN, reason=text, target=to)

    async def revoke(self, actor: Actor, request_id: int, reason: str) -> ApprovalRequest:
        """Annul an approval or a rejection: the request is back in the queue and the applicant is told why."""
        return await self._act(actor, request_id, Action.REVOKE, reason=v.clean_text("reason", reason))

    async def correct_number(self, actor: Actor, request_id: int, number: str, reason: str) -> ApprovalRequest:
        cleaned = self.clean_number(number)
        reason = v.clean_text("reason", reason)
        return await self._act(actor, request_id, Action.CORRECT_NUMBER, reason=reason, approval_number=cleaned)

    async def release_claims_of(self, actor: Actor, user_id: int, reason: str | None = None) -> list[ApprovalRequest]:
        """Free every claim ``user_id`` holds (they are no longer a reviewer), each a forced release, audited."""
        ensure_admin(actor, Action.FORCE_RELEASE.value)
        released = []
        for request in await self.requests.claimed_by(user_id):
            try:
                released.append(await self._act(actor, request.id, Action.FORCE_RELEASE, reason=reason, holder=user_id))
            except (AlreadyDecided, InvalidTransition):  # decided, released or handed on meanwhile: not theirs now
                continue
        return released

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
        claimed = [r.id for r in found if r.status is Status.IN_REVIEW]
        holding = await self.requests.last_events(claimed, HOLDING) if claimed else {}
        views = [
            self._view(r, [], today, holder=holder_name([holding[r.id]]) if r.id in holding else "") for r in found
        ]
        excluded, excluded_total = await self._excluded_views(today, size)
        return QueuePage(views, page, pages, total, own, excluded, excluded_total)

    async def find(self, actor: Actor, query: search.FindQuery, *, limit: int = search.FIND_LIMIT) -> search.FindResult:
        """Requests by number, status, or text in the project, organisation or applicant's name (reviewers only)."""
        ensure_reviewer(actor, "find")
        hit = await self.requests.get(query.number) if query.number is not None else None
        found, more = await self.requests.find(text=query.text, status=None, limit=limit)
        for status in query.statuses:
            in_status, cut = await self.requests.find(text="", status=status, limit=limit)
            found, more = [*found, *in_status], more or cut
        items, left_out = search.merge_found(hit, found, limit)
        return search.FindResult(query, items, more or left_out)
