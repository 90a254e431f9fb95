"""Every message the renderers make fits Telegram's limits as Telegram counts them, whatever the fields hold.

Fields are drawn at their validation maxima, in characters that count two UTF-16 units and characters that HTML
must escape, with many long file names and many history events. Each message is parsed by the local Bot API
server's strict HTML parser (as Telegram would refuse it) and measured in UTF-16 units after parsing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from aiogram.utils.i18n import I18n
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hypothesis import given, settings
from hypothesis import strategies as st

from approvals.admin import KeyBoard, KeyBoardPage, KeyMatches
from approvals.errors import AlreadyDecided, NotClaimant
from approvals.key_attention import Attention, KeyAttention
from approvals.key_list import ImportOutcome, ImportResult, ListChanges, Renamed
from approvals.ledger import KeyProject, KeyProjectStatus
from approvals.models import (
    MAX_ATTACHMENT_BYTES,
    MAX_DRAFT_DOCUMENTS,
    ApprovalRequest,
    Attachment,
    AuditEvent,
    Category,
    DocumentType,
    Lane,
    Status,
)
from approvals.reminders import Reminder, ReminderKind
from approvals.service import QueuePage, RequestView
from approvals.summary import STAGES, LaneTiming, SummaryFigures
from approvals.validation import LIMITS, MAX_ID, MAX_INVESTMENT, MAX_REQUEST_NUMBER
from handlers import card, key_texts, limits, views
from handlers import keyboards as kb
from handlers import texts as t
from handlers.form_flow import documents_screen
from handlers.summary_text import summary_text
from jobs.reminders import reminder_text
from localbotapi.html_check import plain_text, utf16_length

ROOT = Path(__file__).resolve().parents[2]
# Characters that count two units (emoji, CJK Extension B), that HTML escapes, and plain Chinese and ASCII
CHARS = ["🏭", "𠀀", "<", ">", "&", '"', "'", "环", "a", " ", "\n", "&amp;", "<b>"]
NAME_MAX = 129  # a Telegram first and last name, 64 characters each, and the space between


@pytest.fixture(scope="module")
def i18n(tmp_path_factory: pytest.TempPathFactory) -> I18n:
    """Both catalogues compiled from the committed .po files (the .mo files are not committed)."""
    root = tmp_path_factory.mktemp("locales")
    for po in (ROOT / "locales").glob("*/LC_MESSAGES/messages.po"):
        target = root / po.parent.parent.name / "LC_MESSAGES"
        target.mkdir(parents=True)
        with po.open("rb") as source, (target / "messages.mo").open("wb") as mo:
            write_mo(mo, read_po(source))
    return I18n(path=root, default_locale="zh_CN", domain="messages")


def at_max(size: int) -> st.SearchStrategy[str]:
    """Text of exactly ``size`` characters, none of them blank at the ends (validation strips those)."""

    def fill(motif: str) -> str:
        text = (motif * (size // len(motif) + 1))[:size]
        return "环" + text[1:-1] + "环" if size > 2 else text

    return st.lists(st.sampled_from(CHARS), min_size=1, max_size=6).map("".join).map(fill)


def field(name: str) -> st.SearchStrategy[str]:
    return at_max(LIMITS[name][1])


FILE_NAMES = at_max(251).map(lambda s: s + ".pdf")  # 255 characters, the most Attachment takes


@st.composite
def requests(draw: st.DrawFn) -> ApprovalRequest:
    files = draw(st.integers(0, 60))
    name = draw(FILE_NAMES)
    return ApprovalRequest(
        id=MAX_REQUEST_NUMBER,
        applicant_id=MAX_ID,
        project_name=draw(field("project_name")),
        organisation=draw(field("organisation")),
        contact_name=draw(field("contact_name")),
        phone="+8613812345678",
        category=draw(st.sampled_from(Category)),
        document_type=draw(st.sampled_from(DocumentType)),
        investment=MAX_INVESTMENT - Decimal("0.01"),
        location=draw(field("location")),
        description=draw(field("description")),
        key_code="K" * 32 if draw(st.booleans()) else None,
        attachments=tuple(Attachment(file_id="f" * 256, name=name, size=1) for _ in range(files)),
        lane=draw(st.sampled_from(Lane)),
        status=draw(st.sampled_from(Status)),
        submitted_at=datetime(2026, 11, 30, tzinfo=UTC),
        accepted_on=date(2026, 11, 30),
        updated_at=datetime(2026, 11, 30, tzinfo=UTC),
        decided_on=date(2026, 12, 31),
        approval_number=draw(field("approval_number")),
        last_reason=draw(field("reason")),
        promised_due=date(2027, 12, 31),
        statutory_due=date(2027, 12, 31),
    )


@st.composite
def histories(draw: st.DrawFn) -> list[AuditEvent]:
    """Many rounds of asking for material and replying, each reason at its maximum."""
    reason = draw(field("reason"))
    actor = draw(at_max(NAME_MAX))
    rounds = draw(st.integers(0, 100))
    start = datetime(2026, 11, 30, tzinfo=UTC)
    return [
        AuditEvent(
            request_id=1,
            actor_id=MAX_ID,
            actor_name=actor,
            at=start + timedelta(hours=n),
            action=("request_info", "resubmit")[n % 2],
            from_status=Status.IN_REVIEW,
            to_status=Status.NEEDS_INFO,
            reason=reason,
        )
        for n in range(rounds * 2)
    ]


def fits(html: str, limit: int = limits.TEXT) -> None:
    shown = plain_text(html)  # raises where Telegram could not parse the HTML
    assert utf16_length(shown) <= limit, f"{utf16_length(shown)} units: {shown[:200]}…"


def callback_data(markup: Any) -> Iterator[str]:
    for row in markup.inline_keyboard if markup else []:
        for button in row:
            yield button.callback_data


@settings(max_examples=40, deadline=None)
@given(request=requests(), history=histories(), key_name=at_max(200), locale=st.sampled_from(["zh_CN", "en"]))
def test_every_card_and_status_message_fits_with_every_field_at_its_maximum(
    i18n: I18n, request: ApprovalRequest, history: list[AuditEvent], key_name: str, locale: str
) -> None:
    view = RequestView(request, history, -999, -999, True, True)
    # a code a later list left out: shown with its name and the words that say so
    project = KeyProject(code="K" * 32, name=key_name, owner=key_name, archived=True)
    with i18n.context(), i18n.use_locale(locale):
        full = card.card(view, project=project)
        fits(full.text)
        fits(card.compact(view).text)
        shown = views.history(history, UTC)
        fits(shown.text)
        stamps = [e.at.strftime("%Y-%m-%d %H:%M") for e in history]
        listed = [s for s in stamps if s in shown.text]
        assert listed == stamps[-len(listed) :] if listed else True  # the newest ones, whole
        at = [shown.text.index(s) for s in listed]
        assert at == sorted(at, reverse=True)  # newest first
        if left := len(history) - len(listed):  # the rest counted on the last line, never a line cut off
            assert str(left) in shown.text.rsplit("\n", 1)[-1]
        for text in t.chunks(card.details(view, project=project)):
            fits(text)
        fits(views.receipt(view))
        for markup in (kb.review(request, details=full.more), kb.details(request.id)):
            assert all(len(data.encode()) <= 64 for data in callback_data(markup))
    long_field = max(len(request.description), len(request.last_reason or ""), len(request.attachments) * 255)
    assert full.more or long_field < 300  # a field the card shortened is one press away


@settings(max_examples=25, deadline=None)
@given(request=requests(), locale=st.sampled_from(["zh_CN", "en"]))
def test_the_confirmation_screen_and_its_details_fit(i18n: I18n, request: ApprovalRequest, locale: str) -> None:
    data = {
        **request.model_dump(mode="json", exclude={"attachments"}),
        "attachments": [a.model_dump() for a in request.attachments],
    }
    with i18n.context(), i18n.use_locale(locale):
        screen = views.form_summary(data)
        fits(screen.text)
        details = t.chunks(views.form_details(data))
        for text in details:
            fits(text)
    shown = "".join(plain_text(text) for text in details)
    assert request.description.replace("\n", "") in shown.replace("\n", "")  # all of it, in order


@settings(max_examples=15, deadline=None)
@given(
    request=requests(),
    name=at_max(NAME_MAX),
    project=at_max(200),
    locale=st.sampled_from(["zh_CN", "en"]),
)
def test_lists_summaries_reminders_and_alerts_fit(
    i18n: I18n, request: ApprovalRequest, name: str, project: str, locale: str
) -> None:
    open_request = request.model_copy(update={"status": Status.IN_REVIEW, "claimed_by": MAX_ID})
    view = RequestView(open_request, [], -999, -999, True, True)
    key = KeyProject(code="K" * 32, name=project, owner=project)
    figures = SummaryFigures(
        today=date(2026, 12, 31),
        approved_today=MAX_REQUEST_NUMBER,
        approved_this_year=MAX_REQUEST_NUMBER,
        approved_total=MAX_REQUEST_NUMBER,
        key_approved=5000,
        key_total=5000,
        backlog={lane: MAX_REQUEST_NUMBER for lane in Lane},
        waiting_on_applicants=MAX_REQUEST_NUMBER,
        at_risk=MAX_REQUEST_NUMBER,
        overdue_promise=MAX_REQUEST_NUMBER,
        overdue_statutory=MAX_REQUEST_NUMBER,
        at_risk_items=[open_request] * 10,
        days_left={open_request.id: -999},
        timing={lane: LaneTiming(MAX_REQUEST_NUMBER, 999.5, MAX_REQUEST_NUMBER) for lane in Lane},
        calendar_estimated=True,
        approvals_by_day={},
        key_attention=[KeyAttention(key, Attention.OVERDUE, MAX_REQUEST_NUMBER, date(2026, 1, 1), -999)] * 300,
        stages=dict.fromkeys(STAGES, MAX_REQUEST_NUMBER),
    )
    board = KeyBoard([(key, KeyProjectStatus.IN_PROGRESS)] * 300)
    matches = KeyMatches(project, [key] * 10, MAX_REQUEST_NUMBER, MAX_REQUEST_NUMBER - 1, 10)
    board_page = KeyBoardPage(matches, [(key, KeyProjectStatus.NEEDS_INFO)] * 10, 5000, 5000)
    renamed = Renamed(key.code, project, project)
    changes = ListChanges([key] * 5000, [key] * 5000, [renamed] * 5000, 5000, 0, {key.code: MAX_ID}, 5000)
    page = QueuePage([view] * 10, MAX_REQUEST_NUMBER - 1, MAX_REQUEST_NUMBER, MAX_REQUEST_NUMBER, frozenset({1}))
    with i18n.context(), i18n.use_locale(locale):
        messages = [
            *t.chunks([views.short_row(view)] * 50),  # /my
            *t.chunks(summary_text(figures, board, {MAX_ID: name})),
            key_texts.board_page(board_page, can_import=True),  # one message: it carries the page buttons
            *t.chunks(key_texts.import_preview(changes)),
            key_texts.import_outcome(ImportResult(ImportOutcome.APPLIED, 5000, 5000)),
            reminder_text(Reminder(open_request, ReminderKind.STATUTORY, 999, 999, -999, None)),
            reminder_text(Reminder(open_request, ReminderKind.HALF, 999, 999, -999, None)),
        ]
        queue = t.chunks(views.queue_page(page))
        alerts = [
            t.error(AlreadyDecided(MAX_REQUEST_NUMBER, Status.REJECTED.value, MAX_ID, by_name=name)),
            t.error(NotClaimant(MAX_REQUEST_NUMBER, MAX_ID, by_name=name)),
            *(key_texts.import_outcome(ImportResult(outcome, 5000, 5000)) for outcome in ImportOutcome),
        ]
    assert len(queue) == 1  # /queue shows one page in one message
    for text in [*messages, *queue]:
        fits(text)
    for text in alerts:
        assert utf16_length(text) <= limits.CALLBACK_ANSWER


@settings(max_examples=15, deadline=None)
@given(request=requests(), locale=st.sampled_from(["zh_CN", "en"]))
def test_documents_sent_back_and_the_forms_list_of_documents_fit(
    i18n: I18n, request: ApprovalRequest, locale: str
) -> None:
    when = datetime(2026, 12, 31, 23, 59, tzinfo=UTC)
    files = [a.model_copy(update={"size": MAX_ATTACHMENT_BYTES, "uploaded_at": when}) for a in request.attachments]
    data = {
        "form": MAX_ID,
        "version": MAX_REQUEST_NUMBER,
        "attachments": [a.model_dump(mode="json") for a in files[:MAX_DRAFT_DOCUMENTS]],
    }
    name = files[0].name if files else "eia.pdf"
    with i18n.context(), i18n.use_locale(locale):
        fits(views.documents_header(request))
        for file in files:
            fits(views.document_caption(request.id, file, UTC), limits.CAPTION)
        lead = t.escape(name) * 2  # the longest lead: "… was received already …" names a file
        text, markup = documents_screen(data, lead)
    fits(text)
    assert all(len(data.encode()) <= 64 for data in callback_data(markup))
    assert all(utf16_length(button.text) <= 64 for row in markup.inline_keyboard for button in row)


def test_chunks_split_an_overlong_block_without_losing_text_or_breaking_a_tag() -> None:
    long_line = "🏭<&>" * 3000  # 15,000 units on one line
    blocks = ["<b>head</b>", t.escape(long_line), "<i>tail</i>"]
    messages = t.chunks(blocks)
    for text in messages:
        fits(text)
    assert "".join(plain_text(m) for m in messages).replace("\n", "") == "head" + long_line + "tail"


def test_shorten_counts_utf16_units_and_marks_the_cut() -> None:
    assert limits.shorten("🏭" * 10, 10) == "🏭" * 4 + "…"  # 9 units and the ellipsis
    assert limits.shorten("环" * 10, 10) == "环" * 10
    assert limits.units("🏭环") == utf16_length("🏭环") == 3
    assert limits.pieces("ab cd ef", 5) == ["ab cd", "ef"]
