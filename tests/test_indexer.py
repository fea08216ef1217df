from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from index.errors import IndexLockedError, NewsdeskError
from index.ingest.indexer import FULL_MARKER, run_index
from index.settings import Settings
from index.store.chroma import open_active, read_state
from index.store.lock import IndexLock
from tests.conftest import CountingEmbedding

SEED = "003_96b30b9797db3545.txt"  # file name and article id


def _chunks(settings: Settings) -> list[dict[str, Any]]:
    store = open_active(settings)
    got = store.collection.get(include=["metadatas"])
    return [dict(m, id=i) for i, m in zip(got["ids"], got["metadatas"], strict=True)]


def _assert_consistent(settings: Settings) -> Counter[str]:
    """Every article has exactly one content hash, complete, with no duplicate chunk."""
    chunks = _chunks(settings)
    ids = [c["id"] for c in chunks]
    assert len(ids) == len(set(ids))
    hashes: dict[str, set[str]] = {}
    for c in chunks:
        hashes.setdefault(c["article_id"], set()).add(c["content_hash"])
    per_article = Counter(c["article_id"] for c in chunks)
    for article_id, found in hashes.items():
        assert len(found) == 1, f"{article_id} has chunks of {len(found)} versions"
        expected = {c["n_chunks"] for c in chunks if c["article_id"] == article_id}
        assert expected == {per_article[article_id]}
    return per_article


def test_first_build_then_noop_embeds_nothing(settings: Settings, counting: CountingEmbedding) -> None:
    report = run_index(settings, embed_model=counting)
    assert (len(report.added), len(report.updated), len(report.removed), report.unchanged) == (5, 0, 0, 0)
    assert report.chunks == counting.texts_embedded > 5
    assert (settings.index_dir / "lexical" / f"{open_active(settings).name}.sqlite").exists()
    per_article = _assert_consistent(settings)
    assert len(per_article) == 5

    counting.texts_embedded = 0
    again = run_index(settings, embed_model=counting)
    assert counting.texts_embedded == 0
    assert again.unchanged == 5 and not again.changed
    assert again.to_json()["chunks"] == report.chunks


def test_update_add_remove(settings: Settings, corpus: Path, counting: CountingEmbedding) -> None:
    run_index(settings, embed_model=counting)
    before = {c["id"] for c in _chunks(settings) if c["article_id"] == SEED}

    path = corpus / SEED
    path.write_text(
        path.read_text(encoding="utf-8") + "\n\nA late paragraph about Geneva talks.", encoding="utf-8"
    )
    (corpus / "001_6590fbfd3e993fb7.txt").unlink()
    (corpus / "new_story.md").write_text(
        "# Fresh report\n\nLavrov left Geneva on Friday evening.", encoding="utf-8"
    )
    counting.texts_embedded = 0

    report = run_index(settings, embed_model=counting)
    assert report.updated == [SEED]
    assert report.added == ["new_story.md"]
    assert report.removed == ["001_6590fbfd3e993fb7.txt"]
    assert report.unchanged == 3
    per_article = _assert_consistent(settings)
    assert counting.texts_embedded == per_article[SEED] + per_article["new_story.md"]
    assert "001_6590fbfd3e993fb7.txt" not in per_article
    after = {c["id"] for c in _chunks(settings) if c["article_id"] == SEED}
    assert not (before & after)  # old version's chunks are gone
    assert any(
        "late paragraph" in t for t in open_active(settings).collection.get(ids=sorted(after))["documents"]
    )


def test_identical_files_are_independent(
    settings: Settings, corpus: Path, counting: CountingEmbedding
) -> None:
    text = (corpus / SEED).read_bytes()
    (corpus / "copy_a.txt").write_bytes(text)
    run_index(settings, embed_model=counting)
    (corpus / "copy_a.txt").unlink()
    report = run_index(settings, embed_model=counting)
    assert report.removed == ["copy_a.txt"]
    per_article = _assert_consistent(settings)
    assert SEED in per_article and "copy_a.txt" not in per_article


