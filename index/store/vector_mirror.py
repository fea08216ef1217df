"""Vector search over the keyword index's mirror: questions on the embedded store without chromadb.

A cold `newsdesk ask` spent about 0.8 s importing chromadb and opening its client, to
search a few thousand vectors. The mirror (`lexical.py`) keeps every chunk's vector too,
written in the same step as Chroma's. While it is in step with the collection (its
writer token is the one in Chroma's SQLite file, read without chromadb, and it holds a
vector for every chunk) a question searches it exactly: one matrix product over all
vectors, where Chroma's HNSW is approximate. Otherwise (a Chroma server, an index from
an older newsdesk, a run writing right now, more than MAX_CHUNKS chunks) questions open
Chroma as before.

The vectors are read in one SQLite read transaction with the token and the counts, so
a run that starts writing meanwhile is either not seen at all or seen as "pending".
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import numpy as np

from index.settings import Settings
from index.store import lexical
from index.store.chroma import Hit, stored_writer
from index.store.vector_check import verify_vectors

# Above this many chunks Chroma's HNSW index is the better search: reading 50,000 vectors
# (77 MB of float32) took ~0.3 s here, against ~0.8 s to import and open chromadb, and
# it grows with the corpus while a search stays ~5 ms.
MAX_CHUNKS = 50_000
_FIRST_BATCH = 64  # a filtered search reads metadata for this many nearest, then 4x more


class MirrorStore:
    """The parts of `ChunkStore` a question uses (query, similarities, chunks, metadata),
    answered from the mirror's vectors held in memory, by chunk id."""

    def __init__(
        self, keywords: lexical.LexicalIndex, name: str, metadata: dict[str, Any], rows: list[Any]
    ) -> None:
        self.keywords = keywords
        self.name = name
        self.metadata = metadata
        self.ids = [str(r[0]) for r in rows]
        self._position = {cid: i for i, cid in enumerate(self.ids)}
        matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype="<f4").reshape(len(rows), -1)
        norms = np.sqrt(np.einsum("ij,ij->i", matrix, matrix))
        if np.all(np.abs(norms - 1) < 1e-5):  # unit vectors already (MiniLM's are): no copy
            self.matrix = matrix
        else:
            self.matrix = matrix / np.where(norms == 0, 1, norms)[:, None]

    def count(self) -> int:
        return len(self.ids)

    def _cosines(self, embedding: list[float]) -> Any:
        return self.matrix @ _unit(embedding)

    def query(
        self, embedding: list[float], top_k: int, where: dict[str, Any] | None = None, text: bool = True
    ) -> list[Hit]:
        """The nearest chunks by cosine (where: a Chroma metadata filter, applied exactly)."""
        sims = self._cosines(embedding)
        if where is None:
            k = min(top_k, len(sims))
            top = np.argpartition(-sims, k - 1)[:k] if k else np.array([], dtype=np.int64)
            order = top[np.argsort(-sims[top], kind="stable")]
            if not text:
                return [Hit(self.ids[i], "", {}, float(sims[i])) for i in order]
            found = self._chunks([self.ids[i] for i in order])
            return [
                Hit(self.ids[i], *found[self.ids[i]], float(sims[i])) for i in order if self.ids[i] in found
            ]
        order = np.argsort(-sims, kind="stable")
        hits: list[Hit] = []
        start, size = 0, _FIRST_BATCH
        while start < len(order) and len(hits) < top_k:
            part = order[start : start + size]
            found = self._chunks([self.ids[i] for i in part])
            for i in part:
                if self.ids[i] in found and matches(where, found[self.ids[i]][1]):
                    body, meta = found[self.ids[i]]
                    hits.append(Hit(self.ids[i], body if text else "", meta if text else {}, float(sims[i])))
                    if len(hits) == top_k:
                        break
            start, size = start + size, size * 4
        return hits

    def _chunks(self, ids: list[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        """Text and metadata by chunk id (a chunk deleted since the vectors were read, by
        another process's `index` run, is missing). Damage found only now is an error the
        engine answers by opening Chroma instead (`Engine._guarded`)."""
        found: dict[str, tuple[str, dict[str, Any]]] = {}
        conn = self.keywords._conn()
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            rows = conn.execute(
                f"SELECT chunk_id, text, metadata FROM chunks WHERE chunk_id IN ({','.join('?' * len(part))})",
                part,
            )
            found.update((cid, (body, json.loads(meta))) for cid, body, meta in rows)
        return found

    def similarities(self, embedding: list[float], ids: list[str]) -> dict[str, float]:
        """Cosine similarity of stored chunks (by id) to a query vector."""
        known = [cid for cid in ids if cid in self._position]
        if not known:
            return {}
        sims = self.matrix[[self._position[cid] for cid in known]] @ _unit(embedding)
        return {cid: float(s) for cid, s in zip(known, sims)}

    def chunks(self, ids: list[str]) -> list[Hit]:
        """Text and metadata of chunks by id: the mirror is all there is to ask."""
        return self.keywords.chunks(ids)


def _unit(embedding: list[float]) -> Any:
    query = np.asarray(embedding, dtype=np.float32)
    return query / (float(np.linalg.norm(query)) or 1.0)


def open_mirror(settings: Settings, collection: str) -> MirrorStore | None:
    """The mirror as the question's vector store, or None when Chroma must answer."""
    if settings.chroma_host or not collection:
        return None
    writer = stored_writer(settings.chroma_path, collection)
    if not writer or writer == "pending":
        return None
    # Damaged HNSW files are reported as when Chroma answers (a few `stat` calls while
    # they are as the last run recorded them): the next `index` would stop on them.
    verify_vectors(settings.index_dir, settings.chroma_path, collection)
    keywords, problem = lexical.load_checked(settings.index_dir, collection)
    if keywords is None or problem:
        return None
    conn = keywords._conn()
    try:
        conn.execute("BEGIN")  # one snapshot: the token, the counts and the vectors
        try:
            if keywords.get_meta("writer") != writer:
                return None
            chunks = int(conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])
            if not 0 < chunks <= MAX_CHUNKS:
                return None
            rows = conn.execute(
                "SELECT chunk_id, vector FROM chunk_vectors WHERE chunk_id IN (SELECT chunk_id FROM chunks)"
            ).fetchall()
            metadata = json.loads(keywords.get_meta("collection") or "{}")
        finally:
            conn.rollback()
    except (sqlite3.Error, ValueError):  # no vectors table (an older file), damage: Chroma answers
        keywords.close()
        return None
    if len(rows) != chunks or not isinstance(metadata, dict) or not metadata.get("embed_model"):
        keywords.close()
        return None
    return MirrorStore(keywords, collection, metadata, rows)


def matches(where: dict[str, Any], metadata: dict[str, Any]) -> bool:
    """Chroma's `where` filter on one chunk's metadata ($and, $or, $eq, $ne, $gt, $gte,
    $lt, $lte, $in, $nin): a missing field matches only $ne and $nin, a comparison
    with another type never matches."""
    for key, condition in where.items():
        if key == "$and":
            if not all(matches(c, metadata) for c in condition):
                return False
        elif key == "$or":
            if not any(matches(c, metadata) for c in condition):
                return False
        else:
            ops = condition if isinstance(condition, dict) else {"$eq": condition}
            if key not in metadata:  # as Chroma: only a negation holds for a missing field
                if not all(op in ("$ne", "$nin") for op in ops):
                    return False
            elif not all(_holds(op, metadata[key], target) for op, target in ops.items()):
                return False
    return True


def _holds(op: str, value: Any, target: Any) -> bool:
    if op == "$in":
        return value in target
    if op == "$nin":
        return value not in target
    if op in ("$eq", "$ne"):
        same = value == target and isinstance(value, bool) == isinstance(target, bool)
        return same == (op == "$eq")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not isinstance(target, (int, float)):
        return False
    return {"$gt": value > target, "$gte": value >= target, "$lt": value < target, "$lte": value <= target}[
        op
    ]
