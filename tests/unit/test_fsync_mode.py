"""Where COMMIT runs: inline while the disk is fast, on the thread from the first slow COMMIT, back after a fast run
(at the median)."""

from storage.fsync_mode import FAST_RUN, FAST_SECONDS, SLOW_SECONDS, FsyncMode


def test_fast_commits_stay_on_the_loop() -> None:
    mode = FsyncMode()
    for _ in range(1000):
        mode.inline_took(SLOW_SECONDS / 2)
    assert not mode.on_thread
    assert mode.switches == 0


def test_one_slow_commit_moves_the_next_ones_to_the_thread() -> None:
    mode = FsyncMode()
    mode.inline_took(SLOW_SECONDS * 10)
    assert mode.on_thread
    assert mode.switches == 1


def test_back_on_the_loop_once_a_full_run_is_fast_at_the_median() -> None:
    mode = FsyncMode()
    mode.inline_took(1.0)
    for n in range(FAST_RUN - 1):  # one in four slow (the GIL's hand-back, not the disk): the median is fast
        mode.thread_took(SLOW_SECONDS * 2 if n % 4 == 0 else FAST_SECONDS / 2)
    assert mode.on_thread  # one short of the run
    mode.thread_took(FAST_SECONDS / 2)
    assert not mode.on_thread
    assert mode.switches == 2


def test_a_busy_disk_keeps_commit_on_the_thread() -> None:
    mode = FsyncMode()
    mode.inline_took(1.0)
    for n in range(FAST_RUN * 10):  # most of them slow, some fast
        mode.thread_took(FAST_SECONDS / 2 if n % 3 == 0 else 0.02)
    assert mode.on_thread
    assert mode.switches == 1
