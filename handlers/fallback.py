"""The last word on messages: what is addressed to the bot and no handler took gets a one-line hint.

In a private chat that is everything a person sends: a line of text, an unknown command, a file outside a form.
In a group it is only what is meant for the bot — a command (for it, not for another bot), a reply to one of its
messages, a mention — because people talk to each other there, and a bot that answers every line is worse than
silence.
"""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.enums import ContentType, MessageEntityType
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from approvals.models import Actor
from handlers import guide
from handlers.filters import in_private_chat, is_command

# What people send; service messages (a pinned message, a member joining, a timer changed) are not theirs to answer
SENT_BY_PEOPLE = frozenset(
    {
        ContentType.TEXT,
        ContentType.DOCUMENT,
        ContentType.PHOTO,
        ContentType.VIDEO,
        ContentType.AUDIO,
        ContentType.VOICE,
        ContentType.VIDEO_NOTE,
        ContentType.STICKER,
        ContentType.ANIMATION,
        ContentType.CONTACT,
        ContentType.LOCATION,
        ContentType.VENUE,
    }
)


def sent_by_a_person(message: Message) -> bool:
    return message.content_type in SENT_BY_PEOPLE


async def addressed_to_me(message: Message, bot: Bot) -> bool:
    """A command for this bot, a reply to one of its messages, or a mention of it."""
    me = await bot.me()  # cached by aiogram after the first call
    username = (me.username or "").lower()
    if is_command(message):
        mention = (message.text or "").split(maxsplit=1)[0].partition("@")[2].lower()
        return mention in ("", username)  # /cmd@other_bot is for the other bot
    reply = message.reply_to_message
    if reply is not None and reply.from_user is not None and reply.from_user.id == me.id:
        return True
    text = message.text or message.caption or ""
    entities = message.entities or message.caption_entities or []
    return any(
        entity.type == MessageEntityType.MENTION and entity.extract_from(text).lower() == f"@{username}"
        for entity in entities
    )


def build_router() -> Router:
    router = Router(name="fallback")
    router.message.filter(sent_by_a_person)

    @router.message(in_private_chat)
    async def private(message: Message, actor: Actor, state: FSMContext) -> None:
        if is_command(message):
            await message.answer(guide.unknown_command(message.text or "", private=True))
            return
        in_form = await state.get_state() is not None
        await message.answer(guide.private_hint(actor, in_form=in_form, document=message.document is not None))

    @router.message(addressed_to_me)
    async def in_group(message: Message) -> None:
        if is_command(message):
            await message.reply(guide.unknown_command(message.text or "", private=False))
            return
        await message.reply(guide.group_hint())

    return router
