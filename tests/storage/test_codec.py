"""Timestamps as stored: fixed-width UTC text, read back exactly, text order = time order."""

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from storage.codec import stamp, unstamp

times = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=8))]),
)


@given(times, times)
def test_stamps_read_back_exactly_and_sort_as_times(a: datetime, b: datetime) -> None:
    assert unstamp(stamp(a)) == a
    assert len(stamp(a)) == len("2026-11-29T02:00:00.000000Z")
    assert (stamp(a) < stamp(b)) == (a < b)


def test_a_stamp_is_utc_with_microseconds() -> None:
    assert stamp(datetime(2026, 11, 29, 10, 0, tzinfo=timezone(timedelta(hours=8)))) == "2026-11-29T02:00:00.000000Z"
