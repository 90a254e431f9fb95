"""Reviewers at the completeness check: Accept (受理), or one list of missing material ticked from the standard
checklist plus their own words. The rules (who, when, once) are the domain's; this only asks and shows."""

from __future__ import annotations

from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from approvals import validation as v
from approvals.errors import DomainError
from approvals.models import Actor, DocumentType
from approvals.states import Action
from handlers import limits, stage_texts
from handlers import texts as t
from handlers.callbacks import CheckAction, CheckCB
from handlers.cards import AdoptCards
from handlers.context import AppContext
from handlers.filters import is_typed_answer
from handlers.keyboards import Button, rows
from handlers.replies import ChatTarget, edit_or_send
from handlers.states import Completeness

ITEM_LABEL = 40  # a button's label: long items are shortened, the list sent names them in full


def checklist(request_id: int, items: list[str], ticked: list[int]) -> InlineKeyboardMarkup:
    lines: list[list[Button]] = [
        [
            (
                ("☑ " if n in ticked else "☐ ") + limits.shorten(stage_texts.material(item), ITEM_LABEL),
                CheckCB(action=CheckAction.TICK, id=request_id, index=n),
            )
        ]
        for n, item in enumerate(items)
    ]
    lines.append(
        [
            (_("Next: anything else"), CheckCB(action=CheckAction.NEXT, id=request_id)),
            (_("Send the list"), CheckCB(action=CheckAction.SEND, id=request_id)),
        ]
    )
    lines.append([(_("Cancel"), CheckCB(action=CheckAction.CANCEL, id=request_id))])
    return rows(*lines)


def sending(request_id: int) -> InlineKeyboardMarkup:
    return rows(
        [
            (_("Send the list"), CheckCB(action=CheckAction.SEND, id=request_id)),
            (_("Cancel"), CheckCB(action=CheckAction.CANCEL, id=request_id)),
        ]
    )


def prompt(request_id: int, name: str) -> str:
    return _(
        "{name}: tick what is missing from #{id}. The applicant gets one list with everything (一次性告知): "
        "press “Next” to add anything else in your own words, or “Send the list”."
    ).format(name=t.escape(name), id=request_id)


async def current(state: FSMContext, request_id: int) -> dict[str, Any] | None:
    """The checklist this reviewer has open, if it is this request's."""
    data = await state.get_data()
    if await state.get_state() not in (Completeness.ticking.state, Completeness.other.state):
        return None
    return data if data.get("request_id") == request_id else None


async def send_list(app: AppContext, actor: Actor, state: FSMContext, data: dict[str, Any], other: str) -> str:
    items = [data["items"][n] for n in sorted(data["ticked"])]
    try:
        request = await app.approvals.list_missing(
            actor, int(data["request_id"]), stage_texts.missing_list(items, other)
        )
    except DomainError:
        await state.clear()  # accepted, listed or withdrawn meanwhile: this checklist is spent
        raise
    await state.clear()
    return _("Sent: the applicant has the list of what is missing from #{id}.").format(id=request.id)


CHECKED = {"report": DocumentType.REPORT, "report_form": DocumentType.REPORT_FORM}


def shown_checklist(document_type: DocumentType, items: tuple[str, ...]) -> str:
    lines = [f"<b>{t.document_type(document_type)}</b> ({document_type.value})"]
    lines += [f"{n}. {t.escape(stage_texts.material(item))}" for n, item in enumerate(items, start=1)]
    return "\n".join(lines)


