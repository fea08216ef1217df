"""Which files the corpus holds: links out of it, unsupported types, deep trees, bad paths."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.cli import cli
from index.ingest.corpus_walk import NOT_UTF8, OUTSIDE, UNSUPPORTED, walk_corpus
from index.ingest.indexer import run_index
from index.settings import Settings
from index.store.chroma import open_active

ROOT_QUESTION = "What is the home directory of the root user?"


def _secret(tmp_path: Path) -> Path:
    """A file outside the corpus, standing in for /etc/passwd."""
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\nThe root user's home directory is /root.\n")
    return secret


def _indexed_text(settings: Settings) -> str:
    return " ".join(open_active(settings).collection.get(include=["documents"])["documents"])


def test_a_symlink_out_of_the_corpus_is_skipped_and_its_old_chunks_removed(
    tmp_path: Path, corpus: Path, make_settings: Any, counting: Any
) -> None:
    secret = _secret(tmp_path)
    (corpus / "passwd.txt").symlink_to(secret)
    (corpus / "inner.txt").symlink_to(corpus / "003_96b30b9797db3545.txt")  # inside: fine

    # With the setting on, the link is followed (the old behaviour, now opt-in).
    report = run_index(make_settings(follow_symlinks=True), embed_model=counting)
    assert "passwd.txt" in report.added and "/root" in _indexed_text(make_settings())

    settings = make_settings()
    report = run_index(settings, embed_model=counting)
    assert {(s.path, s.reason) for s in report.skipped} == {("passwd.txt", OUTSIDE)}
    assert report.removed == ["passwd.txt"]  # what the link leaked before is gone
    assert "/root" not in _indexed_text(settings)
    assert "inner.txt" not in report.removed
    from index.query.engine import Engine

    answer = Engine(settings, embed_model=counting).ask(ROOT_QUESTION)
    assert "root:x" not in answer.text and all(s.source != "passwd.txt" for s in answer.sources)


def test_linked_folders_and_broken_links(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "real").mkdir(parents=True)
    (corpus / "real" / "a.txt").write_text("Alpha story.\n")
    (corpus / "again").symlink_to(corpus / "real")  # inside: its files are found once
    (corpus / "etc").symlink_to(_secret(tmp_path).parent)
    (corpus / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    (corpus / "loop").symlink_to(corpus)

    found = walk_corpus(corpus)
    assert [p.relative_to(corpus).as_posix() for p in found.files] == ["real/a.txt"]
    reasons = {s.path: s.reason for s in found.skipped}
    assert reasons["etc"] == OUTSIDE
    assert reasons["dangling.txt"].startswith("unreadable")
    assert set(reasons) == {"etc", "dangling.txt"}

    followed = walk_corpus(corpus, follow_symlinks=True)
    assert [p.name for p in followed.files] == ["a.txt"]  # one copy, however many links lead there
    # The linked folder outside is walked now; passwd has no article suffix.
    assert {s.path: s.reason for s in followed.skipped}["etc/passwd"] == UNSUPPORTED


def test_unsupported_types_are_listed_in_the_summary(tmp_path: Path, corpus: Path) -> None:
    (corpus / "notes.docx").write_bytes(b"PK\x03\x04 not read")
    (corpus / "scan.pdf").write_bytes(b"%PDF-1.4")
    (corpus / ".hidden.pdf").write_bytes(b"%PDF-1.4")  # hidden: not mentioned
    dirs = ["--corpus-dir", str(corpus), "--index-dir", str(tmp_path / "idx")]
    result = CliRunner().invoke(cli, [*dirs, "index", "--dry-run"])
    assert result.exit_code == 0
    assert "  skipped: notes.docx (unsupported type)" in result.stdout
    assert "  skipped: scan.pdf (unsupported type)" in result.stdout
    assert "hidden" not in result.stdout and "5 added" in result.stdout
    result = CliRunner().invoke(cli, [*dirs, "index", "--dry-run", "--json"])
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["skipped"] == [
        {"path": "notes.docx", "reason": UNSUPPORTED},
        {"path": "scan.pdf", "reason": UNSUPPORTED},
    ]


def _deep_tree(parent: Path, depth: int) -> None:
    """parent/deep/d/d/.../d/story.txt, built relative to open folders (no long paths)."""
    os.mkdir(parent / "deep")
    current = os.open(parent / "deep", os.O_RDONLY)
    for _ in range(depth):
        os.mkdir("d", dir_fd=current)
        nxt = os.open("d", os.O_RDONLY, dir_fd=current)
        os.close(current)
        current = nxt
    with open(os.open("story.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=current), "w") as fh:
        fh.write("Deep story\n\nFound at the bottom of the tree.")
    os.close(current)


def _remove_deep_tree(parent: Path) -> None:
    """Bottom-up without recursion: pytest's own cleanup (shutil.rmtree) would recurse too deep."""
    fds = [os.open(parent / "deep", os.O_RDONLY)]
    while "d" in os.listdir(fds[-1]):
        fds.append(os.open("d", os.O_RDONLY, dir_fd=fds[-1]))
    os.unlink("story.txt", dir_fd=fds[-1])
    while len(fds) > 1:
        os.close(fds.pop())
        os.rmdir("d", dir_fd=fds[-1])
    os.close(fds.pop())
    os.rmdir(parent / "deep")


