"""A fresh `newsdesk index` over a large corpus walks it in a forked child while Chroma
loads the collection (`index.ingest.forked`). The fork is tried in new interpreters: the
test process runs threads (pytest-xdist's, Chroma's), and there `beside` does not fork."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from index.ingest import forked
from tests.commands import newsdesk_command

ROOT = Path(__file__).resolve().parent.parent


def _python(code: str, *args: str) -> str:
    env = {**os.environ, "EMBED_MODE": "hash"}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_work_runs_in_a_child_and_its_result_or_error_comes_back() -> None:
    out = _python(
        """
        import os
        import time
        from index.errors import NewsdeskError
        from index.ingest import forked

        here = os.getpid()
        assert forked.can_fork()
        ran = []
        print(forked.beside(lambda: os.getpid() != here, lambda: ran.append(os.getpid())), ran == [here])

        def fails():
            raise NewsdeskError("the corpus vanished")

        try:
            forked.beside(fails, lambda: None)
        except NewsdeskError as exc:
            print("raised", exc)

        def dies():  # a child that ends without answering: the work runs here instead
            if os.getpid() != here:
                os._exit(3)
            return "ran here"

        print(forked.beside(dies, lambda: None))

        def hangs():  # a child that never answers is killed after SILENCE: the work runs here
            if os.getpid() != here:
                time.sleep(60)
            return "not waited for"

        forked.SILENCE = 0.5
        print(forked.beside(hangs, lambda: None))

        def unpicklable():  # an answer the child cannot send: the work runs here
            return (lambda: 1) if os.getpid() != here else "ran here again"

        print(forked.beside(unpicklable, lambda: None))

        def no_fork():
            raise OSError(11, "Resource temporarily unavailable")

        os.fork = no_fork  # no process to spare: the work runs here
        print(forked.beside(lambda: os.getpid() == here, lambda: None))
        """
    )
    assert out.splitlines() == [
        "True True",
        "raised the corpus vanished",
        "ran here",
        "not waited for",
        "ran here again",
        "True",
    ]


def test_the_child_dies_with_its_parent(tmp_path: Path) -> None:
    # it holds copies of the parent's descriptors (the index lock's): an orphan kept the
    # lock held after `kill -9` of the parent until its walk ended
    pid_file = tmp_path / "child.pid"
    script = """
        import os, signal, sys, time
        from index.ingest import forked

        def work():
            with open(sys.argv[1] + ".tmp", "w") as f:
                f.write(str(os.getpid()))
            os.rename(sys.argv[1] + ".tmp", sys.argv[1])
            time.sleep(60)

        def meanwhile():
            while not os.path.exists(sys.argv[1]):
                time.sleep(0.05)
            os.kill(os.getpid(), signal.SIGKILL)

        forked.beside(work, meanwhile)
        """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), str(pid_file)], cwd=ROOT, timeout=60
    )
    assert done.returncode == -9
    child = int(pid_file.read_text())
    for _ in range(100):
        try:
            state = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return
        if state in ("Z", "X"):
            return
        time.sleep(0.05)
    os.kill(child, 9)
    raise AssertionError("the child outlived its parent")


def test_with_another_thread_running_nothing_is_forked() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not forked.can_fork()
        order: list[str] = []
        pid = forked.beside(lambda: order.append("work") or os.getpid(), lambda: order.append("meanwhile"))
    finally:
        stop.set()
        thread.join()
    assert pid == os.getpid() and order == ["meanwhile", "work"]


@pytest.mark.slow
def test_a_forked_walk_adds_and_removes_articles_like_any_run(corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    subprocess.run(
        newsdesk_command(corpus, index_dir, "index"),
        check=True,
        capture_output=True,
        env={**os.environ, "EMBED_MODE": "hash"},
        cwd=ROOT,
        timeout=120,
    )
    (corpus / "kyiv.txt").write_text(
        "Blinken in Kyiv\n\nBlinken flew to Kyiv on Tuesday and promised more aid.", encoding="utf-8"
    )
    assert len(list(corpus.iterdir())) == 6
    gone = sorted(corpus.iterdir())[0].name
    (corpus / gone).unlink()
    # a fresh process's run, with the fork taken from one article on; then a run with the
    # folder as the last run left it (a no-op, or an edit), which does not fork
    out = _python(
        """
        import sys
        from pathlib import Path
        from index.ingest import forked, indexer
        from index.settings import load_settings

        indexer.FORK_FROM_ARTICLES = 1
        calls = []
        real = forked.beside
        forked.beside = lambda *a: calls.append(1) or real(*a)
        settings = load_settings(corpus_dir=Path(sys.argv[1]), index_dir=Path(sys.argv[2]))
        for _ in range(2):
            done = indexer.run_index(settings)
            print(done.added, done.removed, done.documents, len(calls))
        """,
        str(corpus),
        str(index_dir),
    )
    assert out.splitlines() == ["['kyiv.txt'] [" + repr(gone) + "] 5 1", "[] [] 5 1"]
    again = subprocess.run(
        newsdesk_command(corpus, index_dir, "ask", "Where did Blinken fly on Tuesday?", "--json"),
        capture_output=True,
        text=True,
        env={**os.environ, "EMBED_MODE": "hash"},
        cwd=ROOT,
        timeout=120,
    )
    assert again.returncode == 0, again.stderr
    assert "kyiv.txt" in {s["path"] for s in json.loads(again.stdout)["sources"]}
