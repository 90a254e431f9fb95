from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from approvals.calendar import WorkCalendar
from approvals.deadlines import DeadlinePolicy, compute_deadlines
from approvals.lanes import Queued, assign_lane, order_queue, queue_key
from approvals.models import Category, DocumentType, Lane

CAL = WorkCalendar.china([2026, 2027])
POLICY = DeadlinePolicy(risk_days=3)
START = date(2026, 1, 5)


def risk_cutoff(today: date) -> date:
    return CAL.add_working_days(today, POLICY.risk_days)


def make(ident: int, lane: Lane, doc: DocumentType, day_offset: int, minute: int) -> Queued:
    accepted = CAL.next_working_day(START + timedelta(days=day_offset))
    due = compute_deadlines(CAL, POLICY, lane=lane, document_type=doc, accepted_on=accepted).promised
    submitted = datetime.combine(accepted, datetime.min.time(), UTC) + timedelta(minutes=minute)
    return Queued(id=ident, lane=lane, due=due, submitted_at=submitted)


items = st.lists(
    st.tuples(
        st.sampled_from(list(Lane)),
        st.sampled_from([DocumentType.REPORT, DocumentType.REPORT_FORM]),
        st.integers(0, 200),
        st.integers(0, 600),
    ),
    max_size=40,
).map(lambda rows: [make(i + 1, *row) for i, row in enumerate(rows)])
todays = st.integers(0, 300).map(lambda n: START + timedelta(days=n))


def test_lane_assignment() -> None:
    codes = {"KP-01"}
    assert assign_lane(Category.OTHER, "KP-01", codes) is Lane.KEY
    assert assign_lane(Category.OTHER, "KP-99", codes) is Lane.STANDARD  # unregistered codes earn nothing
    for green in (Category.LIVELIHOOD, Category.INFRASTRUCTURE, Category.ENERGY_SAVING):
        assert assign_lane(green, None, codes) is Lane.GREEN
    assert assign_lane(Category.OTHER, None, codes) is Lane.STANDARD


@given(items, todays)
def test_the_order_is_total_and_deterministic(queue: list[Queued], today: date) -> None:
    cutoff = risk_cutoff(today)
    keys = [queue_key(q, cutoff) for q in queue]
    assert len(set(keys)) == len(keys)  # no two requests tie
    assert order_queue(queue, cutoff) == order_queue(list(reversed(queue)), cutoff)


@given(items, todays)
def test_at_risk_first_by_deadline_then_lane(queue: list[Queued], today: date) -> None:
    cutoff = risk_cutoff(today)
    ordered = order_queue(queue, cutoff)
    risky = [q.due <= cutoff for q in ordered]
    assert risky == sorted(risky, reverse=True)  # every at-risk item precedes every other
    at_risk = [q for q in ordered if q.due <= cutoff]
    assert [q.due for q in at_risk] == sorted(q.due for q in at_risk)
    calm = [q for q in ordered if q.due > cutoff]
    assert [(q.lane, q.due) for q in calm] == sorted((q.lane, q.due) for q in calm)


@settings(max_examples=200)
@given(items, st.integers(0, 200), st.integers(1, 200))
def test_no_request_starves(queue: list[Queued], old_offset: int, later: int) -> None:
    """An old STANDARD request is at risk by its deadline; from then on, nothing submitted after its deadline
    (a flood of new KEY requests included) ever comes before it."""
    old = make(0, Lane.STANDARD, DocumentType.REPORT, old_offset, 0)
    newer_key = [
        make(1000 + i, Lane.KEY, DocumentType.REPORT_FORM, (old.due - START).days + later, i) for i in range(5)
    ]
    for today in (old.due - timedelta(days=d) for d in range(0, 3)):
        if old.due > risk_cutoff(today):
            continue
        ordered = order_queue([old, *queue, *newer_key], risk_cutoff(today))
        position = ordered.index(old)
        assert all(q.due <= old.due for q in ordered[:position])
        assert all(ordered.index(k) > position for k in newer_key)


def test_an_old_standard_request_overtakes_newer_key_ones() -> None:
    old = make(1, Lane.STANDARD, DocumentType.REPORT_FORM, 0, 0)
    today = CAL.add_working_days(old.due, 0) - timedelta(days=1)
    fresh_key = [make(10 + i, Lane.KEY, DocumentType.REPORT, (today - START).days, i) for i in range(3)]
    early = order_queue([old, *fresh_key], risk_cutoff(START))
    assert early[0] != old  # while it has time, KEY goes first
    late = order_queue([old, *fresh_key], risk_cutoff(today))
    assert late[0] == old
