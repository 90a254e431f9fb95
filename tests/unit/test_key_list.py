"""What a new key-project list would change, by code: shown to the admin before anything changes."""

from datetime import date

from approvals.key_list import Renamed, list_changes
from approvals.ledger import KeyProject


def kp(code: str, name: str, owner: str = "区政府", start: date | None = None) -> KeyProject:
    return KeyProject(code=code, name=name, owner=owner, planned_start=start)


CURRENT = [kp("KP-01", "城东污水厂"), kp("KP-02", "实验学校"), kp("KP-03", "城北道路"), kp("KP-04", "体育馆")]


def test_changes_are_added_removed_and_renamed_by_code_with_other_details_counted() -> None:
    incoming = [
        kp("KP-01", "城东污水厂"),  # the same
        kp("KP-02", "实验学校新校区"),  # renamed
        kp("KP-04", "体育馆", owner="区体育局"),  # same name, another owner
        kp("KP-09", "垃圾焚烧厂"),  # new
    ]
    changes = list_changes(CURRENT, incoming, {})
    assert [p.code for p in changes.added] == ["KP-09"]
    assert [p.code for p in changes.removed] == ["KP-03"]
    assert changes.renamed == [Renamed("KP-02", "实验学校", "实验学校新校区")]
    assert (changes.details_changed, changes.unchanged, changes.total, changes.before) == (1, 1, 4, 4)
    assert changes.changes_anything


def test_removed_codes_that_requests_name_are_counted_and_listed_first() -> None:
    incoming = [kp("KP-02", "实验学校")]
    changes = list_changes(CURRENT, incoming, {"KP-04": 2, "KP-02": 5, "KP-99": 1})
    assert [p.code for p in changes.removed] == ["KP-04", "KP-01", "KP-03"]  # named ones first, then list order
    assert changes.named == {"KP-04": 2}  # a code staying on the list (KP-02) or never on it (KP-99) is no concern
    assert changes.requests_naming_removed == 2


def test_the_same_list_again_changes_nothing_whatever_its_order() -> None:
    changes = list_changes(CURRENT, list(reversed(CURRENT)), {"KP-01": 3})
    assert not changes.changes_anything
    assert (changes.unchanged, changes.named) == (4, {})


def test_a_first_list_is_all_added() -> None:
    changes = list_changes([], CURRENT, {})
    assert (len(changes.added), changes.before, changes.total) == (4, 0, 4)
