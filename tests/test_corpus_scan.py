"""The stat cache: unchanged files are not re-read, and no change ever hides behind it."""

from __future__ import annotations

import os
import time
from pathlib import Path

from index.ingest.articles import Article, parse_article
from index.ingest.corpus_scan import CACHE_FILE, ArticleRef, save_scan, scan_corpus
from index.ingest.indexer import run_index
from index.settings import Settings
from index.store.chroma import open_active
from tests.conftest import CountingEmbedding

LIMIT = 10**6
SEED = "003_96b30b9797db3545.txt"


def _age(corpus: Path, seconds: float = 3600) -> None:
    """Files last written an hour ago: old enough to be cached."""
    past = time.time() - seconds
    for path in corpus.iterdir():
        os.utime(path, (past, past))


def _hashes(items: list[Article | ArticleRef]) -> dict[str, str]:
    return {a.path: a.content_hash for a in items}


def test_second_scan_reads_nothing_and_agrees_with_parsing(corpus: Path, tmp_path: Path) -> None:
    _age(corpus)
    idx = tmp_path / "idx"
    first = scan_corpus(corpus, LIMIT, idx)
    assert first.read == 5 and all(isinstance(a, Article) for a in first.articles)
    save_scan(idx, first)

    second = scan_corpus(corpus, LIMIT, idx)
    assert second.read == 0 and all(isinstance(a, ArticleRef) for a in second.articles)
    assert _hashes(second.articles) == _hashes(first.articles)
    parsed = parse_article(SEED, (corpus / SEED).read_bytes())
    assert _hashes(second.articles)[SEED] == parsed.content_hash
    assert not second.changed  # nothing to write back


def test_same_size_edit_with_mtime_restored_is_still_seen(corpus: Path, tmp_path: Path) -> None:
    _age(corpus)
    idx = tmp_path / "idx"
    save_scan(idx, scan_corpus(corpus, LIMIT, idx))
    path = corpus / SEED
    before = path.stat()
    data = path.read_bytes()
    path.write_bytes(data.replace(b"Geneva", b"Genevo", 1))  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # as `cp -p` or rsync would

    again = scan_corpus(corpus, LIMIT, idx)
    assert again.read == 1
    assert _hashes(again.articles)[SEED] == parse_article(SEED, path.read_bytes()).content_hash


def test_recently_written_files_are_not_cached(corpus: Path, tmp_path: Path) -> None:
    _age(corpus)
    (corpus / "fresh.md").write_text("# Fresh\n\nWritten a moment ago in Geneva.", encoding="utf-8")
    idx = tmp_path / "idx"
    save_scan(idx, scan_corpus(corpus, LIMIT, idx))
    again = scan_corpus(corpus, LIMIT, idx)
    assert again.read == 1
    assert [a.path for a in again.articles if isinstance(a, Article)] == ["fresh.md"]


def test_damaged_cache_or_other_size_limit_reads_everything(corpus: Path, tmp_path: Path) -> None:
    _age(corpus)
    idx = tmp_path / "idx"
    save_scan(idx, scan_corpus(corpus, LIMIT, idx))
    assert scan_corpus(corpus, LIMIT + 1, idx).read == 5
    (idx / CACHE_FILE).write_bytes(b"\x00{not json")
    assert scan_corpus(corpus, LIMIT, idx).read == 5


def test_index_reembeds_a_cached_article_when_the_store_lost_it(
    settings: Settings, corpus: Path, counting: CountingEmbedding
) -> None:
    _age(corpus)
    run_index(settings, embed_model=counting)
    assert (settings.index_dir / CACHE_FILE).exists()
    # The chunks are gone (a wiped collection) but the stat cache still vouches for every file.
    store = open_active(settings)
    store.delete(store.collection.get(include=[])["ids"])
    counting.texts_embedded = 0
    report = run_index(settings, embed_model=counting)
    assert len(report.added) == 5 and report.chunks == counting.texts_embedded > 5


def test_index_notices_an_edit_that_kept_size_and_mtime(
    settings: Settings, corpus: Path, counting: CountingEmbedding
) -> None:
    _age(corpus)
    run_index(settings, embed_model=counting)
    path = corpus / SEED
    before = path.stat()
    path.write_bytes(path.read_bytes().replace(b"Lavrov", b"Lavrof", 1))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    report = run_index(settings, embed_model=counting)
    assert report.updated == [SEED] and report.unchanged == 4
