"""The key-project service (专人帮包): liaisons, pre-application consultations, the no-EIA mark, each project's
stage, the weekly bulletin and the ledger (台账). Use cases over a storage port; who may do what is decided here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from approvals.bulletin import Bulletin, KeyStep, Thresholds, build_bulletin
from approvals.errors import DomainError, Forbidden
from approvals.key_stages import Consultation, KeyRequestFacts, ProjectStage, stage_of
from approvals.ledger import KeyProject
from approvals.models import Actor, Role
from approvals.ports import KeyProjectStore, PeopleStore
from approvals.service import ApprovalService

MAX_NOTE = 500  # characters of a consultation's note
MAX_PAST_DAYS = 3660  # a consultation dated more than ten years back is a typing slip


class KeyServiceProblem(DomainError):
    """Input the key-project service refuses: ``problem`` names which (the front end words it)."""

    key = "error.key_service"

    def __init__(self, problem: str) -> None:
        super().__init__(problem, problem=problem)
        self.problem = problem


class KeyServiceStore(Protocol):
    async def liaisons(self) -> dict[str, int]:
        """Project code -> the liaison's user id."""
        ...

    async def liaison(self, code: str) -> int | None:
        """One project's liaison (read for every card of a key project's request)."""
        ...

    async def assign(
        self, code: str, user_id: int | None, *, by: int, at: datetime, notices: Sequence[Any] = ()
    ) -> bool:
        """Make ``user_id`` the liaison of ``code`` (None: nobody) and queue ``notices`` (the front end's messages
        telling the people concerned) in the same write; False, nothing queued, when it already was so."""
        ...

    async def add_consultation(self, item: Consultation, *, at: datetime) -> int: ...

    async def consultations(self, codes: Sequence[str] | None = None) -> dict[str, list[Consultation]]:
        """Oldest first, per code (all codes when ``codes`` is None)."""
        ...

    async def no_eia(self) -> dict[str, date]:
        """Codes marked as needing no EIA, with the day of the mark."""
        ...

    async def mark_no_eia(self, code: str, on: date | None, *, by: int, at: datetime) -> bool:
        """Set (a day) or clear (None) the mark; False when nothing changed."""
        ...

    async def request_facts(self) -> list[KeyRequestFacts]:
        """Every request that names a key project (current or archived)."""
        ...

    async def steps_since(self, day: date) -> list[KeyStep]:
        """Audit steps of requests naming a key project, from local day ``day`` on."""
        ...


@dataclass(frozen=True)
class ProjectView:
    project: KeyProject
    stage: ProjectStage
    liaison: int | None
    consultations: list[Consultation]
    no_eia: bool


