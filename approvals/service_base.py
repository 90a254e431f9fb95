"""What every use case shares: the ports and settings, today's date, the check of an action, and the step itself
(check, judge, effects, compare-and-set). The use cases are in approvals/service.py and, for receipt and the
completeness check, approvals/completeness_service.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Any

from approvals import completeness, documents, notices, sign_off
from approvals import deadlines as dl
from approvals import validation as v
from approvals.calendar import WorkCalendar
from approvals.clock_stops import ClockStop
from approvals.effects import effects
from approvals.errors import AlreadyDecided, Forbidden, InvalidTransition, NotClaimant, NotFound
from approvals.models import BOT_ACTOR_ID, Actor, ApprovalRequest, Attachment, AuditEvent
from approvals.numbering import NumberFormat
from approvals.ports import ApprovalStore, Clock, KeyProjectStore, NumberIssue
from approvals.progress import RequestView, request_view
from approvals.quota import QuotaMove
from approvals.rules import authorise, judge
from approvals.states import NEEDS_REASON, Action, holder_name

BOT = Actor(user_id=BOT_ACTOR_ID, roles=frozenset())  # takes the steps the law takes when a period ends
CAS_ATTEMPTS = 3  # a lost compare-and-set is re-read and re-judged; a third loss means heavy contention
# a use case's own check of the request as read for this attempt: raises, or returns more fields to set
Guard = Callable[[ApprovalRequest], Awaitable[dict[str, Any]]]


def ensure_reviewer(actor: Actor, what: str) -> None:
    """Queue, figures and exports are for the bureau's staff only."""
    if not actor.is_reviewer:
        raise Forbidden(what)


def ensure_admin(actor: Actor, what: str) -> None:
    if not actor.is_admin:
        raise Forbidden(what)


@dataclass
class ServiceBase:
    requests: ApprovalStore
    key_projects: KeyProjectStore
    calendar: WorkCalendar
    policy: dl.DeadlinePolicy
    clock: Clock
    tz: tzinfo
    approval_number_pattern: str = v.DEFAULT_APPROVAL_NUMBER_PATTERN  # '' accepts any number
    # the bureau issues approval numbers in this form (APPROVAL_NUMBER_FORMAT); None: reviewers type them
    numbering: NumberFormat | None = None

    @property
    def issues_numbers(self) -> bool:
        return self.numbering is not None

    def today(self) -> date:
        return self.clock.now().astimezone(self.tz).date()

    def risk_cutoff(self, today: date) -> date:
        return self.calendar.add_working_days(today, self.policy.risk_days)

    async def check(self, actor: Actor, request_id: int, action: Action) -> ApprovalRequest:
        """Would ``action`` be allowed now? Raises as the action itself would; writes nothing.

        Lets a front end refuse at once, before asking a reviewer for a reason they could not use."""
        request = await self._get(request_id)
        if action is Action.CORRECT_NUMBER and self.numbering is not None:
            authorise(actor, request, action)
            raise v.InvalidField("approval_number", "issued")  # an issued number is the register's: revoke instead
        try:
            authorise(actor, request, action)
            judge(actor, request, action, at=self.clock.now(), reason="-" if action in NEEDS_REASON else None)
            completeness.check_timing(request, action, self.today(), self.calendar, self.policy)
        except AlreadyDecided as exc:
            exc.by_name = await self._name_of(request_id, exc.by)
            raise
        except NotClaimant as exc:
            exc.by_name = holder_name(await self.requests.history(request_id))
            raise
        return request

    async def _hearings_held(self, actor: Actor, request_id: int, result: str | None) -> None:
        """After a hearing's stop of the clock ended (approvals/clock_service.py): the notice steps close the
        hearing requests it answered (approvals/notice_service.py)."""

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
        target: Actor | None = None,
        holder: int | None = None,
        clock: ClockStop | None = None,
        guard: Guard | None = None,
    ) -> ApprovalRequest:
        """Check, step and compare-and-set; ``holder``: only while that reviewer still holds the request;
        ``clock``: the clock stop the step opens or ends, stored in the same transaction; ``guard``: run on every
        attempt's fresh read (the sign-off chain's checks and fields)."""
        for _ in range(CAS_ATTEMPTS):
            request = await self.check(actor, request_id, action)
            if holder is not None and request.claimed_by != holder:
                raise InvalidTransition(request.status.value, action.value)
            guarded = await guard(request) if guard is not None else {}
            attachments = documents.new_only(request.attachments, attachments)  # a file sent again is kept once
            if action is Action.FORCE_RELEASE:  # the audit names whose claim was freed
                name = holder_name(await self.requests.history(request_id))
                target = Actor(user_id=request.claimed_by or 0, name=name)
            number = request.approval_number if action is Action.REVOKE else approval_number
            now = self.clock.now()
            step = judge(actor, request, action, at=now, reason=reason, approval_number=number, target=target)
            change = effects(
                action,
                request,
                actor=actor,
                target=target,
                reason=reason,
                approval_number=approval_number,
                attachments=attachments,
                now=now,
                today=now.astimezone(self.tz).date(),
                calendar=self.calendar,
                policy=self.policy,
                clock=clock,
            )
            change |= sign_off.fields(action, request, to=step.to, reason=reason) | guarded
            updated = request.model_copy(
                update={"status": step.to, "version": request.version + 1, "updated_at": step.event.at, **change}
            )
            today = now.astimezone(self.tz).date()
            issue = self._issue(action, today=today)
            opened = notices.to_open(
                action,
                updated,
                now=now,
                today=today,
                calendar=self.calendar,
                report_forms=self.policy.notice_report_forms,
            )
            quota = await self._quota_move(action, request, updated)
            stored = await self.requests.apply(
                updated,
                expected_version=request.version,
                event=step.event,
                new_attachments=attachments,
                issue=issue,
                notices=opened,
                clock=clock,
                quota=quota,
            )
            if stored is not None:
                return stored
        raise AlreadyDecided(request_id, (await self._get(request_id)).status.value, None)

    async def _quota_move(self, action: Action, before: ApprovalRequest, after: ApprovalRequest) -> QuotaMove | None:
        """The step's change to the request's pollutant quota (approvals/quota_service.py: QuotaSteps)."""
        return None

    def _issue(self, action: Action, *, today: date) -> NumberIssue | None:
        """The number an approval takes where the bureau issues them: the next of the decision's local year."""
        if action is not Action.APPROVE or self.numbering is None:
            return None
        return NumberIssue(year=today.year, render=self.numbering.render)

    async def _name_of(self, request_id: int, user_id: int | None) -> str:
        """The name colleagues know ``user_id`` by, from the request's own audit log."""
        for event in reversed(await self.requests.history(request_id)):
            if user_id is None or event.actor_id == user_id:  # None: whoever acted last
                return event.actor_name
        return ""

    def _view(self, request: ApprovalRequest, history: list[AuditEvent], today: date, holder: str = "") -> RequestView:
        return request_view(request, history, today, calendar=self.calendar, policy=self.policy, holder=holder)