def test_a_very_deep_tree_is_walked(tmp_path: Path) -> None:
    _deep_tree(tmp_path, 1500)
    try:
        corpus = tmp_path / "deep"
        found = walk_corpus(corpus)
        assert len(found.files) == 1 and found.files[0].name == "story.txt"
        result = CliRunner().invoke(
            cli, ["--corpus-dir", str(corpus), "--index-dir", str(tmp_path / "idx"), "index", "--dry-run"]
        )
        assert result.exit_code == 0 and result.stdout.startswith("1 added"), result.output
    finally:
        _remove_deep_tree(tmp_path)


def test_corpus_dir_that_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "corpus.txt"
    target.write_text("not a folder")
    result = CliRunner().invoke(
        cli, ["--corpus-dir", str(target), "--index-dir", str(tmp_path / "i"), "index"]
    )
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: the corpus directory {target} is a file, not a folder (--corpus-dir / NEWSDESK_CORPUS_DIR)\n"
    )


@pytest.mark.parametrize("follow", [False, True])
def test_follow_symlinks_setting_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, follow: bool
) -> None:
    from index.settings import load_settings

    monkeypatch.setenv("NEWSDESK_FOLLOW_SYMLINKS", str(follow).lower())
    assert load_settings().follow_symlinks is follow


def test_file_names_cannot_send_escape_sequences_to_the_terminal(tmp_path: Path, corpus: Path) -> None:
    (corpus / "clear\x1b[2J\x1b]8;;evil\x07.pdf").write_bytes(b"%PDF")
    result = CliRunner().invoke(
        cli, ["--corpus-dir", str(corpus), "--index-dir", str(tmp_path / "idx"), "index", "--dry-run"]
    )
    assert result.exit_code == 0 and "unsupported type" in result.stdout
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout


def test_an_unreadable_folder_keeps_what_was_indexed_from_it() -> None:
    from index.ingest.articles import Skipped
    from index.ingest.indexer import _gone
    from index.store.chroma import ArticleState

    states = {
        "desk/a.txt": ArticleState(path="desk/a.txt"),
        "other/b.txt": ArticleState(path="other/b.txt"),
        "c.txt": ArticleState(path="c.txt"),
    }
    skipped = [
        Skipped("desk/", "unreadable folder: Permission denied"),
        Skipped("c.txt", OUTSIDE, keeps_indexed=False),
    ]
    assert sorted(_gone([], skipped, states)) == ["c.txt", "other/b.txt"]


def test_a_file_name_that_is_not_utf8_is_skipped_and_the_build_finishes(
    built_index: Settings, counting: Any
) -> None:
    """A Latin-1 file name (as an old archive unpacks) comes back from the OS with a lone
    surrogate that neither SQLite nor Chroma can store: it used to fail every build."""
    corpus = built_index.corpus_dir
    bad = corpus / os.fsdecode(b"latin1-\xe9.txt")
    bad.write_text("Latin name\n\nBaron Ulric Stroud bought a castle in Umbria.\n", encoding="utf-8")
    (corpus / "good.txt").write_text("Good name\n\nA ferry strike closed the port of Dover.\n")
    report = run_index(built_index, embed_model=counting)
    assert report.added == ["good.txt"]
    assert [(s.path, s.reason) for s in report.skipped] == [("latin1-\ufffd.txt", NOT_UTF8)]
    result = CliRunner().invoke(
        cli, ["--corpus-dir", str(corpus), "--index-dir", str(built_index.index_dir), "index", "--json"]
    )
    assert result.exit_code == 0
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["skipped"] == [{"path": "latin1-\ufffd.txt", "reason": NOT_UTF8}]
    assert "Stroud" not in _indexed_text(built_index) and "Dover" in _indexed_text(built_index)


def test_a_pipe_is_listed_as_skipped_and_a_newline_in_a_name_stays_on_its_line(
    tmp_path: Path, corpus: Path
) -> None:
    """A FIFO is never opened (reading one blocks) and used to be left out without a word;
    a name holding a newline split its report line in two."""
    os.mkfifo(corpus / "pipe.txt")
    (corpus / "new\nline.txt").write_text("Odd name\n\nA ferry strike closed the port of Dover.\n")
    dirs = ["--corpus-dir", str(corpus), "--index-dir", str(tmp_path / "idx")]
    result = CliRunner().invoke(cli, [*dirs, "index", "--dry-run"])
    assert result.exit_code == 0
    assert "  added: new\\nline.txt\n" in result.stdout
    assert "  skipped: pipe.txt (not a regular file (a pipe, socket or device))\n" in result.stdout
