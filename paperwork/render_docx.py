"""A filled template as DOCX (python-docx): the copy bureau staff open in Word or WPS, edit and print.

Word documents name fonts rather than carry them: the body asks for 仿宋 and the title for 黑体 (on every Chinese
Windows and in WPS), each with a Latin fallback. The package is written again with fixed member times, so the same
blocks and date always give the same bytes (the archive keeps each document once, by its hash).
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.run import Run

from paperwork.templates import Block, Style

BODY_FONT, TITLE_FONT = "仿宋", "黑体"
ALIGN = {
    Style.TITLE: WD_ALIGN_PARAGRAPH.CENTER,
    Style.CENTRE: WD_ALIGN_PARAGRAPH.CENTER,
    Style.RIGHT: WD_ALIGN_PARAGRAPH.RIGHT,
    Style.LEFT: WD_ALIGN_PARAGRAPH.LEFT,
    Style.BODY: WD_ALIGN_PARAGRAPH.JUSTIFY,
    Style.ITEM: WD_ALIGN_PARAGRAPH.JUSTIFY,
}
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip member can carry: no build clock in the bytes


def _font(run: Run, name: str, size: float) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def render_docx(blocks: list[Block], *, title: str, author: str, created: datetime) -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    props = document.core_properties
    props.title, props.author, props.last_modified_by = title, author, author
    props.created = props.modified = created.replace(tzinfo=None, microsecond=0)
    props.revision = 1
    for block in blocks:
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(0)
        if block.style is Style.BLANK:
            continue
        paragraph.alignment = ALIGN[block.style]
        if block.style in (Style.BODY, Style.ITEM):
            paragraph.paragraph_format.first_line_indent = Pt(32)  # two characters of 16 pt
        run = paragraph.add_run(block.text)
        if block.style is Style.TITLE:
            _font(run, TITLE_FONT, 22)
            paragraph.paragraph_format.space_after = Pt(12)
        else:
            _font(run, BODY_FONT, 16)
            paragraph.paragraph_format.line_spacing = Pt(28)
    raw = io.BytesIO()
    document.save(raw)
    return _fixed_times(raw.getvalue())


def _fixed_times(package: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(member, source.read(info.filename))
    return out.getvalue()
