"""Integration: everything against a real `chroma run` server, including a SIGKILL restart."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.store.file_manifest import FileManifest
from index.store.index_stamp import META_KEY

SEEDS = Path(__file__).resolve().parent.parent / "corpus"
CHROMA = Path(sys.executable).parent / "chroma"
pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ChromaServer:
    def __init__(self, path: Path, port: int) -> None:
        self.path, self.port = path, port
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("chroma run did not start")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ChromaServer]:
    if not CHROMA.exists():
        pytest.fail(f"{CHROMA} is missing: chromadb's CLI is part of the install")
    srv = ChromaServer(tmp_path / "chroma-server", free_port())
    srv.start()
    yield srv
    srv.kill()


def run(args: list[str], env: dict[str, str], module: bool = True) -> subprocess.CompletedProcess[str]:
    """newsdesk's CLI with args (module=False: args are the interpreter's own)."""
    command = [sys.executable, "-m", "bot.cli", *args] if module else [sys.executable, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)


def test_index_and_answer_through_a_chroma_server_that_is_killed_and_restarted(
    tmp_path: Path, server: ChromaServer
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    env = dict(os.environ, CHROMA_HOST="127.0.0.1", CHROMA_PORT=str(server.port))
    dirs = ["--corpus-dir", str(corpus), "--index-dir", str(tmp_path / "idx")]

    built = run([*dirs, "index", "--json"], env)
    assert built.returncode == 0, built.stderr
    assert json.loads(built.stdout.splitlines()[-1])["added"] == 5
    assert not (tmp_path / "idx" / "chroma").exists()  # vectors live in the server

    question = "Who is the Russian Foreign Minister that Blinken met?"
    first = run([*dirs, "ask", "--json", question], env)
    assert first.returncode == 0, first.stderr
    assert "Lavrov" in json.loads(first.stdout)["answer"]

    server.kill()
    down = run([*dirs, "ask", question], env)
    assert down.returncode == 1
    assert down.stderr.startswith(f"Error: cannot reach the Chroma server at 127.0.0.1:{server.port} (")
    assert down.stderr.endswith("is `chroma run` up?\n") and down.stderr.count("\n") == 1
    stuck = run([*dirs, "index"], env)  # in step here: the token is asked of the dead server
    assert stuck.returncode == 1
    assert stuck.stderr.startswith(f"Error: cannot reach the Chroma server at 127.0.0.1:{server.port} (")
    assert stuck.stderr.count("\n") == 1

    server.start()  # same path: the data survived the SIGKILL
    again = run([*dirs, "ask", "--json", question], env)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["answer"] == json.loads(first.stdout)["answer"]
    noop = run([*dirs, "index", "--json"], env)
    summary = json.loads(noop.stdout.splitlines()[-1])
    assert (summary["added"], summary["updated"], summary["removed"], summary["unchanged"]) == (0, 0, 0, 5)


def test_an_index_on_a_shared_server_sees_what_another_machine_wrote(
    tmp_path: Path, server: ChromaServer
) -> None:
    """The file manifest never stands for a collection other machines write to."""
    env = dict(os.environ, CHROMA_HOST="127.0.0.1", CHROMA_PORT=str(server.port))
    here, there = tmp_path / "here", tmp_path / "there"
    shutil.copytree(SEEDS, here)
    shutil.copytree(SEEDS, there)
    gone = sorted(there.iterdir())[0]
    gone.unlink()
    mine = ["--corpus-dir", str(here), "--index-dir", str(tmp_path / "idx-here"), "index", "--json"]
    theirs = ["--corpus-dir", str(there), "--index-dir", str(tmp_path / "idx-there"), "index", "--json"]

    assert json.loads(run(mine, env).stdout.splitlines()[-1])["added"] == 5
    stamp = in_step_stamp(tmp_path / "idx-here")
    assert stamp  # in step with the server's collection: the next run looks at changed files only
    noop = run(["-X", "importtime", "-m", "bot.cli", *mine], env, module=False)
    assert json.loads(noop.stdout.splitlines()[-1])["unchanged"] == 5
    assert not re.search(r"\|\s+chromadb$", noop.stderr, re.M)  # the token came over REST: no chromadb import
    (here / "zz_new.txt").write_text("Title: A new one\n\nThe harbour reopened on Monday.", encoding="utf-8")
    added = json.loads(run(mine, env).stdout.splitlines()[-1])
    assert (added["added"], added["unchanged"], added["chunks"]) == (1, 5, 29)
    assert in_step_stamp(tmp_path / "idx-here") not in ("", stamp)  # its own write: a new token

    assert json.loads(run(theirs, env).stdout.splitlines()[-1])["removed"] == 2  # from the shared collection
    summary = json.loads(run(mine, env).stdout.splitlines()[-1])
    assert (summary["added"], summary["unchanged"]) == (2, 4)  # put back: this corpus still has them


def in_step_stamp(index_dir: Path) -> str:
    """What the index's file manifest says the index is in step with ("": not trusted)."""
    manifest = FileManifest.open(index_dir)
    assert manifest is not None
    try:
        return str(manifest.get_meta(META_KEY) or "")
    finally:
        manifest.close()
