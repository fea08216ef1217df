"""Article ids are unique per file, and an index built with the old suffix-less ids is
moved to the new ones without calling the embedding model."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from index.ingest import articles, id_migration, indexer
from index.ingest.indexer import run_index
from index.query.engine import Engine
from index.settings import Settings
from index.store.chroma import open_active
from index.store.file_manifest import FILE
from tests.conftest import CountingEmbedding

STORY_TXT = "Harbour strike\n\nDock workers in Rotterdam walked out on Monday over pay."
STORY_MD = "# Glacier melt\n\nThe Rhone glacier lost two metres of ice thickness this summer."


def _rows(settings: Settings) -> dict[str, dict[str, Any]]:
    got = open_active(settings).collection.get(include=["metadatas", "documents", "embeddings"])
    return {
        cid: {"meta": meta, "text": text, "vector": list(vec)}
        for cid, meta, text, vec in zip(got["ids"], got["metadatas"], got["documents"], got["embeddings"])
    }


def _legacy_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ids as newsdesk wrote them before: the path without its suffix."""

    def old(rel_path: str) -> str:
        return str(PurePosixPath(rel_path).with_suffix(""))

    for module in (articles, indexer, id_migration):
        monkeypatch.setattr(module, "id_for_path", old)


def test_same_stem_different_suffix_are_two_articles(
    settings: Settings, corpus: Path, counting: CountingEmbedding
) -> None:
    (corpus / "story.txt").write_text(STORY_TXT, encoding="utf-8")
    (corpus / "story.md").write_text(STORY_MD, encoding="utf-8")
    report = run_index(settings, embed_model=counting)
    assert {"story.txt", "story.md"} <= set(report.added)
    ids = {row["meta"]["article_id"] for row in _rows(settings).values()}
    assert {"story.txt", "story.md"} <= ids

    counting.texts_embedded = 0
    again = run_index(settings, embed_model=counting)
    assert counting.texts_embedded == 0 and not again.changed  # no endless alternation
    engine = Engine(settings, embed_model=counting)
    assert engine.ask("Why did dock workers in Rotterdam walk out?").sources[0].source == "story.txt"
    assert engine.ask("How much ice did the Rhone glacier lose?").sources[0].source == "story.md"


def test_an_index_with_old_ids_is_migrated_without_embedding(
    settings: Settings, counting: CountingEmbedding, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        _legacy_ids(patch)
        run_index(settings, embed_model=counting)
    before = _rows(settings)
    assert all("." not in row["meta"]["article_id"] for row in before.values())
    (settings.index_dir / FILE).unlink()  # a newsdesk of the old ids had no file manifest

    counting.texts_embedded = 0
    dry = run_index(settings, dry_run=True, embed_model=counting)
    assert (len(dry.added), len(dry.removed), dry.unchanged) == (0, 0, 5)
    report = run_index(settings, embed_model=counting)
    assert counting.texts_embedded == 0
    assert (len(report.added), len(report.updated), len(report.removed), report.unchanged) == (0, 0, 0, 5)

    after = _rows(settings)
    assert len(after) == len(before)
    for cid, row in after.items():
        article_id = row["meta"]["article_id"]
        assert article_id == row["meta"]["path"] and cid.startswith(article_id + "#")
        old = before[cid.replace(".txt#", "#", 1)]  # the same chunk under its old id
        assert row["text"] == old["text"] and row["vector"] == pytest.approx(old["vector"])
    answer = Engine(settings, embed_model=counting).ask(
        "Who is the Russian Foreign Minister that Blinken met?"
    )
    assert not answer.abstained and "Lavrov" in answer.text


def test_migration_splits_an_old_shared_id_by_file(
    settings: Settings, corpus: Path, counting: CountingEmbedding, monkeypatch: pytest.MonkeyPatch
) -> None:
    (corpus / "story.md").write_text(STORY_MD, encoding="utf-8")
    with monkeypatch.context() as patch:
        _legacy_ids(patch)
        run_index(settings, embed_model=counting)  # "story" holds story.md
        (corpus / "story.txt").write_text(STORY_TXT, encoding="utf-8")  # now two files share it
    (settings.index_dir / FILE).unlink()  # a newsdesk of the old ids had no file manifest
    counting.texts_embedded = 0
    report = run_index(settings, embed_model=counting)
    assert report.added == ["story.txt"] and report.unchanged == 6
    ids = {row["meta"]["article_id"] for row in _rows(settings).values()}
    assert {"story.txt", "story.md"} <= ids and "story" not in ids
    assert counting.texts_embedded == sum(
        1 for r in _rows(settings).values() if r["meta"]["path"] == "story.txt"
    )
