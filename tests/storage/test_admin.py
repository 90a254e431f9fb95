import asyncio
import sqlite3

import pytest

from approvals.admin import AdminService
from approvals.errors import Forbidden, LedgerImportError
from approvals.key_list import ImportOutcome
from approvals.ledger import KeyProject
from approvals.models import Actor, Role
from storage.repositories import Repositories
from tests.conftest import ADMIN_ID
from tests.factories import ADMIN, REVIEWER


async def imported(admin: AdminService, data: bytes, *, actor: Actor = ADMIN, name: str = "list.csv") -> int:
    """Send a file and press Confirm on its preview; the number of projects on the list after."""
    preview = await admin.preview_key_projects(actor, name, data)
    result = await admin.confirm_key_import(actor, preview.import_id)
    assert result.outcome is ImportOutcome.APPLIED
    return result.total


async def test_configured_admins_are_reviewers_and_others_start_as_applicants(admin: AdminService) -> None:
    boss = await admin.actor(ADMIN_ID, "局长")
    assert boss.is_admin and boss.is_reviewer
    stranger = await admin.actor(555)
    assert stranger.roles == frozenset({Role.APPLICANT})


async def test_admins_grant_and_revoke_the_reviewer_role(admin: AdminService) -> None:
    await admin.add_reviewer(ADMIN, 777)
    assert (await admin.actor(777)).is_reviewer
    assert [p.user_id for p in await admin.reviewers(ADMIN)] == [777]
    assert (await admin.remove_reviewer(ADMIN, 777)).was_reviewer
    assert not (await admin.remove_reviewer(ADMIN, 777)).was_reviewer
    assert not (await admin.actor(777)).is_reviewer
    with pytest.raises(Forbidden):
        await admin.add_reviewer(REVIEWER, 778)


async def test_admins_give_and_take_the_sign_off_roles_which_add_up(admin: AdminService) -> None:
    await admin.add_reviewer(ADMIN, 301, Role.CHIEF)
    await admin.add_reviewer(ADMIN, 302, Role.DIRECTOR)
    await admin.add_reviewer(ADMIN, 303)
    await admin.add_reviewer(ADMIN, 303, Role.CHIEF)  # a reviewer who also checks proposals
    assert (await admin.actor(301)).roles == {Role.APPLICANT, Role.CHIEF}
    assert [(await admin.actor(user_id)).is_reviewer for user_id in (301, 302, 303)] == [True] * 3  # they read requests
    assert [(p.user_id, p.roles) for p in await admin.reviewers(ADMIN)] == [
        (301, {Role.CHIEF}),
        (302, {Role.DIRECTOR}),
        (303, {Role.REVIEWER, Role.CHIEF}),
    ]
    assert (await admin.remove_reviewer(ADMIN, 303, role=Role.CHIEF)).was_reviewer
    assert (await admin.actor(303)).roles == {Role.APPLICANT, Role.REVIEWER}  # only that role is taken
    assert not (await admin.remove_reviewer(ADMIN, 302, role=Role.CHIEF)).was_reviewer  # never had it
    assert (await admin.remove_reviewer(ADMIN, 302)).was_reviewer  # no role named: every staff role goes
    assert not (await admin.actor(302)).is_reviewer
    for role in (Role.ADMIN, Role.APPLICANT):  # admins come from ADMIN_IDS only
        with pytest.raises(Forbidden):
            await admin.add_reviewer(ADMIN, 304, role)
        with pytest.raises(Forbidden):
            await admin.remove_reviewer(ADMIN, 9001, role=role)
    with pytest.raises(Forbidden):
        await admin.add_reviewer(REVIEWER, 305, Role.DIRECTOR)
    assert (await admin.actor(304)).roles == {Role.APPLICANT}


async def test_names_and_language_choice_are_remembered(admin: AdminService) -> None:
    await admin.remember(await admin.actor(1, "王工"))
    await admin.set_locale(1, "en")
    assert (await admin.actor(1)).name == "王工"
    assert await admin.locale(1) == "en"
    assert await admin.locale(2) is None


