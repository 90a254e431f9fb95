"""The wording a newcomer's trial found wrong (2026-12-01), pinned in both languages: what the applicant may see,
dates said as dates, the history's labels, a notice that has run, never-accepted requests, hearings, stop-the-clock
dates, the sign-off chain's words, /help, the missing-material list."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from aiogram.utils.i18n import I18n

from approvals import clock_stops as cs
from approvals.calendar import WorkCalendar
from approvals.completeness import stage, supply_due
from approvals.deadlines import DeadlinePolicy
from approvals.models import (
    BOT_ACTOR_ID,
    Actor,
    ApprovalRequest,
    AuditEvent,
    Category,
    DocumentType,
    Lane,
    Role,
    Status,
)
from approvals.notices import Notice, NoticeKind
from approvals.progress import RequestView
from approvals.public_comments import HearingState, InputKind, PublicComment
from approvals.sign_off import Decision, Signature, SignOff
from approvals.states import Action
from catalogues import compiled_locales
from handlers import card, clock_texts, notice_texts, notice_views, sign_texts, stage_notices, stage_texts, views
from handlers import keyboards as kb
from handlers import texts as t
from handlers.guide import help_text
from handlers.limits import Clip
from handlers.reviewer import confirmation

ROOT = Path(__file__).resolve().parents[2]
TZ = UTC
POLICY = DeadlinePolicy()


@pytest.fixture(scope="module")
def i18n() -> I18n:
    return I18n(path=compiled_locales(ROOT / "locales"), default_locale="zh_CN", domain="messages")


@pytest.fixture
def zh(i18n: I18n) -> Iterator[None]:
    with i18n.context(), i18n.use_locale("zh_CN"):
        yield


@pytest.fixture
def en(i18n: I18n) -> Iterator[None]:
    with i18n.context(), i18n.use_locale("en"):
        yield


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar.china(range(2024, 2029))


def request(status: Status, **fields: Any) -> ApprovalRequest:
    values: dict[str, Any] = {
        "id": 7,
        "applicant_id": 42,
        "project_name": "城东污水处理厂扩建",
        "organisation": "区水务集团",
        "contact_name": "王工",
        "phone": "13812345678",
        "category": Category.LIVELIHOOD,
        "document_type": DocumentType.REPORT,
        "investment": Decimal("1200"),
        "location": "城东",
        "description": "扩建二期工程",
        "lane": Lane.GREEN,
        "status": status,
        "submitted_at": datetime(2026, 9, 21, 2, tzinfo=UTC),
        "accepted_on": date(2026, 9, 21),
        "received_on": date(2026, 9, 21),
        "updated_at": datetime(2026, 9, 24, 2, tzinfo=UTC),
        "promised_due": date(2026, 12, 9),
        "statutory_due": date(2026, 12, 30),
    }
    values.update(fields)
    return ApprovalRequest(**values)


def event(
    action: str, to: Status, *, frm: Status | None = None, actor: int = 5, name: str = "张审批", **more: Any
) -> AuditEvent:
    return AuditEvent(
        request_id=7,
        actor_id=actor,
        actor_name=name,
        at=datetime(2026, 12, 1, 2, tzinfo=UTC),
        action=action,
        from_status=frm,
        to_status=to,
        **more,
    )


def view_of(
    r: ApprovalRequest, history: list[AuditEvent] | None = None, cal: WorkCalendar | None = None, **more: Any
) -> RequestView:
    where = stage(r, cal, POLICY) if cal is not None else None
    return RequestView(r, history or [], None, None, False, False, stage=where, **more)


# 2 ------------------------------------------------------------------------------------------------------------


def test_the_applicant_does_not_see_the_bureaus_signatures() -> None:
    history = [
        event("submit", Status.SUBMITTED),
        event("sign", Status.SIGNING, frm=Status.IN_NOTICE),
        event("return_signature", Status.IN_REVIEW, frm=Status.SIGNING, reason="再核"),
        event("return_to_notice", Status.IN_NOTICE, frm=Status.SIGNING, reason="再核"),
        event("hearing_request", Status.IN_NOTICE),
        event("close_hearing", Status.IN_NOTICE),
    ]
    assert [e.action for e in notice_texts.for_applicants(history)] == ["submit"]


# 3 ------------------------------------------------------------------------------------------------------------


def test_a_return_names_the_last_day_for_the_material_as_a_date(zh: None, cal: WorkCalendar) -> None:
    # listed Thu Sep 24, 15 working days: Sep 28-30 (3; Fri 25 Mid-Autumn), Oct 8-9 (5), Sat Oct 10 (6),
    # Oct 12-16 (11), Oct 19-22 (15)
    r = request(Status.RETURNED, listed_on=date(2026, 9, 24))
    due = supply_due(r, cal, POLICY)
    assert due == date(2026, 10, 22)
    text, _markup = stage_notices.for_applicant(view_of(r, cal=cal), event("return", Status.RETURNED), due)
    assert "2026-10-22" in text and "T" not in text.split("2026-10-22")[0][-3:] and "+00:00" not in text


# 6 ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["accept", "deem_accept", "list_missing", "supply", "return"])
def test_the_completeness_steps_have_history_labels(i18n: I18n, action: str) -> None:
    for locale in ("zh_CN", "en"):
        with i18n.context(), i18n.use_locale(locale):
            assert t.event(action) != action


def test_the_bots_own_steps_read_as_the_system(zh: None) -> None:
    history = [event("return", Status.RETURNED, frm=Status.INCOMPLETE, actor=BOT_ACTOR_ID, name="")]
    text = views.history(history, TZ).text
    assert "已退件 · 系统" in text and " · 0" not in text


def test_the_bots_own_steps_read_as_the_system_in_english(en: None) -> None:
    stopped = event(
        "stop_clock", Status.EXCLUDED, frm=Status.IN_NOTICE, actor=BOT_ACTOR_ID, name="", reason="hearing 20"
    )
    text = views.history([stopped], TZ).text
    assert "· system — hearing (听证), 20 working days" in text


def test_a_stop_in_the_chinese_history_has_a_chinese_comma(zh: None) -> None:
    stopped = event("stop_clock", Status.EXCLUDED, actor=BOT_ACTOR_ID, name="", reason="hearing 20")
    text = views.history([stopped], TZ).text
    assert "听证（听证），20 个工作日" in text or "听证，20 个工作日" in text
    assert ", 20" not in text


# 7 ------------------------------------------------------------------------------------------------------------


def notice(kind: NoticeKind, ends_on: date, opens_on: date = date(2026, 12, 2)) -> Notice:
    return Notice(
        request_id=7,
        kind=kind,
        opened_at=datetime(2026, 12, 2, 2, tzinfo=UTC),
        opens_on=opens_on,
        ends_on=ends_on,
        project_name="城东污水处理厂扩建",
        organisation="区水务集团",
        location="城东",
        summary="扩建",
    )


def test_a_notice_that_has_run_reads_as_ended_everywhere(zh: None, cal: WorkCalendar) -> None:
    r = request(Status.IN_NOTICE)
    found = [notice(NoticeKind.INTENDED_DECISION, date(2026, 12, 9))]
    running = notice_views.ended(view_of(r, cal=cal), found, date(2026, 12, 9))
    assert running.notice_ended_on is None  # its last day: still running
    assert "公示中" in t.request_status(running)
    ended = notice_views.ended(view_of(r, cal=cal), found, date(2026, 12, 10))
    assert ended.notice_ended_on == date(2026, 12, 9)
    assert t.request_status(ended) == "公示已期满，待作出决定"
    shown = card.card(ended).text
    assert "公示已期满，待作出决定" in shown and "拟审批公示已于 2026-12-09 期满" in shown
    assert "拟审批公示中" not in shown and "期满后" not in shown
    assert "公示已期满" in views.queue_line(ended) and "公示已期满" in views.short_row(ended)


def test_a_notice_that_has_run_reads_as_ended_in_english(en: None, cal: WorkCalendar) -> None:
    ended = view_of(request(Status.IN_NOTICE), cal=cal, notice_ended_on=date(2026, 12, 9))
    assert "Notice ended: ready for the decision" in views.short_row(ended)
    assert "Notice ended on 2026-12-09: ready for the decision" in card.card(ended).text


# 13 -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.RECEIVED, Status.INCOMPLETE, Status.RETURNED, Status.WITHDRAWN])
def test_a_request_never_accepted_has_no_acceptance_date_nor_deadlines(
    zh: None, cal: WorkCalendar, status: Status
) -> None:
    history = [event("submit", Status.RECEIVED), event("withdraw", Status.WITHDRAWN, frm=Status.RECEIVED)]
    v = view_of(request(status), history, cal)
    assert "受理日期" not in views.receipt(v) and "收件" in views.receipt(v)
    shown = card.card(v).text
    assert "承诺办结" not in shown and "法定期限 2026" not in shown


def test_a_request_withdrawn_after_acceptance_keeps_its_dates(zh: None, cal: WorkCalendar) -> None:
    history = [event("submit", Status.SUBMITTED), event("withdraw", Status.WITHDRAWN, frm=Status.SUBMITTED)]
    v = view_of(request(Status.WITHDRAWN), history, cal)
    assert "受理日期" in views.receipt(v)
    assert "承诺办结 2026-12-09" in card.card(v).text


# 14 -----------------------------------------------------------------------------------------------------------


def hearing_request(state: HearingState) -> PublicComment:
    return PublicComment(
        id=3,
        request_id=7,
        notice_id=1,
        kind=InputKind.HEARING,
        at=datetime(2026, 12, 3, tzinfo=UTC),
        name="李四",
        contact="138",
        text="申请听证",
        state=state,
    )


def test_a_hearing_request_is_not_counted_as_a_comment_and_its_result_is_shown(zh: None) -> None:
    found = [notice(NoticeKind.INTENDED_DECISION, date(2026, 12, 9))]
    asked = [event("hearing_request", Status.EXCLUDED)]
    lines = notice_texts.card_lines(found, [hearing_request(HearingState.OPEN)], 1, date(2026, 12, 4), asked)
    assert not any("公众意见" in line or "💬" in line for line in lines)
    held = [*asked, event("hearing_held", Status.IN_NOTICE, frm=Status.EXCLUDED, reason="听证会同意建设")]
    lines = notice_texts.card_lines(found, [hearing_request(HearingState.CLOSED)], 1, date(2026, 12, 30), held)
    assert "⚖️ 已举行听证，结果：听证会同意建设" in lines
    assert not any("💬" in line for line in lines)


# 15 -----------------------------------------------------------------------------------------------------------


def test_the_card_and_the_applicant_say_the_stop_dates_alike(zh: None, cal: WorkCalendar) -> None:
    # stopped Tue Jan 5 2027 for 1 working day: Jan 6 is the one not counted
    stop = cs.start(
        7, cs.StopKind.HEARING, 1, today=date(2027, 1, 5), now=datetime(2027, 1, 5, tzinfo=UTC), calendar=cal
    )
    span = "2027-01-05 起中止计时，自次日起的工作日不计入期限，最长 1 个工作日，至迟 2027-01-06 止"
    assert span in clock_texts.stop_line(stop)
    assert span in clock_texts.stopped_notice(request(Status.EXCLUDED), stop, None)
    assert "2027-01-05 至 2027-01-05" not in clock_texts.stopped_notice(request(Status.EXCLUDED), stop, None)


def test_the_applicants_stop_notice_needs_no_article_and_never_says_zero_days(en: None, cal: WorkCalendar) -> None:
    stop = cs.start(
        7, cs.StopKind.EXPERT_REVIEW, 10, today=date(2026, 9, 30), now=datetime(2026, 9, 30, tzinfo=UTC), calendar=cal
    )
    said = clock_texts.stopped_notice(request(Status.EXCLUDED), stop, None)
    assert " a expert" not in said and "the clock stopped on 2026-09-30" in said
    ended = cs.end(
        stop, today=date(2026, 9, 30), now=datetime(2026, 9, 30, 5, tzinfo=UTC), by=5, result="ok", calendar=cal
    )
    assert "0 working days" not in clock_texts.resumed_notice(request(Status.IN_REVIEW), ended)


# 17 -----------------------------------------------------------------------------------------------------------


def labels(markup: Any) -> list[str]:
    return [b.text for row in markup.inline_keyboard for b in row]


def test_with_a_chain_the_reviewers_decisions_say_they_go_to_sign_off(zh: None) -> None:
    r = request(Status.IN_NOTICE)
    assert "批准（提交签批）" in labels(kb.review(r, approval=Action.APPROVE, signs_off=True))
    assert "不予批准（提交签批）" in labels(kb.review(r, approval=Action.APPROVE, signs_off=True))
    assert "批准" in labels(kb.review(r, approval=Action.APPROVE))
    assert "提交签批" in confirmation(Action.REJECT, r, "选址不符", signs_off=True)
    assert "提交签批" not in confirmation(Action.REJECT, r, "选址不符")


def test_a_decision_the_chain_issued_names_its_proposer(zh: None, cal: WorkCalendar) -> None:
    r = request(Status.REJECTED, last_reason="选址不符", decided_on=date(2026, 12, 12))
    history = [
        event("sign", Status.SIGNING, frm=Status.IN_NOTICE),
        event("sign", Status.SIGNING, frm=Status.SIGNING, actor=6, name="刘科长"),
        event("reject", Status.REJECTED, frm=Status.SIGNING, actor=8, name="周局长", reason="选址不符"),
    ]
    shown = card.card(view_of(r, history, cal, last_word=history[-1])).text
    assert "❌ 周局长 不予批准：选址不符" in shown and "✍️ 提出人：张审批" in shown


def test_sign_off_steps_are_named_by_role_in_english(en: None) -> None:
    chain = (Role.REVIEWER, Role.CHIEF, Role.DIRECTOR)
    signed = Signature(Role.REVIEWER, 5, "张审批", datetime(2026, 12, 10, tzinfo=UTC))
    state = SignOff(chain=chain, decision=Decision.APPROVE, reason=None, signatures=(signed,))
    assert sign_texts.card_lines(state, Clip(), 100)[1] == "Reviewer 张审批 ✓ · Chief: awaiting · Director"


# 20 -----------------------------------------------------------------------------------------------------------


def test_help_lists_hearing_and_materials_and_sign_only_with_a_chain(zh: None) -> None:
    reviewer = Actor(user_id=5, roles=frozenset({Role.REVIEWER}))
    admin = Actor(user_id=9, roles=frozenset({Role.REVIEWER, Role.ADMIN}))
    alone = help_text(reviewer, private=True)
    assert "/hearing N" in alone and "/materials —" in alone and "/sign" not in alone
    assert "/sign" in help_text(reviewer, private=True, signs_off=True)
    assert "/materials report|report_form reset" in help_text(admin, private=True)
    assert "/materials report|report_form reset" not in alone


# 21, 23 -------------------------------------------------------------------------------------------------------


def test_the_acceptance_message_names_the_acceptance_notice(zh: None, cal: WorkCalendar) -> None:
    r = request(Status.SUBMITTED)
    text, _markup = stage_notices.for_applicant(
        view_of(r, cal=cal), event("accept", Status.SUBMITTED), acceptance_until=date(2026, 12, 14)
    )
    assert "受理公示至 2026-12-14" in text


def test_a_reviewers_own_numbered_lines_are_numbered_once(zh: None) -> None:
    listed = stage_texts.missing_list(
        ["application", "report"], "3. 排污许可证明\n4、总量来源说明\n\n 投资 3.5 万元的说明"
    )
    assert listed.splitlines()[2:] == ["3. 排污许可证明", "4. 总量来源说明", "5. 投资 3.5 万元的说明"]


# 10 (the card's part) -----------------------------------------------------------------------------------------


def test_an_overdue_card_says_how_late_and_not_also_at_risk(zh: None) -> None:
    r = request(Status.IN_REVIEW)
    late = card.card(RequestView(r, [], -1, 20, True, False)).text
    assert "已超期 1 个工作日" in late and "临近期限" not in late
    soon = card.card(RequestView(r, [], 2, 20, True, False)).text
    assert "临近期限" in soon
