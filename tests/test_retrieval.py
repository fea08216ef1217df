"""Ranking with hand-built embeddings: each axis is a keyword, so we know the right order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from llama_index.core.embeddings import BaseEmbedding

from index.ingest.indexer import run_index
from index.query.engine import Engine
from index.query.retrieval import HybridRetriever, Passage, collapse_duplicates
from index.settings import Settings, load_settings
from index.store import lexical
from index.store.chroma import open_active

AXES = ["pipeline", "troops", "sanctions", "weather"]


class KeywordEmbedding(BaseEmbedding):
    """Vector = keyword counts over AXES (+ a small constant axis), L2-normalised."""

    def _vec(self, text: str) -> list[float]:
        lowered = text.lower()
        v = np.array([lowered.count(a) for a in AXES] + [0.05], dtype=np.float32)
        return (v / np.linalg.norm(v)).tolist()

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._vec(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._vec(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._vec(text)


ARTICLES = {
    "pipes.txt": "Pipeline politics\n\nThe pipeline will be halted. The pipeline is finished and the pipeline matters.",
    "army.txt": "Troop movements\n\nTroops gathered near the border; troops and more troops arrived.",
    "spokes.txt": "Ministry briefing\n\nZakharova alleged provocations by the West while sanctions loomed.",
    "wire_a.txt": "Wire copy A\n\nThe foreign ministers met in Geneva on Friday and agreed to keep talking about sanctions.",
    "wire_b.txt": "Wire copy B\n\nThe foreign ministers met in Geneva on Friday and agreed to keep talking about sanctions.",
}


@pytest.fixture
def hand_index(tmp_path: Path) -> tuple[Settings, KeywordEmbedding]:
    corpus = tmp_path / "kw"
    corpus.mkdir()
    for name, text in ARTICLES.items():
        (corpus / name).write_text(text, encoding="utf-8")
    settings = load_settings(corpus_dir=corpus, index_dir=tmp_path / "kw_index")
    model = KeywordEmbedding(model_name="test:keywords")
    run_index(settings, embed_model=model)
    return settings, model


def _retriever(settings: Settings, model: Any) -> HybridRetriever:
    store = open_active(settings)
    return HybridRetriever(store, model, lexical.load_checked(settings.index_dir, store.name)[0])


def test_vector_search_follows_the_embedding(hand_index: tuple[Settings, KeywordEmbedding]) -> None:
    settings, model = hand_index
    ranked = _retriever(settings, model).vector_search("pipeline", 3)
    assert ranked[0].source == "pipes.txt"
    assert ranked[0].vector_score == pytest.approx(1.0, abs=0.01)
    assert _retriever(settings, model).vector_search("troops", 1)[0].source == "army.txt"


def test_bm25_finds_what_the_embedding_cannot(hand_index: tuple[Settings, KeywordEmbedding]) -> None:
    settings, model = hand_index
    retriever = _retriever(settings, model)
    # "Zakharova" is no axis: the vectors know nothing of her (every passage scores
    # near zero), BM25 does.
    vector = retriever.vector_search("What did Zakharova allege?", 5)
    assert max(p.vector_score or 0 for p in vector) < 0.1
    pool = retriever.candidates("What did Zakharova allege?")
    spokes = [p for p in pool if p.source == "spokes.txt"]
    assert spokes and spokes[0].bm25_score and spokes[0].vector_score is not None
    assert (
        Engine(settings, embed_model=model).search("What did Zakharova allege?", 3)[0].source == "spokes.txt"
    )


def test_a_vector_search_that_fails_mid_write_leaves_bm25_and_one_line(
    hand_index: tuple[Settings, KeywordEmbedding], monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    """Chroma's files mid-write by `newsdesk index` in another process: the question is
    answered from BM25, and the warning is one line (the CLI sets up no logging, so Python
    would print a traceback to a user's terminal)."""
    settings, model = hand_index
    retriever = _retriever(settings, model)

    def mid_write(*args: Any) -> list[Passage]:
        raise RuntimeError("Error loading hnsw index")

    monkeypatch.setattr(retriever, "_nearest", mid_write)
    with caplog.at_level("WARNING"):
        found = retriever.candidates("What did Zakharova allege?")
    assert [p.source for p in found][:1] == ["spokes.txt"]
    (record,) = [r for r in caplog.records if "BM25" in r.getMessage()]
    assert "RuntimeError: Error loading hnsw index" in record.getMessage() and record.exc_info is None
    monkeypatch.setattr(retriever, "bm25_search", lambda question: [])
    with pytest.raises(RuntimeError):  # nothing to answer from: the engine's error, not a silent empty
        retriever.candidates("What did Zakharova allege?")


def test_wire_copies_collapse_but_keep_outlets(hand_index: tuple[Settings, KeywordEmbedding]) -> None:
    settings, model = hand_index
    results = Engine(settings, embed_model=model).search("foreign ministers met in Geneva about sanctions", 5)
    wire = [p for p in results if p.source in ("wire_a.txt", "wire_b.txt")]
    assert len(wire) == 1
    assert sorted(wire[0].sources) == ["wire_a.txt", "wire_b.txt"]


def test_collapse_duplicates_is_order_preserving() -> None:
    def p(cid: str, source: str, text: str) -> Passage:
        return Passage(chunk_id=cid, text=text, score=1.0, metadata={"source": source})

    same = "Blinken warned of a swift, severe and united response if Russia invades Ukraine."
    out = collapse_duplicates(
        [
            p("1", "a.txt", same),
            p("2", "b.txt", "Something else entirely here."),
            p("3", "c.txt", same + " Today."),
        ]
    )
    assert [x.chunk_id for x in out] == ["1", "2"]
    assert out[0].also_in == ["c.txt"]


def _over_chroma(settings: Settings) -> HybridRetriever:
    """Retrieval with Chroma as the vector store (what questions use when the keyword
    index's copy of the vectors is out of step: see tests/test_vector_mirror.py)."""

    store = open_active(settings)
    keywords, _ = lexical.load_checked(settings.index_dir, store.name)
    return HybridRetriever(store, Engine(settings).retriever().embed_model, keywords)


def test_nearest_chunks_read_their_text_from_the_mirror_or_chroma(built_index: Any) -> None:
    """Chroma gives the nearest ids; their text and metadata come from the keyword index's
    mirror, and from Chroma for a chunk the mirror lacks: the same passages either way."""
    retriever = _over_chroma(built_index)
    question = "Who is the Russian Foreign Minister that Blinken met?"
    vector = retriever.embed_model.get_query_embedding(question)
    from_chroma = [(h.chunk_id, h.text, h.metadata) for h in retriever.store.query(vector, 5)]
    assert all(text for _, text, _ in from_chroma)
    assert [(p.chunk_id, p.text, p.metadata) for p in retriever.vector_search(question, 5)] == from_chroma
    assert retriever.bm25 is not None
    retriever.bm25.delete([from_chroma[0][0]])  # the mirror lost the nearest chunk
    assert [(p.chunk_id, p.text, p.metadata) for p in retriever.vector_search(question, 5)] == from_chroma


def test_a_mirror_found_damaged_at_question_time_leaves_chroma_the_text(built_index: Any) -> None:
    """The mirror's chunk table gone under a running engine: the nearest chunks still come
    with their text (from Chroma), and the keyword index says what went wrong."""
    import sqlite3

    retriever = _over_chroma(built_index)
    question = "Who is the Russian Foreign Minister that Blinken met?"
    expected = [(p.chunk_id, p.text) for p in retriever.vector_search(question, 5)]
    assert retriever.bm25 is not None
    with sqlite3.connect(retriever.bm25.path) as conn:
        conn.execute("DROP TABLE chunks")
    retriever.bm25.close()  # the next read opens the file as it is now
    assert [(p.chunk_id, p.text) for p in retriever.vector_search(question, 5)] == expected
    assert "reading it failed" in retriever.bm25.problem
