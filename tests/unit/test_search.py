"""What counts as the same project, and how a /find query is read."""

from datetime import UTC, date, datetime

import pytest

from approvals.admin import KeyMatches
from approvals.ledger import KeyProject, key_project_matches
from approvals.models import ApprovalRequest, AuditEvent, Lane, Status
from approvals.search import MAX_FIND_CHARS, FindQuery, merge_found, normalise_name, open_duplicate, parse_find
from approvals.states import Action, holder_name, last_word, transition
from approvals.validation import InvalidField
from tests.factories import make_draft

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
ZH = {
    "已受理": "submitted",
    "审查中": "in_review",
    "待补正": "needs_info",
    "已补正": "resubmitted",
    "已批复": "approved",
}
ZH |= {"不予批准": "rejected", "已撤回": "withdrawn"}
EN = {"Accepted": "submitted", "Waiting for more material": "needs_info", "Approved": "approved"}
EN |= {"Material resubmitted": "resubmitted", "Withdrawn": "withdrawn"}
# as handlers/search.py makes them: each status's code, and its label in each language
WORDS = {s.value: s for s in Status} | {word: Status(code) for word, code in (ZH | EN).items()}


def stored(
    request_id: int, name: str = "城东污水处理厂扩建", status: Status = Status.SUBMITTED, key: str = ""
) -> ApprovalRequest:
    return ApprovalRequest(
        **make_draft(project_name=name).model_dump(),
        id=request_id,
        applicant_id=101,
        lane=Lane.GREEN,
        status=status,
        submitted_at=NOW,
        updated_at=NOW,
        accepted_on=date(2026, 11, 30),
        promised_due=date(2026, 12, 14),
        statutory_due=date(2027, 1, 12),
        client_key=key or None,
    )


@pytest.mark.parametrize(
    "typed", ["城东污水处理厂扩建", " 城东污水处理厂 扩建", "城东污水处理厂　扩建", "ＡＢＣ Plant", "abc plant"]
)
def test_project_names_are_compared_as_people_mean_them(typed: str) -> None:
    reference = "ABC Plant" if "plant" in typed.casefold() else "城东污水处理厂扩建"
    assert normalise_name(typed) == normalise_name(reference)


def test_an_undecided_request_of_the_same_name_is_a_duplicate_the_newest_first() -> None:
    requests = [
        stored(1),
        stored(2, status=Status.NEEDS_INFO),
        stored(3, status=Status.APPROVED),
        stored(4, name="城西雨水泵站"),
    ]
    same = open_duplicate("城东污水处理厂 扩建", requests)
    assert same is not None and same.id == 2
    assert open_duplicate("城东污水处理厂扩建", [stored(3, status=Status.REJECTED)]) is None
    assert open_duplicate("城东污水处理厂扩建", [stored(5, key="form-1")], client_key="form-1") is None  # itself


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("待补正", FindQuery(text="", statuses=(Status.NEEDS_INFO,))),
        ("waiting for  more material", FindQuery(text="", statuses=(Status.NEEDS_INFO,))),
        # part of a status's name: those statuses, and the text in names as well
        ("撤回", FindQuery(text="撤回", statuses=(Status.WITHDRAWN,))),
        ("批复", FindQuery(text="批复", statuses=(Status.APPROVED,))),
        ("补正", FindQuery(text="补正", statuses=(Status.NEEDS_INFO, Status.RESUBMITTED))),
        ("withdrawn", FindQuery(text="", statuses=(Status.WITHDRAWN,))),  # its code, exactly
        ("Withdraw", FindQuery(text="Withdraw", statuses=(Status.WITHDRAWN,))),
        ("approv", FindQuery(text="approv", statuses=(Status.APPROVED,))),
        ("已", FindQuery(text="已")),  # too short to name a status by part
        ("re", FindQuery(text="re")),
        ("#12", FindQuery(text="", number=12)),
        ("12", FindQuery(text="12", number=12)),  # a number, or part of a name such as "12号地块"
        ("  城东   污水 ", FindQuery(text="城东 污水")),
        ("１２", FindQuery(text="12", number=12)),  # full-width digits typed on a Chinese keyboard
        ("#0", FindQuery(text="#0")),
    ],
)
def test_a_find_query_is_a_status_a_number_or_text(text: str, expected: FindQuery) -> None:
    assert parse_find(text, WORDS) == expected


def test_an_empty_or_overlong_find_query_is_refused_before_any_search() -> None:
    assert parse_find("   ", WORDS) is None
    with pytest.raises(InvalidField, match="too_long"):
        parse_find("污" * (MAX_FIND_CHARS + 1), WORDS)
    with pytest.raises(InvalidField, match="too_long"):
        parse_find("x" * 100_000, WORDS)


def test_found_requests_show_the_numbered_one_first_then_newest_first_each_once() -> None:
    hit = stored(12)
    items, more = merge_found(hit, [stored(3), stored(40), stored(12), stored(3)], limit=3)
    assert ([r.id for r in items], more) == ([12, 40, 3], False)
    items, more = merge_found(None, [stored(n) for n in range(1, 6)], limit=3)
    assert ([r.id for r in items], more) == ([5, 4, 3], True)


def test_material_added_leaves_who_claimed_the_request_on_record() -> None:
    def event(status: Status, action: Action, actor: int) -> AuditEvent:
        name = {201: "张审", 101: "王工"}[actor]
        return transition(request_id=1, status=status, action=action, actor_id=actor, actor_name=name, at=NOW).event

    history = [
        event(Status.SUBMITTED, Action.CLAIM, 201),
        event(Status.IN_REVIEW, Action.ADD_MATERIAL, 101),
        event(Status.IN_REVIEW, Action.ADD_MATERIAL, 101),
    ]
    assert holder_name(history) == "张审"  # the card's 🔒 names the reviewer, not the applicant who added material
    assert last_word(history) is None


def test_key_project_search_matches_code_prefix_or_any_part_of_name_or_owner() -> None:
    project = KeyProject(code="KP-07", name="城东污水处理厂", owner="区水务集团")
    assert all(key_project_matches(project, text) for text in ("kp-0", "污水", "水务", ""))
    assert not any(key_project_matches(project, text) for text in ("07", "学校", "100%"))
    page = KeyMatches("污水", [project] * 8, total=20, page=1, size=8)
    assert (page.first, page.last, page.more, page.pages) == (9, 16, 4, 3)
