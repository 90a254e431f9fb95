"""The benchmark's moving parts, run small: every bot it compares answers every scripted step, and the figures it
reports are computed from what the load saw. No timing is asserted (machines here are shared and noisy)."""

import os
from pathlib import Path
from typing import Any

import pytest

from benchmarks import report
from benchmarks.chat_load import QUICK, summarise
from benchmarks.instructions import dumped_instructions
from benchmarks.processes import REVIEWER_BASE, bot, bot_api_server

FORM_STEPS = 12  # /submit, 7 typed answers, 3 buttons, /cancel
WHOLE_FORM = 14


async def test_every_bot_answers_every_step_of_both_scripts(tmp_path: Path) -> None:
    seen: dict[str, dict[str, Any]] = {}
    async with bot_api_server() as server:
        for n, kind in enumerate(("echo", "floor", "green")):
            base = 1_000_000 * (n + 1)  # fresh users for each bot
            reviewers = [base + REVIEWER_BASE, base + 100_000 + REVIEWER_BASE]
            async with bot(kind, server, tmp_path / kind, reviewer_ids=reviewers):
                seen[kind] = await server.post(
                    "/bench/load", applicants=3, reviewers=0, base=base, fake_buttons=kind == "echo", script="form"
                )
                if kind != "floor":
                    # twice, with fresh people (a receipt must not be taken for the answer to a step): the
                    # second run's reviewer finds the first run's submissions waiting at once
                    for again in (0, 100_000):
                        seen[kind + " whole"] = await server.post(
                            "/bench/load", applicants=2, reviewers=1, base=base + again, fake_buttons=kind == "echo"
                        )
    for kind in ("echo", "floor", "green"):
        assert seen[kind]["steps"] == 3 * FORM_STEPS and seen[kind]["timeouts"] == 0, kind
        assert seen[kind]["labels"].count("button ch:category") == 3, kind
    green = seen["green whole"]
    assert green["labels"].count("document") == 2 and green["labels"].count("button cf:s") == 2
    assert green["calls"]["getFile"] == 2  # the upload really went through the bot's download path
    assert green["labels"].count("button rv:an") >= 1  # the reviewer approved at least one submission
    assert green["steps"] >= 2 * WHOLE_FORM + 3  # + /next, Approve, "approve without a number"
    assert seen["echo whole"]["steps"] >= 2 * WHOLE_FORM


def test_report_compares_like_with_like() -> None:
    def phase(rate: float) -> dict[str, Any]:
        tally = {"steps": 4, "seconds": 4 / rate, "latencies_ms": [1.0, 2.0, 3.0, 40.0], "labels": ["text"] * 4}
        return summarise({**tally, "calls": {"sendMessage": 4, "getUpdates": 1}})

    def bot_round(rate: float, rss: float) -> dict[str, Any]:
        burst = {"updates": 10, "updates_per_s": rate, "peak_rss_mb": rss}
        return {"closed": phase(rate), "form_steps": phase(rate * 2), "paced": phase(rate), "burst": burst}

    rounds = {
        "echo": [bot_round(1000, 170), bot_round(900, 170), bot_round(1100, 170)],
        "floor": [{"form_steps": phase(1400)}, {"form_steps": phase(1200)}, {"form_steps": phase(1500)}],
        "green": [bot_round(500, 190), bot_round(600, 180), bot_round(400, 200)],
    }
    scale = [
        {"pending": 1_000, "next_ms": 1.0, "queue_ms": 1.0, "summary_ms": 5.0},
        {"pending": 1_000_000, "next_ms": 1.0, "queue_ms": 2.0, "summary_ms": 50.0},
    ]
    result = report.combine(rounds, scale, quick=False, load=QUICK)
    assert result["throughput_ratio_rounds"] == [0.5, 600 / 900, 400 / 1100]
    assert result["throughput_ratio"] == 0.5  # the median round
    assert result["form_step_ratio"] == 0.5  # green's form steps 1000/2000 in the median round
    assert result["floor_form_step_ratio"] == 1500 / 2200  # rounds 0.70, 0.67, 0.68: the median
    assert result["peak_rss_ratio"] == 190 / 170
    assert result["next_ms_at_1m"] == 1.0 and result["summary_ms_at_1m"] == 50.0
    assert result["growth_exponent"]["summary_ms"] == pytest.approx(1 / 3)  # 10x over 1000x: n^(1/3)
    assert "form_step_ratio 0.50" in report.table(result)


def test_instruction_count_is_read_from_the_newest_callgrind_dump(tmp_path: Path) -> None:
    out = tmp_path / "callgrind.green"
    older, newer = tmp_path / "callgrind.green.41", tmp_path / "callgrind.green.41.1"
    older.write_text("events: Ir\ntotals: 999\n")
    newer.write_text("# callgrind format\nevents: Ir\nfn=main\n1 5\nsummary: 123456\n")
    os.utime(older, (1, 1))  # the start-up part, written long before the dump asked for
    assert dumped_instructions(out) == 123456
