"""The PDF's lines and pages as a reader sees them: lines broken by 禁则 (paperwork/linebreak.py) and a closing
block (the bureau's name and the date) never split across two pages. Lines are read back with PDFium."""

from __future__ import annotations

import io
import itertools
import re
from datetime import UTC, datetime

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from paperwork.linebreak import NO_END, NO_START, break_lines
from paperwork.render_pdf import render_pdf
from paperwork.templates import Block, Style

CREATED = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
# dense with punctuation that may neither start nor end a line, and with numbers that may not be split
HOSTILE = (
    "你单位报送的《城东污水处理厂扩建（二期）》（报告书）收悉。经研究，批复如下：“三同时”制度、验收；"
    "是否？是！「甲」『乙』【丙】〔2026〕7号……于2027年1月14日（估算：节假日安排尚未公布）前办结。"
)


def pages_lines(data: bytes) -> list[list[str]]:
    document = pdfium.PdfDocument(data)
    try:
        return [page.get_textpage().get_text_range().split("\r\n") for page in document]
    finally:
        document.close()


def test_break_lines_moves_what_may_not_start_or_end_a_line() -> None:
    one = lambda ch: 1.0  # noqa: E731 - every character one unit wide
    assert break_lines("一二三。四", 3, one) == ["一二", "三。四"]  # 。 does not start a line: 三 goes down with it
    assert break_lines("一二（三", 3, one) == ["一二", "（三"]  # （ does not end one
    assert break_lines("一二三）。", 3, one) == ["一二", "三）。"]
    assert break_lines("一二第2027号", 5, one) == ["一二第", "2027号"]  # a number is not split
    assert break_lines("1234567", 3, one) == ["123", "456", "7"]  # unless longer than a line
    assert break_lines("。。。。", 2, one) == ["。。", "。。"]  # nowhere allowed: broken where full
    assert break_lines("甲\n\n乙", 3, one) == ["甲", "", "乙"]


def test_no_pdf_line_starts_with_closing_or_ends_with_opening_punctuation_at_any_offset() -> None:
    # the same text shifted a character at a time across a whole line's width lands each character at a break
    blocks = [Block(Style.BODY, "字" * shift + HOSTILE) for shift in range(28)]
    data = render_pdf(blocks, title="禁则", author="测试", created=CREATED)
    lines = [line for page in pages_lines(data) for line in page if line and not line.startswith("—")]
    assert len(lines) > 28 * 3
    for line in lines:
        assert line[0] not in NO_START, line
        assert line[-1] not in NO_END, line
    for above, below in itertools.pairwise(lines):
        assert not (above[-1].isdigit() and below[0].isdigit()), (above, below)
    assert "".join(lines).count(HOSTILE) == 28  # nothing lost or reordered


@pytest.mark.parametrize("body_lines", range(17, 23))
def test_the_closing_block_is_never_split_across_pages(body_lines: int) -> None:
    blocks = [
        Block(Style.TITLE, "关于某项目的批复"),
        *[Block(Style.BODY, f"第{n}行。") for n in range(body_lines)],
        Block(Style.BLANK, ""),
        Block(Style.RIGHT, "测试市城东区生态环境局"),
        Block(Style.RIGHT, "2026年12月1日"),
    ]
    pages = pages_lines(render_pdf(blocks, title="批复", author="测试", created=CREATED))
    holding = [i for i, page in enumerate(pages) if "测试市城东区生态环境局" in page]
    assert holding and "2026年12月1日" in pages[holding[0]], pages


def test_every_glyph_maps_back_to_its_character_for_copy_and_paste() -> None:
    """The font's ToUnicode map gives every 2-byte code the page uses a real character (no NUL), and PDFium's
    extraction (Chrome's reader) is clean. pypdf still shows a NUL before each character: it does not read the
    embedded encoding CMap fpdf2 writes for a CID-keyed CFF font and falls back to 1-byte codes (see README)."""
    data = render_pdf([Block(Style.BODY, HOSTILE)], title="复制", author="测试", created=CREATED)
    reader = PdfReader(io.BytesIO(data))
    page = reader.pages[0]
    font = next(iter(page["/Resources"]["/Font"].values())).get_object()
    cmap = font["/ToUnicode"].get_object().get_data().decode("ascii")
    to_unicode = {int(c, 16): chr(int(u, 16)) for c, u in re.findall(r"<([0-9A-F]{4})> <([0-9A-F]{4})>", cmap)}
    used = set()
    for operands, operator in ContentStream(page.get_contents(), reader).operations:
        if operator == b"Tj":
            raw = bytes(operands[0].original_bytes if hasattr(operands[0], "original_bytes") else operands[0])
            used |= {int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)}
    assert used and all(to_unicode.get(code, "\x00") != "\x00" for code in used)
    text = "".join(line for page_lines in pages_lines(data) for line in page_lines)
    assert "\x00" not in text and HOSTILE in text
