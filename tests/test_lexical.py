"""The keyword index (SQLite FTS5): incremental writes, ranking, damage, and the chunk
mirror that lets `newsdesk index` skip reading Chroma."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from index.store import lexical
from index.store.chroma import Hit

TEXTS = {
    "a#1#0": "Blinken met Lavrov in Geneva for ninety minutes.",
    "b#1#0": "Psaki briefed reporters about sanctions on Russian banks.",
    "c#1#0": "The talks ended without a breakthrough on NATO expansion.",
}


def _meta(cid: str) -> dict[str, Any]:
    aid, h, pos = cid.split("#")
    return {"article_id": aid, "content_hash": h, "n_chunks": 1, "path": f"{aid}.txt", "position": int(pos)}


def _index(path: Path, ids: list[str]) -> lexical.LexicalIndex:
    index = lexical.LexicalIndex(path, create=True)
    index.add(ids, [TEXTS[i] for i in ids], [_meta(i) for i in ids])
    return index


def _top(index: lexical.LexicalIndex, question: str) -> list[tuple[str, float]]:
    return [(h.chunk_id, round(h.score, 6)) for h in index.search(question, 5)]


def test_adds_and_deletes_are_searchable_at_once(tmp_path: Path) -> None:
    index = _index(tmp_path / "k.sqlite", ["a#1#0", "b#1#0"])
    assert _top(index, "Psaki sanctions")[0][0] == "b#1#0"
    index.add(["c#1#0"], [TEXTS["c#1#0"]], [_meta("c#1#0")])
    hit = index.search("NATO expansion", 1)[0]
    assert (hit.chunk_id, hit.text, hit.metadata) == ("c#1#0", TEXTS["c#1#0"], _meta("c#1#0"))
    index.delete(["b#1#0"])
    assert _top(index, "Psaki sanctions") == []
    assert index.ids() == {"a#1#0", "c#1#0"} and index.count() == 2
    index.add(["a#1#0"], [TEXTS["a#1#0"]], [_meta("a#1#0")])  # a rewrite replaces, never duplicates
    assert index.count() == 2
    states = index.article_states()
    assert states["a"].ids_by_hash == {"1": ["a#1#0"]} and states["a"].complete("1")


def test_incremental_build_ranks_exactly_as_a_fresh_one(tmp_path: Path) -> None:
    inc = _index(tmp_path / "inc.sqlite", ["b#1#0"])
    inc.add(["a#1#0", "c#1#0"], [TEXTS["a#1#0"], TEXTS["c#1#0"]], [_meta("a#1#0"), _meta("c#1#0")])
    fresh = _index(tmp_path / "fresh.sqlite", ["a#1#0", "b#1#0", "c#1#0"])
    for question in ("Lavrov Geneva talks", "sanctions on banks", "breakthrough"):
        assert _top(inc, question) == _top(fresh, question) != []


def test_question_words_and_run_together_names(tmp_path: Path) -> None:
    texts = {
        "p#1#0": "Scholz said halting Nordstream 2 was among the options.",
        "q#1#0": "Nobody knew what the ministers would decide in the end.",
    }
    index = lexical.LexicalIndex(tmp_path / "k.sqlite", create=True)
    index.add(list(texts), list(texts.values()), [_meta(i) for i in texts])
    # "Nord Stream" matches the one-word spelling; "what" alone matches nothing.
    assert [h.chunk_id for h in index.search("What is Nord Stream 2?", 5)] == ["p#1#0"]
    assert index.search("what", 5) == []


def test_stems_tokenise_as_the_bm25s_index_did() -> None:
    assert lexical.stems("The Talks ended; NATO's expansion, a_b x") == [
        "talk",
        "end",
        "nato",
        "expans",
        "a_b",
    ]


def test_joined_terms() -> None:
    from index.text import joined_terms, query_words

    assert ("nordstream", ("nord", "stream")) in joined_terms("What is Nord Stream 2?")
    assert joined_terms("What is it?") == []
    assert query_words("What did Blinken say about the talks?") == ["blinken", "talks"]


@pytest.mark.parametrize("damage", ["header", "segments"])
def test_damage_is_reported_and_the_file_started_afresh(tmp_path: Path, damage: str) -> None:
    index = _index(lexical.path_for(tmp_path, "news_1"), list(TEXTS))
    lexical.finish(tmp_path, index, "news_1")
    path = index.path
    sound, found = lexical.open_for_index(tmp_path, "news_1")
    assert found == "" and sound.count() == 3  # sound: no check, no note
    lexical.finish(tmp_path, sound, "news_1")
    if damage == "header":
        with open(path, "r+b") as fh:
            fh.write(b"\x00garbage" * 20)
    else:  # FTS segments that no longer fit the passages
        conn = __import__("sqlite3").connect(path)
        with conn:
            conn.execute("UPDATE terms_data SET block = randomblob(length(block)) WHERE id > 10")
        conn.close()
    loaded, problem = lexical.load_checked(tmp_path, "news_1")
    if loaded is not None:  # the header is fine: the damage shows when a search reads it
        assert loaded.search("Lavrov Geneva", 5) == [] and loaded.problem.startswith("searching it failed")
    else:
        assert problem.startswith("a file is unreadable")
    fresh, found = lexical.open_for_index(tmp_path, "news_1")
    assert found and fresh.count() == 0  # the caller refills it from Chroma


def test_an_unchanged_file_is_not_checked_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    index = _index(lexical.path_for(tmp_path, "news_1"), list(TEXTS))
    lexical.finish(tmp_path, index, "news_1")
    checked: list[str] = []
    monkeypatch.setattr(lexical.LexicalIndex, "check", lambda self: checked.append("x") or "")
    lexical.open_for_index(tmp_path, "news_1")[0].close()
    assert checked == []
    with open(index.path, "ab") as fh:  # someone else wrote to it
        fh.write(b"\x00" * 10)
    lexical.open_for_index(tmp_path, "news_1")
    assert checked == ["x"]


def test_finish_drops_files_of_collections_that_are_gone(tmp_path: Path) -> None:
    (tmp_path / "state.json").write_text('{"collection": "news_2"}', encoding="utf-8")
    stray = _index(lexical.path_for(tmp_path, "news_1"), ["a#1#0"])
    stray.close()
    lexical.finish(tmp_path, _index(lexical.path_for(tmp_path, "news_2"), ["a#1#0"]), "news_2")
    assert sorted(p.name for p in (tmp_path / lexical.FOLDER).glob("*.sqlite")) == ["news_2.sqlite"]


def test_hits_carry_text_and_metadata() -> None:
    hit = Hit("a#1#0", TEXTS["a#1#0"], _meta("a#1#0"), 1.0)
    assert hit.metadata["article_id"] == "a"


def test_openings_read_first_chunks_by_day_through_an_index(tmp_path: Path) -> None:
    """The latest news reads articles' first chunks by day; an index made before
    the day index existed gets it from the next run that writes, with the same rows."""
    path = tmp_path / "k.sqlite"
    index = lexical.LexicalIndex(path, create=True)
    ids, metas = [], []
    for n, (day, outlet) in enumerate([(100, "a"), (102, "b"), (101, "a"), (99, "b")]):
        for position in (0, 1):
            ids.append(f"art{n}#h#{position}")
            metas.append({**_meta(f"art{n}#h#{position}"), "published_day": day, "outlet_key": outlet})
    index.add(ids, [f"text {i}" for i in ids], metas)

    def read(ix: lexical.LexicalIndex) -> tuple[list[str], list[str]]:
        return (
            [h.chunk_id for h in ix.openings(100, 102, 10)],
            [h.chunk_id for h in ix.openings(99, 102, 1, outlet_key="b")],
        )

    expected = (["art1#h#0", "art2#h#0", "art0#h#0"], ["art1#h#0"])
    assert read(index) == expected
    sql = _day_index(index)
    plan = (
        index._conn()
        .execute(
            "EXPLAIN QUERY PLAN SELECT chunk_id FROM chunks WHERE json_extract(metadata, '$.position') = 0 "
            "AND json_extract(metadata, '$.published_day') BETWEEN 1 AND 2 "
            "ORDER BY json_extract(metadata, '$.published_day') DESC, article_id LIMIT 5"
        )
        .fetchall()
    )
    assert "chunks_openings" in str(plan) and "TEMP B-TREE" not in str(plan)
    # An older file without the day index: still read (by a scan), then indexed when written.
    with index._conn() as conn:
        conn.execute("DROP INDEX chunks_openings")
    index.close()
    reader = lexical.LexicalIndex(path)
    assert read(reader) == expected
    reader.close()
    writer = lexical.LexicalIndex(path, create=True)
    assert _day_index(writer) == sql
    assert read(writer) == expected


def _day_index(ix: lexical.LexicalIndex) -> str | None:
    row = ix._conn().execute("SELECT sql FROM sqlite_master WHERE name = 'chunks_openings'").fetchone()
    return None if row is None else str(row[0])


def test_an_article_without_its_first_chunk_is_dated_from_another(tmp_path: Path) -> None:
    index = lexical.LexicalIndex(tmp_path / "k.sqlite", create=True)
    metas = [
        {**_meta("a#h#0"), "published_day": 100},
        {**_meta("b#h#1"), "published_day": 200},  # its first chunk is not held
        {**_meta("c#h#1"), "published": "1970-01-03"},  # written before `published_day`
    ]
    index.add(["a#h#0", "b#h#1", "c#h#1"], ["x", "y", "z"], metas)
    assert index.first_days() == {"a": 100}
    assert index.days_of(["b", "c"]) == {"b": 200, "c": 2}


def test_newest_titles_come_newest_first_and_say_when_unreadable(tmp_path: Path) -> None:
    index = lexical.LexicalIndex(tmp_path / "t.sqlite", create=True)
    rows = [
        ("a", "Old story", 100),
        ("b", "Newest story", 300),
        ("c", "Undated story", None),
        ("d", "Middle", 200),
    ]
    index.add(
        [f"{aid}#1#0" for aid, _, _ in rows],
        [title for _, title, _ in rows],
        [
            {**_meta(f"{aid}#1#0"), "title": title, "published_day": day, "outlet": "Wire"}
            for aid, title, day in rows
        ],
    )
    assert list(index.newest_titles(10**7, 10)) == [
        ("b", "Newest story", 300, "Wire"),
        ("d", "Middle", 200, "Wire"),
        ("a", "Old story", 100, "Wire"),
    ]
    assert [aid for aid, *_ in index.newest_titles(250, 1)] == ["d"]  # up to a day, a limit
    index._conn().execute("DROP TABLE chunks")
    assert list(index.newest_titles(10**7, 10)) == [] and index.problem.startswith("reading it failed")
