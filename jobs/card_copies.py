"""What the outbox last drew on each card copy, so a redraw that would change nothing is not sent.

A card is drawn from the request as it is when the row goes out, not as it was when the row was queued: a card
posted just after a quick second step already shows that step, and the redraw that step queued would repeat it.
Telegram refuses such an edit ("message is not modified") — a wasted call against the group's rate limit and an
error in the log. Memory only: after a restart the first redraw of a copy is sent, and a refusal is still harmless.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

from aiogram.types import InlineKeyboardMarkup

from storage.ports import Outgoing

LIMIT = 4096  # copies remembered; the least recently drawn are forgotten first


def drawing(text: str, markup: InlineKeyboardMarkup | None) -> bytes:
    keys = markup.model_dump_json(exclude_none=True) if markup else ""
    return hashlib.blake2b(f"{text}\0{keys}".encode(), digest_size=16).digest()


class CardCopies:
    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self._drawn: OrderedDict[tuple[int, int], bytes] = OrderedDict()

    def shows(self, chat_id: int, message_id: int, drawn: bytes) -> bool:
        """Does this copy show ``drawn`` already (as far as this process knows)?"""
        return self._drawn.get((chat_id, message_id)) == drawn

    def drew(self, chat_id: int, message_id: int, drawn: bytes) -> None:
        self._drawn[(chat_id, message_id)] = drawn
        self._drawn.move_to_end((chat_id, message_id))
        while len(self._drawn) > self.limit:
            self._drawn.popitem(last=False)

    def failed(self, m: Outgoing) -> None:
        """The redraw ``m`` did not reach the copy: what it shows is not known."""
        if m.kind == "edit_card" and m.edit_message_id is not None:
            self._drawn.pop((m.chat_id, m.edit_message_id), None)
