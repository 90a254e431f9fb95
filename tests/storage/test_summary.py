from datetime import date

from approvals.admin import AdminService
from approvals.clock_stops import StopKind
from approvals.ledger import KeyProject, KeyProjectStatus
from approvals.models import Category, DocumentType, Lane, Status
from approvals.service import ApprovalService
from approvals.summary import summary_figures
from storage.repositories import Repositories
from tests.conftest import FakeClock, notice_served
from tests.factories import APPLICANT, REVIEWER, make_draft

PROJECTS = [KeyProject(code=f"KP-{n:02}", name=f"重点项目{n}", owner="区政府") for n in range(1, 51)]


async def test_daily_figures(
    service: ApprovalService, admin: AdminService, repos: Repositories, clock: FakeClock
) -> None:
    await repos.key_projects.replace_all(PROJECTS)
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
    await service.approve(REVIEWER, key1.id)  # 2 working days (promise 5)
    clock.set_local(2026, 11, 30)
    # 20 working days: within its 10-day promise, which the acceptance notice's 10 days and the intended decision's
    # 5 do not count in (PROMISE_EXCLUDES_NOTICES)
    await service.approve(REVIEWER, key2.id)
    await service.request_info(REVIEWER, key3.id, "请补充材料")
    clock.set_local(2026, 12, 1)

    figures = await summary_figures(
        source=repos.summary,
        requests=repos.requests,
        key_projects=repos.key_projects,
        calendar=service.calendar,
        policy=service.policy,
        today=service.today(),
    )
    assert figures.today == date(2026, 12, 1)
    assert (figures.approved_today, figures.approved_this_year, figures.approved_total) == (0, 2, 2)
    assert (figures.key_approved, figures.key_total) == (2, 50)
    assert figures.backlog == {Lane.KEY: 0, Lane.GREEN: 1, Lane.STANDARD: 1}
    assert figures.waiting_on_applicants == 1
    # green promised 2026-11-16 and the filing due 2026-11-02: both overdue on the promise
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


async def test_undecided_requests_are_counted_per_stage_and_both_kinds_of_missing_material_wait_on_applicants(
    receiving: ApprovalService, repos: Repositories, clock: FakeClock
) -> None:
    clock.set_local(2026, 12, 1)
    made = [await receiving.submit(APPLICANT, make_draft(project_name=f"项目{n}")) for n in range(10)]
    ids = [r.id for r in made]
    await receiving.list_missing(REVIEWER, ids[2], "1. 申请书")  # incomplete (受理前)
    for n in ids[3:]:
        await receiving.accept(REVIEWER, n)
    await receiving.claim(REVIEWER, ids[4])  # in review
    await receiving.request_info(REVIEWER, ids[5], "请补充噪声监测")  # asked in review
    await receiving.request_info(REVIEWER, ids[6], "请补充")
    await receiving.resubmit(APPLICANT, ids[6], "已补充")  # back in the queue
    await notice_served(receiving).approve(REVIEWER, ids[7])  # decided: no stage
    await receiving.withdraw(APPLICANT, ids[8])
    proposed = await receiving.submit(APPLICANT, make_draft(project_name="公示中的项目"))
    await receiving.accept(REVIEWER, proposed.id)
    await receiving.propose_approval(REVIEWER, proposed.id)  # in notice (拟审批公示)
    await receiving.stop_clock(REVIEWER, ids[9], StopKind.HEARING, 10)  # excluded time (art. 45)

    figures = await summary_figures(
        source=repos.summary,
        requests=repos.requests,
        key_projects=repos.key_projects,
        calendar=receiving.calendar,
        policy=receiving.policy,
        today=receiving.today(),
    )
    assert list(figures.stages.items()) == [  # in the procedure's order
        (Status.RECEIVED, 2),
        (Status.INCOMPLETE, 1),
        (Status.SUBMITTED, 2),  # accepted, and resubmitted
        (Status.IN_REVIEW, 1),
        (Status.NEEDS_INFO, 1),
        (Status.EXCLUDED, 1),
        (Status.IN_NOTICE, 1),
        (Status.SIGNING, 0),  # awaiting signature (only where APPROVAL_CHAIN is longer than the reviewer)
    ]
    assert figures.waiting_on_applicants == 2
