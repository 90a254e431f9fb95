"""/quota: the district's pollutant quotas for reviewers; setting openings, importing them, declaring and
confirming reduction projects, and the ledger's export. Refusals (rights, bad amounts) reach handlers/errors.py."""

from __future__ import annotations

import asyncio

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.types import BufferedInputFile, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from approvals import quota as q
from approvals import validation as v
from approvals.models import Actor
from approvals.quota_service import MAX_SHEET_BYTES
from handlers import quota_texts
from handlers import texts as t
from handlers.context import AppContext
from handlers.downloads import FileTooLarge, download_at_most
from handlers.filters import IsAdmin, in_private_chat
from handlers.quota_export import ledger_workbook

MAX_ARGS = 1000  # characters of a /quota command read at most


def usage() -> str:
    return "\n".join(
        [
            _("/quota — the balance, what requests hold and wait for, reduction projects"),
            _("/quota set COD 12.35 reason — set a pollutant's opening amount (admins)"),
            _("Send an .xlsx with the caption /quota — set opening amounts from a sheet: pollutant, tonnes (admins)"),
            _("/quota reduction name | organisation | COD 120, NH3-N 15 — declare a reduction project"),
            _("/quota confirm N — the reduction project's works accepted: credit the balance (admins)"),
            _("/quota export — the ledger as XLSX"),
        ]
    )


def is_quota_sheet(message: Message) -> bool:
    """A document whose caption is /quota (with a reason, perhaps): the opening amounts, not a key-project list."""
    return (message.caption or "").strip().lower().startswith("/quota")


def build_router() -> Router:
    router = Router(name="quota")

    # first: aiogram reads a caption as a command too, and this /quota is a sheet
    @router.message(in_private_chat, StateFilter(None), F.document, is_quota_sheet, IsAdmin())
    async def import_sheet(message: Message, actor: Actor, app: AppContext, bot: Bot) -> None:
        document = message.document
        assert document is not None
        name = document.file_name or ""
        reason = (message.caption or "").strip()[len("/quota") :].strip()
        try:
            app.quotas.check_sheet(name, document.file_size or 0)  # what it claims, before fetching a byte
            try:
                data = await download_at_most(bot, document.file_id, declared=document.file_size, limit=MAX_SHEET_BYTES)
            except FileTooLarge:
                raise v.InvalidField("sheet", "sheet_too_big", max_kb=MAX_SHEET_BYTES // 1024) from None
            balances = await app.quotas.import_openings(actor, name, data, reason)
        except v.InvalidField as exc:
            await message.answer(_("Nothing was imported.") + "\n" + quota_texts.problem(exc))
            return
        lines = [
            ngettext(
                "Opening amount set for {n} pollutant:", "Opening amounts set for {n} pollutants:", len(balances)
            ).format(n=len(balances))
        ]
        lines += [opening_line(b) for b in balances]
        await message.answer("\n".join(lines))

    @router.message(Command("quota"))
    async def quota(message: Message, command: CommandObject, actor: Actor, app: AppContext) -> None:
        args = (command.args or "")[:MAX_ARGS].strip()
        verb, _sep, rest = args.partition(" ")
        verb = verb.lower()
        if verb == "set":
            await set_opening(message, actor, app, rest)
        elif verb == "reduction":
            await declare(message, actor, app, rest)
        elif verb == "confirm":
            await confirm(message, actor, app, rest)
        elif verb == "export":
            await export(message, actor, app)
        elif verb in ("", "show"):
            shown = await app.quotas.view(actor)
            for text in t.chunks(quota_texts.view(shown, app.tz)):
                await message.answer(text)
        else:
            await message.answer(usage())

    return router


def opening_line(b: q.Balance) -> str:
    return _("{pollutant}: opening {opening} t, {available} t available").format(
        pollutant=t.escape(b.pollutant), opening=q.tonnes(b.opening), available=q.tonnes(b.available)
    )


async def set_opening(message: Message, actor: Actor, app: AppContext, rest: str) -> None:
    parts = rest.split(maxsplit=2)
    if len(parts) < 2:
        await message.answer(
            _("Send /quota set, the pollutant, the tonnes and why, e.g. /quota set COD 12.35 2027 plan")
        )
        return
    try:
        balance = await app.quotas.set_opening(actor, parts[0], parts[1], parts[2] if len(parts) > 2 else "")
    except v.InvalidField as exc:
        await message.answer(quota_texts.problem(exc))
        return
    await message.answer(opening_line(balance))


async def declare(message: Message, actor: Actor, app: AppContext, rest: str) -> None:
    fields = [part.strip() for part in rest.split("|")]
    if len(fields) != 3 or not fields[0] or not fields[2]:
        await message.answer(_("Send /quota reduction name | organisation | COD 120, NH3-N 15"))
        return
    try:
        rid = await app.quotas.declare_reduction(actor, *fields)
    except v.InvalidField as exc:
        await message.answer(quota_texts.problem(exc) if exc.field != "project_name" else t.error(exc))
        return
    await message.answer(
        _(
            "Reduction project {id} declared. Once its works are accepted an admin confirms it: /quota confirm {id}"
        ).format(id=rid)
    )


async def confirm(message: Message, actor: Actor, app: AppContext, rest: str) -> None:
    if not rest.strip().isdigit():
        await message.answer(_("Send /quota confirm and the reduction project's number, e.g. /quota confirm 2"))
        return
    rid = int(rest.strip()[:9])
    try:
        done = await app.quotas.confirm_reduction(actor, rid)
    except q.ReductionUnknown:
        await message.answer(_("There is no reduction project {id}.").format(id=rid))
        return
    if done:
        await message.answer(
            _("Reduction project {id} confirmed: its reductions are credited to the balance.").format(id=rid)
        )
    else:
        await message.answer(_("Reduction project {id} was confirmed already; nothing changed.").format(id=rid))


async def export(message: Message, actor: Actor, app: AppContext) -> None:
    entries = await app.quotas.ledger(actor)
    data = await asyncio.to_thread(ledger_workbook, entries, app.tz)
    day = app.approvals.today().isoformat()
    await message.answer_document(
        BufferedInputFile(data, filename=f"quota-ledger-{day}.xlsx"),
        caption=ngettext(
            "{n} ledger entry, exported {day}.", "{n} ledger entries, exported {day}.", len(entries)
        ).format(n=len(entries), day=day),
    )
