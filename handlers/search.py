"""/find TEXT for reviewers: requests by number, by status, or by project, organisation or applicant's name."""

from __future__ import annotations

from html import escape

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _

from approvals.models import Actor, Status
from approvals.search import FindResult, parse_find
from approvals.service import ensure_reviewer
from handlers import texts as t
from handlers.context import AppContext


def status_words(i18n: I18n) -> dict[str, Status]:
    """Every way a reviewer may name a status: its label in each language, and its code."""
    words = {status.value: status for status in Status}
    for locale in i18n.available_locales:
        with i18n.use_locale(locale):
            words.update({t.status(status): status for status in Status})
    return words


def found(result: FindResult, asked: str) -> list[str]:
    """``asked``: the query as typed (already checked for length)."""
    if not result.items:
        return [_("Nothing found for “{query}”.").format(query=escape(asked))]
    blocks = [
        ngettext("{n} request found for “{query}”:", "{n} requests found for “{query}”:", len(result.items)).format(
            n=len(result.items), query=escape(asked)
        )
    ]
    blocks += [
        f"<b>#{r.id}</b> {escape(r.project_name)} · {escape(r.organisation)} · {escape(r.contact_name)} · "
        f"{t.status(r.status)}"
        for r in result.items
    ]
    if result.more:
        blocks.append(_("More may match: add words to narrow the search."))
    return blocks


def build_router() -> Router:
    router = Router(name="search")

    @router.message(Command("find"))
    async def find(message: Message, command: CommandObject, actor: Actor, app: AppContext) -> None:
        ensure_reviewer(actor, "find")  # before reading the query: an applicant learns nothing from its errors
        query = parse_find(command.args or "", status_words(app.i18n))
        if query is None:
            await message.answer(_("Send what to look for, e.g. /find 12, /find 污水处理厂 or /find 待补正"))
            return
        result = await app.approvals.find(actor, query)
        for text in t.chunks(found(result, (command.args or "").strip())):
            await message.answer(text)

    return router
