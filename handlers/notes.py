"""Internal notes: /note N text adds one (anywhere a reviewer is), /notes N reads them (in a private chat only)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from approvals import validation as v
from approvals.models import Actor
from approvals.service import ensure_reviewer
from handlers import args, views
from handlers import texts as t
from handlers.context import AppContext


def build_router() -> Router:
    router = Router(name="notes")

    @router.message(Command("note"))
    async def note(message: Message, command: CommandObject, actor: Actor, app: AppContext) -> None:
        ensure_reviewer(actor, "add_note")
        first, text = args.first_and_rest(command)
        number = args.request_number(first)
        if number is None or not text:
            await message.answer(_("Send /note N and the note, e.g. /note 12 Called the applicant about the map."))
            return
        try:
            count = await app.notes.add(actor, number, text)
        except v.InvalidField as exc:
            await message.answer(t.field_problem(exc))
            return
        added = ngettext(
            "Note added to #{id}; it has {n} internal note.", "Note added to #{id}; it has {n} internal notes.", count
        )
        await message.answer(added.format(id=number, n=count))

    @router.message(Command("notes"))
    async def notes(message: Message, command: CommandObject, actor: Actor, app: AppContext) -> None:
        ensure_reviewer(actor, "read_notes")
        number = args.request_number(args.first_and_rest(command)[0])
        if number is None:
            await message.answer(_("Send the request number, e.g. /notes 12"))
            return
        if message.chat.type != "private":  # read where only the reviewer sees them
            await message.answer(
                _("Internal notes are read in a private chat with the bot: send /notes {id} there.").format(id=number)
            )
            return
        found = await app.notes.read(actor, number)
        for text in t.chunks(views.notes(number, found, app.tz)):
            await message.answer(text)

    return router