def test_bad_files_do_not_stop_a_build_and_keep_old_versions(
    settings: Settings, corpus: Path, counting: CountingEmbedding
) -> None:
    run_index(settings, embed_model=counting)
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / SEED).write_bytes(b"\x00\x01\x02" * 100)  # a bad save over a good article
    report = run_index(settings, embed_model=counting)
    skipped = {s.path: s.reason for s in report.skipped}
    assert skipped == {"empty.txt": "empty file", SEED: "binary file"}
    assert report.removed == []
    assert SEED in _assert_consistent(settings)  # nothing lost


def test_failure_during_update_loses_nothing_and_next_run_finishes(
    settings: Settings, corpus: Path, counting: CountingEmbedding
) -> None:
    run_index(settings, embed_model=counting)
    originals = Counter(c["article_id"] for c in _chunks(settings))
    for name in ("000_88c9dd3b0d3a2e93", "004_4d4080f095013527"):
        path = corpus / f"{name}.txt"
        path.write_text(path.read_text(encoding="utf-8").replace("Geneva", "GENEVA"), encoding="utf-8")

    counting.texts_embedded = 0
    counting.fail_after = 0
    with pytest.raises(RuntimeError, match="simulated"):
        run_index(settings, embed_model=counting)
    # Every article still answers from its old version.
    assert Counter(c["article_id"] for c in _chunks(settings)) == originals
    from index.query.engine import Engine

    answer = Engine(settings, embed_model=counting).ask("Who is the Russian Foreign Minister?")
    assert not answer.abstained and answer.sources

    counting.fail_after = None
    report = run_index(settings, embed_model=counting)
    assert sorted(report.updated) == ["000_88c9dd3b0d3a2e93.txt", "004_4d4080f095013527.txt"]
    _assert_consistent(settings)
    got = open_active(settings).collection.get(where={"article_id": "004_4d4080f095013527.txt"})
    assert got["documents"] and not any("Geneva" in text for text in got["documents"])
    assert any("GENEVA" in text for text in got["documents"])


def test_a_second_writer_is_refused(settings: Settings, counting: CountingEmbedding) -> None:
    with IndexLock(settings.index_dir), pytest.raises(IndexLockedError, match="another `newsdesk index`"):
        run_index(settings, embed_model=counting)
    run_index(settings, embed_model=counting)  # the lock is free again


def test_dry_run_writes_nothing(settings: Settings, corpus: Path, counting: CountingEmbedding) -> None:
    report = run_index(settings, dry_run=True, embed_model=counting)
    assert len(report.added) == 5 and report.dry_run
    assert not (settings.index_dir / "chroma").exists()
    run_index(settings, embed_model=counting)
    (corpus / SEED).unlink()
    counting.texts_embedded = 0
    report = run_index(settings, dry_run=True, embed_model=counting)
    assert report.removed == [SEED] and counting.texts_embedded == 0
    assert SEED in _assert_consistent(settings)


def test_full_rebuild_switches_to_a_fresh_collection(settings: Settings, counting: CountingEmbedding) -> None:
    first = run_index(settings, embed_model=counting)
    old = read_state(settings.index_dir)["collection"]
    report = run_index(settings, full=True, embed_model=counting)
    new = read_state(settings.index_dir)["collection"]
    assert new != old
    assert report.chunks == first.chunks
    store = open_active(settings)
    assert old not in {c.name for c in store.client.list_collections()}
    _assert_consistent(settings)


def test_plain_index_drops_what_a_killed_full_rebuild_left(
    settings: Settings, counting: CountingEmbedding
) -> None:
    run_index(settings, embed_model=counting)
    active = read_state(settings.index_dir)["collection"]
    client = open_active(settings).client
    # A `--full` killed mid-way leaves its half-filled collection beside the active one.
    counting.fail_after = counting.texts_embedded + 3
    with pytest.raises(RuntimeError):
        run_index(settings, full=True, embed_model=counting)
    counting.fail_after = None
    assert f"{settings.chroma_collection}_2" in {c.name for c in client.list_collections()}
    client.create_collection("someone_elses")
    client.create_collection(f"{settings.chroma_collection}_notes")
    # A dry run deletes nothing: the collection may be a running `--full`'s (it takes no lock).
    run_index(settings, dry_run=True, embed_model=counting)
    assert f"{settings.chroma_collection}_2" in {c.name for c in client.list_collections()}
    assert (settings.index_dir / FULL_MARKER).exists()
    report = run_index(settings, embed_model=counting)
    assert not report.changed
    names = {c.name for c in client.list_collections()}
    assert names == {active, "someone_elses", f"{settings.chroma_collection}_notes"}


