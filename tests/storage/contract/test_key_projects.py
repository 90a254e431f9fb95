"""The key-project store's contract, on every backend: the list in its order, archived codes kept with their
names, and imports that apply only when their admin confirms them against the list they were compared with."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from approvals.key_list import ImportOutcome, ImportResult
from approvals.ledger import KeyProject
from tests.storage.contract.conftest import Backend

AT = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
ADMIN, OTHER_ADMIN = 9001, 9002


def kp(code: str, name: str = "", owner: str = "区水务集团", **more: object) -> KeyProject:
    return KeyProject(code=code, name=name or f"项目{code}", owner=owner, **more)  # type: ignore[arg-type]


FIRST = [kp("KP-01", "城东污水厂"), kp("KP-02", "实验学校", "区教育局"), kp("KP-03", "城北道路", "区交通局")]
SECOND = [kp("KP-01", "城东污水厂"), kp("KP-02", "实验学校新校区", "区教育局"), kp("KP-04", "体育馆", "区体育局")]


async def test_an_empty_store_has_version_0_and_no_projects(backend: Backend) -> None:
    store = backend.key_projects
    assert await store.snapshot() == (0, [])
    assert (await store.all(), await store.codes()) == ([], set())
    assert await store.get("KP-01") is None and await store.known("KP-01") is None


async def test_a_list_keeps_its_order_and_dates_and_each_change_moves_its_version(backend: Backend) -> None:
    store = backend.key_projects
    dated = kp("KP-09", "园区", planned_start=date(2027, 3, 1), planned_approval=date(2027, 6, 30))
    await store.replace_all([kp("KP-03"), dated, kp("KP-01")])
    assert await store.snapshot() == (1, [kp("KP-03"), dated, kp("KP-01")])
    assert await store.get("KP-09") == dated
    await store.replace_all([kp("KP-01"), kp("KP-03")])
    assert await store.snapshot() == (2, [kp("KP-01"), kp("KP-03")])
    assert await store.codes() == {"KP-01", "KP-03"}


async def test_codes_a_later_list_leaves_out_are_archived_with_their_names_until_listed_again(
    backend: Backend,
) -> None:
    store = backend.key_projects
    await store.replace_all(FIRST)
    await store.replace_all(SECOND)
    assert [p.code for p in await store.all()] == ["KP-01", "KP-02", "KP-04"]
    assert await store.get("KP-03") is None  # not offered, not accepted on a new request
    assert await store.known("KP-03") == kp("KP-03", "城北道路", "区交通局", archived=True)  # shown on old requests
    assert (await store.known("KP-02")) == kp("KP-02", "实验学校新校区", "区教育局")
    await store.replace_all(FIRST)  # back on a later list: current again, under that list's name
    assert await store.get("KP-03") == kp("KP-03", "城北道路", "区交通局")
    assert await store.known("KP-04") == kp("KP-04", "体育馆", "区体育局", archived=True)


async def test_an_import_changes_nothing_until_its_admin_confirms_it(backend: Backend) -> None:
    store = backend.key_projects
    await store.replace_all(FIRST)
    staged = await store.stage(ADMIN, SECOND, base_version=1, at=AT)
    assert [p.code for p in await store.all()] == ["KP-01", "KP-02", "KP-03"]  # nothing yet
    assert await store.apply_import(staged, OTHER_ADMIN, at=AT) == ImportResult(ImportOutcome.UNKNOWN)
    assert await store.apply_import(staged + 1000, ADMIN, at=AT) == ImportResult(ImportOutcome.UNKNOWN)
    assert await store.cancel_import(staged, OTHER_ADMIN, at=AT) is ImportOutcome.UNKNOWN
    result = await store.apply_import(staged, ADMIN, at=AT)
    assert result == ImportResult(ImportOutcome.APPLIED, total=3, archived=1)
    assert await store.snapshot() == (2, SECOND)
    assert await store.apply_import(staged, ADMIN, at=AT) == ImportResult(ImportOutcome.ALREADY_APPLIED)
    assert await store.cancel_import(staged, ADMIN, at=AT) is ImportOutcome.ALREADY_APPLIED


async def test_a_cancelled_import_never_applies_and_lets_its_projects_go(backend: Backend) -> None:
    store = backend.key_projects
    staged = await store.stage(ADMIN, FIRST, base_version=0, at=AT)
    assert await store.cancel_import(staged, ADMIN, at=AT) is ImportOutcome.CANCELLED
    assert await store.cancel_import(staged, ADMIN, at=AT) is ImportOutcome.ALREADY_CANCELLED
    assert await store.apply_import(staged, ADMIN, at=AT) == ImportResult(ImportOutcome.ALREADY_CANCELLED)
    assert await store.snapshot() == (0, [])
    assert await backend.rows("SELECT status FROM key_project_imports WHERE projects = '[]'") == [("cancelled",)]


async def test_an_admin_s_newer_file_replaces_their_pending_one_but_not_a_colleague_s(backend: Backend) -> None:
    store = backend.key_projects
    first = await store.stage(ADMIN, FIRST, base_version=0, at=AT)
    theirs = await store.stage(OTHER_ADMIN, [kp("KP-07", "公园")], base_version=0, at=AT)
    second = await store.stage(ADMIN, SECOND, base_version=0, at=AT)  # sent again, corrected
    assert len({first, theirs, second}) == 3
    assert await store.apply_import(first, ADMIN, at=AT) == ImportResult(ImportOutcome.OUT_OF_DATE)
    assert await store.apply_import(second, ADMIN, at=AT) == ImportResult(ImportOutcome.APPLIED, total=3)
    # every other preview was compared with the list just replaced: none of them can apply any more
    assert await store.apply_import(theirs, OTHER_ADMIN, at=AT) == ImportResult(ImportOutcome.OUT_OF_DATE)
    assert await store.cancel_import(theirs, OTHER_ADMIN, at=AT) is ImportOutcome.OUT_OF_DATE
    assert await store.snapshot() == (1, SECOND)
    let_go = await backend.rows("SELECT status FROM key_project_imports WHERE projects = '[]' ORDER BY id")
    assert let_go == [("superseded",), ("superseded",)]


async def test_an_import_compared_with_an_older_list_is_out_of_date(backend: Backend) -> None:
    store = backend.key_projects
    await store.replace_all(FIRST)  # version 1, without a preview
    stale = await store.stage(ADMIN, SECOND, base_version=0, at=AT)
    assert await store.apply_import(stale, ADMIN, at=AT) == ImportResult(ImportOutcome.OUT_OF_DATE)
    assert await store.apply_import(stale, ADMIN, at=AT) == ImportResult(ImportOutcome.OUT_OF_DATE)  # and stays so
    assert await store.snapshot() == (1, FIRST)


async def test_of_two_admins_confirming_at_once_on_two_instances_one_list_applies(backend: Backend) -> None:
    store = backend.key_projects
    await store.replace_all(FIRST)
    mine = await store.stage(ADMIN, SECOND, base_version=1, at=AT)
    theirs = await store.stage(OTHER_ADMIN, [kp("KP-07", "公园")], base_version=1, at=AT)
    async with backend.another() as other:
        results = await asyncio.wait_for(
            asyncio.gather(
                store.apply_import(mine, ADMIN, at=AT), other.key_projects.apply_import(theirs, OTHER_ADMIN, at=AT)
            ),
            60,
        )
        outcomes = [r.outcome for r in results]
        assert sorted(outcomes) == sorted([ImportOutcome.APPLIED, ImportOutcome.OUT_OF_DATE])
        applied = SECOND if outcomes[0] is ImportOutcome.APPLIED else [kp("KP-07", "公园")]
        assert await other.key_projects.snapshot() == (2, applied)
    assert await store.snapshot() == (2, applied)


async def test_an_import_s_liaison_column_assigns_liaisons_with_the_list(backend: Backend) -> None:
    store = backend.key_projects
    staged = await store.stage(
        ADMIN, [kp("KP-01", liaison=201), kp("KP-02", liaison=-1001234567890)], base_version=0, at=AT
    )
    await store.apply_import(staged, ADMIN, at=AT)
    assert await store.get("KP-01") == kp("KP-01")  # the liaison is not part of the list
    # again: one changed, one the same, one column left empty (the project keeps its liaison)
    staged = await store.stage(
        ADMIN, [kp("KP-01", liaison=202), kp("KP-02", liaison=-1001234567890)], base_version=1, at=AT
    )
    await store.apply_import(staged, ADMIN, at=AT)
    staged = await store.stage(ADMIN, [kp("KP-01"), kp("KP-02")], base_version=2, at=AT)
    await store.apply_import(staged, ADMIN, at=AT)
    liaisons = await backend.rows("SELECT code, user_id, assigned_by FROM key_liaisons ORDER BY code")
    assert liaisons == [("KP-01", 202, ADMIN), ("KP-02", -1001234567890, ADMIN)]
    log = await backend.rows("SELECT code, user_id, by FROM key_liaison_log ORDER BY id")
    assert log == [("KP-01", 201, ADMIN), ("KP-02", -1001234567890, ADMIN), ("KP-01", 202, ADMIN)]


async def test_a_search_matches_a_code_s_start_or_any_part_of_a_name_or_owner_in_list_order(
    backend: Backend,
) -> None:
    store = backend.key_projects
    await store.replace_all(
        [kp("AB-2", "Water Plant", "City"), kp("XY-1", "school", "Education"), kp("AB-1", "道路", "交通局")]
    )
    await store.replace_all(
        [
            kp("AB-2", "Water Plant", "City"),
            kp("XY-1", "school", "Education"),
            kp("AB-1", "道路", "交通局"),
            kp("ZZ", "archived next"),
        ]
    )
    await store.replace_all(
        [kp("AB-2", "Water Plant", "City"), kp("XY-1", "school", "Education"), kp("AB-1", "道路", "交通局")]
    )
    assert [p.code for p in await store.search("ab", limit=10)] == ["AB-2", "AB-1"]
    assert [p.code for p in await store.search("ab", limit=1)] == ["AB-2"]
    assert [p.code for p in await store.search("PLANT", limit=10)] == ["AB-2"]
    assert [p.code for p in await store.search("ucat", limit=10)] == ["XY-1"]
    assert [p.code for p in await store.search("交通", limit=10)] == ["AB-1"]
    assert [p.code for p in await store.search("-1", limit=10)] == []  # a code matches from its start only
    assert await store.search("archived", limit=10) == []  # archived projects are not offered
