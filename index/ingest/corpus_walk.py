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
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path

from index.errors import NewsdeskError
from index.ingest.articles import SUPPORTED_SUFFIXES, Article, Skipped, read_article
from index.text import without_surrogates

OUTSIDE = "symlink outside the corpus"
NOT_UTF8 = "file name is not valid UTF-8 (rename it)"
NOT_REGULAR = "not a regular file (a pipe, socket or device)"
FEEDS_FILE = "feeds.txt"  # the feed list `newsdesk feeds` reads, not an article
UNSUPPORTED = "unsupported type"
_NAME = attrgetter("name")


StatKey = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


def stat_key(st: os.stat_result) -> StatKey:
    """What a file's stat says about its content: ctime cannot be set from user space, so
    an edit that restores size and mtime (`cp -p`, `rsync -t`) still shows; a file replaced
    by another (write and rename) shows in the inode."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


@dataclass
class CorpusFiles:
    """The article files (path relative to the corpus, POSIX style, and stat; None when
    the stat failed), and what was left out."""

    corpus_dir: Path
    entries: list[tuple[str, StatKey | None]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def files(self) -> list[Path]:
        return [self.corpus_dir / rel for rel, _ in self.entries]


def require_corpus_dir(corpus_dir: Path) -> None:
    """The corpus must be a folder; say which way it is not."""
    if corpus_dir.is_dir():
        return
    if corpus_dir.exists():
        raise NewsdeskError(
            f"the corpus directory {corpus_dir} is a file, not a folder (--corpus-dir / NEWSDESK_CORPUS_DIR)"
        )
    raise NewsdeskError(f"corpus directory {corpus_dir} does not exist")


def walk_corpus(corpus_dir: Path, follow_symlinks: bool = False, ordered: bool = True) -> CorpusFiles:
    """Every readable article file below corpus_dir, and what was skipped.

    A plain file costs one `stat` and no `Path` object: every `newsdesk index` walks the
    whole corpus, and at 10,000 files pathlib was most of a no-op run. Folders are walked
    depth first; ordered: with their entries in name order, which puts the files in the
    order `Path`s sort in (`path_order`). Unordered saves the sorting (a tenth of a walk)
    for callers that only compare; followed links always walk in order, so the same copy
    of a linked folder is the one found each time."""
    root = corpus_dir.resolve()
    out = CorpusFiles(corpus_dir)
    seen_dirs = {root}  # followed links may loop
    ordered = ordered or follow_symlinks
    stack: list[tuple[Iterator[os.DirEntry[str]], str]] = []  # open folders, each with its prefix
    _enter(str(corpus_dir), "", ordered, stack, out)
    while stack:
        entries, prefix = stack.pop()
        for entry in entries:
            name = entry.name
            if name[0] == "." or (not prefix and name == FEEDS_FILE):
                continue
            rel = prefix + name
            if without_surrogates(name) != name:  # not UTF-8: it could not be stored
                out.skipped.append(Skipped(without_surrogates(rel), NOT_UTF8, keeps_indexed=False))
                continue
            try:
                if entry.is_file(follow_symlinks=False):
                    pass  # a plain file, the common case: one check
                elif entry.is_symlink():
                    target = _link_target(entry, rel, root, follow_symlinks, out)
                    if target is None:
                        continue
                    if target.is_dir():
                        # Not followed by default: a link inside the corpus adds nothing new.
                        if follow_symlinks and target not in seen_dirs:
                            seen_dirs.add(target)
                            stack.append((entries, prefix))  # back to the rest after the folder
                            _enter(entry.path, rel + "/", ordered, stack, out)
                            break
                        continue
                    if not target.is_file():  # fifos, sockets, devices: reading one could block forever
                        out.skipped.append(Skipped(rel, NOT_REGULAR, keeps_indexed=False))
                        continue
                elif entry.is_dir(follow_symlinks=False):
                    if follow_symlinks:  # a link may lead here too: walk the folder once
                        real = Path(entry.path).resolve()
                        if real in seen_dirs:
                            continue
                        seen_dirs.add(real)
                    stack.append((entries, prefix))
                    _enter(entry.path, rel + "/", ordered, stack, out)
                    break
                else:  # fifos, sockets, devices: reading one could block forever
                    out.skipped.append(Skipped(rel, NOT_REGULAR, keeps_indexed=False))
                    continue
            except (OSError, RuntimeError) as exc:  # a broken or looping link
                reason = getattr(exc, "strerror", None) or "broken symlink"
                out.skipped.append(Skipped(rel, f"unreadable: {reason}"))
                continue
            if not name.lower().endswith(SUPPORTED_SUFFIXES):
                out.skipped.append(Skipped(rel, UNSUPPORTED, keeps_indexed=False))
                continue
            try:
                st = entry.stat()  # follows a link (to a file inside the corpus)
                out.entries.append((rel, (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)))
            except OSError:
                out.entries.append((rel, None))  # reading it will say what is wrong
    out.skipped.sort(key=lambda s: s.path)
    return out


def path_order(rel: str) -> str:
    """Sort key that puts POSIX relative paths in the order `Path`s sort in (part by part):
    the separator becomes a character below any other."""
    return rel.replace("/", "\x00")


def _enter(
    folder: str,
    prefix: str,
    ordered: bool,
    stack: list[tuple[Iterator[os.DirEntry[str]], str]],
    out: CorpusFiles,
) -> None:
    """Open a folder: its entries (in name order if ordered) go on the stack."""
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=_NAME) if ordered else list(it)
    except OSError as exc:
        rel = prefix.rstrip("/") or "."
        out.skipped.append(Skipped(f"{rel}/", f"unreadable folder: {exc.strerror or exc}"))
        return
    stack.append((iter(entries), prefix))


def _link_target(
    entry: os.DirEntry[str], rel: str, root: Path, follow_symlinks: bool, out: CorpusFiles
) -> Path | None:
    """Where a symlink leads, or None when it leads out of the corpus (and may not).
    Raises OSError or RuntimeError for a broken or looping link."""
    target = Path(entry.path).resolve(strict=True)
    if not follow_symlinks and not target.is_relative_to(root):
        out.skipped.append(Skipped(rel, OUTSIDE, keeps_indexed=False))
        return None
    return target


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
