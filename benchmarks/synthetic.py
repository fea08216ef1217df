"""Synthetic corpora and vectors for tests and benchmarks: realistic text, distinct content."""

from __future__ import annotations

import random
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "corpus"


def seed_paragraphs() -> list[str]:
    return [
        p
        for f in sorted(SEEDS.glob("*.txt"))
        for p in f.read_text(encoding="utf-8").split("\n\n")
        if len(p) > 80
    ]


def generate_corpus(
    target: Path, count: int, paragraphs: int = 4, seed: int = 7, prefix: str = "gen"
) -> list[Path]:
    """`count` articles stitched from seed paragraphs, each with a unique first and last line."""
    pool = seed_paragraphs()
    rng = random.Random(seed)
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        body = "\n\n".join(rng.sample(pool, paragraphs))
        path = target / f"{prefix}_{i:05d}.txt"
        path.write_text(f"Generated report {i}\n\n{body}\n\nReport number {i}.", encoding="utf-8")
        paths.append(path)
    return paths
