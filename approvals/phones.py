"""Chinese phone numbers as people write them, read into one stored form.

People type ``138 1234 5678``, ``138-1234-5678``, full-width ``１３８…``, ``+86 138…``, ``(0531) 8888-8888转123``
and ``400-800-1234``. Reading them is separators away from digits plus three shapes of number:

- mobile: 1[3-9] and 9 more digits, stored ``+86 138 1234 5678``;
- landline: area code (010 and 02x: three digits, then 8; every other 0xxx: four digits, then 7 or 8) and an
  optional extension (转, 分机, ext, x, # or a hyphen after the whole number), stored ``0531-8888 8888 转 123``;
- national service numbers 400 / 800 and 7 more digits, stored ``400-800-1234``.

A landline without its area code is refused: a reviewer ringing from another district would not reach it.
"""

from __future__ import annotations

import re
import unicodedata

MAX_TYPED_LENGTH = 40  # longer than any way of writing one number: refused before anything is parsed
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−", "-"))  # NFKC keeps these; people's keyboards produce them
# [0-9], not \d: \d also matches Arabic-Indic and other digits that NFKC leaves as they are
_EXTENSION = re.compile(r"^(?P<main>.*?[0-9])\s*(?:转|分机|ext\.?|x|#)\s*(?P<ext>[0-9]{1,6})$", re.IGNORECASE)
_SHAPE = re.compile(r"^\(?\+?[0-9\s().-]+$")  # what may remain once an extension is taken off: "(+86) 138…" too
_GROUPS = re.compile(r"[0-9]+|[-\s().]+")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_SERVICE = re.compile(r"[48]00[0-9]{7}")
_LANDLINE = re.compile(r"0(?:10|2[0-9])[1-9][0-9]{7}|0[3-9][0-9]{2}[1-9][0-9]{6,7}")


def normalise_phone(typed: str) -> str | None:
    """The stored form of one phone number, or None if ``typed`` is not one."""
    if len(typed) > MAX_TYPED_LENGTH:
        return None
    text = unicodedata.normalize("NFKC", typed).translate(_DASHES).strip()
    extension = ""
    if found := _EXTENSION.match(text):
        text, extension = found["main"], found["ext"]
    if not _SHAPE.match(text):
        return None
    digits = _national(re.sub(r"[^0-9]", "", text), international="+" in text)
    if digits is None:
        return None
    number = _format(digits, extension)
    if number is None and not extension:  # 0531-88888888-123: a hyphen before the extension
        *rest, last = _GROUPS.findall(text)
        if len(rest) >= 2 and rest[-1].strip() == "-" and len(last) <= 6:
            shorter = _national(digits[: -len(last)], international="+" in text)
            number = _format(shorter, last) if shorter else None
    return number


def _national(digits: str, *, international: bool) -> str | None:
    """The number as dialled inside China: +86 / 0086 / 86 before a mobile taken off, a landline's 0 put back."""
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and (international or prefix == "0086" or _MOBILE.fullmatch(digits[2:])):
            rest = digits[len(prefix) :]
            return rest if _MOBILE.fullmatch(rest) or rest.startswith(("0", "400", "800")) else "0" + rest
    return None if international else digits


def _format(digits: str, extension: str) -> str | None:
    if _MOBILE.fullmatch(digits):
        return None if extension else f"+86 {digits[:3]} {digits[3:7]} {digits[7:]}"
    if _SERVICE.fullmatch(digits):
        main = f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    elif _LANDLINE.fullmatch(digits):
        area = 3 if digits[1] in "12" else 4
        local = digits[area:]
        split = len(local) - 4
        main = f"{digits[:area]}-{local[:split]} {local[split:]}"
    else:
        return None
    return f"{main} 转 {extension}" if extension else main
