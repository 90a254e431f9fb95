"""The key-project service in the chat: a project's page (from /keyprojects), assigning its liaison, recording a
pre-application consultation (button or /consult), the no-EIA mark, /bulletin and /ledger."""

from __future__ import annotations

import asyncio
from datetime import date

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from approvals.key_service import KeyService, KeyServiceProblem
from approvals.models import Actor
from approvals.service import ensure_admin, ensure_reviewer
from approvals.validation import InvalidField, clean_key_code
from handlers import key_service_kb as ks
from handlers import key_service_texts as kt
from handlers import texts as t
from handlers.context import AppContext
from handlers.filters import in_private_chat, is_typed_answer
from handlers.key_service_xlsx import ledger_workbook
from handlers.replies import edit_or_send
from reports.bulletin import render
from storage.ports import Outgoing

MAX_TYPED = 600  # characters of a typed consultation read: a date, a space and a 500-character note fit


class KeyConsult(StatesGroup):
    note = State()  # the liaison types the consultation's date and note


def service(app: AppContext) -> KeyService:
    assert app.key_service is not None, "assembly.py wires the key-project service"
    return app.key_service


def parse_consultation(text: str) -> tuple[date, str] | None:
    """'2026-11-20 met the owner' -> the date and the note; None when it does not start with a date."""
    day, _sep, note = text.strip()[:MAX_TYPED].partition(" ")
    try:
        return date.fromisoformat(day.replace("/", "-")), note.strip()
    except ValueError:
        return None


async def page(app: AppContext, actor: Actor, code: str) -> tuple[str, ks.InlineKeyboardMarkup | None]:
    keys = service(app)
    view = await keys.view(code)
    name = ""
    if view.liaison is not None:
        name = (await app.admin.actor(view.liaison)).name or str(view.liaison)
    text = kt.project_page(view, name, app.approvals.today(), app.approvals.calendar)
    serves = await keys.may_serve(actor, code)
    return text, ks.project(code, is_admin=actor.is_admin, serves=serves, no_eia=view.no_eia)


async def _notice(app: AppContext, user_id: int, code: str, *, assigned: bool) -> Outgoing:
    project = await app.repos.key_projects.get(code)
    shown = kt.project_line(project) if project is not None else code
    with app.i18n.context(), app.i18n.use_locale(await app.locale_for_chat(user_id)):
        text = (
            _(
                "You are now the liaison (帮包) of key project {project}: cards of its requests reach you here too, "
                "and /my lists your projects."
            )
            if assigned
            else _("You are no longer the liaison of key project {project}.")
        ).format(project=shown)
    return Outgoing(user_id, text)


