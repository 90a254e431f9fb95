"""The key-project service on real SQLite files: its migration from the version before it, liaisons (and their
log, written with the notices), consultations, the no-EIA mark, the facts stages are made of, the bulletin's
weekly claim, and the import's liaison column."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from approvals.admin import AdminService
from approvals.bulletin import Movement, Thresholds
from approvals.errors import Forbidden, LedgerImportError
from approvals.key_list import ImportOutcome
from approvals.key_service import KeyService, KeyServiceProblem
from approvals.key_stages import Consultation, KeyStage
from approvals.ledger import KeyProject
from approvals.models import Category, DocumentType, Role, Status
from approvals.service import ApprovalService
from storage.database import Database
from storage.inline import InlineConnection
from storage.key_service import SqliteKeyService
from storage.migrations import MIGRATIONS, migrate
from storage.outbox import Outgoing
from storage.repositories import Repositories
from storage.schema_keyservice import KEYSERVICE
from tests.conftest import SHANGHAI, FakeClock
from tests.factories import ADMIN, APPLICANT, REVIEWER, REVIEWER_2, make_draft

PROJECTS = [KeyProject(code=f"KP-0{n}", name=f"项目{n}", owner="区政府") for n in (1, 2, 3)]


@pytest.fixture
def store(db: Database) -> SqliteKeyService:
    return SqliteKeyService(db, SHANGHAI)


@pytest.fixture
async def keys(repos: Repositories, service: ApprovalService, store: SqliteKeyService) -> KeyService:
    await repos.key_projects.replace_all(PROJECTS)
    for person in (REVIEWER, REVIEWER_2):
        await repos.people.remember(person.user_id, person.name)
        await repos.people.grant(person.user_id, Role.REVIEWER)
    return KeyService(store, repos.key_projects, repos.people, service, frozenset({ADMIN.user_id}), Thresholds())


def rows(db: Database, sql: str) -> list[tuple]:
    with sqlite3.connect(db.path) as conn:
        return conn.execute(sql).fetchall()


async def test_the_migration_upgrades_the_version_before_it_keeping_the_list(tmp_path: Path) -> None:
    mine = MIGRATIONS.index(KEYSERVICE[0])  # the step's number less one: whatever precedes it on merge
    raw = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
    for number, script in enumerate(MIGRATIONS[:mine], start=1):
        raw.executescript(script)
        raw.execute(f"PRAGMA user_version = {number}")
    raw.execute("INSERT INTO key_projects (code, position, name, owner) VALUES ('KP-01', 0, '城东污水厂', '区水务')")
    assert await migrate(InlineConnection(raw)) == len(MIGRATIONS)
    assert raw.execute("SELECT code, name FROM key_projects").fetchall() == [("KP-01", "城东污水厂")]
    raw.execute("PRAGMA foreign_keys = ON")
    raw.execute("INSERT INTO key_liaisons (code, user_id, assigned_by, assigned_at) VALUES ('KP-01', 201, 9001, 'x')")
    with pytest.raises(sqlite3.IntegrityError):  # only a code the list has (or had) can be given a liaison
        raw.execute("INSERT INTO key_liaisons (code, user_id, assigned_by, assigned_at) VALUES ('NOPE', 1, 1, 'x')")
    raw.execute("INSERT INTO key_liaison_log (code, user_id, by, at) VALUES ('KP-01', 201, 9001, 'x')")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute("DELETE FROM key_liaison_log")
    raw.close()


async def test_an_assignment_its_log_and_its_notices_are_one_write(keys: KeyService, db: Database) -> None:
    notice = [Outgoing(REVIEWER.user_id, "你已被指定为帮包人")]
    assert await keys.assign(ADMIN, "KP-01", REVIEWER.user_id, notice)
    assert not await keys.assign(ADMIN, "KP-01", REVIEWER.user_id, notice)  # no change: nothing queued again
    assert await keys.assign(ADMIN, "KP-01", REVIEWER_2.user_id)
    assert await keys.assign(ADMIN, "KP-02", REVIEWER.user_id)
    assert await keys.assign(ADMIN, "KP-02", None)
    assert await keys.store.liaisons() == {"KP-01": REVIEWER_2.user_id}
    assert rows(db, "SELECT code, user_id FROM key_liaison_log ORDER BY id") == [
        ("KP-01", REVIEWER.user_id),
        ("KP-01", REVIEWER_2.user_id),
        ("KP-02", REVIEWER.user_id),
        ("KP-02", None),
    ]
    assert rows(db, "SELECT chat_id, text FROM outbox") == [(REVIEWER.user_id, "你已被指定为帮包人")]


async def test_only_an_admin_assigns_and_only_to_the_bureaus_staff(keys: KeyService) -> None:
    with pytest.raises(Forbidden):
        await keys.assign(REVIEWER, "KP-01", REVIEWER.user_id)
    with pytest.raises(KeyServiceProblem, match="not_a_reviewer"):
        await keys.assign(ADMIN, "KP-01", APPLICANT.user_id)
    with pytest.raises(KeyServiceProblem, match="unknown_key_code"):
        await keys.assign(ADMIN, "KP-99", REVIEWER.user_id)
    assert await keys.store.liaisons() == {}


async def test_the_liaison_records_consultations_and_the_project_is_preparing_since_the_first(
    keys: KeyService, service: ApprovalService
) -> None:
    today = service.today()
    await keys.assign(ADMIN, "KP-01", REVIEWER.user_id)
    with pytest.raises(Forbidden):  # another reviewer is not its liaison
        await keys.record_consultation(REVIEWER_2, "KP-01", today, "见面")
    with pytest.raises(KeyServiceProblem, match="bad_consultation_day"):
        await keys.record_consultation(REVIEWER, "KP-01", today + timedelta(days=1), "明天")
    with pytest.raises(KeyServiceProblem, match="bad_consultation_note"):
        await keys.record_consultation(REVIEWER, "KP-01", today, "x" * 501)
    await keys.record_consultation(REVIEWER, "KP-01", today - timedelta(days=3), "现场踏勘")
    await keys.record_consultation(ADMIN, "KP-01", today - timedelta(days=10), "  首次\n对接  ")
    view = await keys.view("KP-01")
    assert [(c.held_on, c.note) for c in view.consultations] == [
        (today - timedelta(days=10), "首次 对接"),
        (today - timedelta(days=3), "现场踏勘"),
    ]
    assert (view.stage.stage, view.stage.since) == (KeyStage.PREPARING, today - timedelta(days=10))
    assert [(p.code, s.stage) for p, s in await keys.liaison_projects(REVIEWER.user_id)] == [
        ("KP-01", KeyStage.PREPARING)
    ]


async def test_the_no_eia_mark_is_set_once_and_taken_back(keys: KeyService, service: ApprovalService) -> None:
    await keys.assign(ADMIN, "KP-02", REVIEWER.user_id)
    assert await keys.set_no_eia(REVIEWER, "KP-02", needed=False)
    assert not await keys.set_no_eia(ADMIN, "KP-02", needed=False)
    assert (await keys.view("KP-02")).stage.stage is KeyStage.NO_EIA
    assert await keys.set_no_eia(ADMIN, "KP-02", needed=True)
    assert (await keys.view("KP-02")).stage.stage is KeyStage.NOT_APPLIED


async def test_stages_come_from_the_real_procedure(
    keys: KeyService, service: ApprovalService, receiving: ApprovalService, clock: FakeClock
) -> None:
    received = await receiving.submit(APPLICANT, make_draft(key_code="KP-01", category=Category.OTHER))
    approved = await service.submit(
        APPLICANT, make_draft(project_name="实验学校", key_code="KP-02", category=Category.OTHER)
    )
    clock.advance(days=1)
    await service.approve(ADMIN, approved.id)  # proposed (its notice taken as run), then approved
    facts = {f.request_id: f for f in await keys.store.request_facts()}
    assert facts[received.id].status is Status.RECEIVED and facts[received.id].accepted_on is None
    assert facts[approved.id].notice_on == service.today()
    stages = await keys.stages(PROJECTS)
    assert (stages["KP-01"].stage, stages["KP-01"].since) == (KeyStage.RECEIVED, date(2026, 11, 30))
    assert (stages["KP-02"].stage, stages["KP-02"].since) == (KeyStage.APPROVED, date(2026, 12, 1))
    assert stages["KP-03"].stage is KeyStage.NOT_APPLIED
    steps = await keys.store.steps_since(date(2026, 11, 30))
    assert {(s.request_id, s.to_status) for s in steps} >= {(approved.id, Status.APPROVED)}
    bulletin = await keys.bulletin()
    assert [s.request_id for s in bulletin.movements[Movement.ACCEPTED]] == [approved.id]
    assert [s.request_id for s in bulletin.movements[Movement.APPROVED]] == [approved.id]


async def test_a_registration_form_is_filed(keys: KeyService, service: ApprovalService) -> None:
    draft = make_draft(key_code="KP-03", category=Category.OTHER, document_type=DocumentType.REGISTRATION)
    await service.submit(APPLICANT, draft)
    assert (await keys.stages(PROJECTS))["KP-03"].stage is KeyStage.FILED


async def test_a_weeks_bulletin_is_claimed_once(store: SqliteKeyService, db: Database, clock: FakeClock) -> None:
    week = date(2026, 11, 30)
    message = [Outgoing(-100, "周通报")]
    assert not await store.bulletin_claimed(week)
    assert await store.claim_bulletin(week, message, clock.now())
    assert not await store.claim_bulletin(week, message, clock.now())
    assert await store.bulletin_claimed(week)
    assert rows(db, "SELECT count(*) FROM outbox") == [(1,)]


async def test_the_imports_liaison_column_assigns_on_confirm_and_refuses_non_staff(
    admin: AdminService, repos: Repositories, store: SqliteKeyService, db: Database
) -> None:
    admin.liaisons = store
    await repos.people.grant(REVIEWER.user_id, Role.REVIEWER)
    good = "code,name,owner,帮包人\nKP-01,城东污水厂,区水务集团,201\nKP-02,实验学校,区教育局,\n".encode()
    preview = await admin.preview_key_projects(ADMIN, "list.csv", good)
    assert preview.changes.liaisons == 1
    assert await store.liaisons() == {}  # nothing until Confirm
    assert (await admin.confirm_key_import(ADMIN, preview.import_id)).outcome is ImportOutcome.APPLIED
    assert await store.liaisons() == {"KP-01": REVIEWER.user_id}
    assert rows(db, "SELECT code, user_id, by FROM key_liaison_log") == [("KP-01", REVIEWER.user_id, ADMIN.user_id)]
    same = await admin.preview_key_projects(ADMIN, "list.csv", good)
    assert not same.changes.changes_anything  # the same file again: the liaison is already theirs
    stranger = "code,name,owner,liaison\nKP-01,城东污水厂,区水务集团,101\n".encode()
    with pytest.raises(LedgerImportError) as refused:
        await admin.preview_key_projects(ADMIN, "list.csv", stranger)
    assert [(p.problem, p.params["code"]) for p in refused.value.problems] == [("not_staff_liaison", "KP-01")]
    garbage = "code,name,owner,liaison\nKP-01,城东污水厂,区水务集团,张三\n".encode()
    with pytest.raises(LedgerImportError) as bad:
        await admin.preview_key_projects(ADMIN, "list.csv", garbage)
    assert [(p.row, p.problem) for p in bad.value.problems] == [(2, "bad_liaison")]


async def test_consultations_are_kept_per_code_in_date_order(
    store: SqliteKeyService, repos: Repositories, clock: FakeClock
) -> None:
    await repos.key_projects.replace_all(PROJECTS)
    for code, day in (("KP-02", 5), ("KP-01", 9), ("KP-01", 2)):
        await store.add_consultation(Consultation(code, date(2026, 11, day), f"第{day}日", 201), at=clock.now())
    found = await store.consultations()
    assert {k: [c.held_on.day for c in v] for k, v in found.items()} == {"KP-01": [2, 9], "KP-02": [5]}
    assert list(await store.consultations(["KP-02"])) == ["KP-02"]
    assert await store.consultations([]) == {}


def audit_noise(db: Database, request_id: int, status: Status, count: int) -> None:
    """Steps that keep the status, as the real procedure writes them: documents filed, the bureau's copies kept,
    the public's comments, notes. None of them is a movement."""
    with sqlite3.connect(db.path) as conn:
        at = conn.execute("SELECT max(at) FROM audit_events WHERE request_id = ?", (request_id,)).fetchone()[0]
        for n in range(count):
            action = ("add_material", "keep_copy", "public_comment", "note")[n % 4]
            conn.execute(
                "INSERT INTO audit_events (request_id, actor_id, at, action, from_status, to_status) "
                "VALUES (?, 1, ?, ?, ?, ?)",
                (request_id, at, action, status.value, status.value),
            )


