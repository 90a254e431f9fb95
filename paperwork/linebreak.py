"""Lines of Chinese text broken by the rules of 禁则 (GB/T 15834 punctuation; JIS X 4051's kinsoku, which Chinese
typesetting follows): no line starts with closing punctuation (。，、）》…) nor ends with opening punctuation
(（《“…), and a run of Latin letters or digits (a year, a number) is not split. fpdf2 breaks between any two
characters, so the PDF breaks lines here and prints them one by one.

Where a break would break a rule, it moves back a character at a time (the last characters go down with the
one that may not start a line); a line is never emptied for it: a run longer than a line is broken anyway.
"""

from __future__ import annotations

from collections.abc import Callable

NO_START = frozenset("。，、；：？！）》」』】〕〉”’…—·%‰℃．，,.;:?!)]}")
NO_END = frozenset("（《「『【〔〈“‘([{")


def _unbreakable(left: str, right: str) -> bool:
    return (right in NO_START) or (left in NO_END) or (left.isascii() and right.isascii() and (left + right).isalnum())


def break_lines(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """``text`` in lines at most ``width`` wide (``measure`` gives one character's width), each newline a break."""
    lines: list[str] = []
    for para in text.split("\n"):
        start = 0
        while True:
            end, used = start, 0.0
            while end < len(para) and (end == start or used + measure(para[end]) <= width):
                used += measure(para[end])
                end += 1
            if end >= len(para):
                lines.append(para[start:])
                break
            cut = end
            while cut > start + 1 and _unbreakable(para[cut - 1], para[cut]):
                cut -= 1
            if _unbreakable(para[cut - 1], para[cut]):
                cut = end  # nowhere allowed on this line: broken where it is full
            lines.append(para[start:cut])
            start = cut
    return lines
