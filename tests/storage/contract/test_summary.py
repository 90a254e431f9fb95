"""The daily summary's figures (``SummarySource``) on both backends: the scenarios of tests/storage/test_summary.py,
through the real use cases, and each of the port's reads on its own."""

from __future__ import annotations

from datetime import date

from approvals.admin import AdminService
from approvals.calendar import WorkCalendar
from approvals.clock_stops import StopKind
from approvals.key_attention import KeyRequest
from approvals.ledger import KeyProject, KeyProjectStatus
from approvals.models import Category, DocumentType, Lane, Status
from approvals.summary import summary_figures
from tests.conftest import FakeClock
from tests.factories import APPLICANT, REVIEWER, make_draft
from tests.storage.contract.conftest import Backend
from tests.storage.contract.served import receiving, served

PROJECTS = [KeyProject(code=f"KP-{n:02}", name=f"重点项目{n}", owner="区政府") for n in range(1, 51)]


async def test_daily_figures(backend: Backend, calendar: WorkCalendar, clock: FakeClock) -> None:
    service = served(backend, calendar, clock)
    admin = AdminService(
        people=backend.people,
        key_projects=backend.key_projects,
        source=backend.summary,
        admin_ids=frozenset(),
        ledger_reader=None,  # type: ignore[arg-type]  # no import here
        approvals=service,
    )
    await backend.key_projects.replace_all(PROJECTS)
    clock.set_local(2026, 11, 2)
    key1, key2, key3 = [
        await service.submit(
            APPLICANT, make_draft(project_name=f"重点项目{n}", key_code=f"KP-0{n}", document_type=kind)
        )
        for n, kind in ((1, DocumentType.REPORT_FORM), (2, DocumentType.REPORT), (3, DocumentType.REPORT_FORM))
    ]
    green = await service.submit(APPLICANT, make_draft())
    late = await service.submit(
        APPLICANT, make_draft(project_name="仓库登记", category=Category.OTHER, document_type=DocumentType.REGISTRATION)
    )
    clock.set_local(2026, 11, 4)
    await service.approve(REVIEWER, key1.id)
    clock.set_local(2026, 11, 30)
    await service.approve(REVIEWER, key2.id)
    await service.request_info(REVIEWER, key3.id, "请补充材料")
    clock.set_local(2026, 12, 1)

    figures = await summary_figures(
        source=backend.summary,
        requests=backend.requests,
        key_projects=backend.key_projects,
        calendar=service.calendar,
        policy=service.policy,
        today=service.today(),
    )
    assert figures.today == date(2026, 12, 1)
    assert (figures.approved_today, figures.approved_this_year, figures.approved_total) == (0, 2, 2)
    assert (figures.key_approved, figures.key_total) == (2, 50)
    assert figures.backlog == {Lane.KEY: 0, Lane.GREEN: 1, Lane.STANDARD: 1}
    assert figures.waiting_on_applicants == 1
    assert (figures.at_risk, figures.overdue_promise, figures.overdue_statutory) == (0, 2, 1)
    assert [r.id for r in figures.at_risk_items] == [late.id, green.id]
    key_timing = figures.timing[Lane.KEY]
    assert (key_timing.decided, key_timing.median_days, key_timing.within_promise) == (2, 11.0, 2)
    assert figures.timing[Lane.GREEN].median_days is None

    board = await admin.key_board()
    assert (board.approved, board.total) == (2, 50)
    statuses = dict((p.code, s) for p, s in board.rows)
    assert statuses["KP-03"] is KeyProjectStatus.NEEDS_INFO
    assert statuses["KP-04"] is KeyProjectStatus.NOT_SUBMITTED

    # each read on its own: the dates are the local days the use cases recorded
    source = backend.summary
    assert await source.count_approved(None, None) == 2
    assert await source.count_approved(date(2026, 11, 4), None) == 2
    assert await source.count_approved(None, date(2026, 11, 29)) == 1
    assert await source.count_approved(date(2026, 11, 5), date(2026, 11, 29)) == 0
    assert await source.approvals_per_day(date(2026, 11, 1), date(2026, 11, 30)) == {
        date(2026, 11, 4): 1,
        date(2026, 11, 30): 1,
    }
    assert await source.approved_key_codes() == {"KP-01", "KP-02"}
    assert await source.key_code_statuses() == {
        "KP-01": [Status.APPROVED],
        "KP-02": [Status.APPROVED],
        "KP-03": [Status.NEEDS_INFO],
    }
    undecided = await source.undecided_key_requests()
    assert undecided == [KeyRequest("KP-03", key3.id, Status.NEEDS_INFO, key3.promised_due)]
    decided = sorted(await source.decisions_between(date(2026, 1, 1), date(2026, 12, 1)), key=lambda d: d.decided_on)
    assert [(d.lane, d.status, d.accepted_on, d.decided_on) for d in decided] == [
        (Lane.KEY, Status.APPROVED, date(2026, 11, 2), date(2026, 11, 4)),
        (Lane.KEY, Status.APPROVED, date(2026, 11, 2), date(2026, 11, 30)),
    ]
    stored = [await backend.requests.get(r.id) for r in (key1, key2)]
    assert [d.promised_due for d in decided] == [r.promised_due for r in stored if r is not None]
    assert await source.count_status(Status.SUBMITTED) == 2
    assert await source.count_status(Status.SIGNING) == 0
    assert await source.count_open_due_by(green.promised_due) == 2  # the filing is due first
    assert await source.count_open_due_by(date(2026, 11, 1)) == 0
    assert await source.count_open_due_by(late.statutory_due, statutory=True) == 1
    assert await source.count_open_due_by(date(2026, 11, 1), statutory=True) == 0


