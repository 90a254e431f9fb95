"""The few key projects the summary and /stats name: overdue, at risk, or waiting for the applicant's material."""

from datetime import date

from approvals.calendar import WorkCalendar
from approvals.key_attention import Attention, KeyRequest, key_projects_needing_attention
from approvals.ledger import KeyProject
from approvals.models import Status

TODAY = date(2026, 12, 2)  # a Wednesday
CUTOFF = date(2026, 12, 7)  # three working days on
PROJECTS = [KeyProject(code=f"KP-{n:02}", name=f"重点项目{n}", owner="区政府") for n in range(1, 9)]


def needing(calendar: WorkCalendar, requests: list[KeyRequest], approved: set[str] | None = None) -> list[tuple]:
    found = key_projects_needing_attention(
        PROJECTS, requests, approved or set(), calendar=calendar, today=TODAY, risk_cutoff=CUTOFF
    )
    return [(a.project.code, a.reason, a.request_id, a.days_left) for a in found]


def test_overdue_then_at_risk_then_waiting_each_most_urgent_first(calendar: WorkCalendar) -> None:
    requests = [
        KeyRequest("KP-01", 1, Status.IN_REVIEW, date(2026, 12, 31)),  # on time: nothing to say
        KeyRequest("KP-02", 2, Status.SUBMITTED, date(2026, 12, 4)),  # at risk, 2 working days left
        KeyRequest("KP-03", 3, Status.NEEDS_INFO, date(2026, 11, 1)),  # waiting (its clock has stopped)
        KeyRequest("KP-04", 4, Status.RESUBMITTED, date(2026, 11, 30)),  # overdue by 2
        KeyRequest("KP-05", 5, Status.IN_REVIEW, date(2026, 12, 1)),  # overdue by 1
        KeyRequest("KP-06", 6, Status.SUBMITTED, date(2026, 12, 7)),  # at risk, on the cutoff
        KeyRequest("KP-07", 7, Status.NEEDS_INFO, date(2026, 12, 30)),  # waiting, asked later than KP-03
    ]
    assert needing(calendar, requests) == [
        ("KP-04", Attention.OVERDUE, 4, -2),
        ("KP-05", Attention.OVERDUE, 5, -1),
        ("KP-02", Attention.AT_RISK, 2, 2),
        ("KP-06", Attention.AT_RISK, 6, 3),
        ("KP-03", Attention.WAITING, 3, 0),
        ("KP-07", Attention.WAITING, 7, 0),
    ]


def test_a_project_is_named_once_for_its_most_urgent_request(calendar: WorkCalendar) -> None:
    requests = [
        KeyRequest("KP-01", 1, Status.NEEDS_INFO, date(2026, 12, 1)),
        KeyRequest("KP-01", 2, Status.SUBMITTED, date(2026, 12, 1)),
        KeyRequest("KP-01", 3, Status.SUBMITTED, date(2026, 12, 3)),
    ]
    assert needing(calendar, requests) == [("KP-01", Attention.OVERDUE, 2, -1)]


def test_approved_projects_codes_off_the_list_and_decided_requests_need_nothing(calendar: WorkCalendar) -> None:
    requests = [
        KeyRequest("KP-01", 1, Status.SUBMITTED, date(2026, 11, 1)),  # another request of it was approved
        KeyRequest("KP-99", 2, Status.SUBMITTED, date(2026, 11, 1)),  # a code a later list left out
        KeyRequest("KP-02", 3, Status.REJECTED, date(2026, 11, 1)),
        KeyRequest("KP-03", 4, Status.WITHDRAWN, date(2026, 11, 1)),
    ]
    assert needing(calendar, requests, approved={"KP-01"}) == []
