"""The district's list of key projects (区政府重点项目): importing it, and each project's approval status."""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from approvals import validation as v
from approvals.errors import LedgerImportError, RowProblem
from approvals.models import Status


class KeyProject(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    owner: str
    planned_start: date | None = None
    planned_approval: date | None = None
    archived: bool = False  # left out of a later list: kept so the requests naming it still show its name
    liaison: int | None = None  # an import's liaison column (帮包人): a reviewer's Telegram id; not kept on the list


MAX_KEY_QUERY = 100  # characters of a key-project search kept; codes and names are shorter


def key_project_matches(project: KeyProject, text: str) -> bool:
    """Code prefix, or any part of the name or owner, ignoring case."""
    wanted = text.casefold()
    return (
        project.code.casefold().startswith(wanted)
        or wanted in project.name.casefold()
        or wanted in project.owner.casefold()
    )


class KeyProjectStatus(StrEnum):
    NOT_SUBMITTED = "not_submitted"
    IN_PROGRESS = "in_progress"
    NEEDS_INFO = "needs_info"
    APPROVED = "approved"
    REJECTED = "rejected"


def key_project_status(statuses: Iterable[Status]) -> KeyProjectStatus:
    """One project may have several requests (a withdrawn one, then a new one): the most advanced wins."""
    seen = set(statuses)
    if Status.APPROVED in seen:
        return KeyProjectStatus.APPROVED
    if Status.NEEDS_INFO in seen:
        return KeyProjectStatus.NEEDS_INFO
    if seen & {Status.SUBMITTED, Status.IN_REVIEW, Status.RESUBMITTED, Status.EXCLUDED, Status.SIGNING}:
        return KeyProjectStatus.IN_PROGRESS
    if Status.REJECTED in seen:
        return KeyProjectStatus.REJECTED
    return KeyProjectStatus.NOT_SUBMITTED


# Column headers a bureau's spreadsheet may use, English or Chinese.
_HEADERS = {
    "code": {"code", "编号", "项目编号", "项目代码"},
    "name": {"name", "项目名称", "名称"},
    "owner": {"owner", "建设单位", "业主单位"},
    "planned_start": {"planned_start", "计划开工", "计划开工日期"},
    "planned_approval": {"planned_approval", "计划批复", "计划批复日期"},
    "liaison": {"liaison", "帮包人", "帮包责任人", "联络人"},
}
_REQUIRED = ("code", "name", "owner")
MAX_ROWS = 5000
MAX_COLUMNS = 64  # the header is looked for here; cells further right are never built
MAX_REPORTED_PROBLEMS = 50  # a report past this length helps nobody: the rest are counted
LAST_SHEET_ROW = 1_048_576  # Excel's last row: a row number past it comes from no spreadsheet program
# What an XLSX (a ZIP of XML parts) may unpack to. zipfile stops each part at its declared size, so checking the
# declared sizes bounds what is parsed. A genuine list of 5,000 projects unpacks to a few MB.
XLSX_PART_BYTES = 16 << 20
XLSX_TOTAL_BYTES = 48 << 20
XLSX_MAX_PARTS = 500


def parse_ledger(kind: str, data: bytes) -> list[KeyProject]:
    """The projects in a key-project file (``kind`` is its suffix, '.csv' or '.xlsx'), or every bad row."""
    if kind == ".csv":
        return parse_csv(data)
    if kind == ".xlsx":
        return parse_xlsx(data)
    raise LedgerImportError([RowProblem(0, "bad_type")])


def parse_csv(data: bytes) -> list[KeyProject]:
    text = _decode(data)
    first_line = text[: text.find("\n")]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","  # Excel's "Unicode text" uses tabs
    return _parse_rows(csv.reader(io.StringIO(text), delimiter=delimiter))


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode text"
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise LedgerImportError([RowProblem(0, "bad_encoding")]) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Excel on a Chinese Windows saves CSV as GBK; but lines pasted together from UTF-8 and GBK files would
    # decode as GBK into nonsense, so such a file is refused, naming the first line that changes encoding.
    mixed = _first_line_in_another_encoding(data)
    if mixed:
        raise LedgerImportError([RowProblem(mixed, "mixed_encoding")])
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise LedgerImportError([RowProblem(0, "bad_encoding")]) from None


def _first_line_in_another_encoding(data: bytes) -> int:
    first_is_utf8: bool | None = None
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            is_utf8 = True
        except UnicodeDecodeError:
            is_utf8 = False
        if first_is_utf8 is None:
            first_is_utf8 = is_utf8
        elif is_utf8 != first_is_utf8:
            return number
    return 0


def parse_xlsx(data: bytes) -> list[KeyProject]:
    from openpyxl import load_workbook  # heavy import, only when a spreadsheet actually arrives

    _check_package(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except MemoryError:
        raise  # not the file's fault as such: whoever bounds the memory says so
    except Exception as exc:  # openpyxl raises several unrelated types for a damaged file
        raise LedgerImportError([RowProblem(0, "unreadable")]) from exc
    try:
        sheet = book.worksheets[0]
        if not hasattr(sheet, "reset_dimensions"):  # a chart sheet, or a workbook opened for writing
            raise LedgerImportError([RowProblem(0, "unreadable")])
        # <dimension> is what the file claims: one declaring A1:XFD1048576 would pad every row to 16,384 cells
        sheet.reset_dimensions()
        return _parse_rows(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True))
    finally:
        book.close()


def _check_package(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            parts = package.infolist()
    except MemoryError:
        raise
    except Exception as exc:  # BadZipFile, or whatever a damaged directory makes zipfile raise
        raise LedgerImportError([RowProblem(0, "unreadable")]) from exc
    too_big = any(part.file_size > XLSX_PART_BYTES for part in parts)
    if too_big or len(parts) > XLSX_MAX_PARTS or sum(part.file_size for part in parts) > XLSX_TOTAL_BYTES:
        raise LedgerImportError([RowProblem(0, "too_big_unpacked", max_mb=XLSX_PART_BYTES >> 20)])


class _Report:
    """The bad rows: the first ``MAX_REPORTED_PROBLEMS`` in full, the rest counted."""

    def __init__(self) -> None:
        self.problems: list[RowProblem] = []
        self.more = 0

    def add(self, problem: RowProblem, *, first: bool = False) -> None:
        if len(self.problems) >= MAX_REPORTED_PROBLEMS:
            self.more += 1
            if not first:
                return
            self.problems.pop()
        if first:
            self.problems.insert(0, problem)
        else:
            self.problems.append(problem)


def _parse_rows(rows: Iterable[Sequence[Any]]) -> list[KeyProject]:
    """Header row first; rows read one at a time and checked; any problem rejects the whole file."""
    report = _Report()
    reading = iter(rows)
    header = _next_row(reading, 0)
    if header is None:
        raise LedgerImportError([RowProblem(0, "empty_file")])
    columns = _columns(header[:MAX_COLUMNS])
    projects: list[KeyProject] = []
    seen: dict[str, int] = {}
    number = 1
    while True:
        try:
            row = _next_row(reading, number)
        except LedgerImportError as exc:
            report.add(exc.problems[0])
            break
        number += 1
        if row is None:
            break
        if number > LAST_SHEET_ROW:
            report.add(RowProblem(0, "unreadable"), first=True)
            break
        if not any(row):
            continue  # a blank line, or a gap between a sheet's rows (cheap: a sheet may skip to row 1,048,576)
        cells = {field: _cell(row, index) for field, index in columns.items()}
        if not any(cells.values()):
            continue  # blank line
        if len(projects) + len(report.problems) + report.more >= MAX_ROWS:
            report.add(RowProblem(0, "too_many", max=MAX_ROWS), first=True)
            break  # the rest is not read
        try:
            project = _project(cells)
        except _Bad as bad:
            report.add(RowProblem(number, bad.problem, **bad.params))
            continue
        if project.code in seen:
            report.add(RowProblem(number, "duplicate", code=project.code, first=seen[project.code]))
            continue
        seen[project.code] = number
        projects.append(project)
    if not projects and not report.problems:
        report.add(RowProblem(0, "no_projects"))
    if report.problems:
        raise LedgerImportError(report.problems, more=report.more)
    return projects


def _next_row(rows: Iterator[Sequence[Any]], read: int) -> Sequence[Any] | None:
    """The next row, or None at the end. A row the library cannot read (bad XML, a refused entity declaration, a
    cell over the CSV module's limit) is reported by its number, as a bad row is."""
    try:
        return next(rows)
    except StopIteration:
        return None
    except MemoryError:
        raise
    except Exception as exc:
        problem = RowProblem(read + 1, "unreadable_row") if read else RowProblem(0, "unreadable")
        raise LedgerImportError([problem]) from exc


def _columns(header: Sequence[Any]) -> dict[str, int]:
    names = [str(h).strip().lower() if h is not None else "" for h in header]
    found: dict[str, int] = {}
    for field, aliases in _HEADERS.items():
        for index, name in enumerate(names):
            if name in aliases:
                found[field] = index
                break
    missing = [f for f in _REQUIRED if f not in found]
    if missing:
        raise LedgerImportError([RowProblem(1, "missing_columns", columns=missing)])
    return found


def _cell(row: Sequence[Any], index: int) -> Any:
    value = row[index] if index < len(row) else None
    return value.strip() if isinstance(value, str) else value


class _Bad(Exception):
    def __init__(self, problem: str, **params: Any) -> None:
        super().__init__(problem)
        self.problem = problem
        self.params = params


def _project(cells: dict[str, Any]) -> KeyProject:
    for field in _REQUIRED:
        if cells.get(field) in (None, ""):
            raise _Bad("empty_field", column=field)
    try:
        code = v.clean_key_code(str(cells["code"]))
    except v.InvalidField:
        raise _Bad("bad_code", value=str(cells["code"])[:40]) from None
    name, owner = v.clean_name(str(cells["name"])), v.clean_name(str(cells["owner"]))
    for field, value in (("name", name), ("owner", owner)):
        if not value:  # nothing but control characters
            raise _Bad("empty_field", column=field)
    if len(name) > 200 or len(owner) > 200:
        raise _Bad("too_long", max=200)
    return KeyProject(
        code=code,
        name=name,
        owner=owner,
        planned_start=_date(cells.get("planned_start"), "planned_start"),
        planned_approval=_date(cells.get("planned_approval"), "planned_approval"),
        liaison=_liaison(cells.get("liaison")),
    )


def _liaison(value: Any) -> int | None:
    """A Telegram user id (digits, full-width too); empty: the project keeps the liaison it has."""
    if value in (None, ""):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a spreadsheet holds numbers as floats
    number = (
        v.parse_number(unicodedata.normalize("NFKC", str(value)).strip(), low=1, high=v.MAX_ID)
        if not isinstance(value, bool)
        else None
    )
    if number is None:
        raise _Bad("bad_liaison", value=str(value)[:40])
    return number


def _date(value: Any, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise _Bad("bad_date", column=field, value=str(value)[:40]) from None
