"""Hybrid retrieval: Chroma vectors + BM25 over the same chunks, one candidate pool.

No LLM calls: the question is embedded once and searched twice. The pool (up to
CANDIDATES from each side) is scored and ranked in `index.query.candidates` (fusion with
sentence coverage) and `index.query.reader` (the learned sentence ranker).

Fusion history. Reciprocal rank fusion (k=60) was the first design; on the seed dev set
plus a 22-question held-out set it reached hit@1 0.50/0.73 against 0.83/0.86 for a score
combination `cosine + 0.5 * bm25 / max(bm25)` over the union of both candidate lists:
RRF throws away how much better the best lexical match is. Adding 0.5 * sentence
coverage lifted hit@1 to 0.92/1.00. The learned ranker now orders the final passages.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from index.query.scope import Scope, latest_first
from index.store.chroma import Hit

CANDIDATES = 20  # per retriever, before fusion
SCOPED_WIDENING = 25  # a date/outlet filter searches this many times wider lexically, then filters
DUPLICATE_JACCARD = 0.6  # word-shingle overlap above which two passages are one wire copy

logger = logging.getLogger(__name__)
_WORD = re.compile(r"\w+")


@dataclass
class Passage:
    """One retrieved chunk, ready to cite."""

    chunk_id: str
    text: str
    score: float
    metadata: dict[str, Any]
    vector_score: float | None = None
    bm25_score: float | None = None
    also_in: list[str] = field(default_factory=list)  # other sources carrying the same copy

    @property
    def source(self) -> str:
        return str(self.metadata.get("source", ""))

    @property
    def title(self) -> str:
        return str(self.metadata.get("title", ""))

    @property
    def sources(self) -> list[str]:
        return [self.source, *self.also_in]

    @classmethod
    def of_hit(cls, hit: Any) -> Passage:
        """A stored chunk (`Hit`) as a passage with no retrieval score."""
        return cls(hit.chunk_id, hit.text, 0.0, dict(hit.metadata))


@lru_cache(maxsize=256)  # a question collapses the same candidates twice
def _shingles(text: str) -> frozenset[tuple[str, ...]]:
    """Word 3-grams (the text itself when it has fewer than three words)."""
    words = _WORD.findall(text.lower())
    if len(words) < 3:
        return frozenset({tuple(words)})
    return frozenset(zip(words, words[1:], words[2:]))


def collapse_duplicates(passages: list[Passage], threshold: float = DUPLICATE_JACCARD) -> list[Passage]:
    """Keep the best-ranked copy of near-identical passages; remember the other outlets."""
    kept: list[tuple[Passage, frozenset[tuple[str, ...]]]] = []
    for passage in passages:
        sh = _shingles(passage.text)
        for other, other_sh in kept:
            small, large = sorted((len(sh), len(other_sh)))
            if small < threshold * large:  # Jaccard <= small / large: can't reach the threshold
                continue
            shared = len(sh & other_sh)
            if shared / ((len(sh) + len(other_sh) - shared) or 1) >= threshold:
                if passage.source != other.source and passage.source not in other.also_in:
                    other.also_in.append(passage.source)
                break
        else:
            kept.append((passage, sh))
    return [p for p, _ in kept]


class HybridRetriever:
    """Vector search in Chroma plus BM25 over the same chunks."""

    def __init__(
        self, store: Any, embed_model: Any, bm25_index: Any | None, candidates: int = CANDIDATES
    ) -> None:
        """embed_model: anything with get_query_embedding / get_text_embedding_batch."""
        self.store = store
        self.embed_model = embed_model
        self.bm25 = bm25_index
        self.candidates_per_side = candidates

    def vector_search(self, question: str, top_k: int) -> list[Passage]:
        embedding = self.embed_model.get_query_embedding(question)
        return self._nearest(embedding, top_k, None)

    def _nearest(self, query_vec: list[float], top_k: int, where: dict[str, Any] | None) -> list[Passage]:
        """Chroma's nearest chunks; their text from the keyword index's mirror when it has
        them (a SQLite lookup, cheaper than Chroma returning documents), else from Chroma."""
        if self.bm25 is None:
            return [_passage(h, vector=True) for h in self.store.query(query_vec, top_k, where)]
        nearest = self.store.query(query_vec, top_k, where, text=False)
        texts = {h.chunk_id: h for h in self.chunks([h.chunk_id for h in nearest])}
        return [
            _passage(
                Hit(h.chunk_id, texts[h.chunk_id].text, texts[h.chunk_id].metadata, h.score), vector=True
            )
            for h in nearest
            if h.chunk_id in texts  # gone since the query: another process just deleted it
        ]

    def chunks(self, ids: list[str]) -> list[Any]:
        """Text and metadata of chunks by id: the mirror first, Chroma for the rest."""
        found = self.bm25.chunks(ids) if self.bm25 is not None else []
        have = {h.chunk_id for h in found}
        missing = [i for i in ids if i not in have]
        return found + (self.store.chunks(missing) if missing else [])

    def bm25_search(self, question: str) -> list[Passage]:
        if self.bm25 is None:
            return []
        return [_passage(h, vector=False) for h in self.bm25.search(question, self.candidates_per_side)]

    def candidates(
        self, question: str, query_vec: list[float] | None = None, scope: Scope | None = None
    ) -> list[Passage]:
        """The union of vector and BM25 candidates, each with its cosine and BM25 score;
        with a scope, only chunks it admits (dates, outlet), newest first for "latest"."""
        if query_vec is None:
            query_vec = self.embed_model.get_query_embedding(question)
        filtered = scope is not None and scope.filters
        lexical = self._scoped_lexical(question, scope) if filtered else self.bm25_search(question)
        where = scope.where() if filtered and scope is not None else None
        try:
            vector = self._nearest(query_vec, self.candidates_per_side, where)
        except Exception as exc:
            # The on-disk store can be mid-write by `newsdesk index` in another process
            # (Chroma's embedded HNSW is not safe to read then). BM25 is swapped in whole,
            # so it still answers from a consistent (old or new) index. One line, no
            # traceback: with no logging set up (the CLI), Python prints warnings to stderr.
            if not lexical:
                raise
            logger.warning(
                "vector search failed (%s: %s); answering from BM25 for now", type(exc).__name__, exc
            )
            vector = []
        by_id: dict[str, Passage] = {p.chunk_id: p for p in vector}
        for p in lexical:
            by_id.setdefault(p.chunk_id, p).bm25_score = p.bm25_score
        self._fill_cosines(query_vec, [p for p in by_id.values() if p.vector_score is None])
        pool = list(by_id.values())
        return latest_first(pool) if scope is not None and scope.latest else pool

    def _scoped_lexical(self, question: str, scope: Scope | None) -> list[Passage]:
        """Lexical candidates the scope admits: a wider search, post-filtered on metadata
        (kept apart so the lexical engine can change without touching the scope logic)."""
        if self.bm25 is None or scope is None:
            return []
        hits = self.bm25.search(question, self.candidates_per_side * SCOPED_WIDENING)
        kept = [_passage(h, vector=False) for h in hits if scope.admits(dict(h.metadata))]
        return kept[: self.candidates_per_side]

    def _fill_cosines(self, query_vec: list[float], passages: list[Passage]) -> None:
        """Cosine for BM25-only candidates: stored vectors, or embedded now if the store can't say."""
        if not passages:
            return
        try:
            known = self.store.similarities(query_vec, [p.chunk_id for p in passages])
        except Exception:
            known = {}
        todo = [p for p in passages if p.chunk_id not in known]
        if todo:
            vectors = np.asarray(
                self.embed_model.get_text_embedding_batch([p.text for p in todo]), dtype=np.float32
            )
            for p, cos in zip(todo, vectors @ np.asarray(query_vec, dtype=np.float32)):
                known[p.chunk_id] = float(cos)
        for p in passages:
            p.vector_score = known[p.chunk_id]


def _passage(hit: Any, vector: bool) -> Passage:
    return Passage(
        chunk_id=hit.chunk_id,
        text=hit.text,
        score=hit.score,
        metadata=dict(hit.metadata),
        vector_score=hit.score if vector else None,
        bm25_score=None if vector else hit.score,
    )