def test_another_embedding_model_needs_full(
    settings: Settings, onnx_model: Any, counting: CountingEmbedding
) -> None:
    run_index(settings, embed_model=counting)
    other = CountingEmbedding(onnx_model)
    other.model_name = "test:another-model"
    with pytest.raises(NewsdeskError, match="--full"):
        run_index(settings, embed_model=other)
    from index.query.engine import Engine

    with pytest.raises(NewsdeskError, match=r"rebuild it with `newsdesk index --full`"):
        Engine(settings, embed_model=other).ask("Who met Lavrov?")
    run_index(settings, full=True, embed_model=other)
    assert open_active(settings).metadata["embed_model"] == "test:another-model"


def test_changed_chunking_needs_full(make_settings: Any, counting: CountingEmbedding) -> None:
    run_index(make_settings(), embed_model=counting)
    with pytest.raises(NewsdeskError, match="chunked with size"):
        run_index(make_settings(chunk_size=96), embed_model=counting)


def test_chunks_carry_citation_metadata(built_index: Settings) -> None:
    chunks = _chunks(built_index)
    article = next(c for c in chunks if c["article_id"] == SEED and c["position"] == 0)
    assert article["title"] == "Blinken, Lavrov, Expect No Breakthroughs on Ukraine"
    assert article["source"] == SEED
    assert article["start_char"] == 0 and article["end_char"] > 0
    store = open_active(built_index)
    text = store.collection.get(ids=[article["id"]])["documents"][0]
    from index.ingest.articles import parse_article

    full = parse_article(SEED, (built_index.corpus_dir / SEED).read_bytes()).text
    assert full[article["start_char"] : article["end_char"]] == text


def test_repeated_runs_share_one_loaded_model(settings: Settings) -> None:
    """`index --watch` and Discord's `/reindex` call run_index again and again, beside the
    question path: they all use one ONNX session instead of loading the model each time."""
    from index.embedding import build_embed_model, build_query_embedder

    first = build_embed_model(settings)
    assert first._encoder is build_embed_model(settings)._encoder  # type: ignore[attr-defined]
    assert first._encoder is build_query_embedder(settings)  # type: ignore[attr-defined]
    report = run_index(settings)
    assert report.embedded_chunks == report.chunks > 0


def test_a_trusted_keyword_mirror_spares_reading_chroma(
    settings: Settings, counting: CountingEmbedding, monkeypatch: pytest.MonkeyPatch
) -> None:
    from index.store.chroma import ChunkStore

    run_index(settings, embed_model=counting)

    def unwanted(self: ChunkStore) -> None:
        raise AssertionError("read every chunk's metadata from Chroma")

    with monkeypatch.context() as patch:
        patch.setattr(ChunkStore, "article_states", unwanted)
        assert run_index(settings, embed_model=counting).unchanged == 5


def test_writes_the_keyword_mirror_missed_are_reconciled(
    settings: Settings, counting: CountingEmbedding
) -> None:
    """Another machine writing to the same Chroma server, or a run killed between a Chroma
    write and its mirror write: the next run reads Chroma and catches up."""
    from index.store import lexical

    run_index(settings, embed_model=counting)
    store = open_active(settings)
    gone = store.collection.get(where={"article_id": SEED})["ids"]
    store.delete(gone)  # no mirror attached: the keyword index does not hear of it
    assert lexical.LexicalIndex(
        lexical.path_for(settings.index_dir, store.name)
    ).count() == store.count() + len(gone)
    counting.texts_embedded = 0
    report = run_index(settings, embed_model=counting)
    assert report.added == [SEED] and counting.texts_embedded == len(gone)
    keywords = lexical.LexicalIndex(lexical.path_for(settings.index_dir, store.name))
    assert keywords.ids() == set(open_active(settings).collection.get()["ids"])


