"""Use cases of the public notices (approvals/notices.py has the rules): proposing approval, the final approval's
checks, what the public sends while a notice is open, hearing requests closed, and notices ended on schedule."""

from __future__ import annotations

from dataclasses import dataclass

from approvals import notices
from approvals import public_comments as pc
from approvals.errors import AlreadyDecided, NoOpenNotice, NotFound, ProposeFirst
from approvals.models import BOT_ACTOR_ID, Actor, ApprovalRequest, AuditEvent, Status
from approvals.notices import Notice, NoticeKind
from approvals.ports import NoticeStore
from approvals.rules import authorise
from approvals.service_base import ServiceBase, ensure_reviewer
from approvals.states import Action

PROPOSABLE = frozenset({Status.SUBMITTED, Status.RESUBMITTED, Status.IN_REVIEW})
NOTICE_BATCH = 500  # notices ended per run of the job: a district bureau ends a few a day


class NoticeActions:
    """Audit actions of the notices that change no status (recorded, not transitions)."""

    PUBLIC_COMMENT = "public_comment"
    HEARING_REQUEST = "hearing_request"
    CLOSE_HEARING = "close_hearing"
    NOTICE_ENDED = "notice_ended"  # the intended decision's notice has run: the holder may approve


@dataclass
class NoticeSteps(ServiceBase):
    """The notice use cases; ApprovalService has them with the rest. ``notices`` is required for approval."""

    notices: NoticeStore | None = None

    def _store(self) -> NoticeStore:
        if self.notices is None:
            raise RuntimeError("the service was built without a notice store")
        return self.notices

    async def check(self, actor: Actor, request_id: int, action: Action) -> ApprovalRequest:
        """As ``ServiceBase.check``; a proposal only once the acceptance notice has run, and a final approval only
        after its own notice has run with no hearing open."""
        if action is Action.APPROVE:
            request = await self._get(request_id)
            if request.status in PROPOSABLE:
                authorise(actor, request, action)
                raise ProposeFirst(request_id)
        request = await super().check(actor, request_id, action)
        if action is Action.PROPOSE_APPROVAL:
            acceptance = await self._store().latest(request_id, NoticeKind.ACCEPTANCE)
            notices.check_proposal(request_id, acceptance, self.today())
        if action is Action.APPROVE:
            store = self._store()
            notice = await store.latest(request_id, NoticeKind.INTENDED_DECISION)
            hearings = len(await store.open_hearings(request_id))
            notices.check_decision(request_id, notice, hearings, self.today())
        return request

    async def propose_approval(self, actor: Actor, request_id: int) -> ApprovalRequest:
        """拟批准: the notice of the intended decision opens for 5 working days; the proposer decides after it."""
        return await self._act(actor, request_id, Action.PROPOSE_APPROVAL)

    async def approval_step(self, request: ApprovalRequest) -> Action | None:
        """What the card's approval button does now: propose (before the notice), approve (once it has run), or
        nothing (while it runs)."""
        if request.status in PROPOSABLE:
            return Action.PROPOSE_APPROVAL
        if request.status is not Status.IN_NOTICE:
            return None
        notice = await self._store().latest(request.id, NoticeKind.INTENDED_DECISION)
        return Action.APPROVE if notice is not None and self.today() > notice.ends_on else None

    async def notices_of(self, actor: Actor, request_id: int) -> list[Notice]:
        ensure_reviewer(actor, "notices")
        return await self._store().of(request_id)

    async def public_inputs(self, actor: Actor, request_id: int) -> list[pc.PublicComment]:
        ensure_reviewer(actor, "notices")
        return await self._store().inputs(request_id)

    async def add_public_input(
        self, request_id: int, kind: pc.InputKind, *, name: str, contact: str, text: str
    ) -> pc.PublicComment:
        """A comment while a notice open to them runs, or a hearing request while the intended decision's does
        (art. 47): cleaned, stored with its audit event (the reviewers are told), kept with the request. A comment
        may be anonymous; a hearing request names who asks and how to reach them."""
        hearing = kind is pc.InputKind.HEARING
        name, contact = pc.clean_name(name, required=hearing), pc.clean_contact(contact, required=hearing)
        text = pc.clean_body(text)
        request = await self._get(request_id)
        store = self._store()
        today = self.today()
        wanted = [NoticeKind.INTENDED_DECISION] if kind is pc.InputKind.HEARING else sorted(notices.COMMENTABLE)
        found = [n for k in wanted if (n := await store.latest(request_id, k)) is not None and n.is_open(today)]
        if kind is pc.InputKind.HEARING and request.status is not Status.IN_NOTICE:
            found = []  # decided (a rejection) or withdrawn meanwhile: nothing left to hear
        if not found or request.is_final:
            raise NoOpenNotice(request_id, kind.value)
        now = self.clock.now()
        item = pc.PublicComment(
            request_id=request_id,
            notice_id=found[-1].id,
            kind=kind,
            at=now,
            name=name,
            contact=contact,
            text=text,
            state=pc.HearingState.OPEN if kind is pc.InputKind.HEARING else None,
        )
        action = NoticeActions.HEARING_REQUEST if kind is pc.InputKind.HEARING else NoticeActions.PUBLIC_COMMENT
        stored = await store.add_input(item, self._record(request, action, name=name, reason=text))
        if kind is pc.InputKind.HEARING:
            await self.hearing_requested(request, stored)
        return stored

    async def hearing_requested(self, request: ApprovalRequest, hearing: pc.PublicComment) -> None:
        """After a hearing request is stored: ApprovalService stops the clock for the hearing (excluded time,
        art. 45). The decision is refused while the request is open."""

    async def _hearings_held(self, actor: Actor, request_id: int, result: str | None) -> None:
        """The hearing's stop ended (its result recorded, or its stated time over): the hearing requests it answered
        are closed, so the decision is possible again. A transaction after the restart's: killed between the two,
        they stay open and a reviewer closes them with /hearing N H."""
        request = await self._get(request_id)
        store = self._store()
        for hearing in await store.open_hearings(request_id):
            name = actor.name if actor.user_id != BOT_ACTOR_ID else ""
            event = self._record(request, NoticeActions.CLOSE_HEARING, name=name, reason=result, actor=actor.user_id)
            await store.close_hearing(hearing.id, by=actor.user_id, outcome=result or "", event=event)

    async def close_hearing(self, actor: Actor, request_id: int, hearing_id: int, outcome: str) -> bool:
        """The holder (or any reviewer, when no one holds it) records a hearing request closed: held, or
        withdrawn. The decision is possible again once none is open. False: it was not open."""
        request = await self._get(request_id)
        authorise(actor, request, Action.REJECT)  # a reviewer, the holder if held, not the applicant
        if request.is_final:  # withdrawn or decided: nothing is left for the hearing to decide on
            raise AlreadyDecided(request.id, request.status.value, None)
        text = pc.clean_body(outcome)
        event = self._record(request, NoticeActions.CLOSE_HEARING, name=actor.name, reason=text, actor=actor.user_id)
        return await self._store().close_hearing(hearing_id, by=actor.user_id, outcome=text, event=event)

    async def end_notices(self) -> list[Notice]:
        """Record the end of every notice whose last day has passed, once; an intended decision's tells the
        holder it may now be approved (its audit event). Returns the notices ended by this run."""
        store = self._store()
        ended = []
        for notice in await store.ended_before(self.today(), limit=NOTICE_BATCH):
            event = None
            if notice.kind is NoticeKind.INTENDED_DECISION:
                request = await self.requests.get(notice.request_id)
                if request is None:
                    raise NotFound(notice.request_id)
                if request.status is Status.IN_NOTICE:  # rejected or withdrawn meanwhile: no one to tell
                    event = self._record(request, NoticeActions.NOTICE_ENDED, name="", reason=None)
            if await store.close(notice.id, self.clock.now(), event):
                ended.append(notice)
        return ended

    def _record(
        self, request: ApprovalRequest, action: str, *, name: str, reason: str | None, actor: int = BOT_ACTOR_ID
    ) -> AuditEvent:
        """An audit event that changes no status (the public's input, a notice's end, a hearing closed)."""
        return AuditEvent(
            request_id=request.id,
            actor_id=actor,
            actor_name=name,
            at=self.clock.now(),
            action=action,
            from_status=request.status,
            to_status=request.status,
            reason=reason,
        )
