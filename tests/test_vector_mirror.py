"""Questions search the keyword index's copy of the vectors while it is in step with
Chroma on disk (no chromadb import on the question path); otherwise Chroma answers, and
`newsdesk index` fills the copy in."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index.ingest.indexer import run_index
from index.query.engine import Engine
from index.settings import Settings
from index.store import lexical
from index.store.chroma import ChunkStore, open_active, read_state
from index.store.vector_mirror import MirrorStore, matches

QUESTIONS = [
    "Who is the Russian Foreign Minister that Blinken met?",
    "What did the Fed decide about interest rates?",
    "How many troops has Russia massed near Ukraine?",
]


def _mirror_file(settings: Settings) -> Path:
    return lexical.path_for(settings.index_dir, str(read_state(settings.index_dir)["collection"]))


def _vector_rows(settings: Settings) -> tuple[int, int]:
    conn = sqlite3.connect(_mirror_file(settings))
    try:
        return tuple(
            conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("chunks", "chunk_vectors")
        )  # type: ignore[return-value]
    finally:
        conn.close()


def test_the_mirror_finds_exactly_what_chroma_finds(built_index: Settings, onnx_model: Any) -> None:
    engine = Engine(built_index, embed_model=onnx_model)
    mirror = engine.retriever().store
    assert isinstance(mirror, MirrorStore)
    chroma = open_active(built_index)
    assert mirror.count() == chroma.count() > 0
    articles = sorted({h.metadata["article_id"] for h in mirror.chunks(list(lexical_ids(built_index)))})
    where = {"$and": [{"article_id": {"$in": articles[3:]}}, {"n_chunks": {"$gte": 1}}]}  # two of five
    for question in QUESTIONS:
        vector = onnx_model.get_query_embedding(question)
        for flt in (None, where):
            want = chroma.query(vector, 8, flt, text=True)
            got = mirror.query(vector, 8, flt, text=True)
            assert [h.chunk_id for h in got] == [h.chunk_id for h in want]
            assert [(h.text, h.metadata) for h in got] == [(h.text, h.metadata) for h in want]
            assert np.allclose([h.score for h in got], [h.score for h in want], atol=1e-4)
        ids = [h.chunk_id for h in chroma.query(vector, 5, text=False)]
        want_sims = chroma.similarities(vector, ids)
        got_sims = mirror.similarities(vector, ids)
        assert got_sims.keys() == want_sims.keys()
        assert all(abs(got_sims[i] - want_sims[i]) < 1e-4 for i in ids)


def lexical_ids(settings: Settings) -> set[str]:
    return lexical.LexicalIndex(_mirror_file(settings)).ids()


def test_where_filters_select_what_chroma_selects(tmp_path: Path) -> None:
    import chromadb

    client = chromadb.PersistentClient(path=str(tmp_path / "chroma"))
    collection = client.create_collection("filters", embedding_function=None)
    metadatas: list[dict[str, Any]] = [
        {"day": 10, "outlet": "reuters", "score": 0.5},
        {"day": 12, "outlet": "bbc"},
        {"day": 15, "outlet": "reuters", "score": 2.0},
        {"outlet": "ap"},
        {"day": 12, "outlet": "ap", "score": 1.0},
    ]
    ids = [f"c{i}" for i in range(len(metadatas))]
    collection.add(ids=ids, embeddings=[[float(i), 1.0] for i in range(len(ids))], metadatas=metadatas)  # type: ignore[arg-type]
    filters: list[dict[str, Any]] = [
        {"day": {"$gte": 12}},
        {"day": {"$lte": 12}},
        {"day": {"$gt": 10}},
        {"day": {"$lt": 15}},
        {"day": 12},
        {"outlet": "reuters"},
        {"outlet": {"$ne": "reuters"}},
        {"day": {"$ne": 12}},
        {"day": {"$nin": [12]}},
        {"outlet": {"$in": ["bbc", "ap"]}},
        {"outlet": {"$nin": ["bbc"]}},
        {"score": {"$gte": 1}},
        {"$and": [{"day": {"$gte": 11}}, {"day": {"$lte": 14}}]},
        {"$and": [{"day": {"$gte": 10}}, {"outlet": "reuters"}]},
        {"$or": [{"day": 10}, {"outlet": "ap"}]},
    ]
    for flt in filters:
        want = set(collection.get(where=flt)["ids"])  # type: ignore[arg-type]
        got = {i for i, meta in zip(ids, metadatas) if matches(flt, meta)}
        assert got == want, flt


def test_an_out_of_step_mirror_leaves_questions_to_chroma(built_index: Settings, onnx_model: Any) -> None:
    lexical.LexicalIndex(_mirror_file(built_index)).set_meta("writer", "another run's token")
    engine = Engine(built_index, embed_model=onnx_model)
    assert isinstance(engine.retriever().store, ChunkStore)
    answer = engine.ask(QUESTIONS[0])
    assert not answer.abstained and "Lavrov" in answer.text


def test_index_fills_the_vectors_an_older_index_lacks(built_index: Settings, onnx_model: Any) -> None:
    conn = sqlite3.connect(_mirror_file(built_index))
    conn.execute("DROP TABLE chunk_vectors")  # as an index written before the mirror kept vectors
    conn.commit()
    conn.close()
    assert isinstance(Engine(built_index, embed_model=onnx_model).retriever().store, ChunkStore)
    report = run_index(built_index, embed_model=onnx_model)
    assert report.embedded_chunks == 0  # copied from Chroma, nothing embedded again
    chunks, vectors = _vector_rows(built_index)
    assert chunks == vectors > 0
    engine = Engine(built_index, embed_model=onnx_model)
    assert isinstance(engine.retriever().store, MirrorStore)
    assert "Lavrov" in engine.ask(QUESTIONS[0]).text


def test_changed_and_removed_articles_change_the_vectors_too(built_index: Settings, onnx_model: Any) -> None:
    files = sorted(built_index.corpus_dir.glob("*.txt"))
    files[0].unlink()
    files[1].write_text(
        files[1].read_text(encoding="utf-8") + "\n\nA closing line added later.", encoding="utf-8"
    )
    run_index(built_index, embed_model=onnx_model)
    chunks, vectors = _vector_rows(built_index)
    assert chunks == vectors == open_active(built_index).count()
    mirror = Engine(built_index, embed_model=onnx_model).retriever().store
    assert isinstance(mirror, MirrorStore)
    removed = files[0].stem
    for question in QUESTIONS:
        hits = mirror.query(onnx_model.get_query_embedding(question), 50, text=True)
        assert hits and all(h.metadata.get("path", "").split(".")[0] != removed for h in hits)


def test_a_mirror_damaged_under_a_running_engine_hands_over_to_chroma(
    built_index: Settings, onnx_model: Any
) -> None:
    engine = Engine(built_index, embed_model=onnx_model)
    assert "Lavrov" in engine.ask(QUESTIONS[0]).text
    with sqlite3.connect(_mirror_file(built_index)) as conn:
        conn.execute("DROP TABLE chunks")
    assert isinstance(engine.retriever().store, MirrorStore)
    engine.retriever().store.keywords.close()  # the next read opens the file as it is now
    answer = engine.ask("Where did Blinken and Lavrov meet?")
    assert isinstance(engine.retriever().store, ChunkStore)
    assert not answer.abstained and answer.sources
    assert "keyword index is damaged" in answer.note


def test_a_copy_being_written_or_not_in_step_is_not_searched(built_index: Settings, onnx_model: Any) -> None:
    from index.ingest.indexer import reconcile
    from index.store.vector_mirror import open_mirror

    collection = str(read_state(built_index.index_dir)["collection"])
    assert open_mirror(built_index, collection) is not None
    keywords = lexical.LexicalIndex(_mirror_file(built_index))
    reconcile(open_active(built_index), keywords)  # what a run that found it out of step does first
    assert keywords.get_meta("writer") == "pending"  # until the run finishes
    assert open_mirror(built_index, collection) is None
    run_index(built_index, embed_model=onnx_model)
    assert open_mirror(built_index, collection) is not None

    keywords.set_meta("collection", "{}")  # the embedding model it was written with is unknown
    assert open_mirror(built_index, collection) is None


def test_stray_and_missing_vectors(built_index: Settings, onnx_model: Any) -> None:
    """A vector whose chunk is gone (an older newsdesk deleted chunks without theirs) is
    never searched; a chunk without a vector leaves questions to Chroma until `index`."""
    from index.store.vector_mirror import open_mirror

    collection = str(read_state(built_index.index_dir)["collection"])
    with sqlite3.connect(_mirror_file(built_index)) as conn:
        conn.execute("INSERT INTO chunk_vectors VALUES ('gone#0#0', ?)", (np.ones(384, "<f4").tobytes(),))
    mirror = open_mirror(built_index, collection)
    assert mirror is not None and "gone#0#0" not in mirror.ids
    with sqlite3.connect(_mirror_file(built_index)) as conn:
        conn.execute("DELETE FROM chunk_vectors WHERE chunk_id = ?", (mirror.ids[0],))
    assert open_mirror(built_index, collection) is None
    report = run_index(built_index, embed_model=onnx_model)
    assert report.embedded_chunks == 0
    chunks, vectors = _vector_rows(built_index)
    assert chunks == vectors and open_mirror(built_index, collection) is not None


def test_a_copy_damaged_where_counting_does_not_see_it_hands_over_to_chroma(
    built_index: Settings, onnx_model: Any
) -> None:
    path = _mirror_file(built_index)
    with sqlite3.connect(path) as conn:
        (page,) = conn.execute(
            "SELECT MIN(pageno) FROM dbstat WHERE name = 'chunks' AND pagetype = 'leaf'"
        ).fetchone()
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    with open(path, "r+b") as fh:  # garbage over a page of passages; the id index is intact
        fh.seek((page - 1) * size)
        fh.write(b"\x0d\x00\x00\xff\xff")
    engine = Engine(built_index, embed_model=onnx_model)
    assert isinstance(engine.retriever().store, MirrorStore)  # the copy still counts its rows
    answer = engine.ask(QUESTIONS[0])
    assert isinstance(engine.retriever().store, ChunkStore)
    assert not answer.abstained and "Lavrov" in answer.text


@pytest.mark.slow
def test_a_cold_ask_does_not_import_chromadb(built_index: Settings) -> None:
    dirs = ["--corpus-dir", str(built_index.corpus_dir), "--index-dir", str(built_index.index_dir)]
    script = (
        "import sys\nfrom bot.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('chromadb' in sys.modules, file=sys.stderr)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, *dirs, "ask", QUESTIONS[0]],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Lavrov" in proc.stdout
    assert proc.stderr.strip().splitlines()[-1] == "False"
