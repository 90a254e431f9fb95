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
from fpdf.enums import Align, WrapMode, XPos, YPos

from paperwork.templates import Block, Style

MAX_PAGES = 20
BODY_PT = 16  # 三号
TITLE_PT = 22  # 二号
LINE_MM = 10.0  # about 28 pt: 22 lines on a page, as GB/T 9704 sets them
INDENT = "\u3000\u3000"  # two full-width spaces: the first-line indent of a Chinese paragraph


class _LineByLine(TypedDict):
    new_x: XPos
    new_y: YPos
    wrapmode: WrapMode


# each block starts at the left margin below the last; Chinese breaks between any two characters
LINE_BY_LINE = _LineByLine(new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR)


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
        width = pdf.epw
        for block in blocks:
            if pdf.page_no() > MAX_PAGES:
                raise TooLong(f"more than {MAX_PAGES} pages")
            if block.style is Style.BLANK:
                pdf.ln(LINE_MM / 2)
                continue
            if block.style is Style.TITLE:
                pdf.set_font("serif", size=TITLE_PT)
                pdf.multi_cell(width, 12, printable(block.text, serif), align=Align.C, **LINE_BY_LINE)
                pdf.ln(4)
                continue
            pdf.set_font("serif", size=BODY_PT)
            text = printable(block.text, serif)
            align = {Style.CENTRE: Align.C, Style.RIGHT: Align.R}.get(block.style, Align.J)
            if block.style in (Style.BODY, Style.ITEM):
                text = INDENT + text
            elif block.style is Style.LEFT:
                align = Align.L
            pdf.multi_cell(width, LINE_MM, text, align=align, **LINE_BY_LINE)
        if pdf.page_no() > MAX_PAGES:
            raise TooLong(f"more than {MAX_PAGES} pages")
        return bytes(pdf.output())
    finally:
        for font in pdf.fonts.values():  # fpdf2 reads its fonts lazily and leaves the files open
            ttfont = getattr(font, "ttfont", None)
            if ttfont is not None:
                ttfont.close()
