"""Large articles: bounded memory while chunking, embedding a group at a time, progress
from the start, and a ceiling on NEWSDESK_MAX_FILE_BYTES with a clear reason."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.cli import cli
from index.ingest import indexer
from index.ingest.articles import parse_article
from index.ingest.chunking import split_pieces
from index.ingest.indexer import run_index
from index.ingest.nlp import BLOCK_CHARS, annotate, pipeline
from index.settings import Settings
from index.store.chroma import open_active
from tests.conftest import CountingEmbedding

SEEDS = Path(__file__).resolve().parent.parent / "corpus"


def long_text(chars: int) -> str:
    """Seed paragraphs, numbered, until the text is `chars` long."""
    paragraphs = [p for f in sorted(SEEDS.glob("*.txt")) for p in f.read_text().split("\n\n") if len(p) > 200]
    out, size, i = [], 0, 0
    while size < chars:
        para = f"{paragraphs[i % len(paragraphs)]} (Section {i}.)"
        out.append(para)
        size += len(para) + 2
        i += 1
    return "\n\n".join(out)


@pytest.mark.slow  # a fresh process annotating 600 KB of text (~15 s on 2 cores)
def test_chunking_a_big_article_keeps_memory_bounded() -> None:
    """Peak memory while annotating (spaCy) and chunking 600 KB of text (120 of spaCy's
    blocks; 2 MB, the largest file accepted, only takes longer), measured in a fresh
    process once the pipeline is loaded: spaCy gets blocks, never the whole text."""
    probe = """
import resource, sys
from tests.test_large_files import long_text
from index.ingest.articles import parse_article
from index.ingest.chunking import split_pieces
from index.ingest.nlp import annotate
article = parse_article("big.txt", long_text(600_000).encode())
list(annotate(["Warm up the pipeline. " * 2000]))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
pieces = split_pieces(article, next(annotate([article.text])), 192, 24)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
assert all(article.text[s:e] == t for t, s, e in pieces)
print((after - before) // 1024, len(pieces))
"""
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, cwd=SEEDS.parent
    )
    assert done.returncode == 0, done.stderr
    grew_mb, chunks = map(int, done.stdout.split())
    assert chunks > 600
    assert grew_mb < 100, f"chunking 600 KB grew the process by {grew_mb} MB"


def test_blocks_cut_at_paragraphs_and_offsets_hold() -> None:
    article = parse_article("long.md", long_text(BLOCK_CHARS * 2 + 5000).encode())
    pipeline()
    pieces = split_pieces(article, next(annotate([article.text])), 192, 24)
    assert all(article.text[s:e] == t for t, s, e in pieces)
    assert [p[1] for p in pieces] == sorted(p[1] for p in pieces)


class BatchRecorder(CountingEmbedding):
    """Records how many texts each embedding call carried."""

    batches: list[int] = []

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        self.batches.append(len(texts))
        return super()._get_text_embeddings(texts)


def test_a_long_article_is_embedded_a_group_at_a_time_with_progress(
    make_settings: Any, tmp_path: Path, onnx_model: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    group = 16  # groups of 16 chunks: the same path as 64, for a quarter of the text to embed
    monkeypatch.setattr(indexer, "EMBED_GROUP", group)
    corpus = tmp_path / "long"
    corpus.mkdir()
    (corpus / "long.md").write_text(long_text(12_000), encoding="utf-8")
    settings: Settings = make_settings(corpus_dir=corpus, chunk_size=64, chunk_overlap=8)  # many small chunks
    model = BatchRecorder(onnx_model)
    model.batches = []
    calls: list[tuple[int, int, int]] = []  # (done, total, texts embedded so far)
    report = run_index(
        settings, embed_model=model, progress=lambda d, t: calls.append((d, t, model.texts_embedded))
    )

    assert report.chunks == model.texts_embedded > 2 * group
    assert max(model.batches) <= group  # never the whole article in one batch
    assert calls[0] == (0, calls[0][1], 0)  # shown before any embedding
    assert [d for d, _, _ in calls] == sorted(d for d, _, _ in calls) and calls[-1][0] == calls[-1][1]
    assert len(calls) > 4
    got = open_active(settings).collection.get(include=["documents", "metadatas"])
    text = parse_article("long.md", (corpus / "long.md").read_bytes()).text
    assert {m["n_chunks"] for m in got["metadatas"]} == {report.chunks}
    assert all(text[m["start_char"] : m["end_char"]] == d for d, m in zip(got["documents"], got["metadatas"]))
    model.texts_embedded = 0
    assert not run_index(settings, embed_model=model).changed and model.texts_embedded == 0


def test_max_file_bytes_has_a_ceiling(tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_MAX_FILE_BYTES", "60000000")
    result = CliRunner().invoke(
        cli, ["--corpus-dir", str(corpus), "--index-dir", str(tmp_path / "i"), "index"]
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: invalid setting NEWSDESK_MAX_FILE_BYTES: 60,000,000 is more than newsdesk reads from one "
        "file (50,000,000 bytes); split larger articles into several files\n"
    )
    assert not (tmp_path / "i").exists()
