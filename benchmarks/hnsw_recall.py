"""How many of a question's 20 nearest chunks Chroma's HNSW search returns, at Chroma's
defaults (the baseline) and at newsdesk's settings (`index/store/chroma.py`), on real
MiniLM vectors: the stored sentence vectors of built indexes, plus their sentences in
windows of two and three embedded by the packaged model (to get past the vector mirror's
50,000 chunks, where Chroma answers). The questions are the eval and training questions.

Recall counts a returned vector as right when it is at least as near as the exact 20th
(ties among identical sentences are not misses).
"""

from __future__ import annotations

import random
import sqlite3
import time
from pathlib import Path
from typing import Any

import numpy as np

K = 20


def real_vectors(index_dirs: list[Path], windows: bool) -> np.ndarray:
    """Sentence vectors of the indexes' sentence stores, with their 2- and 3-sentence
    windows embedded when asked (about 6 minutes for the Reuters and SQuAD dev corpora)."""
    from index.embedding.onnx import shared_encoder

    vectors: list[np.ndarray] = []
    texts: list[tuple[str, str]] = []
    for index_dir in index_dirs:
        con = sqlite3.connect(f"file:{index_dir / 'text.sqlite'}?mode=ro", uri=True)
        try:
            rows = con.execute(
                "SELECT article_id, text, vector FROM sentences ORDER BY article_id, idx"
            ).fetchall()
        finally:
            con.close()
        for article, text, blob in rows:
            if blob:
                vectors.append(np.frombuffer(blob, dtype=np.float16).astype(np.float32))
                texts.append((f"{index_dir}/{article}", text))
    base = np.stack(vectors)
    if not windows:
        return base
    spans = [
        " ".join(t for _, t in texts[k : k + n])
        for n in (2, 3)
        for k in range(len(texts) - n + 1)
        if texts[k][0] == texts[k + n - 1][0]
    ]
    return np.vstack([base, shared_encoder(2, 64).embed(spans)]).astype(np.float32)


def question_vectors(files: list[Path], n: int) -> np.ndarray:
    from index.embedding.onnx import shared_encoder
    from index.evaluation import load_questions

    questions = [q.question for f in files if f.is_file() for q in load_questions(f)]
    chosen = random.Random(7).sample(questions, min(n, len(questions)))
    return shared_encoder(2, 64).embed(chosen).astype(np.float32)


def recall_rows(work: Path, base: np.ndarray, queries: np.ndarray) -> list[dict[str, Any]]:
    import chromadb

    from index.store.chroma import HNSW_BUILD, HNSW_SEARCH

    unit = base / np.linalg.norm(base, axis=1, keepdims=True)
    q_unit = queries / np.linalg.norm(queries, axis=1, keepdims=True)
    sims = q_unit @ unit.T
    kth = -np.partition(-sims, K - 1, axis=1)[:, K - 1]
    rows = []
    for label, build, search in [
        ("Chroma defaults (baseline)", 100, 100),
        ("ef_search only (an older index after a write)", 100, HNSW_SEARCH),
        ("newsdesk", HNSW_BUILD, HNSW_SEARCH),
    ]:
        client = chromadb.PersistentClient(path=str(work / f"hnsw_{build}_{search}"))
        collection = client.create_collection(
            "recall",
            configuration={"hnsw": {"space": "cosine", "ef_construction": build, "ef_search": search}},
            embedding_function=None,
        )
        started = time.perf_counter()
        for s in range(0, len(base), 5000):
            collection.add(
                ids=[str(i) for i in range(s, min(s + 5000, len(base)))], embeddings=base[s : s + 5000]
            )
        insert = time.perf_counter() - started
        recalls, ms = [], []
        for i, q in enumerate(queries):
            t = time.perf_counter()
            got = collection.query(query_embeddings=[q], n_results=K, include=[])["ids"][0]
            ms.append((time.perf_counter() - t) * 1000)
            recalls.append(float(np.sum(sims[i, [int(x) for x in got]] >= kth[i] - 1e-5)) / K)
        r = np.asarray(recalls)
        rows.append(
            {
                "settings": label,
                "ef_construction": build,
                "ef_search": search,
                "vectors": len(base),
                "questions": len(queries),
                "recall@20": round(float(r.mean()), 4),
                "missed_any": round(float(np.mean(r < 1)), 3),
                "worst": round(float(r.min()), 2),
                "insert_s": round(insert, 1),
                "query_p50_ms": round(float(np.median(ms)), 2),
                "query_p95_ms": round(float(np.percentile(ms, 95)), 2),
            }
        )
        del collection, client
    return rows
