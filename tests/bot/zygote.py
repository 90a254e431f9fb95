"""A fork server for bot processes: imports the bot once, then forks a ready process per request.

Starting ``python bot.py`` costs seconds (importing aiogram); a test that kills the bot at every Bot API call of a
conversation starts it a hundred times. Forked from here, a bot is up in milliseconds and is still a separate
process that SIGKILL ends with no clean-up — the crash the test is about. Nothing here starts a thread or an event
loop before forking.

Protocol: one JSON object per line on stdin ({"env": {...}, "cwd": "...", "log": "..."}); the child's pid is
printed on stdout. Children are reaped by the kernel (SIGCHLD ignored).
"""

from __future__ import annotations

import json
import os
import signal
import sys


def serve() -> None:
    import bot  # the whole bot, imported before any fork

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(bot, request)
        print(pid, flush=True)


def _child(bot: object, request: dict[str, object]) -> None:
    try:
        os.setsid()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
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
