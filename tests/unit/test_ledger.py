import io
import tracemalloc
from datetime import date

import pytest
from openpyxl import Workbook

from approvals.errors import LedgerImportError
from approvals.ledger import (
    MAX_REPORTED_PROBLEMS,
    MAX_ROWS,
    XLSX_PART_BYTES,
    KeyProjectStatus,
    key_project_status,
    parse_csv,
    parse_xlsx,
)
from approvals.models import Status
from tests import hostile_files as hostile


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


# Hostile and awkward files: each is refused with a row-style report, never an exception the bot cannot word.


def test_the_declared_dimension_is_ignored_rows_are_read_as_they_come() -> None:
    """A sheet declaring 16,384 columns (A1:XFD…) once had every row padded to that width."""
    rows = hostile.HEADER_ROW + '<row r="2"><c r="A2" t="inlineStr"><is><t>KP-1</t></is></c>'
    rows += '<c r="B2" t="inlineStr"><is><t>A</t></is></c><c r="C2" t="inlineStr"><is><t>B</t></is></c></row>'
    rows += '<row r="1000"><c r="XFD1000" t="inlineStr"><is><t>x</t></is></c></row>'
    data = hostile.xlsx_package(hostile.sheet(rows, dimension="A1:XFD1000"))
    tracemalloc.start()
    try:
        (project,) = parse_xlsx(data)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert project.code == "KP-1"
    assert peak < 16 * 1024 * 1024


def test_a_part_that_unpacks_past_its_cap_is_refused_before_it_is_parsed() -> None:
    with pytest.raises(LedgerImportError) as caught:
        parse_xlsx(hostile.shared_string_bomb(XLSX_PART_BYTES // (1 << 20) + 1))
    assert [(p.row, p.problem) for p in caught.value.problems] == [(0, "too_big_unpacked")]


def test_at_most_fifty_bad_rows_are_reported_then_how_many_more() -> None:
    bad = "".join(f"KP {n},A,B\n" for n in range(200))
    with pytest.raises(LedgerImportError) as caught:
        parse_csv(f"code,name,owner\n{bad}".encode())
    assert len(caught.value.problems) == MAX_REPORTED_PROBLEMS == 50
    assert caught.value.problems[-1].row == 51
    assert caught.value.more == 150


def test_reading_stops_past_the_row_limit() -> None:
    rows = "".join(f"KP {n},A,B\n" for n in range(MAX_ROWS + 500))  # every one bad: all would be reported
    with pytest.raises(LedgerImportError) as caught:
        parse_csv(f"code,name,owner\n{rows}".encode())
    error = caught.value
    assert (error.problems[0].row, error.problems[0].problem) == (0, "too_many")
    assert len(error.problems) + error.more == MAX_ROWS + 1  # the rows after the limit were not read


def test_a_utf16_csv_from_excel_is_read() -> None:
    text = "项目编号\t项目名称\t建设单位\r\nKP-01\t城东污水厂\t区水务集团\r\n"
    (project,) = parse_csv(text.encode("utf-16"))
    assert (project.code, project.name, project.owner) == ("KP-01", "城东污水厂", "区水务集团")


def test_key_project_names_are_cleaned_of_control_and_bidi_characters() -> None:
    (project,) = parse_csv("code,name,owner\nKP-1,Bridge\u202e\x0b one,Roads\u2066 Bureau\n".encode())
    assert (project.name, project.owner) == ("Bridge one", "Roads Bureau")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(hostile.entity_sheet(), [(0, "unreadable")], id="xml-entities"),
        pytest.param(b"\xff\xfe" + "code,name".encode("utf-16-le")[:-1], [(0, "bad_encoding")], id="broken-utf16"),
        pytest.param(
            "code,name,owner\nKP-1,城东,水务\n".encode() + "KP-2,城西,水务\n".encode("gbk"),
            [(3, "mixed_encoding")],
            id="utf8-then-gbk",
        ),
        pytest.param(b"code,name,owner\nKP-1,\xff\xfe\xff,B\n", [(0, "bad_encoding")], id="no-encoding"),
        pytest.param(
            b"code,name,owner\nKP-1,A,B\nKP-2," + b"x" * 200_000 + b",C\n", [(3, "unreadable_row")], id="huge-cell"
        ),
    ],
)
def test_a_file_that_cannot_be_read_gets_a_row_report(data: bytes, expected: list[tuple[int, str]]) -> None:
    parse = parse_xlsx if data.startswith(b"PK") else parse_csv
    with pytest.raises(LedgerImportError) as caught:
        parse(data)
    assert [(p.row, p.problem) for p in caught.value.problems] == expected
