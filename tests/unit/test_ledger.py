import io
from datetime import date

import pytest
from openpyxl import Workbook

from approvals.errors import LedgerImportError
from approvals.ledger import KeyProjectStatus, key_project_status, parse_csv, parse_xlsx
from approvals.models import Status


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_csv_with_chinese_headers_in_gbk() -> None:
    text = "项目编号,项目名称,建设单位,计划批复\nkp-01,城东污水厂,区水务集团,2026/12/31\nKP-02,学校扩建,区教育局,\n"
    projects = parse_csv(text.encode("gb18030"))
    assert [p.code for p in projects] == ["KP-01", "KP-02"]
    assert projects[0].planned_approval == date(2026, 12, 31)
    assert projects[1].planned_approval is None


def test_xlsx_with_english_headers_and_real_dates() -> None:
    data = xlsx([["code", "name", "owner", "planned_start"], ["KP-9", "Bridge", "Roads Bureau", date(2027, 3, 1)]])
    (project,) = parse_xlsx(data)
    assert (project.code, project.planned_start) == ("KP-9", date(2027, 3, 1))


def test_the_list_is_data_any_length() -> None:
    rows = "\n".join(f"KP-{n:03},项目{n},单位{n}" for n in range(1, 121))
    assert len(parse_csv(f"code,name,owner\n{rows}\n".encode())) == 120


def test_bad_rows_are_all_reported_by_row_number_and_nothing_is_imported() -> None:
    text = "code,name,owner,planned_start\nKP-1,A,B,\n,C,D,\nKP 3,E,F,\nKP-1,G,H,\nKP-5,I,J,someday\n"
    with pytest.raises(LedgerImportError) as caught:
        parse_csv(text.encode())
    problems = caught.value.problems
    assert [(p.row, p.problem) for p in problems] == [
        (3, "empty_field"),
        (4, "bad_code"),
        (5, "duplicate"),
        (6, "bad_date"),
    ]
    assert problems[2].params == {"code": "KP-1", "first": 2}


@pytest.mark.parametrize(
    ("data", "problem"),
    [(b"", "empty_file"), (b"code,name\nKP-1,A\n", "missing_columns"), (b"code,name,owner\n\n", "no_projects")],
)
def test_files_without_projects_are_refused(data: bytes, problem: str) -> None:
    with pytest.raises(LedgerImportError) as caught:
        parse_csv(data)
    assert [p.problem for p in caught.value.problems] == [problem]


def test_a_damaged_spreadsheet_is_refused() -> None:
    with pytest.raises(LedgerImportError) as caught:
        parse_xlsx(b"PK\x03\x04 not really a zip")
    assert caught.value.problems[0].problem == "unreadable"


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([], KeyProjectStatus.NOT_SUBMITTED),
        ([Status.WITHDRAWN], KeyProjectStatus.NOT_SUBMITTED),
        ([Status.REJECTED], KeyProjectStatus.REJECTED),
        ([Status.REJECTED, Status.SUBMITTED], KeyProjectStatus.IN_PROGRESS),
        ([Status.IN_REVIEW, Status.NEEDS_INFO], KeyProjectStatus.NEEDS_INFO),
        ([Status.REJECTED, Status.APPROVED], KeyProjectStatus.APPROVED),
    ],
)
def test_a_key_projects_status_derives_from_its_requests(statuses: list[Status], expected: KeyProjectStatus) -> None:
    assert key_project_status(statuses) is expected


def test_a_refused_file_keeps_its_cells_out_of_the_error_message() -> None:
    """The report shows the bad values (params); the exception's message, which may reach a log, does not."""
    text = "code,name,owner,planned_start\nKP 秘密,A,B,\nKP-1,C,D,\nKP-1,E,F,\nKP-5,G,H,someday-private\n"
    with pytest.raises(LedgerImportError) as caught:
        parse_csv(text.encode())
    message = str(caught.value)
    for cell in ("秘密", "KP-1", "someday"):
        assert cell not in message
    assert "row 2: bad_code" in message
    assert caught.value.problems[0].params == {"value": "KP 秘密"}