async def test_key_codes_come_in_code_then_status_then_id_order(
    backend: Backend, calendar: WorkCalendar, clock: FakeClock
) -> None:
    service = served(backend, calendar, clock)
    await backend.key_projects.replace_all(PROJECTS[:3])
    clock.set_local(2026, 11, 2)
    made = [
        await service.submit(APPLICANT, make_draft(project_name=f"重点项目{code}-{n}", key_code=f"KP-0{code}"))
        for n, code in enumerate((3, 1, 3, 1))
    ]
    await service.claim(REVIEWER, made[3].id)  # in_review sorts after submitted
    await service.request_info(REVIEWER, made[0].id, "请补充")
    statuses = await backend.summary.key_code_statuses()
    assert list(statuses) == ["KP-01", "KP-03"]
    assert statuses == {"KP-01": [Status.IN_REVIEW, Status.SUBMITTED], "KP-03": [Status.NEEDS_INFO, Status.SUBMITTED]}
    undecided = await backend.summary.undecided_key_requests()
    assert [(r.code, r.request_id) for r in undecided] == [
        ("KP-01", made[3].id),
        ("KP-01", made[1].id),
        ("KP-03", made[0].id),
        ("KP-03", made[2].id),
    ]


async def test_undecided_requests_are_counted_per_stage_and_both_kinds_of_missing_material_wait_on_applicants(
    backend: Backend, calendar: WorkCalendar, clock: FakeClock
) -> None:
    service = receiving(backend, calendar, clock)
    clock.set_local(2026, 12, 1)
    made = [await service.submit(APPLICANT, make_draft(project_name=f"项目{n}")) for n in range(10)]
    ids = [r.id for r in made]
    await service.list_missing(REVIEWER, ids[2], "1. 申请书")
    for n in ids[3:]:
        await service.accept(REVIEWER, n)
    await service.claim(REVIEWER, ids[4])
    await service.request_info(REVIEWER, ids[5], "请补充噪声监测")
    await service.request_info(REVIEWER, ids[6], "请补充")
    await service.resubmit(APPLICANT, ids[6], "已补充")
    await served(backend, calendar, clock).approve(REVIEWER, ids[7])
    await service.withdraw(APPLICANT, ids[8])
    proposed = await service.submit(APPLICANT, make_draft(project_name="公示中的项目"))
    await service.accept(REVIEWER, proposed.id)
    await service.propose_approval(REVIEWER, proposed.id)
    await service.stop_clock(REVIEWER, ids[9], StopKind.HEARING, 10)

    figures = await summary_figures(
        source=backend.summary,
        requests=backend.requests,
        key_projects=backend.key_projects,
        calendar=service.calendar,
        policy=service.policy,
        today=service.today(),
    )
    assert list(figures.stages.items()) == [
        (Status.RECEIVED, 2),
        (Status.INCOMPLETE, 1),
        (Status.SUBMITTED, 2),
        (Status.IN_REVIEW, 1),
        (Status.NEEDS_INFO, 1),
        (Status.EXCLUDED, 1),
        (Status.IN_NOTICE, 1),
        (Status.SIGNING, 0),
    ]
    assert figures.waiting_on_applicants == 2
    assert await backend.summary.backlog_by_lane() == {Lane.KEY: 0, Lane.GREEN: 6, Lane.STANDARD: 0}