async def test_a_bad_import_changes_nothing(admin: AdminService) -> None:
    good = "code,name,owner\nKP-01,城东污水厂,区水务集团\nKP-02,学校,教育局\n".encode()
    assert await imported(admin, good) == 2
    with pytest.raises(LedgerImportError):
        await admin.preview_key_projects(ADMIN, "list.csv", b"code,name,owner\nKP-03,,x\n")
    with pytest.raises(LedgerImportError) as caught:
        await admin.preview_key_projects(ADMIN, "list.pdf", good)
    assert caught.value.problems[0].problem == "bad_type"
    with pytest.raises(Forbidden):
        await admin.preview_key_projects(REVIEWER, "list.csv", good)
    board = await admin.key_board()
    assert [p.code for p, _ in board.rows] == ["KP-01", "KP-02"]
    assert [p.code for p in await admin.search_key_projects("学校")] == ["KP-02"]
    assert [p.code for p in await admin.search_key_projects("kp-0")] == ["KP-01", "KP-02"]
    assert await admin.search_key_projects("100%") == []


async def test_a_new_import_replaces_the_list_the_form_offers(admin: AdminService) -> None:
    await imported(admin, "code,name,owner\nKP-01,城东污水厂,区水务集团\n".encode())
    assert [p.code for p in await admin.search_key_projects("")] == ["KP-01"]  # read once, then held
    await imported(admin, "code,name,owner\nKP-09,学校,教育局\n".encode())
    assert [p.code for p in await admin.search_key_projects("")] == ["KP-09"]
    assert [p.code for p in await admin.search_key_projects("", limit=0)] == []


async def test_forms_arriving_together_share_one_read_of_the_key_project_list(
    admin: AdminService, repos: Repositories, monkeypatch: pytest.MonkeyPatch
) -> None:
    await imported(admin, "code,name,owner\nKP-01,城东污水厂,区水务集团\n".encode())
    store = repos.key_projects
    reads = 0
    read = store._read

    async def counted() -> list[KeyProject]:
        nonlocal reads
        reads += 1
        return await read()

    monkeypatch.setattr(store, "_read", counted)
    found = await asyncio.gather(*(admin.search_key_projects("") for _ in range(20)))
    assert reads == 1  # a cold start under load: one read, not one per waiting form
    assert all([p.code for p in f] == ["KP-01"] for f in found)


async def test_a_failed_read_of_the_key_project_list_is_tried_again(
    admin: AdminService, repos: Repositories, monkeypatch: pytest.MonkeyPatch
) -> None:
    await imported(admin, "code,name,owner\nKP-01,城东污水厂,区水务集团\n".encode())
    store = repos.key_projects
    read = store._read
    failing = True

    async def flaky() -> list[KeyProject]:
        if failing:
            raise sqlite3.OperationalError("disk I/O error")
        return await read()

    monkeypatch.setattr(store, "_read", flaky)
    with pytest.raises(sqlite3.OperationalError):
        await admin.search_key_projects("")
    failing = False
    assert [p.code for p in await admin.search_key_projects("")] == ["KP-01"]


async def test_key_project_pages_count_every_match_and_stay_in_range(admin: AdminService) -> None:
    rows = "".join(f"KP-{n:02},城东污水处理厂{n}期,区水务集团\n" for n in range(1, 21))
    await imported(admin, f"code,name,owner\n{rows}".encode())
    first = await admin.key_project_page(" 污水 ")
    assert (first.text, first.total, first.pages, [p.code for p in first.items][:2]) == (
        "污水",
        20,
        3,
        ["KP-01", "KP-02"],
    )
    past_the_end = await admin.key_project_page("污水", page=99)  # a stale page button after a new import
    assert (past_the_end.page, past_the_end.first, past_the_end.last, past_the_end.more) == (2, 17, 20, 0)
    assert (await admin.key_project_page("x" * 10_000)).text == "x" * 100  # kept bounded in the form's data
