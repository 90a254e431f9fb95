"""A filled template as PDF (fpdf2), with the Chinese fonts embedded: the applicant's copy opens the same anywhere.

Page and type follow GB/T 9704-2012 as far as a generated notice needs: A4, title at 22 pt (二号) and body at
16 pt (三号) in a serif face (小标宋/仿宋's place), first lines indented two characters, page numbers at the foot.
One font, Noto Serif SC (SIL OFL) from the pylopdf-fonts-zh-cn package, embedded as a subset (only the characters
used: a one-page notice is tens of kilobytes); one font, because reading and subsetting a CJK font is most of the
time a document takes. A character the font lacks (an emoji an applicant typed) prints as "?" instead of an empty
box, and fpdf2 is not left to warn about it.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TypedDict

import pylopdf_fonts_zh_cn
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from paperwork.linebreak import break_lines
from paperwork.templates import Block, Style

MAX_PAGES = 20
BODY_PT = 16  # 三号
TITLE_PT = 22  # 二号
LINE_MM = 10.0  # about 28 pt: 22 lines on a page, as GB/T 9704 sets them
TITLE_LINE_MM = 12.0
INDENT = "\u3000\u3000"  # two full-width spaces: the first-line indent of a Chinese paragraph


class _LineByLine(TypedDict):
    new_x: XPos
    new_y: YPos


# each line starts at the left margin below the last (lines are broken in paperwork/linebreak.py, by 禁则)
LINE_BY_LINE = _LineByLine(new_x=XPos.LMARGIN, new_y=YPos.NEXT)


class TooLong(Exception):
    """The document would run past ``MAX_PAGES`` pages."""


@lru_cache(maxsize=4)
def covered(path: Path) -> frozenset[int]:
    """The code points a font has glyphs for (read once per process)."""
    font = TTFont(str(path), lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def printable(text: str, font: Path) -> str:
    have = covered(font)
    return "".join(ch if ord(ch) in have or ch in "\n" else "?" for ch in text)


class _Page(FPDF):
    def footer(self) -> None:
        self.set_y(-20)
        self.set_font("serif", size=12)
        self.cell(0, 8, f"— {self.page_no()} —", align=Align.C)


def _lines(pdf: FPDF, text: str, align: Align, height: float) -> None:
    """``text`` broken by 禁则 (paperwork/linebreak.py) and printed line by line."""
    widths: dict[str, float] = {}

    def measure(ch: str) -> float:
        if ch not in widths:
            widths[ch] = pdf.get_string_width(ch)
        return widths[ch]

    for line in break_lines(text, pdf.epw - 2 * pdf.c_margin, measure):
        pdf.cell(pdf.epw, height, line, align=align, **LINE_BY_LINE)


def _closing_start(blocks: list[Block]) -> int:
    """Where the closing block starts: the last run of right-aligned lines (the bureau's name and the date)."""
    start = len(blocks)
    while start > 0 and blocks[start - 1].style in (Style.RIGHT, Style.BLANK):
        start -= 1
    while start < len(blocks) and blocks[start].style is Style.BLANK:
        start += 1
    return start


def _height(blocks: list[Block]) -> float:
    """The closing block's height (one line each: a bureau's name and a date fit on one)."""
    return sum(LINE_MM / 2 if b.style is Style.BLANK else LINE_MM for b in blocks)


def render_pdf(blocks: list[Block], *, title: str, author: str, created: datetime) -> bytes:
    """The PDF's bytes; the same blocks and ``created`` give the same bytes (no clock, no random id)."""
    serif = pylopdf_fonts_zh_cn.serif_path()
    pdf = _Page(format="A4", unit="mm")
    pdf.set_margins(left=28, top=37, right=26)
    pdf.set_auto_page_break(auto=True, margin=35)
    pdf.set_creation_date(created)
    pdf.set_title(printable(title, serif))
    pdf.set_author(printable(author, serif))
    pdf.set_creator("Green Channel")
    pdf.set_lang("zh-CN")
    pdf.add_font("serif", fname=str(serif))
    try:
        pdf.add_page()
        closing = _closing_start(blocks)
        for index, block in enumerate(blocks):
            if pdf.page_no() > MAX_PAGES:
                raise TooLong(f"more than {MAX_PAGES} pages")
            if index == closing and pdf.get_y() + _height(blocks[index:]) > pdf.page_break_trigger:
                pdf.add_page()  # the signature block (bureau, date) is never split from itself: moved whole
            if block.style is Style.BLANK:
                pdf.ln(LINE_MM / 2)
                continue
            if block.style is Style.TITLE:
                pdf.set_font("serif", size=TITLE_PT)
                _lines(pdf, printable(block.text, serif), Align.C, TITLE_LINE_MM)
                pdf.ln(4)
                continue
            pdf.set_font("serif", size=BODY_PT)
            text = printable(block.text, serif)
            align = {Style.CENTRE: Align.C, Style.RIGHT: Align.R}.get(block.style, Align.L)
            if block.style in (Style.BODY, Style.ITEM):
                text = INDENT + text
            _lines(pdf, text, align, LINE_MM)
        if pdf.page_no() > MAX_PAGES:
            raise TooLong(f"more than {MAX_PAGES} pages")
        return bytes(pdf.output())
    finally:
        for font in pdf.fonts.values():  # fpdf2 reads its fonts lazily and leaves the files open
            ttfont = getattr(font, "ttfont", None)
            if ttfont is not None:
                ttfont.close()
