"""Compatibility for callers of the old bm25s index (training/): the keyword index is now
SQLite FTS5, `index.store.lexical`."""

from __future__ import annotations

from pathlib import Path

from index.store.chroma import read_state
from index.store.lexical import LexicalIndex, load_checked


def load(index_dir: Path) -> LexicalIndex | None:
    """The active collection's keyword index, or None when there is none (or it is unusable)."""
    collection = read_state(index_dir).get("collection")
    return load_checked(index_dir, str(collection))[0] if collection else None