async def test_the_weeks_movements_count_changes_of_status_once_per_request_not_every_audit_event(
    keys: KeyService, service: ApprovalService, receiving: ApprovalService, clock: FakeClock, db: Database
) -> None:
    approved = await service.submit(APPLICANT, make_draft(key_code="KP-01", category=Category.OTHER))
    audit_noise(db, approved.id, Status.SUBMITTED, 8)
    clock.advance(days=1)
    await service.approve(ADMIN, approved.id)
    audit_noise(db, approved.id, Status.APPROVED, 6)  # copies of the decision kept, comments…
    asked = await service.submit(
        APPLICANT, make_draft(project_name="实验学校", key_code="KP-02", category=Category.OTHER)
    )
    await service.request_info(REVIEWER, asked.id, "缺监测报告")
    audit_noise(db, asked.id, Status.NEEDS_INFO, 12)
    await service.resubmit(APPLICANT, asked.id, "已补")
    await service.request_info(REVIEWER, asked.id, "仍缺")  # returned twice in the week: one request returned
    audit_noise(db, asked.id, Status.NEEDS_INFO, 5)
    bulletin = await keys.bulletin()
    moved = {kind: sorted(s.request_id for s in steps) for kind, steps in bulletin.movements.items()}
    assert moved == {
        Movement.ACCEPTED: sorted([approved.id, asked.id]),
        Movement.APPROVED: [approved.id],
        Movement.RETURNED: [asked.id],
    }
