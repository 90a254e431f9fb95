from datetime import date

from approvals.admin import AdminService
from approvals.ledger import KeyProject, KeyProjectStatus
from approvals.models import Category, DocumentType, Lane
from approvals.service import ApprovalService
from approvals.summary import summary_figures
from storage.repositories import Repositories
from tests.conftest import FakeClock
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
    await service.approve(REVIEWER, key2.id)  # 20 working days, after its 10-day promise
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
    assert (key_timing.decided, key_timing.median_days, key_timing.within_promise) == (2, 11.0, 1)
    assert figures.timing[Lane.GREEN].median_days is None

    board = await admin.key_board()
    assert (board.approved, board.total) == (2, 50)
    statuses = dict((p.code, s) for p, s in board.rows)
    assert statuses["KP-03"] is KeyProjectStatus.NEEDS_INFO
    assert statuses["KP-04"] is KeyProjectStatus.NOT_SUBMITTED
