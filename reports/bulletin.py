"""The weekly key-project bulletin (一周一通报) as one reader sees it: text, chart and workbook in the reader's
language. Pure rendering, shared by the weekly job (``jobs/bulletin.py``) and /bulletin (``handlers/key_service.py``).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter

from aiogram.utils.i18n import gettext as _

from approvals.bulletin import Bulletin, Colour
from approvals.key_stages import KeyStage
from handlers import texts as t
from handlers.context import AppContext
from handlers.journal import FILE
from handlers.key_service_texts import bulletin_text, colour_name, stage_name
from handlers.key_service_xlsx import bulletin_workbook
from storage.ports import Outgoing


async def names_of(app: AppContext, bulletin: Bulletin) -> dict[int, str]:
    people = {row.liaison for row in bulletin.rows if row.liaison is not None}
    return {uid: (await app.admin.actor(uid)).name or str(uid) for uid in people}


def document(chat_id: int, data: bytes, name: str, caption: str) -> Outgoing:
    """A workbook as the outbox holds a journalled call (jobs/sender.py sends it as is)."""
    payload = {"chat_id": chat_id, "document": FILE, "caption": caption, "__file_name__": name}
    return Outgoing(
        chat_id, kind="call", method="sendDocument", payload=json.dumps(payload, ensure_ascii=False), photo=data
    )


async def render(app: AppContext, bulletin: Bulletin, locale: str, *, late: bool = False) -> list[Outgoing]:
    """One reader's messages without a chat id (0): the text, the chart, the workbook."""
    from reports.bulletin_chart import bulletin_chart  # matplotlib: loaded by the first bulletin, not at start-up

    names = await names_of(app, bulletin)
    with app.i18n.context(), app.i18n.use_locale(locale):
        texts = t.chunks(bulletin_text(bulletin, names, late=late))
        labels = {c: colour_name(c) for c in Colour}
        counts = Counter(row.stage.stage for row in bulletin.rows)
        stages = {stage_name(s): counts[s] for s in KeyStage if counts[s]}  # in the procedure's order
        title = _title(bulletin)
        book = await asyncio.to_thread(bulletin_workbook, bulletin, names)
        caption = _file_caption(bulletin)
    by_colour = {c: bulletin.count(c) for c in Colour}
    chart = await asyncio.to_thread(bulletin_chart, by_colour, labels, stages, title=title)
    return [
        *(Outgoing(0, text) for text in texts),
        Outgoing(0, photo=chart),
        document(0, book, f"bulletin-{bulletin.week.isoformat()}.xlsx", caption),
    ]


def _title(bulletin: Bulletin) -> str:
    return _("Key projects · week of {week}").format(week=bulletin.week.isoformat())


def _file_caption(bulletin: Bulletin) -> str:
    return _("Weekly bulletin {week}: one sheet per colour").format(week=bulletin.week.isoformat())


def addressed(message: Outgoing, chat_id: int) -> Outgoing:
    if message.kind == "call" and message.payload is not None:
        payload = json.loads(message.payload)
        payload["chat_id"] = chat_id
        return Outgoing(
            chat_id,
            kind="call",
            method=message.method,
            payload=json.dumps(payload, ensure_ascii=False),
            photo=message.photo,
        )
    return Outgoing(chat_id, message.text, message.photo, message.reply_markup)
