"""Key-project files are read in a child process bounded in memory, CPU and wall-clock time."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from approvals.errors import LedgerImportError
from tests import hostile_files as hostile
from untrusted.confined import Limits, run_confined
from untrusted.ledger import ConfinedLedgerReader

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def many_strings(count: int) -> bytes:
    """Within every size cap (~1.7 MB, unpacking to ~15 MB) but memory-hungry: openpyxl keeps every shared string."""

    def strings() -> Iterator[bytes]:
        yield f'<sst xmlns="{_NS}">'.encode()
        for n in range(count):
            yield f"<si><t>s{n}</t></si>".encode()
        yield b"</sst>"

    rows = hostile.HEADER_ROW + '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c>'
    rows += '<c r="C2" t="s"><v>2</v></c></row>'
    return hostile.xlsx_package(hostile.sheet(rows), shared_strings=strings())


def our_children() -> list[str]:
    """Command lines of this process's live children (a killed child that was waited for is gone)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == os.getpid():
                found.append((status.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
    return found


async def problems_of(reader: ConfinedLedgerReader, data: bytes) -> list[tuple[int, str]]:
    with pytest.raises(LedgerImportError) as caught:
        await reader.read(".xlsx", data)
    return [(p.row, p.problem) for p in caught.value.problems]


async def test_a_genuine_file_is_read_by_the_child() -> None:
    projects = await ConfinedLedgerReader().read(".xlsx", hostile.rows_xlsx(3))
    assert [p.code for p in projects] == ["KP-2", "KP-3", "KP-4"]


async def test_a_child_past_its_memory_bound_reports_the_file_as_too_complex() -> None:
    reader = ConfinedLedgerReader(Limits(memory_bytes=96 << 20))
    assert await problems_of(reader, many_strings(650_000)) == [(0, "too_complex")]


async def test_a_child_past_its_cpu_bound_is_stopped_and_the_file_reported_as_too_complex() -> None:
    reader = ConfinedLedgerReader(Limits(cpu_seconds=1))
    assert await problems_of(reader, hostile.rows_xlsx(5000, columns=30)) == [(0, "too_complex")]
    assert not [c for c in our_children() if "untrusted.ledger" in c]


async def test_a_child_past_its_wall_clock_bound_is_killed() -> None:
    reader = ConfinedLedgerReader(Limits(wall_seconds=0.3))
    assert await problems_of(reader, hostile.rows_xlsx(5000, columns=30)) == [(0, "too_complex")]
    assert not [c for c in our_children() if "untrusted.ledger" in c]


async def test_a_cancelled_read_kills_its_child() -> None:
    task = asyncio.create_task(ConfinedLedgerReader().read(".xlsx", hostile.rows_xlsx(5000, columns=30)))
    for _ in range(400):  # the child appears once the event loop has started it (nothing to await but /proc)
        if [c for c in our_children() if "untrusted.ledger" in c]:
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail("the child never started")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not [c for c in our_children() if "untrusted.ledger" in c]


async def test_the_child_gets_its_limits_and_none_of_our_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "4242:TEST-not-a-real-token")
    limits = Limits(memory_bytes=200 << 20, cpu_seconds=7)
    answer = await run_confined("tests.untrusted.environment_child", [".csv"], b"12345", limits)
    assert answer["memory"] == 200 << 20
    assert answer["cpu"] == 7
    assert (answer["args"], answer["read"]) == ([".csv"], 5)
    assert "BOT_TOKEN" not in answer["environment"]
