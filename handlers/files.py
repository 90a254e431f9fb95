"""Reading a request's documents: a card's "📎 Documents" and /files N send every file of the request — by
Telegram's file id, nothing uploaded again — to the private chat of whoever asked, never to a group. Reviewers may
read any request's (their own included: reading decides nothing), an applicant their own (approvals/rules.py).

A header goes first, directly: Telegram refuses it (403) when the person never started a chat with the bot, and
they are told to open one. The files follow through the outbox, one message each with its name, size and the date
it arrived, paced and retried as every outgoing message is, however many there are; then the bureau's written
notices on it (reviewers the DOCX, applicants the PDF: handlers/papers.py).
"""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import Command, CommandObject
from aiogram.methods import SendDocument
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from approvals.models import Actor, ApprovalRequest
from handlers import args, views
from handlers import papers as paper_texts
from handlers.callbacks import FilesCB
from handlers.context import AppContext
from handlers.journal import dump_call
from storage.ports import Outgoing


async def deliver(app: AppContext, bot: Bot, actor: Actor, request: ApprovalRequest) -> bool:
    """Send ``request``'s files to ``actor``'s private chat; False when Telegram will not let the bot write there
    (they never started it, or blocked it)."""
    chat = actor.user_id
    papers = await paper_texts.copies(app, request.id, chat, staff=actor.is_reviewer)
    try:
        await bot.send_message(chat, views.documents_header(request, len(papers)))
    except (TelegramForbiddenError, TelegramBadRequest) as exc:
        if isinstance(exc, TelegramBadRequest) and "chat not found" not in exc.message:
            raise
        return False
    await app.repos.chats.deliverable_again(chat)  # it just took a message: the outbox must not give up on it
    files = []
    for file in request.attachments:
        call = dump_call(
            bot,
            SendDocument(chat_id=chat, document=file.file_id, caption=views.document_caption(request.id, file, app.tz)),
        )
        files.append(Outgoing(chat, kind="call", method=call.method, payload=call.payload))
    await app.repos.outbox.add([*files, *papers], app.approvals.clock.now())
    return True


def build_router() -> Router:
    router = Router(name="files")

    @router.callback_query(FilesCB.filter())
    async def pressed(query: CallbackQuery, callback_data: FilesCB, actor: Actor, app: AppContext, bot: Bot) -> None:
        request = await app.approvals.documents(actor, callback_data.id)
        if not request.attachments and not await app.repos.papers.of(request.id):
            await query.answer(_("Request #{id} has no documents.").format(id=request.id))
            return
        if not await deliver(app, bot, actor, request):
            await query.answer(
                _(
                    "I cannot write to you yet: open a private chat with me, press Start, then press "
                    "📎 Documents again."
                ),
                show_alert=True,
            )
            return
        pressed_in_private = query.message is not None and query.message.chat.id == query.from_user.id
        await query.answer(None if pressed_in_private else _("Sent to your private chat with me."))

    @router.message(Command("files"))
    async def files(message: Message, command: CommandObject, actor: Actor, app: AppContext, bot: Bot) -> None:
        number = args.request_number(args.first_and_rest(command)[0])
        if number is None:
            await message.answer(_("Send the request number, e.g. /files 12"))
            return
        request = await app.approvals.documents(actor, number)
        if not request.attachments and not await app.repos.papers.of(request.id):
            await message.answer(_("Request #{id} has no documents.").format(id=request.id))
        elif not await deliver(app, bot, actor, request):
            await message.answer(
                _(
                    "I cannot write to you yet: open a private chat with me, press Start, then send /files {id} again."
                ).format(id=request.id)
            )
        elif message.chat.type != "private":
            await message.answer(_("Sent to your private chat with me."))

    return router