def build_router() -> Router:
    router = Router(name="completeness")
    router.callback_query.middleware(AdoptCards())

    @router.message(Command("materials"))
    async def materials(message: Message, command: CommandObject, actor: Actor, app: AppContext) -> None:
        """/materials: the checklists; an admin: /materials report_form, then one item a line (replaces the
        list), or /materials report_form reset (back to the standard one)."""
        first, _sep, rest = (command.args or "").partition("\n")
        name, *word = first.split() or [""]
        document_type = CHECKED.get(name) if name else None
        if document_type is not None and (rest.strip() or word == ["reset"]):
            if word == ["reset"]:
                items = await app.checklists.reset(actor, document_type)
            else:
                items = await app.checklists.replace(actor, document_type, rest.splitlines())
            await message.answer(shown_checklist(document_type, items))
            return
        blocks = [shown_checklist(d, await app.checklists.items(d)) for d in CHECKED.values()]
        blocks.append(_("An admin changes a list with /materials report_form, then one item a line."))
        await message.answer("\n\n".join(blocks))

    @router.callback_query(CheckCB.filter(F.action == CheckAction.ACCEPT))
    async def accept(query: CallbackQuery, callback_data: CheckCB, actor: Actor, app: AppContext) -> None:
        request = await app.approvals.accept(actor, callback_data.id)
        await query.answer(_("Accepted (受理) as of {day}.").format(day=request.accepted_on.isoformat()))

    @router.callback_query(CheckCB.filter(F.action == CheckAction.LIST))
    async def open_checklist(
        query: CallbackQuery, callback_data: CheckCB, actor: Actor, app: AppContext, state: FSMContext, bot: Bot
    ) -> None:
        request = await app.approvals.check(actor, callback_data.id, Action.LIST_MISSING)  # refused now if not
        items = list(await app.checklists.items(request.document_type))
        await query.answer()
        await state.set_state(Completeness.ticking)
        await state.set_data({"request_id": request.id, "items": items, "ticked": []})
        await ChatTarget.of(query, bot).answer(prompt(request.id, actor.name), checklist(request.id, items, []))

    @router.callback_query(CheckCB.filter(F.action == CheckAction.TICK))
    async def tick(query: CallbackQuery, callback_data: CheckCB, actor: Actor, state: FSMContext) -> None:
        data = await current(state, callback_data.id)
        if data is None or callback_data.index >= len(data["items"]):
            await query.answer(_("This button is no longer active."))
            return
        ticked = sorted(set(data["ticked"]) ^ {callback_data.index})
        await state.set_state(Completeness.ticking)
        await state.update_data(ticked=ticked)
        await query.answer()
        await edit_or_send(
            query, prompt(callback_data.id, actor.name), checklist(callback_data.id, data["items"], ticked)
        )

    @router.callback_query(CheckCB.filter(F.action == CheckAction.NEXT))
    async def other(query: CallbackQuery, callback_data: CheckCB, state: FSMContext) -> None:
        if await current(state, callback_data.id) is None:
            await query.answer(_("This button is no longer active."))
            return
        await state.set_state(Completeness.other)
        await query.answer()
        text = _("Reply with anything else missing from #{id}, or press “Send the list”.").format(id=callback_data.id)
        await edit_or_send(query, text, sending(callback_data.id))

    @router.message(Completeness.other, is_typed_answer)
    async def other_text(message: Message, actor: Actor, app: AppContext, state: FSMContext) -> None:
        data = await state.get_data()
        try:
            text = v.clean_text("reason", message.text or "")
        except v.InvalidField as exc:
            await message.reply(t.field_problem(exc) + "\n" + _("Reply again, or press “Send the list”."))
            return
        await message.reply(await send_list(app, actor, state, data, text))

    @router.callback_query(CheckCB.filter(F.action == CheckAction.SEND))
    async def send(
        query: CallbackQuery, callback_data: CheckCB, actor: Actor, app: AppContext, state: FSMContext
    ) -> None:
        data = await current(state, callback_data.id)
        if data is None:
            await query.answer(_("This button is no longer active."))
            return
        if not data["ticked"]:
            await query.answer(_("Tick at least one item, or write what is missing."), show_alert=True)
            return
        done = await send_list(app, actor, state, data, "")
        await query.answer(_("Sent."))
        await edit_or_send(query, done)

    @router.callback_query(CheckCB.filter(F.action == CheckAction.CANCEL))
    async def cancel(query: CallbackQuery, callback_data: CheckCB, state: FSMContext) -> None:
        if await current(state, callback_data.id) is not None:
            await state.clear()
        await query.answer(_("Cancelled."))
        await edit_or_send(query, _("Cancelled."))

    return router
