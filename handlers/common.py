"""For everyone: /start, /help, /lang, /cancel."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from approvals.models import Actor
from handlers import keyboards as kb
from handlers.callbacks import LangCB
from handlers.context import AppContext
from handlers.filters import is_command
from handlers.replies import ChatTarget


def help_text(actor: Actor) -> str:
    lines = [
        _("<b>Commands</b>"),
        _("/submit — start a new approval request"),
        _("/my — your requests and their deadlines"),
        _("/status N — one request with its history"),
        _("/withdraw N — withdraw a request"),
        _("/add N — add documents or a note to a request in progress"),
        _("/files N — your documents of request N, sent back to you"),
        _("/lang — choose the language"),
        _("/cancel — leave the current form"),
    ]
    if actor.is_reviewer:
        lines += [
            _("<b>Reviewers</b>"),
            _("/queue [N] — the queue in priority order (page N), each request with Open and Claim"),
            _("/next — claim the top request"),
            _("/claim N — claim request N; /release N — hand it back to the queue"),
            _("/note N text — an internal note for reviewers; /notes N — read them (private chat)"),
            _("/files N — every document of request N, in your private chat (📎 on a card does the same)"),
            _("/find TEXT — find requests by number, project, organisation, applicant or status"),
            _("/stats — today's figures"),
            _("/keyprojects [TEXT] — the key projects and their status, a page at a time; TEXT searches"),
        ]
    if actor.is_admin:
        lines += [
            _("<b>Admins</b>"),
            _("/reviewers — list; /reviewers add ID; /reviewers remove ID (their claims go back to the queue)"),
            _("/release N — free anyone's claim; /reassign N [ID] — hand a claim to another reviewer"),
            _("/revoke N — revoke a decision; /correct N — correct an approval number (with a reason)"),
            _("Send a CSV/XLSX key-project list to replace it: you see what changes, then Confirm"),
            _("/export — all requests and their history as XLSX"),
        ]
    return "\n".join(lines)


def build_router() -> Router:
    router = Router(name="common")
    # every message handler here is a command: one test lets every other message (most of them: form answers)
    # skip this router instead of parsing it as each command in turn
    router.message.filter(is_command)

    @router.message(CommandStart())
    async def start(message: Message, actor: Actor, app: AppContext, state: FSMContext) -> None:
        await app.admin.remember(actor, app.i18n.current_locale)
        await app.repos.chats.deliverable_again(actor.user_id)  # writing to us means they unblocked the bot
        await message.answer(
            _(
                "<b>Welcome to the Green Channel (绿色通道)</b> of the district Environmental Protection Bureau.\n"
                "Livelihood, infrastructure and energy-saving projects are reviewed faster; the district's key "
                "projects go first of all. Deadlines are counted in working days.\n\n"
                "Please prepare: project name, construction organisation, contact and phone, category, EIA document "
                "type (report, report form or registration form), total investment (万元), location, a short "
                "description, the key project code if any, and the documents (PDF, DOC, DOCX or ZIP, up to 20 MB)."
                "\n\nSend /submit to begin."
            )
        )
        await message.answer(help_text(actor))

    @router.message(Command("help"))
    async def help_(message: Message, actor: Actor) -> None:
        await message.answer(help_text(actor))

    @router.message(Command("cancel"))
    async def cancel(message: Message, state: FSMContext) -> None:
        had_state = await state.get_state() is not None
        await state.clear()
        await message.answer(_("Cancelled. Nothing was submitted.") if had_state else _("Nothing to cancel."))

    @router.message(Command("lang"))
    async def choose_language(message: Message) -> None:
        await message.answer(_("Choose your language:"), reply_markup=kb.languages())

    @router.callback_query(LangCB.filter(F.locale.in_({"zh_CN", "en"})))
    async def set_language(
        query: CallbackQuery, callback_data: LangCB, actor: Actor, app: AppContext, bot: Bot
    ) -> None:
        await app.admin.set_locale(actor.user_id, callback_data.locale)
        with app.i18n.use_locale(callback_data.locale):
            text = _("Language set to English.") if callback_data.locale == "en" else _("Language set to Chinese.")
            await query.answer(text)
            await ChatTarget.of(query, bot).answer(text)

    return router
