"""Key-project files read in a confined child: ``python -m untrusted.ledger MEMORY CPU KIND``, the file on stdin."""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Sequence
from typing import Any

from approvals.errors import LedgerImportError, RowProblem
from approvals.ledger import KeyProject, parse_ledger
from untrusted.confined import Limits, WorkerFailed, run_confined, serve_child

log = logging.getLogger(__name__)


class ConfinedLedgerReader:
    """``approvals.ports.LedgerReader`` over a child process; ``at_once`` files are read at the same time."""

    def __init__(self, limits: Limits | None = None, *, at_once: int = 1) -> None:
        self.limits = limits or Limits()
        self._slots = asyncio.Semaphore(at_once)

    async def read(self, kind: str, data: bytes) -> list[KeyProject]:
        async with self._slots:
            started = time.monotonic()
            try:
                answer = await run_confined("untrusted.ledger", [kind], data, self.limits)
            except WorkerFailed as exc:
                log.warning("key-project file not read: %s", exc)
                raise LedgerImportError([RowProblem(0, "too_complex")]) from None
        log.info(
            "key-project file of %d bytes read in %.2f s, peak %d MB",
            len(data),
            time.monotonic() - started,
            answer.get("peak_kb", 0) // 1024,
        )
        if "problems" in answer:
            problems = [RowProblem(row, problem, **params) for row, problem, params in answer["problems"]]
            raise LedgerImportError(problems, more=answer["more"])
        return [KeyProject.model_validate(project) for project in answer["projects"]]


def read_in_child(args: Sequence[str], data: bytes) -> dict[str, Any]:
    try:
        projects = parse_ledger(args[0], data)
    except LedgerImportError as exc:
        return {"problems": [[p.row, p.problem, p.params] for p in exc.problems], "more": exc.more}
    except MemoryError:  # the address-space limit was reached: what was held is free again once unwound
        return {"problems": [[0, "too_complex", {}]], "more": 0}
    return {"projects": [project.model_dump(mode="json") for project in projects]}


if __name__ == "__main__":
    # openpyxl loads numpy when it can: 0.1 s and ~120 MB of address space (BLAS threads) the child has no use for
    sys.modules["numpy"] = None  # type: ignore[assignment]
    serve_child(read_in_child)
