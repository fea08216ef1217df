"""The LLM path against hostile or broken servers: a total deadline, a size cap, repeated
sentences, and runs of sentences under one citation (all over real HTTP)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from index.query.engine import Engine
from index.text import split_sentences
from tests.openai_server import ScriptedOpenAI

QUESTION = "What response did the US promise if Russian forces cross Ukraine's border?"
CLAIM = "Any crossing would be met with a swift, severe and united response from the United States"


def _passage(engine: Engine) -> tuple[int, str]:
    """The number the LLM sees for the passage holding the answer, and its text."""
    return next((i, p.text) for i, p in enumerate(engine.search(QUESTION), 1) if "swift, severe" in p.text)


@pytest.mark.parametrize("backend", ["openai-like", "ollama"])
def test_llm_timeout_bounds_a_server_that_drips(llm_engine: Any, backend: str) -> None:
    with ScriptedOpenAI() as server:
        # Warm first, under a generous deadline: the first call imports the client's lazy
        # modules, which can take over a second on a loaded CI machine.
        warm = llm_engine(server, timeout=60.0, backend=backend)
        n, _ = _passage(warm)
        server.script.append({"content": f"{CLAIM} [{n}]."})
        assert warm.ask(QUESTION).mode == "llm"
        engine = llm_engine(server, timeout=1.0, backend=backend)
        engine.search(QUESTION)  # this engine's index and LLM client are loaded before the clock
        engine._get_llm()
        server.script.append({"drip": 0.2, "content": f"{CLAIM} [{n}]."})  # ~60 s to send it all
        started = time.perf_counter()
        answer = engine.ask(QUESTION)
        elapsed = time.perf_counter() - started
        assert elapsed < 2.5, elapsed  # LLM_TIMEOUT plus retrieval and the fallback answer
        assert answer.mode == "extractive" and "failed (timed out)" in answer.note
        if backend == "openai-like":  # the abandoned request is closed too, not left to drip on
            assert server.gone.acquire(timeout=5)


async def test_dripping_llm_answers_do_not_hold_every_discord_slot(llm_engine: Any) -> None:
    from bot.discord_bot import AskCog

    with ScriptedOpenAI() as server:
        engine = llm_engine(server, timeout=1.0, discord_concurrency=4)
        n, _ = _passage(engine)
        server.script.extend({"drip": 0.25, "content": f"{CLAIM} [{n}]."} for _ in range(8))
        cog = AskCog(bot=None, settings=engine.settings, engine=engine)  # type: ignore[arg-type]
        engine._get_llm()  # the LLM client is built once, before the clock starts
        started = time.perf_counter()
        answers = await asyncio.gather(*(cog.answer(QUESTION, None) for _ in range(8)))
        elapsed = time.perf_counter() - started
    # Eight questions through four slots: two rounds of one LLM_TIMEOUT each, not minutes.
    assert all(a.mode == "extractive" and "timed out" in a.note for a in answers)
    assert elapsed < 6.0, elapsed


def test_a_huge_answer_is_refused_at_the_transport(llm_engine: Any) -> None:
    with ScriptedOpenAI() as server:
        engine = llm_engine(server)
        n, _ = _passage(engine)
        server.script.append({"content": f"{CLAIM} [{n}]. " * 100_000})  # ~10 MB of JSON
        answer = engine.ask(QUESTION)
        assert server.requests[-1]["body"]["max_tokens"] == 400  # tokens requested are capped
    assert answer.mode == "extractive"
    assert "failed (its answer was larger than 1,000,000 bytes)" in answer.note


def test_a_long_answer_is_cut_and_repeats_are_dropped(llm_engine: Any) -> None:
    with ScriptedOpenAI() as server:
        engine = llm_engine(server)
        n, _ = _passage(engine)
        server.script.append({"content": f"{CLAIM} [{n}]. " * 400})  # 40 KB: under the byte cap
        answer = engine.ask(QUESTION)
    assert answer.mode == "llm"
    assert answer.text == f"{CLAIM}. [1]"
    kept = 3200 // len(f"{CLAIM} [1]. ")  # whole sentences within the cap
    assert answer.note == (
        f"the LLM's answer was cut at 3,200 characters (LLM_MAX_TOKENS); {kept - 1} repeated sentences dropped."
    )


def test_llm_max_tokens_has_a_ceiling(monkeypatch: pytest.MonkeyPatch) -> None:
    from index.settings import SettingError, load_settings

    monkeypatch.setenv("LLM_MAX_TOKENS", "100000")
    with pytest.raises(SettingError, match="LLM_MAX_TOKENS: Input should be less than or equal to 4096"):
        load_settings()


def test_uncited_sentences_before_a_citation_are_one_claim(llm_engine: Any) -> None:
    with ScriptedOpenAI() as server:
        engine = llm_engine(server)
        n, text = _passage(engine)
        run = [s for s in split_sentences(text) if len(s) > 40][:3]
        assert len(run) == 3
        server.script.append({"content": f"{run[0]} {run[1]} {run[2].rstrip('.')} [{n}]."})
        answer = engine.ask(QUESTION)
    assert answer.mode == "llm" and not answer.note
    assert all(s.rstrip(".") in answer.text for s in run)  # nothing was cut to the last sentence
    assert answer.text.count("[1]") == 1 and answer.unsupported == 0 and answer.sentences == 3


def test_unsupported_sentences_in_a_run_are_dropped_and_the_note_says_so(llm_engine: Any) -> None:
    with ScriptedOpenAI() as server:
        engine = llm_engine(server)
        n, text = _passage(engine)
        first, last = [s for s in split_sentences(text) if len(s) > 40][:2]
        moon = "The moon landing was filmed in a television studio in Nevada."
        server.script.append({"content": f"{first} {moon} {last.rstrip('.')} [{n}]. Trailing words."})
        answer = engine.ask(QUESTION)
    assert answer.mode == "llm" and "moon" not in answer.text and "Trailing" not in answer.text
    assert first.rstrip(".") in answer.text and last.rstrip(".") in answer.text
    assert answer.unsupported == 2
    assert answer.note == "2 of its sentences were dropped: uncited, or not supported by the passage cited."
