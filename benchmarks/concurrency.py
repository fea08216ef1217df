"""Questions at once through the Discord bot's own engine path, and the event loop's stalls.

The bot answers in `AskCog.answer`: an `asyncio.Semaphore(DISCORD_CONCURRENCY)` around
`asyncio.to_thread(engine.ask, ...)`. This module drives that very method (not a copy),
so the figures are the bot's: latency from the moment a question arrives (queueing
behind the semaphore included), throughput, and how late the event loop wakes a
coroutine that sleeps 10 ms in a loop while the questions run. discord.py's gateway
heartbeat is sent from that loop (it warns when it is blocked), so a worker thread that
holds the GIL for long, or sync work on the loop, shows here as lateness.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

PROBE_INTERVAL = 0.01  # seconds the probe sleeps between wake-ups


class StallProbe:
    """`async with StallProbe() as probe:` records how late each 10 ms sleep wakes up."""

    def __init__(self, interval: float = PROBE_INTERVAL) -> None:
        self.interval = interval
        self.late: list[float] = []  # seconds past the due time, one per wake-up
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> StallProbe:
        self._stopping = False
        self._task = asyncio.create_task(self._run())
        await asyncio.sleep(0)  # the probe is sleeping before the work starts
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stopping = True
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        while not self._stopping:
            due = time.perf_counter() + self.interval
            await asyncio.sleep(self.interval)
            self.late.append(max(0.0, time.perf_counter() - due))

    @property
    def max_ms(self) -> float:
        return max(self.late, default=0.0) * 1000

    def percentile_ms(self, pct: float) -> float:
        return _pct_ms(self.late, pct)


def _pct_ms(seconds: list[float], pct: float) -> float:
    from index.evaluation import percentile

    return percentile(sorted(seconds), pct) * 1000


@dataclass
class Batch:
    """One run of a question list through the cog: per-question latency, wall, loop stalls."""

    latencies: list[float]  # arrival to answer, seconds (semaphore wait included)
    engine_seconds: list[float]  # inside engine.ask (Answer.seconds)
    wall: float
    late: list[float] = field(default_factory=list)


async def run_batch(cog: Any, questions: Sequence[str], at_once: bool) -> Batch:
    """Ask through `cog.answer` (semaphore + worker thread), all at once or one at a time,
    with the stall probe running throughout."""
    latencies: list[float] = []
    inside: list[float] = []

    async def one(question: str) -> None:
        started = time.perf_counter()
        answer = await cog.answer(question, None)
        latencies.append(time.perf_counter() - started)
        inside.append(float(getattr(answer, "seconds", 0.0)))

    async with StallProbe() as probe:
        started = time.perf_counter()
        if at_once:
            await asyncio.gather(*(one(q) for q in questions))
        else:
            for q in questions:
                await one(q)
        wall = time.perf_counter() - started
    return Batch(latencies, inside, wall, probe.late)


async def idle_stalls(seconds: float) -> list[float]:
    """The probe alone: this machine's floor (timer slack, other processes on the cores)."""
    async with StallProbe() as probe:
        await asyncio.sleep(seconds)
    return probe.late


def summarize(batches: list[Batch], n_questions: int) -> dict[str, float]:
    """Pooled latency percentiles, median throughput over rounds, worst stall of any round."""
    latencies = [x for b in batches for x in b.latencies]
    late = [x for b in batches for x in b.late]
    return {
        "per_s": statistics.median(n_questions / b.wall for b in batches),
        "p50_ms": _pct_ms(latencies, 50),
        "p95_ms": _pct_ms(latencies, 95),
        "engine_p50_ms": _pct_ms([x for b in batches for x in b.engine_seconds], 50),
        "stall_max_ms": max(late, default=0.0) * 1000,
        "stall_p99_ms": _pct_ms(late, 99),
    }


@dataclass
class Mode:
    """One way of asking: which engine, how many slots, all at once or one by one."""

    label: str
    engine: Any
    slots: int
    at_once: bool


async def compare(
    settings: Any,
    modes: list[Mode],
    questions: Sequence[str],
    rounds: int,
    warm: str,
    idle_seconds: float = 1.0,
) -> list[dict[str, Any]]:
    """Every mode `rounds` times, interleaved (round 1 of each, then round 2, ...) so load
    from elsewhere on the machine falls on all modes alike. Before each batch the engine
    drops its cached readings (`reload`) and answers `warm` untimed: no question is
    answered from a previous round's cache."""
    from bot.discord_bot import AskCog, create_bot

    bot = create_bot(settings, modes[0].engine)
    cogs = [AskCog(bot, settings.replace(discord_concurrency=m.slots), m.engine) for m in modes]
    batches: list[list[Batch]] = [[] for _ in modes]
    idle: list[float] = []
    for _ in range(rounds):
        idle.extend(await idle_stalls(idle_seconds))
        for mode, cog, done in zip(modes, cogs, batches):
            mode.engine.reload()
            mode.engine.ask(warm)
            done.append(await run_batch(cog, questions, mode.at_once))
    rows: list[dict[str, Any]] = []
    figures = [summarize(done, len(questions)) for done in batches]
    base = figures[0]["per_s"]  # the first mode is the baseline
    for mode, found in zip(modes, figures):
        rows.append(
            {"run": mode.label, "slots": mode.slots, "questions": len(questions)}
            | found
            | {"per_s_vs_baseline": found["per_s"] / base}
        )
    rows.append(
        {"run": "event loop idle (probe only)", "stall_max_ms": max(idle, default=0.0) * 1000}
        | {"stall_p99_ms": _pct_ms(idle, 99)}
    )
    return rows
