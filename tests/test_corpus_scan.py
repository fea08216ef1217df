"""The stat cache: unchanged files are not re-read, and no change ever hides behind it."""

from __future__ import annotations

import os
import time
from pathlib import Path

from index.ingest.articles import parse_article
from index.ingest.corpus_scan import ArticleRef, Scan, scan_corpus
from index.ingest.indexer import run_index
from index.settings import Settings
from index.store.chroma import open_active
from index.store.file_manifest import FILE, Row, row
from tests.conftest import CountingEmbedding

LIMIT = 10**6
SEED = "003_96b30b9797db3545.txt"


def _age(corpus: Path, seconds: float = 3600) -> None:
    """Files last written an hour ago: old enough to be cached."""
    past = time.time() - seconds
    for path in corpus.iterdir():
        os.utime(path, (past, past))


def _rows(scan: Scan) -> dict[str, Row]:
    """The manifest rows a run would keep for what this scan saw."""
    rows = {path: row(scan.stats[path], a.content_hash, None) for path, a in scan.read.items()}
    return rows | {path: scan.known[path] for path in scan.unchanged}


def _hashes(scan: Scan) -> dict[str, str]:
    return {a.path: a.content_hash for a in scan.articles()}


def test_second_scan_reads_nothing_and_agrees_with_parsing(corpus: Path) -> None:
    _age(corpus)
    first = scan_corpus(corpus, LIMIT, {})
    assert len(first.read) == 5 and not first.unchanged

    second = scan_corpus(corpus, LIMIT, _rows(first))
    assert not second.read and set(second.unchanged) == set(first.order)
    assert all(isinstance(a, ArticleRef) for a in second.articles())
    assert _hashes(second) == _hashes(first)
    assert _hashes(second)[SEED] == parse_article(SEED, (corpus / SEED).read_bytes()).content_hash


def test_same_size_edit_with_mtime_restored_is_still_seen(corpus: Path) -> None:
    _age(corpus)
    known = _rows(scan_corpus(corpus, LIMIT, {}))
    path = corpus / SEED
    before = path.stat()
    path.write_bytes(path.read_bytes().replace(b"Geneva", b"Genevo", 1))  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # as `cp -p` or rsync would

    again = scan_corpus(corpus, LIMIT, known)
    assert list(again.read) == [SEED]
    assert again.read[SEED].content_hash == parse_article(SEED, path.read_bytes()).content_hash
    assert again.read[SEED].content_hash != known[SEED][4]


def test_a_file_replaced_by_another_with_the_same_size_and_times_is_read(corpus: Path) -> None:
    _age(corpus)
    known = _rows(scan_corpus(corpus, LIMIT, {}))
    path = corpus / SEED
    before = path.stat()
    other = corpus.parent / "other.txt"  # written elsewhere, then moved over the article
    other.write_bytes(path.read_bytes().replace(b"Lavrov", b"Lavrof", 1))
    os.utime(other, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(other, path)

    again = scan_corpus(corpus, LIMIT, known)
    assert list(again.read) == [SEED] and again.read[SEED].content_hash != known[SEED][4]


def test_recently_written_files_are_not_cached(corpus: Path) -> None:
    _age(corpus)
    (corpus / "fresh.md").write_text("# Fresh\n\nWritten a moment ago in Geneva.", encoding="utf-8")
    first = scan_corpus(corpus, LIMIT, {})
    assert first.stats["fresh.md"] is None and first.stats[SEED] is not None
    again = scan_corpus(corpus, LIMIT, _rows(first))
    assert list(again.read) == ["fresh.md"]


def test_untrusted_stats_read_everything(corpus: Path) -> None:
    _age(corpus)
    known = _rows(scan_corpus(corpus, LIMIT, {}))
    assert len(scan_corpus(corpus, LIMIT, known, trust_stats=False).read) == 5


def test_gone_keeps_what_is_unreadable_and_drops_what_must_not_be_indexed(
    corpus: Path, tmp_path: Path
) -> None:
    _age(corpus)
    known = _rows(scan_corpus(corpus, LIMIT, {}))
    (corpus / SEED).unlink()
    (corpus / SEED).symlink_to(tmp_path / "nowhere.txt")  # a broken link: unreadable, kept
    (corpus / "001_6590fbfd3e993fb7.txt").unlink()  # gone
    outside = tmp_path / "outside.txt"
    outside.write_text("Out of the corpus.\n", encoding="utf-8")
    (corpus / "002_9c3714a4b76aa959.txt").unlink()
    (corpus / "002_9c3714a4b76aa959.txt").symlink_to(outside)  # must not be indexed: gone
    assert set(known) >= {SEED, "001_6590fbfd3e993fb7.txt", "002_9c3714a4b76aa959.txt"}

    again = scan_corpus(corpus, LIMIT, known)
    assert again.gone() == ["001_6590fbfd3e993fb7.txt", "002_9c3714a4b76aa959.txt"]


def test_index_reembeds_a_cached_article_when_the_store_lost_it(
    settings: Settings, corpus: Path, counting: CountingEmbedding
) -> None:
    _age(corpus)
    run_index(settings, embed_model=counting)
    assert (settings.index_dir / FILE).exists()
    # The chunks are gone (a wiped collection) but the manifest still vouches for every file.
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
