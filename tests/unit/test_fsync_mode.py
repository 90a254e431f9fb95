"""Where COMMIT runs: inline while the disk is fast, on the thread from the first slow COMMIT, back after a fast run."""

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


def test_back_on_the_loop_only_after_a_full_run_of_fast_commits() -> None:
    mode = FsyncMode()
    mode.inline_took(1.0)
    for _ in range(FAST_RUN - 1):
        mode.thread_took(FAST_SECONDS / 2)
    assert mode.on_thread  # one short of the run
    mode.thread_took(FAST_SECONDS / 2)
    assert not mode.on_thread
    assert mode.switches == 2


def test_a_slow_commit_on_the_thread_restarts_the_run() -> None:
    mode = FsyncMode()
    mode.inline_took(1.0)
    for _ in range(FAST_RUN - 1):
        mode.thread_took(FAST_SECONDS / 2)
    mode.thread_took(0.1)  # the disk is busy again
    for _ in range(FAST_RUN - 1):
        mode.thread_took(FAST_SECONDS / 2)
    assert mode.on_thread  # the slow one is still within the last run
    mode.thread_took(FAST_SECONDS / 2)
    assert not mode.on_thread
