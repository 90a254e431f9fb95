"""The people store's contract, on every backend: names, languages and the roles admins grant."""

from __future__ import annotations

from approvals.models import Role
from approvals.ports import Person
from tests.storage.contract.conftest import Backend

SUPERGROUP = -1001234567890  # ids beyond 32 bits are stored whole


async def test_a_stranger_is_unknown_until_remembered(backend: Backend) -> None:
    assert await backend.people.get(7) is None
    await backend.people.remember(7, "王工", "zh_CN")
    assert await backend.people.get(7) == Person(7, "王工", frozenset(), None, "zh_CN")


async def test_remembering_keeps_a_name_and_language_that_an_empty_update_does_not_name(backend: Backend) -> None:
    await backend.people.remember(7, "王工", "zh_CN")
    await backend.people.remember(7, "", None)  # an update without a name or language changes nothing
    assert await backend.people.get(7) == Person(7, "王工", frozenset(), None, "zh_CN")
    await backend.people.remember(7, "王工程师", None)  # a new name is stored, the language kept
    await backend.people.remember(7, "", "en")
    assert await backend.people.get(7) == Person(7, "王工程师", frozenset(), None, "en")
    await backend.people.remember(8, "")  # someone whose name Telegram did not give
    assert await backend.people.get(8) == Person(8, "", frozenset(), None, None)


async def test_a_role_granted_counts_at_once_and_a_revoked_one_is_gone_at_once(backend: Backend) -> None:
    await backend.people.grant(7, Role.REVIEWER)  # someone not seen yet: known from the grant on
    assert await backend.people.get(7) == Person(7, "", frozenset({Role.REVIEWER}), None, None)
    await backend.people.grant(7, Role.REVIEWER)  # twice is once
    await backend.people.grant(7, Role.CHIEF)
    found = await backend.people.get(7)
    assert found is not None and found.roles == {Role.REVIEWER, Role.CHIEF}
    assert await backend.people.revoke(7, Role.REVIEWER) is True
    assert await backend.people.revoke(7, Role.REVIEWER) is False  # not held any more
    assert await backend.people.revoke(99, Role.ADMIN) is False  # nobody
    found = await backend.people.get(7)
    assert found is not None and found.roles == {Role.CHIEF}


async def test_a_chosen_language_is_kept_beside_the_app_s(backend: Backend) -> None:
    await backend.people.set_locale(7, "en")  # someone not seen yet
    assert await backend.people.get(7) == Person(7, "", frozenset(), "en", None)
    await backend.people.remember(7, "Alice", "zh_CN")
    await backend.people.set_locale(7, "zh_CN")
    assert await backend.people.get(7) == Person(7, "Alice", frozenset(), "zh_CN", "zh_CN")


async def test_people_with_a_role_come_in_id_order_with_that_role_only(backend: Backend) -> None:
    for user_id, name in ((30, "丙"), (SUPERGROUP, "大群"), (10, "甲"), (20, "乙")):
        await backend.people.remember(user_id, name, "en")
    await backend.people.set_locale(20, "en")
    for user_id in (30, 10, SUPERGROUP, 20):
        await backend.people.grant(user_id, Role.REVIEWER)
    await backend.people.grant(10, Role.ADMIN)
    await backend.people.grant(40, Role.APPLICANT)
    reviewers = await backend.people.with_role(Role.REVIEWER)
    assert reviewers == [  # their own language choice only: the app's is not part of this answer
        Person(SUPERGROUP, "大群", frozenset({Role.REVIEWER}), None),
        Person(10, "甲", frozenset({Role.REVIEWER}), None),
        Person(20, "乙", frozenset({Role.REVIEWER}), "en"),
        Person(30, "丙", frozenset({Role.REVIEWER}), None),
    ]
    assert await backend.people.with_role(Role.DIRECTOR) == []


async def test_people_with_any_of_some_roles_come_once_with_those_they_hold(backend: Backend) -> None:
    await backend.people.grant(10, Role.REVIEWER)
    await backend.people.grant(10, Role.ADMIN)
    await backend.people.grant(10, Role.CHIEF)
    await backend.people.grant(20, Role.DIRECTOR)
    await backend.people.grant(30, Role.APPLICANT)
    signers = await backend.people.with_roles([Role.CHIEF, Role.DIRECTOR, Role.ADMIN])
    assert [(p.user_id, p.roles) for p in signers] == [
        (10, {Role.ADMIN, Role.CHIEF}),  # not the reviewer role: it was not asked about
        (20, {Role.DIRECTOR}),
    ]
    assert await backend.people.with_roles([]) == []
