"""A cold `newsdesk ask` (a fresh process: Python start, imports, model load, one question),
this code beside its baselines in the same run, rounds interleaved so load hits each alike:

- "this code": questions search the keyword index's copy of the vectors (no chromadb
  import) and a one-question `ask` loads the model without graph optimisation;
- "Chroma path": the same code and index with the copy's vectors removed (as an index
  built before the copy kept them): chromadb is imported and opened;
- "baseline SRC": another checkout's code (`--cold-baseline DIR`, e.g. a `git worktree`
  of an older commit) on the same index as "this code" (code from before the vector copy
  ignores it and opens Chroma, as the row above).

Each variant also runs once under `python -X importtime`: the cumulative import time of
the modules that dominate a cold start.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

MODULES = (
    "chromadb",
    "onnxruntime",
    "numpy",
    "pydantic",
    "pydantic_settings",
    "index.settings",
    "click",
    "tokenizers",
)


def _ask(src: Path, index_dir: Path, question: str, importtime: bool = False) -> tuple[float, int, str]:
    """(wall seconds, peak RSS MB, stderr) of one `python -m bot.cli ask` run from src."""
    flags = ["-X", "importtime"] if importtime else []
    code = (
        "import json, resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "w = time.perf_counter() - t\n"
        "r = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(json.dumps({'wall': w, 'rss_kb': r, 'rc': p.returncode, 'out': p.stdout, 'err': p.stderr}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(src)}
    command = [sys.executable, *flags, "-m", "bot.cli", "--index-dir", str(index_dir), "ask", question]
    probe = subprocess.run(
        [sys.executable, "-c", code, *command], capture_output=True, text=True, env=env, cwd=src
    )
    data = json.loads(probe.stdout)
    if data["rc"] != 0:
        raise RuntimeError(f"ask from {src} failed: {data['err'].strip()[-300:]}")
    return data["wall"], data["rss_kb"] // 1024, data["err"]


def import_ms(stderr: str) -> dict[str, float]:
    """Cumulative import milliseconds of MODULES, from `-X importtime` output."""
    found: dict[str, float] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        parts = [p.strip() for p in line[len("import time:") :].split("|")]
        if len(parts) == 3 and parts[1].isdigit() and parts[2] in MODULES:
            found[parts[2]] = max(found.get(parts[2], 0.0), int(parts[1]) / 1000)
    return found


def without_vector_copy(index_dir: Path, target: Path) -> Path:
    """A copy of the index whose keyword index holds no vectors: questions open Chroma."""
    shutil.copytree(index_dir, target)
    for path in (target / "lexical").glob("*.sqlite"):
        conn = sqlite3.connect(path)
        conn.execute("DROP TABLE IF EXISTS chunk_vectors")
        conn.commit()
        conn.close()
    return target


def bench_cold(
    root: Path, work: Path, question: str, baseline: Path | None, rounds: int = 5
) -> list[dict[str, Any]]:
    index_dir = work / "cold" / "index"
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "--corpus-dir",
            str(root / "corpus"),
            "--index-dir",
            str(index_dir),
            "index",
        ],
        capture_output=True,
        text=True,
        cwd=root,
    )
    if built.returncode != 0:
        raise RuntimeError(built.stderr)
    chroma_index = without_vector_copy(index_dir, work / "cold" / "chroma")
    variants = [
        ("this code", root, index_dir),
        ("Chroma path (same code, no vector copy)", root, chroma_index),
    ]
    if baseline is not None:
        variants.append((f"baseline {baseline.name}", baseline, index_dir))
    for _, src, where in variants:
        _ask(src, where, question)  # page the files in once: every variant starts warm on disk
    walls: dict[str, list[float]] = {name: [] for name, _, _ in variants}
    rss: dict[str, int] = {name: 0 for name, _, _ in variants}
    for _ in range(rounds):
        for name, src, where in variants:
            wall, peak, _ = _ask(src, where, question)
            walls[name].append(wall)
            rss[name] = max(rss[name], peak)
    rows = []
    for name, src, where in variants:
        imports = import_ms(_ask(src, where, question, importtime=True)[2])
        rows.append(
            {
                "pipeline": f"cold `newsdesk ask`: {name}",
                "p50_ms": statistics.median(walls[name]) * 1000,
                "min_ms": min(walls[name]) * 1000,
                "max_ms": max(walls[name]) * 1000,
                "peak_rss_mb": rss[name],
                **{f"import {m} ms": imports.get(m, 0.0) for m in MODULES},
            }
        )
    return rows
