"""A disk that fills up (or refuses writes) during `newsdesk index`: one `Error:` line,
exit 1, and the index still answers; once there is room the next run finishes."""

from __future__ import annotations

import resource
import shutil
import signal
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks.synthetic import generate_corpus
from tests.commands import newsdesk_command

pytestmark = pytest.mark.slow  # runs newsdesk as processes

SEEDS = Path(__file__).resolve().parent.parent / "corpus"
QUESTION = "Who is the Russian Foreign Minister that Blinken met?"


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed corpus indexed once; each test copies it where its disk runs out."""
    work = tmp_path_factory.mktemp("seed")
    shutil.copytree(SEEDS, work / "corpus")
    subprocess.run(
        newsdesk_command(work / "corpus", work / "idx", "index"), check=True, capture_output=True, timeout=300
    )
    return work


def _grown_corpus(seed: Path, tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    shutil.copytree(seed / "corpus", corpus)
    generate_corpus(corpus, 12)
    return corpus


def _still_answers(corpus: Path, index_dir: Path, onnx_model: Any) -> None:
    from index.query.engine import Engine
    from index.settings import load_settings

    settings = load_settings(corpus_dir=corpus, index_dir=index_dir)
    assert "Lavrov" in Engine(settings, embed_model=onnx_model).ask(QUESTION).text


def _finishes(corpus: Path, index_dir: Path, onnx_model: Any) -> None:
    """With room again, the next run adds what the failed one could not."""
    from index.ingest.indexer import run_index
    from index.settings import load_settings

    report = run_index(load_settings(corpus_dir=corpus, index_dir=index_dir), embed_model=onnx_model)
    assert report.documents == 17 and len(report.added) + report.unchanged == 17


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """An 8 MB tmpfs: a real full disk (needs root with mount permission); room for the
    grown index once the filler is gone."""
    mount = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(
            "cannot mount a small tmpfs here (needs root with CAP_SYS_ADMIN); the size-limit test covers the path"
        )
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_disk_full_during_index(seed_index: Path, small_disk: Path, tmp_path: Path, onnx_model: Any) -> None:
    index_dir = small_disk / "idx"
    shutil.copytree(seed_index / "idx", index_dir)
    corpus = _grown_corpus(seed_index, tmp_path)
    free = shutil.disk_usage(small_disk).free
    (small_disk / "filler").write_bytes(b"\0" * max(free - 16_384, 0))

    full = subprocess.run(
        newsdesk_command(corpus, index_dir, "index"), capture_output=True, text=True, timeout=300
    )
    assert full.returncode == 1
    # SQLite reports a full disk as "full" or, from FTS5's writes, as a disk I/O error.
    assert full.stderr in (
        f"Error: could not write the index at {index_dir}: {why}; free some space and run "
        "`newsdesk index` again (what was indexed before still answers)\n"
        for why in ("the disk is full", "the disk refused a write (an I/O error or a size limit)")
    )
    _still_answers(corpus, index_dir, onnx_model)
    (small_disk / "filler").unlink()
    _finishes(corpus, index_dir, onnx_model)


def test_a_write_the_disk_refuses(seed_index: Path, tmp_path: Path, onnx_model: Any) -> None:
    """RLIMIT_FSIZE makes writes past a size fail (EFBIG): SQLite reports a disk I/O error."""
    index_dir = tmp_path / "idx"
    shutil.copytree(seed_index / "idx", index_dir)
    corpus = _grown_corpus(seed_index, tmp_path)
    limit = max(p.stat().st_size for p in index_dir.rglob("*") if p.is_file()) + 4096

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    refused = subprocess.run(
        newsdesk_command(corpus, index_dir, "index"),
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=limited,
    )
    assert refused.returncode == 1, refused.stderr
    assert refused.stderr.startswith(
        f"Error: could not write the index at {index_dir}: the disk refused a write"
    )
    assert refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr
    _still_answers(corpus, index_dir, onnx_model)
    _finishes(corpus, index_dir, onnx_model)
