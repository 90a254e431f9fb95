"""When Telegram refuses an outbox message as too long or as HTML it cannot parse: a short version, never nothing.

Renderers keep every message within Telegram's limits (handlers/limits.py), so this is the net under them — a
translation that grew, a rule Telegram counts differently. A card is redrawn in its compact form with the buttons
its request's state calls for (at the least the buttons are put right); any other message is sent as its visible
text shortened, with "…" and a pointer to /status.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from html import escape

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from handlers import limits
from handlers.context import AppContext
from handlers.notify import render_card
from storage.ports import Outgoing


def utc_now() -> datetime:
    return datetime.now(UTC)


log = logging.getLogger(__name__)
REFUSALS = ("too long", "message_too_long", "can't parse entities")
POINTER_UNITS = 200  # room for the line that says where the rest is


def is_too_long(exc: TelegramBadRequest) -> bool:
    """Refused for its length or its markup: a shorter, plainer version can still go."""
    return any(words in exc.message.lower() for words in REFUSALS)


async def send_short_version(bot: Bot, app: AppContext, row_id: int, m: Outgoing, exc: TelegramBadRequest) -> bool:
    """Deliver a short version of outbox row ``row_id`` (``m``) after ``exc``; False when that does not apply or
    was refused too. A card posted here is recorded with the row's sent mark, in one transaction."""
    if not is_too_long(exc) or m.kind not in ("message", "card", "edit_card"):
        return False
    try:
        if m.kind == "message":
            await _message(bot, app, m)
        else:
            await _card(bot, app, row_id, m)
    except TelegramBadRequest as again:
        log.warning("short version refused too chat_id=%d error=%s", m.chat_id, again.message)
        return False
    log.warning("message refused, short version sent chat_id=%d kind=%s error=%s", m.chat_id, m.kind, exc.message)
    return True


async def _card(bot: Bot, app: AppContext, row_id: int, m: Outgoing) -> None:
    text, markup = await render_card(app, m.request_id or 0, m.chat_id, compact=True)
    if m.kind == "card":
        sent = await bot.send_message(m.chat_id, text, reply_markup=markup)
        await app.repos.cards.posted(row_id, m.request_id or 0, m.chat_id, sent.message_id, utc_now())
        return
    try:
        await bot.edit_message_text(text, chat_id=m.chat_id, message_id=m.edit_message_id, reply_markup=markup)
    except TelegramBadRequest as exc:
        if "not modified" in exc.message or "not found" in exc.message:
            return
        if not is_too_long(exc):
            raise
        # even the compact card was refused: what the buttons offer must still match the request's state
        await bot.edit_message_reply_markup(chat_id=m.chat_id, message_id=m.edit_message_id, reply_markup=markup)


async def _message(bot: Bot, app: AppContext, m: Outgoing) -> None:
    with app.i18n.context(), app.i18n.use_locale(await app.locale_for_chat(m.chat_id)):
        if m.request_id:
            pointer = _("The message was too long; /status {id} shows it in full.").format(id=m.request_id)
        else:
            pointer = _("The message was too long for Telegram and was shortened.")
    limit = (limits.CAPTION if m.photo is not None else limits.TEXT) - POINTER_UNITS
    text = escape(limits.shorten(limits.visible(m.text or ""), limit)) + "\n" + pointer
    markup = InlineKeyboardMarkup.model_validate_json(m.reply_markup) if m.reply_markup else None
    if m.photo is not None:
        await bot.send_photo(m.chat_id, BufferedInputFile(m.photo, "chart.png"), caption=text, reply_markup=markup)
    else:
        await bot.send_message(m.chat_id, text, reply_markup=markup)
