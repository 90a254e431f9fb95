"""The notice board's rules, pure: days left, what a notice takes from the public, the archive's query and cursor,
the send limits, the CSRF token, the feed's XML, anonymous comments."""

from datetime import UTC, date, datetime
from xml.etree import ElementTree as ET

import pytest

from approvals import public_comments as pc
from approvals.board import ArchiveQuery, Cursor, offers_hearing, takes_comments, working_days_left
from approvals.calendar import WorkCalendar
from approvals.models import Status
from approvals.notices import Notice, NoticeKind
from approvals.validation import InvalidField
from public.csrf import Csrf
from public.feed import ATOM, atom, entry_id
from public.limits import MAX_ADDRESSES, SendLimits


def notice(
    kind: NoticeKind = NoticeKind.ACCEPTANCE,
    opens: date = date(2026, 11, 30),
    ends: date = date(2026, 12, 7),
    **more: object,
) -> Notice:
    return Notice(
        id=int(str(more.pop("id", 1))),
        request_id=1,
        kind=kind,
        opened_at=datetime(2026, 11, 30, 2, tzinfo=UTC),
        opens_on=opens,
        ends_on=ends,
        project_name=str(more.pop("project_name", "城东污水处理厂扩建")),
        organisation="区水务集团",
        location="城东街道",
        summary="日处理能力由2万吨扩至4万吨",
        **more,  # type: ignore[arg-type]
    )


def test_working_days_left_count_from_the_day_after_publication_and_skip_rest_days(calendar: WorkCalendar) -> None:
    # published Mon Nov 30 for 5 working days: Dec 1, 2, 3, 4, 7 (the weekend of Dec 5-6 is not counted)
    n = notice()
    assert working_days_left(calendar, date(2026, 11, 30), n) == 5  # the day it is published: all of them
    assert working_days_left(calendar, date(2026, 12, 1), n) == 5  # its first day, counted
    assert working_days_left(calendar, date(2026, 12, 4), n) == 2  # Fri: the 4th and Mon the 7th
    assert working_days_left(calendar, date(2026, 12, 5), n) == 1  # Saturday: only Monday is left
    assert working_days_left(calendar, date(2026, 12, 7), n) == 1  # its last day
    assert working_days_left(calendar, date(2026, 12, 8), n) == 0
    # across National Day 2026 (Oct 1-7 off, Sat Oct 10 a make-up workday): published Sep 30, ends Oct 14
    holiday = notice(opens=date(2026, 9, 30), ends=date(2026, 10, 14))
    assert working_days_left(calendar, date(2026, 10, 3), holiday) == 6  # Oct 8, 9, Sat 10 (调休), 12, 13, 14
    assert working_days_left(calendar, date(2026, 9, 30), holiday) == calendar.working_days_between(
        date(2026, 9, 30), date(2026, 10, 14)
    )


def test_what_a_notice_takes_from_the_public_while_it_runs() -> None:
    today = date(2026, 12, 2)
    acceptance, intended = notice(), notice(NoticeKind.INTENDED_DECISION)
    decision = notice(NoticeKind.DECISION, outcome=Status.APPROVED)
    assert takes_comments(acceptance, today) and takes_comments(intended, today)
    assert not takes_comments(decision, today)  # an announcement takes none
    assert offers_hearing(intended, today) and not offers_hearing(acceptance, today)
    assert not takes_comments(acceptance, date(2026, 12, 8)) and not offers_hearing(intended, date(2026, 12, 8))


def test_the_archive_query_is_cleaned_bounded_and_its_cursor_survives_a_link() -> None:
    query = ArchiveQuery.of(
        project="  污水\u202e  处理 ", organisation="x" * 500, published_from="2026-12-31", published_to="2026-01-01"
    )
    assert query.project == "污水 处理"  # invisible characters dropped, blanks folded
    assert len(query.organisation) == 50
    # a reversed range is named, not silently put right (the page asks the reader to correct it)
    assert (query.published_from, query.published_to, query.problems) == (
        date(2026, 12, 31),
        date(2026, 1, 1),
        ("order",),
    )
    bad = ArchiveQuery.of(published_from="2026-02-30", published_to="yesterday", after="x.4")
    assert (bad.is_search, bad.problems) == (False, ("from", "to", "cursor"))
    assert ArchiveQuery.of(published_from="2026-01-01", published_to=" ").problems == ()
    cursor = Cursor(date(2026, 3, 1), 42)
    assert Cursor.parse(cursor.token()) == cursor
    for bad in ("", "2026-03-01", "2026-03-01.", "2026-03-01.-1", "2026-13-01.4", "x.4", "2026-03-01.1e9", "9" * 500):
        assert Cursor.parse(bad) is None


