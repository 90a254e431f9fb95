"""What the public sent about a request in notice (comments, hearing requests): /hearing N lists them for staff (in
a private chat: they hold people's contacts); /hearing N H what happened records hearing request H closed."""

from __future__ import annotations

from html import escape

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from approvals import validation as v
from approvals.models import Actor
from approvals.public_comments import HearingState, InputKind, PublicComment
from approvals.service import ensure_reviewer
from handlers import args
from handlers import texts as t
from handlers.context import AppContext
from handlers.notice_texts import public_name


def listing(request_id: int, items: list[PublicComment], app: AppContext) -> list[str]:
    if not items:
        return [_("Nothing from the public on #{id}.").format(id=request_id)]
    blocks = [_("<b>From the public on #{id}</b>").format(id=request_id)]
    for item in items:
        when = item.at.astimezone(app.tz).strftime("%Y-%m-%d %H:%M")
        if item.kind is InputKind.HEARING:
            state = (
                _("open: /hearing {id} {hid} what happened").format(id=request_id, hid=item.id)
                if item.state is HearingState.OPEN
                else _("closed: {outcome}").format(outcome=escape(item.outcome or ""))
            )
            head = _("⚖️ Hearing request {hid} ({state})").format(hid=item.id, state=state)
        else:
            head = _("💬 Comment {hid}").format(hid=item.id)
        who = f"{escape(public_name(item.name))} · {escape(item.contact or '—')}"
        blocks.append(f"{head}\n{when} · {who}\n{escape(item.text)}")
    return blocks


def build_router() -> Router:
    router = Router(name="hearings")

    @router.message(Command("hearing"))
    async def hearing(message: Message, command: CommandObject, actor: Actor, app: AppContext) -> None:
        ensure_reviewer(actor, "hearing")
        first, rest = args.first_and_rest(command)
        number = args.request_number(first)
        if number is None:
            await message.answer(_("Send /hearing N to read what the public sent, or /hearing N H what happened."))
            return
        parts = rest.split(maxsplit=1)
        hearing_id, outcome = (parts[0] if parts else ""), (parts[1].strip() if len(parts) > 1 else "")
        which = args.request_number(hearing_id) if hearing_id else None
        if which is None:
            if message.chat.type != "private":  # people's names and contacts: read where only staff see them
                await message.answer(
                    _("Read it in a private chat with the bot: send /hearing {id} there.").format(id=number)
                )
                return
            for text in t.chunks(listing(number, await app.approvals.public_inputs(actor, number), app)):
                await message.answer(text)
            return
        try:
            closed = await app.approvals.close_hearing(actor, number, which, outcome)
        except v.InvalidField as exc:
            await message.answer(t.field_problem(exc))
            return
        if closed:
            await message.answer(_("Hearing request {hid} on #{id} recorded closed.").format(hid=which, id=number))
        else:
            await message.answer(_("Hearing request {hid} on #{id} is not open.").format(hid=which, id=number))

    return router
