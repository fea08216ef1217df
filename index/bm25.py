"""The BM25 side of hybrid retrieval, persisted next to the Chroma index.

Built from the chunks Chroma holds (passing nodes: Chroma keeps the text, so the
llama-index docstore route would find none). A fingerprint of the chunk ids tells
`newsdesk index` whether the persisted BM25 still matches the store.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from index.store import Hit, public_metadata

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


class Bm25Index:
    """The persisted BM25, queried with bm25s directly (tokenised exactly as llama-index's
    BM25Retriever does), so the query path needs no llama-index import."""

    def __init__(self, model: Any) -> None:
        import Stemmer

        self.model = model
        self.stemmer = Stemmer.Stemmer("english")
        self.size = len(model.corpus)

    def search(self, question: str, top_k: int) -> list[Hit]:
        import bm25s

        tokens = bm25s.tokenize(question, stemmer=self.stemmer, show_progress=False)
        if not tokens.vocab:
            return []
        docs, scores = self.model.retrieve(tokens, k=min(top_k, self.size), show_progress=False)
        hits = []
        for doc, score in zip(docs[0], scores[0]):
            if score <= 0:
                continue
            node = json.loads(doc.get("_node_content", "{}"))
            hits.append(
                Hit(
                    str(doc.get("node_id", node.get("id_", ""))),
                    str(node.get("text", "")),
                    public_metadata(doc),
                    float(score),
                )
            )
        return hits


def load(index_dir: Path) -> Bm25Index | None:
    """The persisted BM25 index, or None when there is none (or it is unreadable)."""
    import bm25s

    path = index_dir / BM25_DIR
    if not (path / "retriever.json").exists():
        return None
    try:
        model = bm25s.BM25.load(str(path), load_corpus=True, show_progress=False)
    except Exception:  # a damaged BM25 only costs hybrid recall; vectors still answer
        return None
    return Bm25Index(model) if model.corpus is not None and len(model.corpus) else None
