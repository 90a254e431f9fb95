"""Role filters for routing. The use cases check roles again: a filter decides where a message goes,
the domain decides what is allowed."""

from __future__ import annotations

from aiogram.filters import Filter
from aiogram.types import TelegramObject

from approvals.models import Actor


class IsReviewer(Filter):
    async def __call__(self, event: TelegramObject, actor: Actor) -> bool:
        return actor.is_reviewer


class IsAdmin(Filter):
    async def __call__(self, event: TelegramObject, actor: Actor) -> bool:
        return actor.is_admin
