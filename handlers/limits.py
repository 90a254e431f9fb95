"""Telegram's limits, counted as Telegram counts them: the text left after entity parsing, in UTF-16 code units.

``len()`` counts code points, and an emoji or a rare CJK character outside the Basic Multilingual Plane is one code
point but two units: a 2,000-character description can be 4,000 units. Text is shortened or split as raw field
text, before it is escaped, so a cut can never fall inside a tag or an entity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape, unescape
from typing import NamedTuple

TEXT = 4096  # a message's text
CAPTION = 1024  # a photo's or document's caption
CALLBACK_ANSWER = 200  # a toast or alert answering a button
ELLIPSIS = "…"

_TAG = re.compile(r"<[^>]*>")


def units(text: str) -> int:
    """Length in UTF-16 code units."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def visible(html: str) -> str:
    """The text Telegram shows for our HTML: tags dropped, entities resolved (our renderers escape every '<' that
    is text, so every '<' left starts a tag)."""
    return unescape(_TAG.sub("", html))


def fits(html: str, limit: int = TEXT) -> bool:
    return units(visible(html)) <= limit


def _prefix(text: str, limit: int) -> int:
    """How many characters of ``text`` fit in ``limit`` units."""
    total = 0
    for index, ch in enumerate(text):
        total += 2 if ord(ch) > 0xFFFF else 1
        if total > limit:
            return index
    return len(text)


def shorten(text: str, limit: int) -> str:
    """``text`` itself when it fits in ``limit`` units, else its beginning and "…" (together at most ``limit``)."""
    if units(text) <= limit:
        return text
    return text[: _prefix(text, limit - 1)].rstrip() + ELLIPSIS


def pieces(text: str, limit: int) -> list[str]:
    """``text`` in consecutive pieces of at most ``limit`` units, each ending at a line break or space when one is
    near (Chinese has no spaces: then anywhere). Nothing is dropped but the blanks a piece is split at."""
    if limit < 2:
        raise ValueError("a piece must hold at least one character")
    found: list[str] = []
    while units(text) > limit:
        end = _prefix(text, limit)
        blank = max(text.rfind("\n", 0, end), text.rfind(" ", 0, end))
        if blank > end // 2:
            end = blank + 1
        piece = text[:end].rstrip()
        if piece:
            found.append(piece)
        text = text[end:].lstrip("\n ")
    if text or not found:
        found.append(text)
    return found


# What one field may take in a card or on the confirmation screen (units). With the labels around them these add
# up to about 3,100: a card fits whatever the applicant typed (tests/unit/test_message_limits.py checks it).
LINE = 200  # a one-line field: project, organisation, location, key project
PARAGRAPH = 600  # the description
REASON = 300  # a reviewer's reason, an applicant's reply
FILE_NAME = 80
FILES_SHOWN = 5  # the newest ones; the rest are counted
PERSON = 64  # a Telegram name can run to 129 characters


@dataclass
class Clip:
    """Shortens raw field text for one message, then escapes it; remembers whether anything was shortened (then
    the full text must be one press away)."""

    shortened: bool = False

    def __call__(self, text: str, limit: int) -> str:
        short = shorten(text, limit)
        self.shortened = self.shortened or short != text
        return escape(short)


class Rendered(NamedTuple):
    text: str
    more: bool  # a field was shortened: offer "Details"