def build_router() -> Router:
    router = Router(name="key_service")

    @router.callback_query(ks.KsCB.filter(F.action == ks.KsAction.OPEN))
    async def open_project(query: CallbackQuery, callback_data: ks.KsCB, actor: Actor, app: AppContext) -> None:
        ensure_reviewer(actor, "key_projects")
        try:
            text, markup = await page(app, actor, callback_data.code)
        except KeyServiceProblem as exc:
            await query.answer(kt.problem(exc), show_alert=True)
            return
        await query.answer()
        await edit_or_send(query, text, markup)

    @router.callback_query(ks.KsCB.filter(F.action == ks.KsAction.ASSIGN))
    async def choose(query: CallbackQuery, callback_data: ks.KsCB, actor: Actor, app: AppContext) -> None:
        ensure_admin(actor, "assign_liaison")
        staff = await app.admin.reviewers(actor)
        current = await service(app).liaison_of(callback_data.code)
        await query.answer()
        await edit_or_send(
            query,
            _("Who is the liaison (帮包) of {code}?").format(code=t.escape(callback_data.code)),
            ks.people(callback_data.code, staff, current),
        )

    @router.callback_query(ks.KsCB.filter(F.action.in_({ks.KsAction.PICK, ks.KsAction.UNASSIGN})))
    async def assign(query: CallbackQuery, callback_data: ks.KsCB, actor: Actor, app: AppContext) -> None:
        code = callback_data.code
        chosen = callback_data.user if callback_data.action is ks.KsAction.PICK and callback_data.user else None
        keys = service(app)
        before = await keys.liaison_of(code)
        notices = []
        if chosen is not None and chosen != before:
            notices.append(await _notice(app, chosen, code, assigned=True))
        if before is not None and before != chosen:
            notices.append(await _notice(app, before, code, assigned=False))
        try:
            changed = await keys.assign(actor, code, chosen, notices)
        except KeyServiceProblem as exc:
            await query.answer(kt.problem(exc), show_alert=True)
            return
        await query.answer(_("Done.") if changed else _("Already so."))
        text, markup = await page(app, actor, code)
        await edit_or_send(query, text, markup)

    @router.callback_query(ks.KsCB.filter(F.action.in_({ks.KsAction.NO_EIA, ks.KsAction.EIA})))
    async def mark(query: CallbackQuery, callback_data: ks.KsCB, actor: Actor, app: AppContext) -> None:
        needed = callback_data.action is ks.KsAction.EIA
        changed = await service(app).set_no_eia(actor, callback_data.code, needed)
        await query.answer(_("Done.") if changed else _("Already so."))
        text, markup = await page(app, actor, callback_data.code)
        await edit_or_send(query, text, markup)

    @router.callback_query(ks.KsCB.filter(F.action == ks.KsAction.CONSULT))
    async def ask_consultation(
        query: CallbackQuery, callback_data: ks.KsCB, actor: Actor, app: AppContext, state: FSMContext, bot: Bot
    ) -> None:
        keys = service(app)
        if not await keys.may_serve(actor, callback_data.code):
            await query.answer(_("Only the project's liaison or an admin records consultations."), show_alert=True)
            return
        if not isinstance(query.message, Message) or query.message.chat.type != "private":
            await query.answer(_("Record it in a private chat with me: /consult CODE YYYY-MM-DD note"), show_alert=True)
            return
        view = await keys.view(callback_data.code)
        await query.answer()
        await state.set_state(KeyConsult.note)
        await state.update_data(key_code=callback_data.code)
        await query.message.answer(kt.consultation_prompt(view.project))

    @router.message(KeyConsult.note, in_private_chat, is_typed_answer)
    async def consultation_typed(message: Message, state: FSMContext, actor: Actor, app: AppContext) -> None:
        code = str((await state.get_data()).get("key_code", ""))
        parsed = parse_consultation(message.text or "")
        if parsed is None:
            await message.reply(_("Start with the date (YYYY-MM-DD), then the note. Reply again, or /cancel."))
            return
        try:
            await service(app).record_consultation(actor, code, *parsed)
        except KeyServiceProblem as exc:
            if exc.problem == "unknown_key_code":
                await state.clear()
            await message.reply(kt.problem(exc) + "\n" + _("Reply again, or /cancel."))
            return
        await state.clear()
        await message.reply(_("Consultation recorded."))
        text, markup = await page(app, actor, code)
        await message.answer(text, reply_markup=markup)

    @router.message(Command("consult"))
    async def consult(message: Message, command: CommandObject, actor: Actor, app: AppContext) -> None:
        ensure_reviewer(actor, "record_consultation")
        usage = _("Send: /consult CODE YYYY-MM-DD note, e.g. /consult KP-01 2026-11-20 met the owner on site")
        code, _sep, rest = (command.args or "").strip()[:MAX_TYPED].partition(" ")
        parsed = parse_consultation(rest)
        try:
            clean = clean_key_code(code)
        except InvalidField:
            clean = ""
        if not clean or parsed is None:
            await message.answer(usage)
            return
        try:
            await service(app).record_consultation(actor, clean, *parsed)
        except KeyServiceProblem as exc:
            await message.answer(kt.problem(exc))
            return
        await message.answer(_("Consultation recorded."))
        text, markup = await page(app, actor, clean)
        await message.answer(text, reply_markup=markup)

    @router.message(Command("bulletin"))
    async def bulletin(message: Message, actor: Actor, app: AppContext) -> None:
        ensure_reviewer(actor, "bulletin")
        found = await service(app).bulletin()
        for item in await render(app, found, app.i18n.current_locale):
            if item.kind == "call" and item.photo is not None:
                await message.answer_document(
                    BufferedInputFile(item.photo, f"bulletin-{found.week.isoformat()}.xlsx"),
                    caption=_("Weekly bulletin {week}: one sheet per colour").format(week=found.week.isoformat()),
                )
            elif item.photo is not None:
                await message.answer_photo(BufferedInputFile(item.photo, "bulletin.png"))
            else:
                await message.answer(item.text or "")

    @router.message(Command("ledger"))
    async def ledger(message: Message, actor: Actor, app: AppContext) -> None:
        ensure_reviewer(actor, "ledger")
        keys = service(app)
        entries = await keys.ledger()
        people = {liaison for *_rest, liaison in entries if liaison is not None}
        names = {uid: (await app.admin.actor(uid)).name or str(uid) for uid in people}
        today = app.approvals.today()
        data = await asyncio.to_thread(ledger_workbook, entries, names, today, app.approvals.calendar)
        await message.answer_document(
            BufferedInputFile(data, filename=f"key-project-ledger-{today.isoformat()}.xlsx"),
            caption=ngettext(
                "Key-project ledger: {n} project, {day}.", "Key-project ledger: {n} projects, {day}.", len(entries)
            ).format(n=len(entries), day=today.isoformat()),
        )

    return router


async def liaison_lines(app: AppContext, actor: Actor) -> list[str]:
    """The reviewer's /my: their projects as liaison (nothing for anyone else)."""
    if not actor.is_reviewer or app.key_service is None:
        return []
    rows = await app.key_service.liaison_projects(actor.user_id)
    return kt.my_projects(rows, app.approvals.today(), app.approvals.calendar)
