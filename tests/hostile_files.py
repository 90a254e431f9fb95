"""Files an attacker could send: spreadsheet bombs, entity tricks, polyglots. Built in memory, each small on the wire.

A bomb is only ever parsed by the bot's confined worker (its own memory and time bound), never in the test process.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

from openpyxl.utils import get_column_letter

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_BOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"

HEADER_ROW = '<row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c><c r="B1" t="inlineStr"><is><t>name</t></is></c><c r="C1" t="inlineStr"><is><t>owner</t></is></c></row>'  # noqa: E501


def sheet(rows: str, *, dimension: str = "A1:C2", prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{_NS}"><dimension ref="{dimension}"/>'
        f"<sheetData>{rows}</sheetData></worksheet>"
    ).encode()


def xlsx_package(sheet_xml: bytes, *, shared_strings: Iterable[bytes] | None = None) -> bytes:
    """A minimal workbook with one sheet; ``shared_strings`` streams xl/sharedStrings.xml in chunks."""
    strings_override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_STRINGS_TYPE}"/>'
    strings_rel = f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
    parts = {
        "[Content_Types].xml": (
            f'<Types xmlns="{_CT}"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package'
            '.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_BOOK_TYPE}"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_SHEET_TYPE}"/>'
            f"{strings_override if shared_strings is not None else ''}</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/worksheet" '
            f'Target="worksheets/sheet1.xml"/>{strings_rel if shared_strings is not None else ""}</Relationships>'
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in parts.items():
            book.writestr(name, text)
        book.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if shared_strings is not None:
            with book.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
                for chunk in shared_strings:
                    part.write(chunk)
    return out.getvalue()


def dimension_bomb() -> bytes:
    """~1 KB: declares every cell of the sheet (A1:XFD1048576) and puts one cell in the last row."""
    rows = HEADER_ROW + '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return xlsx_package(sheet(rows, dimension="A1:XFD1048576"))


def shared_string_bomb(megabytes: int) -> bytes:
    """One shared string of ``megabytes`` MB of 'A': about 1 KB on the wire per MB unpacked."""
    chunk = b"A" * (1 << 20)

    def strings() -> Iterable[bytes]:
        yield f'<sst xmlns="{_NS}" count="1" uniqueCount="1"><si><t>'.encode()
        for _ in range(megabytes):
            yield chunk
        yield b"</t></si></sst>"

    rows = HEADER_ROW + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
    return xlsx_package(sheet(rows), shared_strings=strings())


def entity_sheet() -> bytes:
    """A sheet whose XML declares entities ("billion laughs"): an expanding parser would blow up."""
    prolog = (
        '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
        '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">'
        '<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">]>'
    )
    rows = HEADER_ROW + '<row r="2"><c r="A2" t="inlineStr"><is><t>KP-1</t></is></c><c r="B2" t="inlineStr">'
    rows += '<is><t>&g;</t></is></c><c r="C2" t="inlineStr"><is><t>x</t></is></c></row>'
    return xlsx_package(sheet(rows, prolog=prolog))


def rows_xlsx(count: int, *, columns: int = 3) -> bytes:
    """A genuine but large list: ``count`` projects, ``columns`` cells a row."""
    rows = [HEADER_ROW]
    for n in range(2, count + 2):
        cells = "".join(
            f'<c r="{get_column_letter(i + 1)}{n}" t="inlineStr"><is><t>{"KP-" if i == 0 else "v"}{n}</t></is></c>'
            for i in range(columns)
        )
        rows.append(f'<row r="{n}">{cells}</row>')
    return xlsx_package(sheet("".join(rows), dimension=f"A1:{get_column_letter(columns)}{count + 1}"))


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer\n<< /Root 1 0 R >>\nstartxref\n9\n%%EOF\n"


def zip_of(members: dict[str, bytes], *, comment: bytes = b"") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        archive.comment = comment
    return out.getvalue()


def pdf_zip_polyglot() -> bytes:
    """Starts like a PDF, is a ZIP holding a program: readers that look at the first bytes only take it for a PDF."""
    return b"%PDF-1.4\n" + zip_of({"setup.exe": b"MZ\x90\x00 a Windows program"}, comment=b"%%EOF\n")


def zip_bomb(megabytes: int) -> bytes:
    """A .zip whose one PDF unpacks to ``megabytes`` MB (about 1 KB a MB on the wire)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("big.pdf", "w", force_zip64=True) as member,
    ):
        member.write(PDF)
        for _ in range(megabytes):
            member.write(b" " * (1 << 20))
    return out.getvalue()