@dataclass
class KeyService:
    store: KeyServiceStore
    key_projects: KeyProjectStore
    people: PeopleStore
    approvals: ApprovalService
    admin_ids: frozenset[int]
    thresholds: Thresholds

    # --- who may act ---------------------------------------------------------------------------------------

    async def _project(self, code: str) -> KeyProject:
        project = await self.key_projects.get(code)
        if project is None:
            raise KeyServiceProblem("unknown_key_code")
        return project

    async def is_staff(self, user_id: int) -> bool:
        if user_id in self.admin_ids:
            return True
        person = await self.people.get(user_id)
        return person is not None and Role.REVIEWER in person.roles

    async def may_serve(self, actor: Actor, code: str) -> bool:
        """The project's liaison or an admin records consultations and marks it as needing no EIA."""
        return actor.is_admin or (actor.is_reviewer and await self.store.liaison(code) == actor.user_id)

    # --- changes -------------------------------------------------------------------------------------------

    async def assign(self, actor: Actor, code: str, user_id: int | None, notices: Sequence[Any] = ()) -> bool:
        if not actor.is_admin:
            raise Forbidden("assign_liaison")
        await self._project(code)
        if user_id is not None and not await self.is_staff(user_id):
            raise KeyServiceProblem("not_a_reviewer")
        return await self.store.assign(code, user_id, by=actor.user_id, at=self.approvals.clock.now(), notices=notices)

    async def record_consultation(self, actor: Actor, code: str, held_on: date, note: str) -> Consultation:
        await self._project(code)
        if not await self.may_serve(actor, code):
            raise Forbidden("record_consultation")
        today = self.approvals.today()
        if held_on > today or (today - held_on).days > MAX_PAST_DAYS:
            raise KeyServiceProblem("bad_consultation_day")
        text = " ".join(note.split())
        if not text or len(text) > MAX_NOTE:
            raise KeyServiceProblem("bad_consultation_note")
        item = Consultation(code=code, held_on=held_on, note=text, by=actor.user_id)
        await self.store.add_consultation(item, at=self.approvals.clock.now())
        return item

    async def set_no_eia(self, actor: Actor, code: str, needed: bool) -> bool:
        await self._project(code)
        if not await self.may_serve(actor, code):
            raise Forbidden("mark_no_eia")
        on = None if needed else self.approvals.today()
        return await self.store.mark_no_eia(code, on, by=actor.user_id, at=self.approvals.clock.now())

    # --- reading -------------------------------------------------------------------------------------------

    async def stages(self, projects: Sequence[KeyProject]) -> dict[str, ProjectStage]:
        facts = await self.store.request_facts()
        talks = await self.store.consultations()
        marks = await self.store.no_eia()
        return self._stages(projects, facts, talks, marks)

    def _stages(
        self,
        projects: Sequence[KeyProject],
        facts: Sequence[KeyRequestFacts],
        talks: dict[str, list[Consultation]],
        marks: dict[str, date],
    ) -> dict[str, ProjectStage]:
        by_code: dict[str, list[KeyRequestFacts]] = {}
        for item in facts:
            by_code.setdefault(item.code, []).append(item)
        calendar, policy, today = self.approvals.calendar, self.approvals.policy, self.approvals.today()
        return {
            p.code: stage_of(
                by_code.get(p.code, []),
                talks.get(p.code, []),
                no_eia_since=marks.get(p.code),
                today=today,
                calendar=calendar,
                risk_days=policy.risk_days,
            )
            for p in projects
        }

    async def view(self, code: str) -> ProjectView:
        project = await self._project(code)
        stage = (await self.stages([project]))[code]
        talks = (await self.store.consultations([code])).get(code, [])
        marks = await self.store.no_eia()
        return ProjectView(project, stage, await self.store.liaison(code), talks, code in marks)

    async def liaison_projects(self, user_id: int) -> list[tuple[KeyProject, ProjectStage]]:
        """The current projects ``user_id`` is liaison of, in list order, with their stages."""
        mine = {code for code, who in (await self.store.liaisons()).items() if who == user_id}
        projects = [p for p in await self.key_projects.all() if p.code in mine]
        stages = await self.stages(projects)
        return [(p, stages[p.code]) for p in projects]

    async def liaison_of(self, code: str | None) -> int | None:
        return await self.store.liaison(code) if code else None

    async def bulletin(self) -> Bulletin:
        projects = await self.key_projects.all()
        talks = await self.store.consultations()
        stages = self._stages(projects, await self.store.request_facts(), talks, await self.store.no_eia())
        today = self.approvals.today()
        steps = await self.store.steps_since(date.fromordinal(today.toordinal() - 7))
        return build_bulletin(
            projects,
            stages,
            talks,
            await self.store.liaisons(),
            steps,
            today=today,
            calendar=self.approvals.calendar,
            thresholds=self.thresholds,
        )

    async def ledger(self) -> list[tuple[KeyProject, ProjectStage, KeyRequestFacts | None, int | None]]:
        """The 台账: every current project, its stage, the request its stage comes from (none for a project back
        to not applied or preparing, so an ended request's dates never read as open), its liaison."""
        projects = await self.key_projects.all()
        stages = await self.stages(projects)
        liaisons = await self.store.liaisons()
        return [(p, stages[p.code], stages[p.code].request, liaisons.get(p.code)) for p in projects]
