"""The key-project list: /keyprojects (pages, search) for reviewers; an admin's file, its preview, Confirm."""

from __future__ import annotations

from contextlib import suppress

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from approvals.admin import LEDGER_KINDS, MAX_LEDGER_BYTES, KeyBoardPage, check_ledger_file, ledger_too_big
from approvals.errors import LedgerImportError
from approvals.key_list import ImportOutcome, ImportResult
from approvals.key_stages import ProjectStage
from approvals.ledger import MAX_KEY_QUERY
from approvals.models import Actor
from approvals.service import ensure_reviewer
from handlers import key_service_kb, key_texts
from handlers import keyboards as kb
from handlers import texts as t
from handlers.callbacks import KeyBoardCB, KeyImportAction, KeyImportCB
from handlers.context import AppContext
from handlers.downloads import FileTooLarge, download_at_most
from handlers.filters import IsAdmin, in_private_chat
from handlers.replies import ChatTarget, edit_or_send

# a search's text stays in the searcher's chat state (buttons carry numbers only); the number tells a page button
# of their latest search from one of an earlier search
SEARCH = "key_board_search"
SEARCH_TEXT = "key_board_text"
DONE = (ImportOutcome.APPLIED, ImportOutcome.CANCELLED)


async def _stages(app: AppContext, page: KeyBoardPage) -> dict[str, ProjectStage] | None:
    """The stages of the projects shown, as /ledger and the bulletin derive them."""
    if app.key_service is None:
        return None
    return await app.key_service.stages([project for project, _status in page.rows])


def build_router() -> Router:
    router = Router(name="key_projects")

    @router.message(Command("keyprojects"))
    async def key_projects(
        message: Message, command: CommandObject, actor: Actor, app: AppContext, state: FSMContext
    ) -> None:
        ensure_reviewer(actor, "key_projects")
        wanted = (command.args or "").strip()[:MAX_KEY_QUERY]
        search = 0
        if wanted:
            search = int((await state.get_data()).get(SEARCH, 0)) % 1_000_000 + 1
            await state.update_data({SEARCH: search, SEARCH_TEXT: wanted})
        page = await app.admin.key_board_page(wanted)
        await message.answer(
            key_texts.board_page(page, can_import=actor.is_admin, stages=await _stages(app, page)),
            reply_markup=key_service_kb.board(page, search),
        )

    @router.callback_query(KeyBoardCB.filter())
    async def key_board_page(
        query: CallbackQuery, callback_data: KeyBoardCB, actor: Actor, app: AppContext, state: FSMContext
    ) -> None:
        ensure_reviewer(actor, "key_projects")
        wanted = ""
        if callback_data.search:
            data = await state.get_data()
            if data.get(SEARCH) != callback_data.search:  # an older search's page, or someone else's
                await query.answer(_("This search is out of date: send /keyprojects and the code or name again."))
                return
            wanted = str(data.get(SEARCH_TEXT, ""))
        page = await app.admin.key_board_page(wanted, page=callback_data.page)
        await query.answer()
        await edit_or_send(
            query,
            key_texts.board_page(page, can_import=actor.is_admin, stages=await _stages(app, page)),
            key_service_kb.board(page, callback_data.search),
        )

    @router.message(
        in_private_chat,
        StateFilter(None),
        F.document.file_name.lower().endswith(LEDGER_KINDS),
        IsAdmin(),
    )
    async def import_ledger(message: Message, actor: Actor, app: AppContext, bot: Bot) -> None:
        document = message.document
        assert document is not None
        name = document.file_name or ""
        try:
            check_ledger_file(name, document.file_size or 0)  # what the file claims, before fetching a byte
            try:
                data = await download_at_most(
                    bot, document.file_id, declared=document.file_size, limit=MAX_LEDGER_BYTES
                )
            except FileTooLarge:
                raise ledger_too_big() from None
            preview = await app.admin.preview_key_projects(actor, name, data)  # read by a confined child process
        except LedgerImportError as exc:
            blocks = [_("Nothing was imported. Fix these rows and send the file again:")]
            blocks += [t.row_problem(p) for p in exc.problems]
            if exc.more:
                blocks.append(
                    ngettext("… and {n} more bad row.", "… and {n} more bad rows.", exc.more).format(n=exc.more)
                )
            for text in t.chunks(blocks):
                await message.answer(text)
            return
        texts = t.chunks(key_texts.import_preview(preview.changes))
        for text in texts[:-1]:
            await message.answer(text)
        await message.answer(texts[-1], reply_markup=kb.key_import(preview.import_id) if preview.import_id else None)

    @router.callback_query(KeyImportCB.filter())
    async def decide_import(
        query: CallbackQuery, callback_data: KeyImportCB, actor: Actor, app: AppContext, bot: Bot
    ) -> None:
        if callback_data.action is KeyImportAction.CONFIRM:
            result = await app.admin.confirm_key_import(actor, callback_data.id)
        else:
            result = ImportResult(await app.admin.cancel_key_import(actor, callback_data.id))
        text = key_texts.import_outcome(result)
        await query.answer(_("Done.") if result.outcome in DONE else text, show_alert=result.outcome not in DONE)
        if result.outcome is not ImportOutcome.UNKNOWN and isinstance(query.message, Message):
            with suppress(TelegramBadRequest):  # already without buttons, or too old to edit
                await query.message.edit_reply_markup(reply_markup=None)
        if result.outcome in DONE:
            await ChatTarget.of(query, bot).answer(text)

    return router
