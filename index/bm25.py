"""The BM25 side of hybrid retrieval, persisted next to the Chroma index.

Built from the chunks Chroma holds (passing nodes: Chroma keeps the text, so the
llama-index docstore route would find none). A fingerprint of the chunk ids tells
`newsdesk index` whether the persisted BM25 still matches the store.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

BM25_DIR = "bm25"
FINGERPRINT_FILE = "fingerprint.txt"


def fingerprint(chunk_ids: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for cid in sorted(chunk_ids):
        digest.update(cid.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def stored_fingerprint(index_dir: Path) -> str:
    path = index_dir / BM25_DIR / FINGERPRINT_FILE
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def build_and_persist(index_dir: Path, nodes: list[Any], fp: str) -> None:
    """Build BM25 over nodes and swap it in place of the old one (never half-written)."""
    from llama_index.retrievers.bm25 import BM25Retriever

    target = index_dir / BM25_DIR
    tmp = index_dir / f".{BM25_DIR}.tmp"
    old = index_dir / f".{BM25_DIR}.old"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    if nodes:
        retriever = BM25Retriever(nodes=nodes, similarity_top_k=10, language="en")
        tmp.mkdir(parents=True)
        retriever.persist(str(tmp), show_progress=False)
    else:
        tmp.mkdir(parents=True)
    (tmp / FINGERPRINT_FILE).write_text(fp, encoding="utf-8")
    if target.exists():
        target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def load(index_dir: Path) -> Any | None:
    """The persisted BM25 retriever, or None when there is none (or it is unreadable)."""
    from llama_index.retrievers.bm25 import BM25Retriever

    path = index_dir / BM25_DIR
    if not (path / "retriever.json").exists():
        return None
    try:
        return BM25Retriever.from_persist_dir(str(path), show_progress=False)
    except Exception:  # a damaged BM25 only costs hybrid recall; vectors still answer
        return None
