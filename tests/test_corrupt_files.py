"""Corrupt index files: a clear error (never a segfault) and a repair path."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index.settings import Settings
from index.store.chroma import open_active
from index.store.vector_check import MANIFEST, record_vectors, verify_vectors

pytestmark = pytest.mark.slow  # runs newsdesk as processes

QUESTION = "Who is the Russian Foreign Minister that Blinken met?"


def newsdesk(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    dirs = ["--corpus-dir", str(settings.corpus_dir), "--index-dir", str(settings.index_dir)]
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *dirs, *args], capture_output=True, text=True, timeout=300
    )


def _persist_hnsw(settings: Settings) -> Path:
    """Chroma keeps a collection's first ~1,000 vectors in its log; past that it writes the
    HNSW files that can crash it. Push the seed index past that, as a writer would."""
    store = open_active(settings)
    vectors = np.random.default_rng(0).standard_normal((1100, 384)).astype("float32")
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    meta = {"article_id": "padding.txt", "path": "padding.txt", "content_hash": "0", "n_chunks": 1100}
    for start in range(0, 1100, 550):
        ids = [f"padding.txt#0#{i:04d}" for i in range(start, start + 550)]
        store.collection.add(ids=ids, embeddings=vectors[start : start + 550], metadatas=[meta] * 550)
    record_vectors(settings.index_dir, settings.chroma_path)
    (level0,) = settings.chroma_path.glob("*/data_level0.bin")
    assert level0.stat().st_size > 1_000_000  # the vectors are in the HNSW files now
    return level0


def test_random_bytes_in_the_hnsw_files_give_an_error_not_a_segfault(
    built_index: Settings, onnx_model: Any
) -> None:
    level0 = _persist_hnsw(built_index)
    active = json.loads((built_index.index_dir / "state.json").read_text())["collection"]
    verify_vectors(built_index.index_dir, built_index.chroma_path, active)  # healthy and recorded

    data = bytearray(level0.read_bytes())
    rng = random.Random(2)
    start = rng.randrange(0, len(data) - 40_000)
    data[start : start + 20_000] = rng.randbytes(20_000)
    level0.write_bytes(data)

    message = (
        f"Error: the vector index in {built_index.chroma_path} is damaged (its HNSW files hold values "
        "out of range); run `newsdesk index --full` to rebuild it\n"
    )
    for command in (["ask", QUESTION], ["index"]):
        result = newsdesk(built_index, *command)
        assert (result.returncode, result.stderr) == (1, message), command

    rebuilt = newsdesk(built_index, "index", "--full")
    assert rebuilt.returncode == 0, rebuilt.stderr
    from index.query.engine import Engine

    assert "Lavrov" in Engine(built_index, embed_model=onnx_model).ask(QUESTION).text


def test_a_garbage_hnsw_header_is_damage(built_index: Settings) -> None:
    (header,) = built_index.chroma_path.glob("*/header.bin")
    header.write_bytes(random.Random(1).randbytes(100))
    (built_index.index_dir / MANIFEST).unlink()
    result = newsdesk(built_index, "ask", QUESTION)
    assert result.returncode == 1
    assert result.stderr.endswith(
        "is damaged (its HNSW files hold values out of range); run `newsdesk index --full` to rebuild it\n"
    )


@pytest.mark.parametrize("damage", ["header", "segments"])
def test_damaged_keyword_index_is_noted_and_repaired_by_the_next_index(
    built_index: Settings, onnx_model: Any, damage: str
) -> None:
    import sqlite3

    from index.ingest.indexer import run_index
    from index.query.engine import Engine
    from index.store import lexical

    path = lexical.path_for(built_index.index_dir, open_active(built_index).name)
    if damage == "header":
        with open(path, "r+b") as fh:
            fh.write(b"\x00garbage{" * 20)
    else:  # term segments that no longer fit the passages
        conn = sqlite3.connect(path)
        with conn:
            conn.execute("UPDATE terms_data SET block = randomblob(length(block)) WHERE id > 10")
        conn.close()

    answer = Engine(built_index, embed_model=onnx_model).ask(QUESTION)
    assert not answer.abstained and "Lavrov" in answer.text  # vectors still answer
    assert answer.note.startswith("the keyword index is damaged")
    assert answer.note.endswith("answered from vectors alone; `newsdesk index` repairs it.")

    report = run_index(built_index, embed_model=onnx_model)
    assert not report.changed and any("keyword index" in n for n in report.notes)
    repaired = Engine(built_index, embed_model=onnx_model).ask(QUESTION)
    assert (
        not repaired.note
        and lexical.load_checked(built_index.index_dir, open_active(built_index).name)[0] is not None
    )
    assert len(repaired.sources) and lexical.LexicalIndex(path).count() == report.chunks
    shutil.rmtree(path.parent)  # gone entirely: the next index rebuilds it quietly
    again = run_index(built_index, embed_model=onnx_model)
    assert not again.notes and lexical.LexicalIndex(path).count() == report.chunks
