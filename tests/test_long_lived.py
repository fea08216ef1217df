"""A long-lived engine (the Discord bot, `chat`) while another process runs `newsdesk index`:
it follows the switch to a fresh collection and sees new articles, with no failed question."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from index.query import engine as engine_module
from index.query.engine import Engine
from index.settings import Settings
from tests.commands import newsdesk_command

pytestmark = pytest.mark.slow  # runs newsdesk as processes

QUESTION = "Who is the Russian Foreign Minister that Blinken met?"
LATE = "# Harbour strike\n\nDock workers in Rotterdam walked out on Monday over pay and night shifts."


def outside(settings: Settings, *args: str) -> None:
    """`newsdesk` in another process, as a user or cron job would run it beside the bot."""
    subprocess.run(
        newsdesk_command(settings.corpus_dir, settings.index_dir, *args),
        check=True,
        capture_output=True,
        timeout=300,
    )


def test_engine_follows_an_outside_full_rebuild_and_new_articles(
    built_index: Settings, corpus: Path, onnx_model: Any
) -> None:
    engine = Engine(built_index, embed_model=onnx_model)
    assert "Lavrov" in engine.ask(QUESTION).text

    outside(built_index, "index", "--full")  # fills a fresh collection, drops the old one
    answer = engine.ask(QUESTION)
    assert not answer.abstained and "Lavrov" in answer.text

    (corpus / "late.md").write_text(LATE, encoding="utf-8")
    outside(built_index, "index")
    late = engine.ask("Why did dock workers in Rotterdam walk out?")
    assert not late.abstained and late.sources[0].source == "late.md"


def test_a_question_racing_the_switch_is_retried(
    built_index: Settings, onnx_model: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The collection is dropped after the engine last looked at the state file: the
    question that hits the dropped collection reopens the index and is answered."""
    engine = Engine(built_index, embed_model=onnx_model)
    engine.ask(QUESTION)
    monkeypatch.setattr(engine_module, "state_signature", lambda index_dir: engine._signature)
    outside(built_index, "index", "--full")
    answer = engine.ask(QUESTION)
    assert not answer.abstained and "Lavrov" in answer.text
