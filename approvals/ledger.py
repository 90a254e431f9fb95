"""The district's list of key projects (区政府重点项目): importing it, and each project's approval status."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
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
    if seen & {Status.SUBMITTED, Status.IN_REVIEW, Status.RESUBMITTED}:
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
}
_REQUIRED = ("code", "name", "owner")
MAX_ROWS = 5000


def parse_csv(data: bytes) -> list[KeyProject]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")  # Excel on a Chinese Windows saves CSV as GBK
    rows = list(csv.reader(io.StringIO(text)))
    return _parse_rows(rows)


def parse_xlsx(data: bytes) -> list[KeyProject]:
    from openpyxl import load_workbook  # heavy import, only when a spreadsheet actually arrives

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a damaged file
        raise LedgerImportError([RowProblem(0, "unreadable")]) from exc
    try:
        sheet = book.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    return _parse_rows(rows)


def _parse_rows(rows: Sequence[Sequence[Any]]) -> list[KeyProject]:
    """Header row first; every data row checked; any problem rejects the whole file."""
    if not rows:
        raise LedgerImportError([RowProblem(0, "empty_file")])
    columns = _columns(rows[0])
    problems: list[RowProblem] = []
    projects: list[KeyProject] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = {field: _cell(row, index) for field, index in columns.items()}
        if not any(cells.values()):
            continue  # blank line
        try:
            project = _project(cells)
        except _Bad as bad:
            problems.append(RowProblem(number, bad.problem, **bad.params))
            continue
        if project.code in seen:
            problems.append(RowProblem(number, "duplicate", code=project.code, first=seen[project.code]))
            continue
        seen[project.code] = number
        projects.append(project)
    if len(projects) > MAX_ROWS:
        problems.append(RowProblem(0, "too_many", max=MAX_ROWS))
    if not projects and not problems:
        problems.append(RowProblem(0, "no_projects"))
    if problems:
        raise LedgerImportError(problems)
    return projects


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
        raise LedgerImportError([RowProblem(1, "missing_columns", columns=", ".join(missing))])
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
    name, owner = str(cells["name"]), str(cells["owner"])
    if len(name) > 200 or len(owner) > 200:
        raise _Bad("too_long", max=200)
    return KeyProject(
        code=code,
        name=name,
        owner=owner,
        planned_start=_date(cells.get("planned_start"), "planned_start"),
        planned_approval=_date(cells.get("planned_approval"), "planned_approval"),
    )


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
