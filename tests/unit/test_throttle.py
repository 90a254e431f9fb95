from coordination.local import LocalBuckets


def test_a_burst_is_allowed_then_one_warning_then_silence_until_refilled() -> None:
    t = LocalBuckets(rate=2.0, burst=5.0)
    results = [t.allow(1, now=100.0) for _ in range(8)]
    assert results[:5] == [(True, False)] * 5
    assert results[5:] == [(False, True), (False, False), (False, False)]
    assert t.allow(1, now=100.6) == (True, False)  # 0.6 s at 2/s refilled one
    assert t.allow(2, now=100.6) == (True, False)  # others are not affected


def test_memory_is_bounded_by_evicting_the_longest_idle_users() -> None:
    t = LocalBuckets(rate=3.0, burst=20.0, max_users=100)
    for user in range(1000):
        t.allow(user, now=float(user))
    assert len(t.buckets) == 100
    assert 999 in t.buckets
    assert 0 not in t.buckets
