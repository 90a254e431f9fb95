"""What handlers are given: the use cases, the repositories for reads, and the bureau's settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from aiogram.utils.i18n import I18n

from approvals.admin import AdminService
from approvals.checklists import Checklists
from approvals.key_service import KeyService
from approvals.leadership import LeadershipFigures, leadership_figures
from approvals.notes import NotesService
from approvals.quota_service import QuotaService
from approvals.service import ApprovalService
from approvals.summary import SummaryFigures, summary_figures
from storage.repositories import Repositories


@dataclass(frozen=True)
class AppContext:
    approvals: ApprovalService
    admin: AdminService
    repos: Repositories
    i18n: I18n
    tz: tzinfo
    reviewer_chat_id: int | None = None
    group_locale: str = "zh_CN"  # the reviewers' group: one language for everyone in it (GROUP_LOCALE)
    key_service: KeyService | None = None  # liaisons, stages, the bulletin (handlers/key_service.py)
    quota: QuotaService | None = None  # pollutant quotas (assembly.py builds it with the sheet reader)

    @property
    def quotas(self) -> QuotaService:
        """The quota use cases; without assembly.py's (tests), the same over these repositories, importing nothing."""
        if self.quota is not None:
            return self.quota
        return QuotaService(self.repos.quota, self.approvals.clock, self.tz, self.approvals.quota_settings)

    @property
    def checklists(self) -> Checklists:
        return Checklists(self.repos.checklists)

    @property
    def notes(self) -> NotesService:
        return NotesService(self.approvals.requests, self.repos.notes, self.approvals.clock)

    async def figures(self) -> SummaryFigures:
        """The summary, read through the read-only connection so it never stalls a decision."""
        return await summary_figures(
            source=self.repos.summary,
            requests=self.repos.requests,
            key_projects=self.repos.key_projects,
            calendar=self.approvals.calendar,
            policy=self.approvals.policy,
            today=self.approvals.today(),
        )

    async def leadership(self) -> LeadershipFigures:
        """Time to decision, this year's approvals and reductions: on the read-only connection too."""
        return await leadership_figures(
            self.repos.leadership, self.repos.quota, self.approvals.calendar, self.approvals.today()
        )

    async def reviewer_chat(self) -> int | None:
        """The reviewers' group as it is now called (a group that became a supergroup has a new id)."""
        if self.reviewer_chat_id is None:
            return None
        return await self.repos.chats.current(self.reviewer_chat_id)

    async def locale_for_chat(self, chat_id: int) -> str:
        """A private chat: the person's chosen language, else their Telegram app's (remembered by
        handlers/middlewares.py), else the bureau's default. A group: GROUP_LOCALE."""
        if chat_id < 0:
            return self.group_locale
        known = await self.admin.locale(chat_id)
        return known if known in self.i18n.available_locales else self.i18n.default_locale
