"""The concurrency benchmark's instruments, and the engine work it measures: the stall
probe sees a blocked event loop (and not a worker thread), questions through the cog run
at most DISCORD_CONCURRENCY at once, and one question costs one model pass."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from typing import Any

import pytest

from benchmarks.concurrency import Mode, StallProbe, compare, run_batch
from bot.discord_bot import AskCog
from index.embedding.onnx import MiniLMEncoder, shared_encoder
from index.query.answer import Answer
from index.query.engine import Engine
from index.settings import Settings


async def test_stall_probe_sees_a_blocking_call_on_the_loop() -> None:
    async with StallProbe() as blocked:
        await asyncio.sleep(0.03)
        time.sleep(0.2)  # sync work on the loop: the heartbeat would wait this long
        await asyncio.sleep(0.03)
    async with StallProbe() as threaded:
        await asyncio.sleep(0.03)
        await asyncio.to_thread(time.sleep, 0.2)  # the same wait in a worker thread
        await asyncio.sleep(0.03)
    assert blocked.max_ms >= 180, blocked.late
    assert threaded.max_ms < 120, threaded.late  # loose: other processes share the cores
    assert len(threaded.late) > len(blocked.late)


class SleepyEngine:
    """Answers after `delay` seconds of GIL-free waiting; counts how many run at once."""

    def __init__(self, delay: float) -> None:
        self.delay, self.running, self.most = delay, 0, 0
        self._lock = threading.Lock()

    def ask(self, question: str, conversation: Any = None, **_: Any) -> Answer:
        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(self.delay)
        with self._lock:
            self.running -= 1
        return Answer(question, "", [], abstained=False, mode="extractive", seconds=self.delay)

    def reload(self) -> None:
        pass


async def test_questions_through_the_cog_respect_its_slots(settings: Settings) -> None:
    questions = [f"question {i}?" for i in range(8)]
    results = {}
    for slots in (1, 4):
        engine = SleepyEngine(0.05)
        slotted = settings.replace(discord_concurrency=slots)
        cog = AskCog(bot=None, settings=slotted, engine=engine)  # type: ignore[arg-type]
        results[slots] = (await run_batch(cog, questions, at_once=True), engine.most)
    (one_slot, most_1), (four_slots, most_4) = results[1], results[4]
    assert (most_1, most_4) == (1, 4)
    assert one_slot.wall >= 8 * 0.05 and four_slots.wall < one_slot.wall / 2
    # latency counts from arrival: the last of eight through one slot waited for the seven
    # ahead of it (it arrives a moment after the first one's 0.05 s began, so not 8 x 0.05)
    assert max(one_slot.latencies) >= 7 * 0.05 > max(four_slots.latencies)
    assert one_slot.engine_seconds == [0.05] * 8


async def test_compare_rows_hold_the_baseline_first(settings: Settings) -> None:
    engine = SleepyEngine(0.02)
    modes = [Mode("one at a time", engine, 4, at_once=False), Mode("at once", engine, 4, at_once=True)]
    rows = await compare(
        settings, modes, [f"q{i}?" for i in range(6)], rounds=1, warm="warm?", idle_seconds=0.1
    )
    assert [r["run"] for r in rows] == ["one at a time", "at once", "event loop idle (probe only)"]
    assert rows[0]["per_s_vs_baseline"] == 1.0
    assert rows[1]["per_s_vs_baseline"] > 2  # six sleeps through four slots vs one by one


def test_one_model_pass_also_through_the_llama_index_wrapper(
    built_index: Settings, onnx_model: Any, monkeypatch: Any, every_pass: None
) -> None:
    """An engine given the llama-index wrapper of the packaged MiniLM (as ingestion and the
    tests use it) also encodes a question once (test_answer_model.py covers the default)."""
    runs: list[int] = []
    real = MiniLMEncoder._run

    def counted(self: MiniLMEncoder, texts: list[str], keep_tokens: bool) -> Any:
        runs.append(len(texts))
        return real(self, texts, keep_tokens)

    engine = Engine(built_index, embed_model=onnx_model)
    engine.ask("Who is the Russian Foreign Minister?")  # loads the index
    monkeypatch.setattr(MiniLMEncoder, "_run", counted)
    engine.ask("What did Blinken say about sanctions?")
    assert runs == [1]


def test_the_shared_encoder_is_one_session_for_the_same_settings() -> None:
    """`shared_encoder(2, 8)` and `shared_encoder(2, 8, "cpu")` were two lru_cache keys:
    two ONNX sessions (~90 MB) for the same model."""
    assert shared_encoder(2, 8) is shared_encoder(2, 8, "cpu")


def test_onnx_pool_threads_do_not_spin() -> None:
    """Spinning pool threads starved concurrent questions and the event loop on 2 cores."""
    key = "session.intra_op.allow_spinning"
    quiet = MiniLMEncoder()._session.get_session_options().get_session_config_entry(key)
    spinning = MiniLMEncoder(spin=True)._session.get_session_options().get_session_config_entry(key)
    assert (quiet, spinning) == ("0", "1")


def test_numpy_blas_is_single_threaded_once_newsdesk_is_imported() -> None:
    """A fresh process that imports newsdesk before numpy (as the CLI does) gets one BLAS
    thread; the environment still wins when it names a number."""
    import subprocess
    import sys

    pytest.importorskip("threadpoolctl")
    code = (
        "import index, numpy\n"
        "from threadpoolctl import threadpool_info\n"
        "print(max(p['num_threads'] for p in threadpool_info() if p['user_api'] == 'blas'))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    ours = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    theirs = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env | {"OPENBLAS_NUM_THREADS": "2", "MKL_NUM_THREADS": "2"},
        check=True,
    )
    assert (ours.stdout.strip(), theirs.stdout.strip()) == ("1", str(min(2, os.cpu_count() or 1)))


async def test_reindex_reloads_the_engine_off_the_event_loop(settings: Settings, monkeypatch: Any) -> None:
    """`reload` takes the engine's lock, which a question holds for seconds while it
    (re)opens the index: waiting for it on the loop would stall the gateway heartbeat."""
    from index.ingest import indexer

    class LockedEngine:
        reloaded = 0

        def reload(self) -> None:
            time.sleep(0.3)  # a question thread holds the engine's lock this long
            self.reloaded += 1

    monkeypatch.setattr(indexer, "run_index", lambda settings: indexer.IndexReport())
    engine = LockedEngine()
    cog = AskCog(bot=None, settings=settings, engine=engine)  # type: ignore[arg-type]
    async with StallProbe() as probe:
        summary = await cog.run_reindex()
    assert summary.startswith("Re-index done") and engine.reloaded == 1
    assert probe.max_ms < 200, probe.late
