"""The index folder as users get it wrong: a file in its place, or a folder they may only read."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from tests.commands import newsdesk_command

SEEDS = Path(__file__).resolve().parent.parent / "corpus"
QUESTION = "Who is the Russian Foreign Minister that Blinken met?"


def test_index_dir_that_is_a_file(tmp_path: Path, corpus: Path) -> None:
    target = tmp_path / "index.txt"
    target.write_text("my notes, not an index")
    dirs = ["--corpus-dir", str(corpus), "--index-dir", str(target)]
    message = (
        f"Error: the index directory {target} is a file, not a folder (--index-dir / NEWSDESK_INDEX_DIR)\n"
    )
    for command in (["index"], ["index", "--dry-run"], ["ask", "Who met Lavrov?"]):
        result = CliRunner().invoke(cli, [*dirs, *command])
        assert (result.exit_code, result.stderr) == (1, message), command
    assert target.read_text() == "my notes, not an index"  # nothing lost


def _as_other_user() -> list[str]:
    """A command prefix that runs as a user who cannot write the index (root writes anywhere)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: no way to run the CLI as a user chmod binds")
    return [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups"]


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A temp folder another user can reach (pytest's tmp_path is private to this user)."""
    path = Path(tempfile.mkdtemp(prefix="newsdesk-ro-test-"))
    path.chmod(0o755)
    yield path
    for root, dirs, _ in os.walk(path):
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o755)
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.slow  # newsdesk processes
def test_read_only_index_answers_and_index_says_it_is_not_writable(shared_dir: Path) -> None:
    corpus, index_dir, home = shared_dir / "corpus", shared_dir / "idx", shared_dir / "home"
    shutil.copytree(SEEDS, corpus)
    home.mkdir()
    base = newsdesk_command(corpus, index_dir)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "LLM_", "CHROMA_"))}
    env |= {"HOME": str(home), "PYTHONDONTWRITEBYTECODE": "1", "TMPDIR": str(home)}
    subprocess.run([*base, "index"], check=True, capture_output=True, timeout=300, env=env)
    for root, dirs, files in os.walk(shared_dir):
        for name in files:
            os.chmod(os.path.join(root, name), 0o444)
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o555 if name != "home" else 0o777)
    os.chmod(home, 0o777)
    before = {p: p.read_bytes() for p in index_dir.rglob("*") if p.is_file()}
    user = _as_other_user()
    cwd = str(home)

    asked = subprocess.run(
        [*user, *base, "ask", "--json", QUESTION],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=cwd,
    )
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert not answer["abstained"] and "Lavrov" in answer["answer"]

    indexed = subprocess.run(
        [*user, *base, "index"], capture_output=True, text=True, timeout=120, env=env, cwd=cwd
    )
    assert indexed.returncode == 1
    assert indexed.stderr == (
        f"Error: the index directory {index_dir} is not writable (Permission denied); "
        "`newsdesk index` must write there (questions against it still work)\n"
    )
    assert {p: p.read_bytes() for p in index_dir.rglob("*") if p.is_file()} == before  # nothing lost
    assert not list(home.glob("newsdesk-readonly-*")), "the private copy is removed at exit"
