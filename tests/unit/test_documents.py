"""Documents are what their names say to their last byte; names shown to others carry no invisible tricks."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiogram.utils.i18n import I18n
from openpyxl import load_workbook

from approvals.documents import MAX_ZIP_MEMBERS, check_document, duplicate_of, new_only
from approvals.models import Actor, ApprovalRequest, Attachment, AuditEvent, Lane, Status
from approvals.validation import InvalidField, clean_name
from handlers.export import workbook
from tests import hostile_files as hostile
from tests.factories import make_draft

DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 an old Word file"


def problem(name: str, data: bytes) -> str | None:
    try:
        check_document(name, data)
    except InvalidField as exc:
        return exc.problem
    return None


def test_a_pdf_must_end_like_a_pdf() -> None:
    assert problem("eia.pdf", hostile.PDF) is None
    assert problem("eia.pdf", hostile.PDF + b"\r\n\x00") is None  # what some writers leave after %%EOF
    assert problem("eia.pdf", b"%PDF-1.4 and then the upload stopped") == "damaged"


def test_a_pdf_that_is_also_a_zip_is_refused() -> None:
    assert problem("eia.pdf", hostile.pdf_zip_polyglot()) == "disguised"
    # the polyglot's ZIP comment makes it end in "%%EOF", as a PDF does: the ZIP's end record still gives it away
    assert hostile.pdf_zip_polyglot().endswith(b"%%EOF\n")


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        ({"eia/report.pdf": hostile.PDF, "eia/old.doc": DOC, "eia/new.docx": b"PK\x03\x04"}, None),
        ({"eia/": b"", "__MACOSX/eia/._report.pdf": b"\x00\x05\x16\x07 resource fork"}, None),
        ({"report.pdf": hostile.PDF, "setup.exe": b"MZ\x90\x00"}, "zip_member"),
        ({"report.pdf": b"MZ\x90\x00 a program named like a PDF"}, "zip_member"),
        ({"inner.zip": hostile.zip_of({"a.pdf": hostile.PDF})}, "zip_member"),
        ({f"{n}.pdf": hostile.PDF for n in range(MAX_ZIP_MEMBERS + 1)}, "zip_too_many"),
    ],
)
def test_a_zip_holds_documents_only(members: dict[str, bytes], expected: str | None) -> None:
    assert problem("material.zip", hostile.zip_of(members)) == expected


def test_a_zip_that_unpacks_past_the_bound_is_refused_from_its_directory() -> None:
    assert problem("material.zip", hostile.zip_bomb(201)) == "zip_too_big"


def test_a_damaged_zip_is_refused() -> None:
    assert problem("material.zip", b"PK\x03\x04 and nothing else") == "damaged"


def test_names_shown_to_others_lose_control_and_bidi_characters() -> None:
    assert clean_name("invoice\u202eexe.pdf") == "invoiceexe.pdf"  # shown as "invoicefdp.exe" before
    assert clean_name(" \u2067Eve\u2069\x0b  Lyn\n") == "Eve Lyn"
    assert Attachment(file_id="f", name="report\x0b\u200f.pdf", size=1).name == "report.pdf"
    assert Actor(user_id=1, name="Mallory\u202e\x00" + "x" * 300).name == "Mallory" + "x" * 122


def test_the_export_drops_characters_a_workbook_cannot_hold() -> None:
    """Rows stored before names were cleaned may still hold control characters: the export must not fail on them."""
    at = datetime(2026, 11, 30, 2, tzinfo=UTC)
    day = date(2026, 11, 30)
    draft = make_draft(attachments=(Attachment(file_id="f", name="a.pdf", size=1),))
    request = ApprovalRequest.model_construct(
        **{**dict(draft), "contact_name": "王\x0b工"},
        id=1,
        applicant_id=101,
        lane=Lane.GREEN,
        status=Status.SUBMITTED,
        submitted_at=at,
        accepted_on=day,
        updated_at=at,
        promised_due=day,
        statutory_due=day,
        paused_working_days=0,
        decided_on=None,
        approval_number=None,
        last_reason=None,
    )
    event = AuditEvent.model_construct(
        request_id=1,
        actor_id=101,
        at=at,
        actor_name="Eve\x0bLyn",
        action="submit",
        from_status=None,
        to_status=Status.SUBMITTED,
        reason=None,
    )
    i18n = I18n(path=Path(__file__).resolve().parents[2] / "locales", default_locale="en", domain="messages")
    with i18n.context(), i18n.use_locale("en"):
        data = workbook([request], [event], ZoneInfo("Asia/Shanghai"))
    book = load_workbook(io.BytesIO(data), read_only=True)
    requests = list(book.worksheets[0].iter_rows(values_only=True))
    history = list(book.worksheets[1].iter_rows(values_only=True))
    book.close()
    assert requests[1][3] == "王工"
    assert history[1][3] == "EveLyn"


H1, H2 = "1" * 64, "2" * 64


def test_a_file_sent_again_is_recognised_by_telegrams_id_for_it_or_by_its_bytes() -> None:
    first = Attachment(file_id="f1", name="eia.pdf", size=9, unique_id="u1", sha256=H1)
    forwarded = Attachment(file_id="f2", name="eia.pdf", size=9, unique_id="u1")  # Telegram's id: not fetched again
    renamed = Attachment(file_id="f3", name="final.pdf", size=9, unique_id="u3", sha256=H1)  # the same bytes
    revised = Attachment(file_id="f4", name="eia.pdf", size=9, unique_id="u4", sha256=H2)  # same name, new content
    assert duplicate_of(forwarded, [first]) is first
    assert duplicate_of(renamed, [first]) is first
    assert duplicate_of(revised, [first]) is None
    assert (
        duplicate_of(Attachment(file_id="f5", name="x.pdf", size=1), [Attachment(file_id="f6", name="y.pdf", size=1)])
        is None
    )
    assert new_only([first], [renamed, revised, revised]) == [revised]  # each kept once, none the request has
