"""A journalled reply (handlers/journal.py) is written as the JSON Telegram would be sent — the bot's defaults
resolved, a photo's bytes kept apart — and read back into the same call."""

from __future__ import annotations

import json

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.methods import SendMessage, SendPhoto
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from handlers.journal import FILE, dump_call, load_call

BOT = Bot("4242:TEST-not-a-real-token", default=DefaultBotProperties(parse_mode=ParseMode.HTML))
MARKUP = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="批准", callback_data="rv:a:7")]])


def test_a_message_s_defaults_are_resolved_as_they_would_be_sent() -> None:
    reply = dump_call(BOT, SendMessage(chat_id=-1001234567890, text="<b>#7</b> 已受理", reply_markup=MARKUP))
    assert (reply.chat_id, reply.method, reply.file) == (-1001234567890, "sendMessage", None)
    params = json.loads(reply.payload)
    # the bot's defaults it has no value for are written as null, as aiogram leaves them out when sending
    assert {k for k, v in params.items() if v is None} == {
        "link_preview_options",
        "protect_content",
        "disable_web_page_preview",
    }
    assert {k: v for k, v in params.items() if v is not None} == {
        "chat_id": -1001234567890,
        "text": "<b>#7</b> 已受理",
        "parse_mode": "HTML",
        "reply_markup": {"inline_keyboard": [[{"text": "批准", "callback_data": "rv:a:7"}]]},
    }
    assert "已受理" in reply.payload  # kept readable, not \\u-escaped
    again = load_call(reply.method, reply.payload, reply.file)
    assert isinstance(again, SendMessage)
    assert (again.chat_id, again.text, again.parse_mode, again.reply_markup) == (
        -1001234567890,
        "<b>#7</b> 已受理",
        "HTML",
        MARKUP,
    )


def test_a_photo_travels_beside_the_json_and_comes_back_with_its_name() -> None:
    photo = BufferedInputFile(b"\x89PNG...", filename="chart.png")
    reply = dump_call(BOT, SendPhoto(chat_id=201, photo=photo, caption="本周"))
    assert reply.file == b"\x89PNG..."
    params = json.loads(reply.payload)
    assert (params["photo"], params["__file_name__"], params["parse_mode"]) == (FILE, "chart.png", "HTML")
    again = load_call(reply.method, reply.payload, reply.file)
    assert isinstance(again, SendPhoto) and isinstance(again.photo, BufferedInputFile)
    assert (again.photo.data, again.photo.filename, again.caption) == (b"\x89PNG...", "chart.png", "本周")
