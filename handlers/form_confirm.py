"""The confirmation screen's buttons: Submit, Edit, Cancel, and the question asked when the applicant already has
the same project with the bureau (add the documents to that request, or submit a new one anyway)."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from pydantic import ValidationError

from approvals.errors import DomainError, SameProjectOpen
from approvals.models import Actor, Attachment, RequestDraft
from handlers import keyboards as kb
from handlers import texts as t
from handlers import views
from handlers.applicant import send_material
from handlers.callbacks import ConfirmAction, ConfirmCB, EditCB, FormAction, FormCB
from handlers.context import AppContext
from handlers.form_flow import (
    LEGACY_FORM,
    ask,
    confirm_markup,
    out_of_date,
    show_confirmation,
    show_current,
    summary_of,
)
from handlers.form_steps import BY_FIELD, labels
from handlers.replies import ChatTarget, edit_or_send
from handlers.states import SubmitForm

LEGACY_SCREEN = {FormAction.SUBMIT, FormAction.EDIT, FormAction.CANCEL}


def shows_current(data: dict[str, Any], state: str | None, pressed: ConfirmCB) -> bool:
    """Whether the pressed screen shows the draft as it is now (same form, same version, not mid-edit)."""
    form, version = int(data.get("form", LEGACY_FORM)), int(data.get("version", 0))
    return state == SubmitForm.confirm.state and (pressed.form, pressed.version) == (form, version)


def build_router() -> Router:
    router = Router(name="form_confirm")
    router.callback_query.filter(StateFilter(SubmitForm))  # outside a form, the catch-all calls them inactive

    @router.callback_query(ConfirmCB.filter())
    async def pressed(
        query: CallbackQuery, callback_data: ConfirmCB, state: FSMContext, actor: Actor, app: AppContext, bot: Bot
    ) -> None:
        chat = ChatTarget.of(query, bot)
        if not shows_current(await state.get_data(), await state.get_state(), callback_data):
            await query.answer(out_of_date())
            await show_current(chat, state, app)
            return
        action = callback_data.action
        if action is ConfirmAction.CANCEL:
            await state.clear()
            await query.answer()
            await edit_or_send(query, _("Cancelled. Nothing was submitted."))
        elif action is ConfirmAction.EDIT:
            await query.answer()
            await chat.answer(_("What would you like to change?"), reply_markup=kb.edit_fields(labels()))
        elif action is ConfirmAction.ADD:
            await add_to_open(query, state, actor, app)
        elif action is ConfirmAction.DETAILS:  # the answers in full, then the screen again below them
            await query.answer()
            for text in t.chunks(views.form_details(await state.get_data())):
                await chat.answer(text)
            await show_confirmation(chat, state, app, changed=False)
        else:
            await submit(query, state, actor, app, bot, despite_open=action is ConfirmAction.ANYWAY)

    @router.callback_query(FormCB.filter(F.action.in_(LEGACY_SCREEN)))
    async def legacy_screen(query: CallbackQuery, state: FSMContext, app: AppContext, bot: Bot) -> None:
        """A screen shown before its buttons named their draft: which draft it showed is unknown."""
        await query.answer(out_of_date())
        await show_current(ChatTarget.of(query, bot), state, app)

    @router.callback_query(SubmitForm.confirm, EditCB.filter(F.field.in_(set(BY_FIELD))))
    async def edit(query: CallbackQuery, callback_data: EditCB, state: FSMContext, app: AppContext, bot: Bot) -> None:
        await query.answer()
        await state.update_data(editing=True)  # documents too: the files sent are kept, to remove or add to
        await ask(ChatTarget.of(query, bot), state, BY_FIELD[callback_data.field], app)

    return router


async def submit(
    query: CallbackQuery, state: FSMContext, actor: Actor, app: AppContext, bot: Bot, *, despite_open: bool
) -> None:
    data: dict[str, Any] = await state.get_data()
    fields = {k: data.get(k) for k in RequestDraft.model_fields if k != "attachments"}
    # the language to write to them in is stored first: the receipt is rendered as soon as the request commits
    await app.admin.remember(actor, app.i18n.current_locale)
    chat = ChatTarget.of(query, bot)
    try:
        draft = RequestDraft(**fields, attachments=tuple(Attachment(**a) for a in data.get("attachments", [])))
        await app.approvals.submit(actor, draft, client_key=data.get("client_key"), despite_open=despite_open)
    except SameProjectOpen as exc:
        await state.update_data(same_as=exc.request_id)
        await query.answer()
        await chat.answer(
            _(
                "You already have request #{id} for {name} with the bureau ({status}). Add these documents to it, "
                "or submit this as a new request?"
            ).format(id=exc.request_id, name=t.escape(draft.project_name), status=t.status(exc.status)),
            reply_markup=kb.same_project(
                int(data.get("form", LEGACY_FORM)), int(data.get("version", 0)), exc.request_id
            ),
        )
        return
    except (ValidationError, DomainError) as exc:
        problem = exc if isinstance(exc, DomainError) else None
        await query.answer()
        await chat.answer(
            (t.error(problem) if problem else _("Some answers are not valid."))
            + "\n"
            + _("Press Edit to correct them."),
            reply_markup=confirm_markup(data),
        )
        return
    await state.clear()
    await query.answer(_("Submitted."))
    if isinstance(query.message, Message):  # cosmetic: freeze the screen; the receipt comes through the outbox
        with suppress(TelegramBadRequest):
            await query.message.edit_text((await summary_of(data, app)).text)


async def add_to_open(query: CallbackQuery, state: FSMContext, actor: Actor, app: AppContext) -> None:
    """The draft's documents go to the applicant's open request for the same project instead of a new one."""
    data = await state.get_data()
    target = int(data.get("same_as", 0))
    if not target:
        await query.answer(_("This button is no longer active."))
        return
    files = [Attachment(**a) for a in data.get("attachments", [])]
    done = await send_material(app.approvals, actor, target, "", files)
    await state.clear()
    await query.answer(_("Sent."))
    await edit_or_send(query, done)
