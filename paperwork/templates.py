"""The bureau's templates: one UTF-8 text file per document, which staff edit in any text editor.

A template is read line by line; the first character says how the line is set:

    # a comment (not printed)
    = a title: centred, large
    ^ a centred line (the document's number under the title)
    < a line flush left (the addressee: "某某公司：")
    > a line flush right (the bureau's name, the date)
    * an item of a list; "* {{items}}" prints every item of the document's list, numbered
    ? (before any of the above) the line is printed only when every field it names is filled, e.g.
      "? 四、{{reason}}" for a reviewer's optional remark
    (anything else) a paragraph of the body, its first line indented two characters
    (an empty line) a blank line

``{{name}}`` is replaced by the field of that name (``paperwork/fields.py``: bureau, request_id, date, project …);
a name that is not a field stops loading with the file and line, so a typo is found at start, not by an applicant.
The shipped defaults are in ``paperwork/templates/``; a file of the same name in ``TEMPLATES_DIR`` replaces one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
from pathlib import Path

from paperwork.fields import PaperFields
from paperwork.kinds import PaperKind

DEFAULTS = Path(__file__).with_name("templates")
MAX_TEMPLATE_BYTES = 64 * 1024
MAX_LINES = 400
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
NAMES = frozenset(f.name for f in fields(PaperFields))


class TemplateError(Exception):
    """A template that cannot be used: the message names the file and the line."""


class Style(StrEnum):
    TITLE = "="
    CENTRE = "^"
    LEFT = "<"
    RIGHT = ">"
    ITEM = "*"
    BODY = ""
    BLANK = " "


@dataclass(frozen=True)
class Block:
    style: Style
    text: str
    optional: bool = False  # printed only when every field it names is filled


@dataclass(frozen=True)
class Template:
    kind: PaperKind
    source: Path
    lines: tuple[Block, ...]

    def fill(self, values: PaperFields) -> list[Block]:
        """The blocks with every ``{{name}}`` replaced, in one pass: text a field brings is never read again."""
        data = values.values()
        out: list[Block] = []
        for block in self.lines:
            names = PLACEHOLDER.findall(block.text)
            if block.optional and not all(data.get(n) if n != "items" else values.items for n in names):
                continue
            if names == ["items"] and block.style is Style.ITEM:
                out.extend(Block(Style.ITEM, f"{n}. {item}") for n, item in enumerate(values.items, start=1))
                continue
            out.append(Block(block.style, PLACEHOLDER.sub(lambda m: data.get(m.group(1), ""), block.text)))
        return out


def parse(kind: PaperKind, source: Path, text: str) -> Template:
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        raise TemplateError(f"{source}: more than {MAX_LINES} lines")
    blocks: list[Block] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        if line.startswith("#"):
            continue
        for name in PLACEHOLDER.findall(line):
            if name not in NAMES:
                raise TemplateError(
                    f"{source}:{number}: unknown field {{{{{name}}}}}; known: {', '.join(sorted(NAMES))}"
                )
        if "items" in PLACEHOLDER.findall(line) and PLACEHOLDER.sub("", line).strip("*? ") != "":
            raise TemplateError(f"{source}:{number}: {{{{items}}}} is a list: alone on a line after '* '")
        optional = line.startswith("?")
        if optional:
            line = line[1:].strip()
        if not line.strip():
            blocks.append(Block(Style.BLANK, ""))
        elif line[0] in "=^<>*":
            blocks.append(Block(Style(line[0]), line[1:].strip(), optional))
        else:
            blocks.append(Block(Style.BODY, line.strip(), optional))
    if not any(b.style is Style.TITLE for b in blocks):
        raise TemplateError(f"{source}: no title line (a line starting with '= ')")
    return Template(kind, source, tuple(blocks))


def _read(path: Path) -> str:
    if path.stat().st_size > MAX_TEMPLATE_BYTES:
        raise TemplateError(f"{path}: larger than {MAX_TEMPLATE_BYTES} bytes")
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TemplateError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from exc


@dataclass(frozen=True)
class Templates:
    """One template per kind of document: the bureau's own where ``TEMPLATES_DIR`` has it, else the default."""

    by_kind: Mapping[PaperKind, Template]

    @classmethod
    def load(cls, directory: Path | None = None) -> Templates:
        if directory is not None and not directory.is_dir():
            raise TemplateError(f"{directory}: not a directory")
        found = {}
        for kind in PaperKind:
            own = directory / f"{kind.value}.txt" if directory is not None else None
            path = own if own is not None and own.is_file() else DEFAULTS / f"{kind.value}.txt"
            found[kind] = parse(kind, path, _read(path))
        return cls(found)

    def __getitem__(self, kind: PaperKind) -> Template:
        return self.by_kind[kind]
