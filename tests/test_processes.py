"""Real processes: kill -9 during `newsdesk index`, `ask` during `index`, `index --watch`,
and a damaged index dir. Each test runs the console script as a user would."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.synthetic import generate_corpus
from index.ingest.chunking import chunk_article
from index.ingest.corpus_walk import load_corpus
from index.settings import load_settings
from index.store.chroma import open_active

pytestmark = pytest.mark.slow  # runs newsdesk as processes

SEEDS = Path(__file__).resolve().parent.parent / "corpus"


def newsdesk(*args: str) -> list[str]:
    return [sys.executable, "-m", "bot.cli", *args]


def chunk_rows(index_dir: Path, corpus: Path) -> list[dict]:
    store = open_active(load_settings(index_dir=index_dir, corpus_dir=corpus))
    got = store.collection.get(include=["metadatas"])
    return [dict(m, id=i) for i, m in zip(got["ids"], got["metadatas"], strict=True)]


def expected_chunks(corpus: Path) -> int:
    settings = load_settings(corpus_dir=corpus)
    articles, _ = load_corpus(corpus, settings.max_file_bytes)
    return sum(len(chunk_article(a, settings.chunk_size, settings.chunk_overlap)) for a in articles)


# 158 chunks, three groups of EMBED_GROUP: the first group is written ~7 s in (the model
# loads first), the last ~3 s later, so the kill lands between writes. The test takes ~27 s
# (41 s with 150 articles, and nothing it checks needs more groups).
ARTICLES = 80


def written_articles(index_dir: Path) -> int:
    """Articles with chunks in the keyword index, read the way another process would
    (it is written in the same step as Chroma, a group of chunks at a time)."""
    found = list((index_dir / "lexical").glob("*.sqlite")) if (index_dir / "lexical").is_dir() else []
    if not found:
        return 0
    try:
        con = sqlite3.connect(f"file:{found[0]}?mode=ro", uri=True, timeout=0.1)
        try:
            return int(con.execute("SELECT COUNT(DISTINCT article_id) FROM chunks").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:  # not created yet, or locked for a moment
        return 0


def test_kill_9_during_index_then_rerun_is_clean(tmp_path: Path) -> None:
    corpus, index_dir = tmp_path / "corpus", tmp_path / "idx"
    generate_corpus(corpus, ARTICLES)
    dirs = ["--corpus-dir", str(corpus), "--index-dir", str(index_dir)]
    proc = subprocess.Popen(newsdesk(*dirs, "index"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Kill as soon as the first group of chunks is written, so the kill lands mid-build,
    # not before the first write.
    written, deadline = 0, time.monotonic() + 120
    while not written and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
        written = written_articles(index_dir)
    killed = proc.poll() is None
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert killed, "the build finished before the kill; make the corpus larger"
    assert 0 < written < ARTICLES

    done = subprocess.run(newsdesk(*dirs, "index", "--json"), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    rows = chunk_rows(index_dir, corpus)
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), "duplicate chunks"
    assert summary["chunks"] == len(rows) == expected_chunks(corpus)
    assert {r["article_id"] for r in rows} == {p.name for p in corpus.glob("*.txt")}, "orphans or missing"
    again = subprocess.run(newsdesk(*dirs, "index", "--json"), capture_output=True, text=True, timeout=300)
    assert json.loads(again.stdout.strip().splitlines()[-1])["unchanged"] == ARTICLES


def test_ask_while_index_runs(tmp_path: Path) -> None:
    corpus, index_dir = tmp_path / "corpus", tmp_path / "idx"
    shutil.copytree(SEEDS, corpus)
    dirs = ["--corpus-dir", str(corpus), "--index-dir", str(index_dir)]
    subprocess.run(newsdesk(*dirs, "index"), check=True, capture_output=True, timeout=300)
    generate_corpus(corpus, 60)
    writer = subprocess.Popen(
        newsdesk(*dirs, "index"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        answers = []
        while writer.poll() is None or not answers:
            asked = subprocess.run(
                newsdesk(*dirs, "ask", "--json", "Who is the Russian Foreign Minister that Blinken met?"),
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert asked.returncode == 0, asked.stderr
            answers.append(json.loads(asked.stdout))
    finally:
        _, err = writer.communicate(timeout=300)
    assert writer.returncode == 0, err
    assert all(not a["abstained"] and a["sources"] for a in answers), answers


def test_second_index_process_is_refused(tmp_path: Path) -> None:
    corpus, index_dir = tmp_path / "corpus", tmp_path / "idx"
    generate_corpus(corpus, 80)
    dirs = ["--corpus-dir", str(corpus), "--index-dir", str(index_dir)]
    first = subprocess.Popen(newsdesk(*dirs, "index"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while not (index_dir / "index.store.lock").exists() and time.time() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        second = subprocess.run(newsdesk(*dirs, "index"), capture_output=True, text=True, timeout=120)
    finally:
        first.wait(timeout=300)
    assert second.returncode == 1
    assert (
        second.stderr.startswith("Error: another `newsdesk index` (pid ") and "Traceback" not in second.stderr
    )
    assert first.returncode == 0


def _watching(corpus: Path, index_dir: Path, stderr: int) -> subprocess.Popen[str]:
    """`newsdesk index --watch --json` over a copy of the seed articles."""
    shutil.copytree(SEEDS, corpus)
    return subprocess.Popen(
        newsdesk("--corpus-dir", str(corpus), "--index-dir", str(index_dir), "index", "--watch", "--json"),
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )


def test_watch_reindexes_on_change(tmp_path: Path) -> None:
    corpus, index_dir = tmp_path / "corpus", tmp_path / "idx"
    proc = _watching(corpus, index_dir, stderr=subprocess.DEVNULL)
    try:
        assert proc.stdout is not None
        first = json.loads(proc.stdout.readline())
        assert first["added"] == 5
        (corpus / "late.md").write_text("# Late news\n\nLavrov flew home from Geneva.", encoding="utf-8")
        second = json.loads(proc.stdout.readline())  # the event, or the catch-up pass
        assert (second["added"], second["unchanged"]) == (1, 5)
        next(corpus.glob("00*.txt")).unlink()  # now only the named file is looked at
        third = _next_json(proc)
        assert (third["removed"], third["unchanged"]) == (1, 5)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.parametrize("damage", ["delete", "corrupt-state", "corrupt-chroma"])
def test_damaged_index_gives_a_clear_message(tmp_path: Path, damage: str) -> None:
    corpus, index_dir = tmp_path / "corpus", tmp_path / "idx"
    shutil.copytree(SEEDS, corpus)
    dirs = ["--corpus-dir", str(corpus), "--index-dir", str(index_dir)]
    subprocess.run(newsdesk(*dirs, "index"), check=True, capture_output=True, timeout=300)
    if damage == "delete":
        shutil.rmtree(index_dir)
    elif damage == "corrupt-state":
        (index_dir / "state.json").write_text("{not json", encoding="utf-8")
    else:
        for f in (index_dir / "chroma").rglob("*.sqlite3"):
            f.write_bytes(b"garbage" * 100)
    asked = subprocess.run(
        newsdesk(*dirs, "ask", "Who met Lavrov?"), capture_output=True, text=True, timeout=120
    )
    assert asked.returncode == 1
    assert asked.stderr.startswith("Error: ") and "Traceback" not in asked.stderr
    assert "newsdesk index" in asked.stderr
    if damage != "delete":
        assert "--full" in asked.stderr
        rebuilt = subprocess.run(
            newsdesk(*dirs, "index", "--full"), capture_output=True, text=True, timeout=300
        )
        assert rebuilt.returncode == 0, rebuilt.stderr
        again = subprocess.run(
            newsdesk(*dirs, "ask", "--json", "Who met Lavrov?"), capture_output=True, text=True, timeout=120
        )
        assert again.returncode == 0 and json.loads(again.stdout)["sources"]


def _next_json(proc: subprocess.Popen[str], timeout: float = 120) -> dict:
    """The next JSON line the process prints, or a failure after timeout seconds. A selector,
    not select.select: that refuses descriptors past 1024, which a test worker that has
    opened many stores reaches (the run where it did failed here, not in the watcher)."""
    import selectors

    assert proc.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        ready = selector.select(timeout)
    assert ready, "no summary in time"
    return json.loads(proc.stdout.readline())


def test_watch_survives_the_index_dir_being_deleted(tmp_path: Path) -> None:
    corpus, index_dir = tmp_path / "corpus", tmp_path / "idx"
    proc = _watching(corpus, index_dir, stderr=subprocess.PIPE)
    try:
        assert _next_json(proc)["added"] == 5
        shutil.rmtree(index_dir)  # under the running watcher, with its store open
        (corpus / "late.md").write_text("# Late news\n\nLavrov flew home from Geneva.", encoding="utf-8")
        rebuilt = _next_json(proc)  # after one failed try (reported), the next one rebuilds
        assert (rebuilt["added"], rebuilt["documents"]) == (6, 6)
        assert proc.poll() is None  # still watching
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("Error:")]
    assert all(line.endswith("(still watching; retrying)") for line in errors)
    asked = subprocess.run(
        newsdesk(
            "--corpus-dir",
            str(corpus),
            "--index-dir",
            str(index_dir),
            "ask",
            "--json",
            "Who flew home from Geneva?",
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert asked.returncode == 0 and json.loads(asked.stdout)["sources"]
