"""The bureau's own checklists, on every backend: none until an admin sets one, replaced whole, and dropped back to
the default; through the use case, as the admin's /checklist uses it."""

from __future__ import annotations

import pytest

from approvals.checklists import Checklists
from approvals.completeness import DEFAULT_CHECKLISTS
from approvals.errors import Forbidden
from approvals.models import Actor, DocumentType, Role
from tests.storage.contract.conftest import Backend

ADMIN = Actor(user_id=1, name="管理员", roles=frozenset({Role.ADMIN}))
REVIEWER = Actor(user_id=201, name="张审", roles=frozenset({Role.REVIEWER}))


async def test_a_list_is_kept_whole_in_its_order_until_dropped(backend: Backend) -> None:
    store = backend.checklists
    assert await store.get(DocumentType.REPORT) is None
    await store.put(DocumentType.REPORT, ["环评报告书（全本）", "公众参与说明", 'a "quoted" \\ item'])
    await store.put(DocumentType.REPORT_FORM, ["环评报告表"])
    assert await store.get(DocumentType.REPORT) == ("环评报告书（全本）", "公众参与说明", 'a "quoted" \\ item')
    await store.put(DocumentType.REPORT, ["公众参与说明"])  # replaced, not added to
    assert await store.get(DocumentType.REPORT) == ("公众参与说明",)
    await store.put(DocumentType.REPORT, None)
    assert await store.get(DocumentType.REPORT) is None
    await store.put(DocumentType.REPORT, None)  # dropping none is no error
    assert await store.get(DocumentType.REPORT_FORM) == ("环评报告表",)


async def test_an_admin_replaces_and_resets_a_list_and_no_one_else_may(backend: Backend) -> None:
    checklists = Checklists(backend.checklists)
    default = DEFAULT_CHECKLISTS[DocumentType.REPORT]
    assert await checklists.items(DocumentType.REPORT) == default
    own = await checklists.replace(ADMIN, DocumentType.REPORT, [" 项目批准文件 ", "项目批准文件", "", "选址意见书"])
    assert own == await checklists.items(DocumentType.REPORT) != default
    assert own == await Checklists(backend.checklists).items(DocumentType.REPORT)
    with pytest.raises(Forbidden):
        await checklists.reset(REVIEWER, DocumentType.REPORT)
    assert await checklists.replace(ADMIN, DocumentType.REPORT, ["", " "]) == default  # nothing left: the default
    await checklists.replace(ADMIN, DocumentType.REPORT, ["选址意见书"])
    assert await checklists.reset(ADMIN, DocumentType.REPORT) == default
