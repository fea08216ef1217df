"""Finding the corpus files, and saying which files were left out and why.

- Iterative, so a 1,500-deep folder tree is no `RecursionError`.
- A symlink whose target lies outside the corpus (`passwd.txt -> /etc/passwd`) is
  skipped as "symlink outside the corpus" unless NEWSDESK_FOLLOW_SYMLINKS is set: the
  corpus folder is what the user chose to publish, a link must not widen it.
- Files of a type newsdesk does not read (`.pdf`, `.docx`) are listed as "unsupported type"
  rather than ignored silently. Hidden files and folders are left out without a word.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from index.errors import NewsdeskError
from index.ingest.articles import SUPPORTED_SUFFIXES, Article, Skipped, read_article

OUTSIDE = "symlink outside the corpus"
FEEDS_FILE = "feeds.txt"  # the feed list `newsdesk feeds` reads, not an article
UNSUPPORTED = "unsupported type"


@dataclass
class CorpusFiles:
    files: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def require_corpus_dir(corpus_dir: Path) -> None:
    """The corpus must be a folder; say which way it is not."""
    if corpus_dir.is_dir():
        return
    if corpus_dir.exists():
        raise NewsdeskError(
            f"the corpus directory {corpus_dir} is a file, not a folder (--corpus-dir / NEWSDESK_CORPUS_DIR)"
        )
    raise NewsdeskError(f"corpus directory {corpus_dir} does not exist")


def walk_corpus(corpus_dir: Path, follow_symlinks: bool = False) -> CorpusFiles:
    """Every readable article file below corpus_dir (sorted), and what was skipped."""
    root = corpus_dir.resolve()
    out = CorpusFiles()
    stack = [corpus_dir]
    seen_dirs = {root}  # followed links may loop
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            rel = folder.relative_to(corpus_dir).as_posix()
            out.skipped.append(Skipped(f"{rel}/", f"unreadable folder: {exc.strerror or exc}"))
            continue
        for entry in entries:
            if entry.name.startswith(".") or (folder == corpus_dir and entry.name == FEEDS_FILE):
                continue
            path = Path(entry.path)
            rel = path.relative_to(corpus_dir).as_posix()
            try:
                if entry.is_symlink():
                    target = path.resolve(strict=True)
                    if not follow_symlinks and not target.is_relative_to(root):
                        out.skipped.append(Skipped(rel, OUTSIDE, keeps_indexed=False))
                        continue
                    if target.is_dir():
                        # Not followed by default: a link inside the corpus adds nothing new.
                        if follow_symlinks and target not in seen_dirs:
                            seen_dirs.add(target)
                            stack.append(path)
                        continue
                elif entry.is_dir(follow_symlinks=False):
                    if follow_symlinks:  # a link may lead here too: walk the folder once
                        real = path.resolve()
                        if real in seen_dirs:
                            continue
                        seen_dirs.add(real)
                    stack.append(path)
                    continue
                if not path.is_file():
                    continue  # fifos, sockets, devices: reading one could block forever
            except (OSError, RuntimeError) as exc:  # a broken or looping link
                reason = getattr(exc, "strerror", None) or "broken symlink"
                out.skipped.append(Skipped(rel, f"unreadable: {reason}"))
                continue
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                out.skipped.append(Skipped(rel, UNSUPPORTED, keeps_indexed=False))
                continue
            out.files.append(path)
    out.files.sort()
    out.skipped.sort(key=lambda s: s.path)
    return out


def load_corpus(
    corpus_dir: Path, max_bytes: int, follow_symlinks: bool = False
) -> tuple[list[Article], list[Skipped]]:
    """Read the whole corpus; a missing directory is a user error."""
    require_corpus_dir(corpus_dir)
    found = walk_corpus(corpus_dir, follow_symlinks)
    articles: list[Article] = []
    skipped = list(found.skipped)
    for path in found.files:
        item = read_article(corpus_dir, path, max_bytes)
        (articles if isinstance(item, Article) else skipped).append(item)  # type: ignore[arg-type]
    return articles, skipped
