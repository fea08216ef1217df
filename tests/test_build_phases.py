"""Where a build's time goes (`newsdesk index --json` "phases"): the clock's bookkeeping,
and a real build of the seed corpus whose phases cover its time without counting twice."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.render import render_report
from index.ingest.indexer import run_index
from index.ingest.phases import PHASES, Phases
from index.settings import Settings


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_phase_inside_another_is_charged_to_itself_alone() -> None:
    clock = FakeClock()
    phases = Phases(clock)
    with phases("write"):
        clock.now += 1.0
        with phases("lexical"):
            clock.now += 0.25
        clock.now += 0.5
    with phases("write"):
        clock.now += 2.0
    assert phases.seconds == {"write": 3.5, "lexical": 0.25}
    clock.now += 0.75  # outside every phase
    report = phases.report(total=clock.now)
    assert list(report)[: len(PHASES)] == list(PHASES)
    assert (report["write"], report["lexical"], report["nlp"], report["other"]) == (3.5, 0.25, 0.0, 0.75)


def test_generator_work_and_method_calls_are_charged_where_they_happen() -> None:
    clock = FakeClock()
    phases = Phases(clock)

    def produced() -> Any:
        for item in range(3):
            clock.now += 1.0  # the generator's own work: charged to "nlp"
            yield item

    class Store:
        def add(self, n: int) -> int:
            clock.now += 0.5
            return n * 2

        size = 7

    store = phases.calls("lexical", Store())
    with phases("chunk"):
        got = []
        for item in phases.each("nlp", produced()):
            clock.now += 0.25  # the loop body: still "chunk"
            got.append(store.add(item))
    assert got == [0, 2, 4] and store.size == 7
    assert phases.seconds == {"chunk": 0.75, "nlp": 3.0, "lexical": 1.5}


@pytest.mark.usefixtures("every_reading")
def test_a_real_build_reports_its_phases(settings: Settings, onnx_model: Any) -> None:
    report = run_index(settings, embed_model=onnx_model)
    phases = report.phases
    assert set(PHASES) | {"other"} == set(phases)
    for name in ("read", "nlp", "chunk", "embed", "write", "lexical"):
        assert phases[name] > 0, (name, phases)
    named = sum(v for k, v in phases.items() if k != "other")
    assert named <= report.seconds + 0.01  # nothing counted twice
    assert named >= 0.8 * report.seconds, phases  # and little left unexplained
    assert report.peak_rss_mb > 50
    summary = report.to_json()
    assert summary["phases"] == phases and summary["embedded_chunks"] == report.chunks
    assert "  time: " in render_report(report) and "peak memory" in render_report(report)

    again = run_index(settings, embed_model=onnx_model)  # a no-op: nothing embedded
    assert again.phases["embed"] == 0 and "time:" not in render_report(again)


def test_a_quick_build_says_no_empty_time_line() -> None:
    """Each phase under 0.05 s (a small change in `index --watch`): no "time: ;" line."""
    from index.ingest.indexer import IndexReport

    report = IndexReport(embedded_chunks=2, phases={"embed": 0.02, "write": 0.01}, peak_rss_mb=120)
    assert render_report(report).splitlines()[-1] == "  peak memory 120 MB"


def test_index_json_carries_the_phases(settings: Settings) -> None:
    dirs = ["--corpus-dir", str(settings.corpus_dir), "--index-dir", str(settings.index_dir)]
    done = CliRunner().invoke(cli, [*dirs, "index", "--json"])
    assert done.exit_code == 0, done.output
    summary = json.loads(done.output.strip().splitlines()[-1])
    assert summary["phases"]["embed"] > 0 and summary["peak_rss_mb"] > 0
    assert abs(sum(summary["phases"].values()) - summary["seconds"]) < 0.01
