"""A fork server for bot processes: imports the bot once, then forks a ready process per request.

Starting ``python bot.py`` costs seconds (importing aiogram); a test that kills the bot at every Bot API call of a
conversation starts it a hundred times. Forked from here, a bot is up in milliseconds and is still a separate
process that SIGKILL ends with no clean-up — the crash the test is about. Nothing here starts a thread or an event
loop before forking.

Protocol: one JSON object per line on stdin ({"env": {...}, "cwd": "...", "log": "..."}); the child's pid is
printed on stdout. Children are reaped as they end. When stdin closes (the test is over, or the process running it
died) every child still running is killed with its process group; a child also dies with the server.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import sys
from types import FrameType

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def serve() -> None:
    import bot  # the whole bot, imported before any fork

    children: set[int] = set()

    def reap(signum: int, frame: FrameType | None) -> None:
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            children.discard(pid)  # reaped at once: the test sees a killed bot gone, and its pid is never reused

    signal.signal(signal.SIGCHLD, reap)
    try:
        for line in sys.stdin:
            request = json.loads(line)
            # the child must be in ``children`` before its end can be reaped (and forgotten)
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
            pid = os.fork()
            if pid == 0:
                _child(bot, request)
            children.add(pid)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
            print(pid, flush=True)
    finally:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for pid in children:  # each leads its own session and group (setsid): its helpers go with it
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)


def _child(bot: object, request: dict[str, object]) -> None:
    try:
        server = os.getppid()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
        if sys.platform == "linux":  # killed with the server, even when the server itself is killed
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
            if os.getppid() != server:  # the server died before that took hold
                os._exit(70)
        os.setsid()
        os.chdir(str(request["cwd"]))
        env = request["env"]
        assert isinstance(env, dict)
        os.environ.clear()
        os.environ.update({str(k): str(v) for k, v in env.items()})
        log = os.open(str(request["log"]), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        code = bot.main([])  # type: ignore[attr-defined]
    except BaseException:  # a child must never return into the server's loop
        code = 70
    os._exit(code)


if __name__ == "__main__":
    serve()
