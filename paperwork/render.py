"""Fill a template and render it both ways: the DOCX for staff, the PDF for the applicant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from paperwork.fields import PaperFields
from paperwork.kinds import PaperKind
from paperwork.templates import Style, Templates

MAX_OUTPUT_BYTES = 5 * 1024 * 1024  # far above a notice (tens of kB): past it something is wrong, not sent


class RenderError(Exception):
    """The document cannot be made (too long, too large): the message says why."""


@dataclass(frozen=True)
class Rendered:
    kind: PaperKind
    title: str
    docx: bytes
    pdf: bytes


def render(templates: Templates, kind: PaperKind, fields: PaperFields, *, created: datetime) -> Rendered:
    """The document ``kind`` with ``fields`` (bounded here again, whoever built them), dated ``created``.
    Pure and deterministic: the same arguments give the same bytes."""
    # imported here: python-docx, fpdf2 and fontTools (with PIL and numpy) are ~65 MB that only the rendering
    # child (paperwork/child.py) needs; the bot imports this package for its names
    from paperwork.render_docx import render_docx
    from paperwork.render_pdf import TooLong, render_pdf

    blocks = templates[kind].fill(fields.bounded())
    title = next((b.text for b in blocks if b.style is Style.TITLE), kind.value)
    author = fields.bureau
    try:
        pdf = render_pdf(blocks, title=title, author=author, created=created)
    except TooLong as exc:
        raise RenderError(str(exc)) from exc
    docx = render_docx(blocks, title=title, author=author, created=created)
    if max(len(pdf), len(docx)) > MAX_OUTPUT_BYTES:
        raise RenderError(f"larger than {MAX_OUTPUT_BYTES} bytes")
    return Rendered(kind, title, docx, pdf)