def test_anonymous_comments_are_allowed_but_a_hearing_request_names_someone() -> None:
    assert pc.clean_name("   ", required=False) == ""
    assert pc.clean_contact("", required=False) == ""
    with pytest.raises(InvalidField):
        pc.clean_name("", required=True)
    with pytest.raises(InvalidField):
        pc.clean_contact("not a contact", required=False)  # given, it must be a phone or an e-mail address


def test_send_limits_per_address_and_overall() -> None:
    limits = SendLimits(per_address=3, address_seconds=600, overall=5, overall_seconds=60)
    assert [limits.check("1.1.1.1", 0.0) for _ in range(3)] == [0, 0, 0]
    assert limits.check("1.1.1.1", 1.0) == pytest.approx(599.0)  # the 4th within ten minutes waits
    assert limits.check("2.2.2.2", 1.0) == 0
    assert limits.check("3.3.3.3", 1.0) == 0  # the 5th overall
    assert limits.check("4.4.4.4", 2.0) == pytest.approx(58.0)  # a new address waits for the overall window
    assert limits.check("4.4.4.4", 61.0) == 0  # the minute has passed
    assert limits.check("1.1.1.1", 600.5) == 0  # and the ten minutes for the first


def test_send_limits_remember_a_bounded_number_of_addresses() -> None:
    limits = SendLimits(per_address=1, overall=10**9)
    for n in range(MAX_ADDRESSES + 50):
        limits.check(f"10.0.{n // 256}.{n % 256}", float(n))
    assert len(limits._addresses) == MAX_ADDRESSES


def test_csrf_token_matches_its_cookie_only() -> None:
    csrf, other = Csrf(), Csrf()
    cookie = csrf.new_cookie()
    token = csrf.token(cookie)
    assert csrf.valid(cookie, token)
    assert not csrf.valid(csrf.new_cookie(), token)  # another browser's cookie
    assert not other.valid(cookie, token)  # made by another run (secret)
    assert not csrf.valid("", token) and not csrf.valid(cookie, "") and not csrf.valid(cookie, "é" * 64)


def test_the_feed_is_well_formed_atom_whatever_the_names_hold() -> None:
    hostile = notice(id=7, project_name='<script>alert("x")</script> & \x0b\ud800 厂')
    body = atom(
        [hostile, notice(id=8)],
        title="环评审批公示",
        feed_url="https://hb.example.cn/notices/feed.atom",
        board_url="https://hb.example.cn/notices/",
        notice_url=lambda n: f"https://hb.example.cn/notices/{n.id}",
        entry_title=lambda n: n.project_name,
        summary=lambda n: n.organisation,
        author="生态环境局",
    )
    root = ET.fromstring(body)
    entries = root.findall(f"{{{ATOM}}}entry")
    assert [e.findtext(f"{{{ATOM}}}id") for e in entries] == [entry_id(7), entry_id(8)]
    assert entries[0].findtext(f"{{{ATOM}}}title") == '<script>alert("x")</script> &  厂'  # text, not markup
    assert b"<script>" not in body
    assert entry_id(7) == entry_id(7) != entry_id(8)  # stable ids


def test_a_send_refused_for_a_field_to_correct_is_given_back() -> None:
    limits = SendLimits(per_address=2, overall=10)
    assert limits.check("1.1.1.1", 0.0) == 0
    assert limits.check("1.1.1.1", 1.0) == 0
    limits.give_back("1.1.1.1", 1.0)  # the second had a bad contact: corrected, it goes through
    assert limits.check("1.1.1.1", 2.0) == 0
    assert limits.check("1.1.1.1", 3.0) > 0
