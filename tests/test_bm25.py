"""The persisted BM25: rebuilt only when chunk ids change, fetching only chunks it lacks."""

from __future__ import annotations

from pathlib import Path

from index.store import bm25
from index.store.chroma import Hit

TEXTS = {
    "a#1#0": "Blinken met Lavrov in Geneva for ninety minutes.",
    "b#1#0": "Psaki briefed reporters about sanctions on Russian banks.",
    "c#1#0": "The talks ended without a breakthrough on NATO expansion.",
}


class Store:
    """Stands in for ChunkStore.chunks and records what was asked for."""

    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    def chunks(self, ids: list[str]) -> list[Hit]:
        self.asked.append(list(ids))
        return [Hit(i, TEXTS[i], {"article_id": i.split("#")[0]}, 0.0) for i in ids]


def _top(index_dir: Path, question: str) -> list[tuple[str, float]]:
    loaded = bm25.load(index_dir)
    assert loaded is not None
    return [(h.chunk_id, round(h.score, 6)) for h in loaded.search(question, 5)]


def test_update_fetches_only_new_chunks_and_drops_removed_ones(tmp_path: Path) -> None:
    store = Store()
    assert bm25.update(tmp_path, ["a#1#0", "b#1#0"], store.chunks)
    assert store.asked == [["a#1#0", "b#1#0"]]
    assert _top(tmp_path, "Psaki sanctions")[0][0] == "b#1#0"

    assert bm25.update(tmp_path, ["a#1#0", "b#1#0", "c#1#0"], store.chunks)
    assert store.asked[-1] == ["c#1#0"]
    hit = bm25.load(tmp_path).search("NATO expansion", 1)[0]  # type: ignore[union-attr]
    assert (hit.chunk_id, hit.text, hit.metadata) == ("c#1#0", TEXTS["c#1#0"], {"article_id": "c"})

    assert bm25.update(tmp_path, ["a#1#0", "c#1#0"], store.chunks)
    assert store.asked[-1] == []
    assert _top(tmp_path, "Psaki sanctions") == []

    assert not bm25.update(tmp_path, ["c#1#0", "a#1#0"], store.chunks)  # same set: nothing to do
    assert len(store.asked) == 3


def test_incremental_build_ranks_exactly_as_a_fresh_one(tmp_path: Path) -> None:
    store = Store()
    bm25.update(tmp_path / "inc", ["b#1#0"], store.chunks)
    bm25.update(tmp_path / "inc", ["a#1#0", "b#1#0", "c#1#0"], store.chunks)
    bm25.update(tmp_path / "fresh", ["a#1#0", "b#1#0", "c#1#0"], store.chunks)
    for question in ("Lavrov Geneva talks", "sanctions on banks", "breakthrough"):
        assert _top(tmp_path / "inc", question) == _top(tmp_path / "fresh", question)


def test_damaged_corpus_file_is_rebuilt_from_the_store(tmp_path: Path) -> None:
    store = Store()
    bm25.update(tmp_path, ["a#1#0"], store.chunks)
    (tmp_path / bm25.BM25_DIR / bm25.CORPUS_FILE).write_text("{half a line", encoding="utf-8")
    bm25.update(tmp_path, ["a#1#0", "b#1#0"], store.chunks)
    assert store.asked[-1] == ["a#1#0", "b#1#0"]
    assert _top(tmp_path, "Blinken Lavrov")[0][0] == "a#1#0"


def test_question_words_and_run_together_names(tmp_path: Path) -> None:
    texts = {
        "p#1#0": "Scholz said halting Nordstream 2 was among the options.",
        "q#1#0": "Nobody knew what the ministers would decide in the end.",
    }
    hits = [Hit(i, t, {}, 0.0) for i, t in texts.items()]
    bm25.update(tmp_path, list(texts), lambda ids: [h for h in hits if h.chunk_id in ids])
    found = bm25.load(tmp_path).search("What is Nord Stream 2?", 5)  # type: ignore[union-attr]
    # "Nord Stream" matches the one-word spelling; "what" alone matches nothing.
    assert [h.chunk_id for h in found] == ["p#1#0"]


def test_joined_terms() -> None:
    from index.text import joined_terms, query_words

    assert ("nordstream", ("nord", "stream")) in joined_terms("What is Nord Stream 2?")
    assert joined_terms("What is it?") == []
    assert query_words("What did Blinken say about the talks?") == ["blinken", "talks"]


def test_a_bm25_written_by_llama_index_is_ignored_then_rebuilt(tmp_path: Path) -> None:
    store = Store()
    bm25.update(tmp_path, ["a#1#0"], store.chunks)
    folder = tmp_path / bm25.BM25_DIR
    # What BM25Retriever.persist wrote before: node dicts without "text", another fingerprint.
    (folder / bm25.CORPUS_FILE).write_text('{"node_id": "a#1#0", "_node_content": "{}"}\n', encoding="utf-8")
    (folder / bm25.FINGERPRINT_FILE).write_text("old", encoding="utf-8")
    assert bm25.load(tmp_path) is None  # vectors answer alone until the next index
    assert bm25.update(tmp_path, ["a#1#0"], store.chunks)
    assert store.asked[-1] == ["a#1#0"]
    assert _top(tmp_path, "Blinken Lavrov")[0][0] == "a#1#0"