def test_noop_skips_chroma_yet_sees_touch_rename_and_replace_within_a_second(
    settings: Settings, corpus: Path, counting: CountingEmbedding, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from index.ingest import indexer

    run_index(settings, embed_model=counting)
    opened: list[bool] = []
    real_client_for = indexer._client_for
    monkeypatch.setattr(indexer, "_client_for", lambda *a: opened.append(True) or real_client_for(*a))
    assert run_index(settings, embed_model=counting).unchanged == 5 and opened == []  # Chroma not opened

    path = corpus / SEED
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))  # touched: same content
    assert run_index(settings, embed_model=counting).unchanged == 5 and opened == []

    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("a", "e", 1), encoding="utf-8")  # same size, same second
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert run_index(settings, embed_model=counting).updated == [SEED] and opened == [True]

    path.rename(corpus / "renamed.txt")
    report = run_index(settings, embed_model=counting)
    assert (report.added, report.removed) == (["renamed.txt"], [SEED])
    assert run_index(settings, embed_model=counting).unchanged == 5 and len(opened) == 2


def test_a_run_killed_after_its_first_write_is_not_trusted(
    settings: Settings, corpus: Path, counting: CountingEmbedding, monkeypatch: pytest.MonkeyPatch
) -> None:
    from index.store import lexical
    from index.store.sentences import SentenceStore

    run_index(settings, embed_model=counting)
    (corpus / "new.txt").write_text(
        "Blinken flew to Kyiv on Tuesday.\n\nHe met Zelensky there.", encoding="utf-8"
    )
    with monkeypatch.context() as patch:  # dies after the chunks landed, before the sentences
        patch.setattr(SentenceStore, "put", lambda *a: (_ for _ in ()).throw(RuntimeError("killed")))
        with pytest.raises(RuntimeError):
            run_index(settings, embed_model=counting)
    name = open_active(settings).name
    assert lexical.LexicalIndex(lexical.path_for(settings.index_dir, name)).get_meta("writer") == "pending"
    report = run_index(settings, embed_model=counting)
    assert report.unchanged == 6 and report.notes == ["sentence data rebuilt for 1 articles"]
    assert lexical.LexicalIndex(lexical.path_for(settings.index_dir, name)).get_meta("writer") != "pending"
    assert SentenceStore(settings.index_dir).known() >= {
        (a, h) for a, h in SentenceStore(settings.index_dir).known()
    }
    assert any(a == "new.txt" for a, _ in SentenceStore(settings.index_dir).known())


def _sentence_rows(index_dir: Path) -> list[tuple[Any, ...]]:
    import sqlite3

    from index.store.sentences import FILE

    with sqlite3.connect(index_dir / FILE) as conn:
        return conn.execute("SELECT * FROM sentences ORDER BY 1, 2, 3").fetchall()


