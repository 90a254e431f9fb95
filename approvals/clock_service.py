"""Use cases of excluded time (art. 45; approvals/clock_stops.py has the rules): a reviewer stops the clock for a
technical assessment, expert review or hearing, and records its result; the bot restarts it at the stated end."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from approvals import clock_stops as cs
from approvals import validation as v
from approvals.errors import AlreadyDecided, InvalidTransition
from approvals.models import BOT_ACTOR_ID, Actor, ApprovalRequest, Role, Status
from approvals.progress import RequestView
from approvals.service_base import ServiceBase, ensure_reviewer
from approvals.states import Action

# The bureau's own steps on excluded time: the end of a stop at its stated end, and a hearing the public asked
# for during a notice. A reviewer's rights, no person's name; never the applicant of any request.
SYSTEM = Actor(user_id=BOT_ACTOR_ID, roles=frozenset({Role.REVIEWER}))
OPEN_STOPS = 10_000  # requests in excluded time at once: a district bureau has a handful


@dataclass
class ClockSteps(ServiceBase):
    """The use cases of excluded time; ApprovalService has them with the rest."""

    async def stop_clock(self, actor: Actor, request_id: int, kind: cs.StopKind, days: int | str) -> ApprovalRequest:
        """Stop the clock for ``days`` working days (MIN_DAYS..MAX_DAYS) of ``kind``; audited as STOP_CLOCK with
        the kind and days, the applicant told. ``SYSTEM`` may take it (a hearing the public requested)."""
        length = cs.clean_days(days)
        now = self.clock.now()
        stop = cs.start(request_id, kind, length, today=self.today(), now=now, calendar=self.calendar)
        return await self._act(actor, request_id, Action.STOP_CLOCK, reason=cs.audit_reason(kind, length), clock=stop)

    async def resume_clock(self, actor: Actor, request_id: int, result: str) -> ApprovalRequest:
        """Record the assessment's, review's or hearing's result: the clock runs again, both deadlines moved by
        the working days excluded. The result is required (the applicant is told it)."""
        text = v.clean_text("reason", result)
        return await self._resume(actor, request_id, text)

    async def end_stated_stop(self, request_id: int) -> ApprovalRequest | None:
        """The stated end came with no result recorded: the clock runs again (the bot's step, audited). None when
        the stop ended meanwhile, or its end has not come."""
        stop = await self.requests.open_clock_stop(request_id)
        if stop is None or not cs.is_due_to_end(stop, self.today()):
            return None
        try:
            return await self._resume(SYSTEM, request_id, None)
        except (AlreadyDecided, InvalidTransition):  # resumed or withdrawn meanwhile
            return None

    async def open_clock_stop(self, actor: Actor, request_id: int) -> cs.ClockStop | None:
        ensure_reviewer(actor, Action.RESUME_CLOCK.value)
        return await self.requests.open_clock_stop(request_id)

    async def clock_stops_open(self) -> list[cs.ClockStop]:
        """Every stop still open (the job's and the queue's list), the earliest stated end first."""
        return await self.requests.open_clock_stops(limit=OPEN_STOPS)

    async def _with_stop(self, view: RequestView) -> RequestView:
        """``view`` with its open clock stop, for a request in excluded time (the card, /status say what and until
        when)."""
        if view.request.status is not Status.EXCLUDED:
            return view
        return replace(view, clock_stop=await self.requests.open_clock_stop(view.request.id))

    async def _excluded_views(self, today: date, limit: int) -> tuple[list[RequestView], int]:
        """The requests in excluded time, the earliest stated end first (up to ``limit``), and how many there are."""
        stops = await self.requests.open_clock_stops(limit=OPEN_STOPS)
        views = []
        for stop in stops[:limit]:
            request = await self.requests.get(stop.request_id)
            if request is not None:
                views.append(replace(self._view(request, [], today), clock_stop=stop))
        return views, len(stops)

    async def _resume(self, actor: Actor, request_id: int, result: str | None) -> ApprovalRequest:
        action = await self._resuming(request_id)
        await self.check(actor, request_id, action)  # refused as the step would be, before reading
        stop = await self.requests.open_clock_stop(request_id)
        if stop is None:  # excluded without a stop on record: cannot happen but through a bad restore
            raise InvalidTransition(Status.EXCLUDED.value, action.value)
        ended = cs.end(
            stop, today=self.today(), now=self.clock.now(), by=actor.user_id, result=result, calendar=self.calendar
        )
        request = await self._act(actor, request_id, action, reason=result, clock=ended)
        if action is Action.HEARING_HELD:
            await self._hearings_held(actor, request_id, result)
        return request

    async def _resuming(self, request_id: int) -> Action:
        """How the clock restarts: back in the notice of the intended decision for a hearing stopped from it (the
        decision then needs no new notice), else back in the queue."""
        history = await self.requests.history(request_id)
        stopped = next((e for e in reversed(history) if e.action == Action.STOP_CLOCK), None)
        in_notice = stopped is not None and stopped.from_status is Status.IN_NOTICE
        return Action.HEARING_HELD if in_notice else Action.RESUME_CLOCK

    async def _withdrawn_stop(self, request: ApprovalRequest) -> cs.ClockStop | None:
        """A request withdrawn in excluded time: its stop ends with it (no days are added: it is decided on)."""
        if request.status is not Status.EXCLUDED:
            return None
        stop = await self.requests.open_clock_stop(request.id)
        if stop is None:
            return None
        return cs.end(
            stop, today=self.today(), now=self.clock.now(), by=request.applicant_id, result=None, calendar=self.calendar
        )
