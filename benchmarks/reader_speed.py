"""Time a warm engine takes per question on the real dev sets, with the baselines measured
in the same run: each question asked once and then again (the second time the sentence
store has its sentences kept), and the rankers' trees walked (`Trees.walk`, the evaluator
before the leaf masks) against the leaf masks (`Trees.predict`) on the same feature rows.

Needs the indexes `make eval` builds (`.newsdesk-eval/reuters`, `.newsdesk-eval/squad`).
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

WARM = ["What did the company report?", "Who said that?", "How much did prices rise?"]


def _ms(seconds: list[float]) -> float:
    return round(1000 * statistics.median(seconds), 1)


def reader_rows(sets: list[tuple[str, Path, Path, Path]], every: int = 1) -> list[dict[str, Any]]:
    """sets: (name, corpus dir, index dir, questions.jsonl); every: ask every n-th question."""
    from index.query.engine import Engine
    from index.query.model import load_model
    from index.settings import load_settings

    rows: list[dict[str, Any]] = []
    for name, corpus, index_dir, questions in sets:
        if not (index_dir / "text.sqlite").is_file():
            print(f"reader: no built index at {index_dir} (run `make eval`)")
            continue
        engine = Engine(load_settings(corpus_dir=corpus, index_dir=index_dir))
        for q in WARM:  # the model, the trees' masks, numpy's first calls
            engine.ask(q)
        lines = questions.read_text(encoding="utf-8").splitlines()
        asked = [json.loads(line)["question"] for line in lines if line.strip()][::every]
        timings: dict[str, list[float]] = {"once": [], "again": []}
        for label in ("once", "again"):
            for q in asked:
                start = time.perf_counter()
                engine.ask(q)
                timings[label].append(time.perf_counter() - start)
        model = load_model()  # the engine's (cached)
        readings = [engine.read(q) for q in asked]
        trees: dict[str, list[float]] = {"walk": [], "masks": []}
        for _ in range(3):
            for label in ("walk", "masks"):
                start = time.perf_counter()
                for r in readings:
                    for t in (model.trees, model.first):
                        if t is not None:
                            (t.walk if label == "walk" else t.predict)(r.X)
                trees[label].append((time.perf_counter() - start) / len(readings))
        rows.append(
            {
                "set": name,
                "questions": len(asked),
                "candidate sentences (median)": int(np.median([len(r.rows) for r in readings])),
                "asked once p50 ms": _ms(timings["once"]),
                "asked again p50 ms": _ms(timings["again"]),
                "p95 once ms": round(1000 * sorted(timings["once"])[int(0.95 * len(asked))], 1),
                "trees walked ms/q (baseline)": _ms(trees["walk"]),
                "trees by leaf masks ms/q": _ms(trees["masks"]),
            }
        )
    return rows