def test_new_sentence_rules_rebuild_the_sentence_data_without_embedding(
    settings: Settings, counting: CountingEmbedding, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A release that changes what a sentence may quote plans every article again with
    spaCy, keeping the stored vectors and token states of sentences whose span is the same:
    no model pass at all (a full pass over the chunks took as long as the first build:
    160 s -> 52 s on the 2,000 Reuters articles). Until every article is planned again the
    old rules' mark stays, so a run killed halfway leaves work the next run redoes."""
    import index.ingest.indexer as indexer
    import index.ingest.sentence_data as sentence_data
    from index.embedding.onnx import MiniLMEncoder
    from index.store.sentences import SentenceStore

    run_index(settings, embed_model=counting)
    before = SentenceStore(settings.index_dir)
    made_by, known = before.get_meta("basis"), before.known()
    before.close()
    rows = _sentence_rows(settings.index_dir)
    embedded = counting.texts_embedded
    passes: list[list[str]] = []
    model_run = MiniLMEncoder._run
    monkeypatch.setattr(
        MiniLMEncoder,
        "_run",
        lambda me, texts, keep_tokens: passes.append(texts) or model_run(me, texts, keep_tokens),
    )
    monkeypatch.setattr(indexer, "SENTENCE_DATA_VERSION", 99)  # as a release that changes the rules
    plan = sentence_data.plan_records

    def last_is_furniture(*args: Any) -> Any:  # the new rule
        records = plan(*args)
        records[-1].kind = "furniture"
        return records

    monkeypatch.setattr(sentence_data, "plan_records", last_is_furniture)
    put = SentenceStore.put
    with monkeypatch.context() as patch:  # killed after the first article
        calls: list[int] = []

        def dies_second(*args: Any) -> None:
            calls.append(1)
            if len(calls) == 2:
                raise RuntimeError("killed")
            put(*args)

        patch.setattr(SentenceStore, "put", dies_second)
        with pytest.raises(RuntimeError):
            run_index(settings, embed_model=counting)
    assert SentenceStore(settings.index_dir).get_meta("basis") == made_by
    report = run_index(settings, embed_model=counting)
    assert report.notes == [f"sentence data rebuilt for {len(known)} articles"]
    assert counting.texts_embedded == embedded and not report.embedded_chunks  # Chroma's vectors stay
    assert passes == []  # and so do the token states: the model never ran
    after = SentenceStore(settings.index_dir)
    assert after.get_meta("basis") == indexer.sentence_rules_id() != made_by
    assert after.known() == known  # every article's sentences again, under the new rules
    after.close()
    again = _sentence_rows(settings.index_dir)
    last = {(r[0], r[1]): r[2] for r in rows}  # each article's last sentence
    assert [r[8] for r in again] == [("furniture" if last[(r[0], r[1])] == r[2] else r[8]) for r in rows]
    assert [r[:8] + r[9:] for r in again] == [r[:8] + r[9:] for r in rows]  # vectors, states: same bytes


def test_the_index_folder_removed_during_a_build_is_one_error(settings: Settings, counting: Any) -> None:
    """`rm -rf` of the index folder while `newsdesk index` writes: Chroma's "attempt to
    write a readonly database" came out as a traceback."""
    import shutil

    def remove_once(done: int, total: int) -> None:
        if done and settings.index_dir.is_dir():
            shutil.rmtree(settings.index_dir)

    with pytest.raises(NewsdeskError) as removed:
        run_index(settings, embed_model=counting, progress=remove_once)
    assert str(removed.value) == (
        f"the index folder {settings.index_dir} was removed while `newsdesk index` was writing to it;"
        " run `newsdesk index` again"
    )


def test_collections_search_widely_and_an_older_one_is_raised_without_a_rebuild(
    settings: Settings, corpus: Path, counting: CountingEmbedding
) -> None:
    """Chroma's default ef_search (100) missed some of the 20 nearest of real vectors at
    52,000 (`benchmarks/hnsw_recall.py`): collections are made with HNSW_BUILD / HNSW_SEARCH, and one made
    before gets the search setting at its next write (not on a dry run), its metadata and
    the keyword mirror's trust kept."""
    from index.query.engine import open_search
    from index.store.chroma import HNSW_BUILD, HNSW_SEARCH
    from index.store.vector_mirror import MirrorStore

    run_index(settings, embed_model=counting)
    hnsw = open_active(settings).collection.configuration_json["hnsw"]
    assert (hnsw["ef_construction"], hnsw["ef_search"]) == (HNSW_BUILD, HNSW_SEARCH)
    open_active(settings).collection.modify(configuration={"hnsw": {"ef_search": 100}})  # made before
    meta = open_active(settings).metadata
    (corpus / SEED).write_text(
        (corpus / SEED).read_text(encoding="utf-8") + "\n\nA late line.\n", encoding="utf-8"
    )
    run_index(settings, dry_run=True, embed_model=counting)
    assert open_active(settings).collection.configuration_json["hnsw"]["ef_search"] == 100
    report = run_index(settings, embed_model=counting)
    assert report.updated == [SEED] and report.unchanged == 4
    after = open_active(settings)
    assert after.collection.configuration_json["hnsw"]["ef_search"] == HNSW_SEARCH
    assert {k: v for k, v in after.metadata.items() if k != "writer"} == {
        k: v for k, v in meta.items() if k != "writer"
    }
    assert isinstance(open_search(settings)[0], MirrorStore)
