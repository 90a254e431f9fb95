"""A key-project file is held as a pending import and changes the list only when its admin confirms it, against
the list it was compared with; codes left out are archived, keeping their names for the requests naming them."""

import sqlite3

import pytest

from approvals.admin import AdminService
from approvals.errors import Forbidden
from approvals.key_list import ImportOutcome
from approvals.models import Actor, Category, Role
from approvals.service import ApprovalService
from approvals.summary import summary_figures
from storage.database import Database
from storage.key_projects import SqliteKeyProjectStore
from storage.repositories import Repositories
from tests.conftest import InlineLedgerReader
from tests.factories import ADMIN, APPLICANT, REVIEWER, make_draft

OTHER_ADMIN = Actor(user_id=9002, name="副局长", roles=frozenset({Role.APPLICANT, Role.REVIEWER, Role.ADMIN}))
FIRST = "code,name,owner\nKP-01,城东污水厂,区水务集团\nKP-02,实验学校,区教育局\nKP-03,城北道路,区交通局\n".encode()
SECOND = "code,name,owner\nKP-01,城东污水厂,区水务集团\nKP-02,实验学校新校区,区教育局\nKP-04,体育馆,区体育局\n".encode()


async def imported(admin: AdminService, data: bytes) -> None:
    preview = await admin.preview_key_projects(ADMIN, "list.csv", data)
    assert (await admin.confirm_key_import(ADMIN, preview.import_id)).outcome is ImportOutcome.APPLIED


def codes_in(path: str, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


async def test_a_file_changes_nothing_until_confirmed_and_its_preview_waits_in_the_database(
    admin: AdminService, repos: Repositories, db: Database, service: ApprovalService
) -> None:
    await imported(admin, FIRST)
    preview = await admin.preview_key_projects(ADMIN, "list.csv", SECOND)
    assert [p.code for p in preview.changes.added] == ["KP-04"]
    assert [p.code for p in await repos.key_projects.all()] == ["KP-01", "KP-02", "KP-03"]  # nothing yet
    # the preview is not held in this process: a fresh store and service (a restart) confirm it
    fresh = AdminService(
        people=repos.people,
        key_projects=SqliteKeyProjectStore(db),
        source=repos.summary,
        admin_ids=frozenset({ADMIN.user_id}),
        ledger_reader=InlineLedgerReader(),
        approvals=service,
    )
    result = await fresh.confirm_key_import(ADMIN, preview.import_id)
    assert (result.outcome, result.total, result.archived) == (ImportOutcome.APPLIED, 3, 1)
    assert [p.code for p in await fresh.key_projects.all()] == ["KP-01", "KP-02", "KP-04"]
    assert codes_in(str(db.path), "SELECT status, projects != '[]' FROM key_project_imports ORDER BY id") == [
        ("applied", 1),
        ("applied", 1),
    ]


async def test_of_two_admins_confirming_previews_of_the_same_list_only_the_first_applies(admin: AdminService) -> None:
    await imported(admin, FIRST)
    mine = await admin.preview_key_projects(ADMIN, "list.csv", SECOND)
    theirs = await admin.preview_key_projects(
        OTHER_ADMIN, "list.csv", "code,name,owner\nKP-07,公园,区园林局\n".encode()
    )
    assert (await admin.confirm_key_import(OTHER_ADMIN, theirs.import_id)).outcome is ImportOutcome.APPLIED
    assert (await admin.confirm_key_import(ADMIN, mine.import_id)).outcome is ImportOutcome.OUT_OF_DATE
    assert [p.code for p in await admin.key_projects.all()] == ["KP-07"]  # not a stale preview's list on top


async def test_a_preview_is_confirmed_once_only_by_its_admin_and_a_newer_file_replaces_it(
    admin: AdminService,
) -> None:
    first = await admin.preview_key_projects(ADMIN, "list.csv", FIRST)
    second = await admin.preview_key_projects(ADMIN, "list.csv", SECOND)  # sent again, corrected
    assert (await admin.confirm_key_import(ADMIN, first.import_id)).outcome is ImportOutcome.OUT_OF_DATE
    assert (await admin.confirm_key_import(OTHER_ADMIN, second.import_id)).outcome is ImportOutcome.UNKNOWN
    with pytest.raises(Forbidden):
        await admin.confirm_key_import(REVIEWER, second.import_id)
    assert (await admin.confirm_key_import(ADMIN, second.import_id)).outcome is ImportOutcome.APPLIED
    assert (await admin.confirm_key_import(ADMIN, second.import_id)).outcome is ImportOutcome.ALREADY_APPLIED
    assert await admin.cancel_key_import(ADMIN, second.import_id) is ImportOutcome.ALREADY_APPLIED
    assert [p.code for p in await admin.key_projects.all()] == ["KP-01", "KP-02", "KP-04"]

    cancelled = await admin.preview_key_projects(ADMIN, "list.csv", FIRST)
    assert await admin.cancel_key_import(ADMIN, cancelled.import_id) is ImportOutcome.CANCELLED
    assert (await admin.confirm_key_import(ADMIN, cancelled.import_id)).outcome is ImportOutcome.ALREADY_CANCELLED
    assert [p.code for p in await admin.key_projects.all()] == ["KP-01", "KP-02", "KP-04"]
    unchanged = await admin.preview_key_projects(ADMIN, "list.csv", SECOND)
    assert unchanged.import_id == 0 and not unchanged.changes.changes_anything  # nothing to confirm


async def test_removed_codes_are_archived_with_their_names_and_leave_the_headline(
    admin: AdminService, repos: Repositories, service: ApprovalService, db: Database
) -> None:
    await imported(admin, FIRST)
    naming = await service.submit(APPLICANT, make_draft(key_code="KP-03", category=Category.OTHER))
    await service.approve(REVIEWER, naming.id)
    await service.submit(APPLICANT, make_draft(project_name="实验学校", key_code="KP-02"))

    preview = await admin.preview_key_projects(ADMIN, "list.csv", SECOND)
    assert preview.changes.named == {"KP-03": 1}  # the admin is told before confirming
    await admin.confirm_key_import(ADMIN, preview.import_id)

    kept = await repos.key_projects.known("KP-03")
    assert kept is not None and (kept.name, kept.archived) == ("城北道路", True)
    assert await repos.key_projects.get("KP-03") is None  # not offered, not accepted on a new request
    assert (await repos.key_projects.known("KP-02")).name == "实验学校新校区"  # type: ignore[union-attr]
    figures = await summary_figures(
        source=repos.summary,
        requests=repos.requests,
        key_projects=repos.key_projects,
        calendar=service.calendar,
        policy=service.policy,
        today=service.today(),
    )
    assert (figures.key_approved, figures.key_total) == (0, 3)  # KP-03's approval no longer counts: not listed
    assert (await service.view(APPLICANT, naming.id)).request.key_code == "KP-03"  # the request keeps its code

    await imported(admin, FIRST)  # back on a later list: current again, under that list's name
    back = await repos.key_projects.get("KP-03")
    assert back is not None and not back.archived
    assert codes_in(str(db.path), "SELECT code FROM key_projects WHERE archived_in IS NOT NULL") == [("KP-04",)]
