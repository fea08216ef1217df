"""Scanning the corpus against the file manifest: what is new or changed, what is gone.

A file whose (size, mtime_ns, ctime_ns, inode) matches its manifest row is not opened
(`index/store/file_manifest.py`); any other is read, cleaned and hashed, so a file that
was only touched hashes the same and is no change, and one replaced within the same
second by another of the same size still differs in ctime or inode. A file modified less
than 2 s before the scan gets no stat in the manifest: a second write in the same
timestamp tick could leave its stat unchanged, so it is read again next run. Stats the
manifest took with another loader (its source or the size limit changed) are not
trusted: every file is read again; `newsdesk index --full` ignores them too.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from index import dates
from index.ingest import articles as articles_module
from index.ingest import furniture, html, html_tags, json_article, markdown, mojibake, wrapping
from index.ingest.articles import SUPPORTED_SUFFIXES, Article, Skipped, read_article
from index.ingest.corpus_walk import (
    FEEDS_FILE,
    CorpusFiles,
    StatKey,
    path_order,
    require_corpus_dir,
    stat_key,
    walk_corpus,
)
from index.store.file_manifest import Row
from index.text import without_surrogates

LEGACY_CACHE = "files.json"  # the JSON manifest before `files.sqlite`: read once, then removed
RACY_NS = 2_000_000_000


@dataclass(frozen=True)
class ArticleRef:
    """An article known from the manifest by id and hash; its text is read only when needed."""

    id: str
    path: str
    content_hash: str


@dataclass
class Scan:
    """The corpus now, against the manifest rows it was scanned with."""

    order: list[str] = field(default_factory=list)  # every article file found (in no order)
    read: dict[str, Article] = field(default_factory=dict)  # opened this scan, in path order
    unchanged: list[str] = field(default_factory=list)  # stat as in the manifest: not opened
    stats: dict[str, StatKey | None] = field(default_factory=dict)  # of those read; None: too recent
    skipped: list[Skipped] = field(default_factory=list)
    known: Mapping[str, Row] = field(default_factory=dict)
    matched: int = 0  # files found that have a row

    @property
    def documents(self) -> int:
        return len(self.read) + len(self.unchanged)

    def articles(self) -> list[Article | ArticleRef]:
        """Every article, in path order: those read in full, the rest by reference."""
        out: list[Article | ArticleRef] = []
        for path in sorted(self.order, key=path_order):
            article = self.read.get(path)
            if article is not None:
                out.append(article)
            elif path in self.known:
                out.append(ArticleRef(id=path, path=path, content_hash=self.known[path][4]))
        return out

    def gone(self) -> list[str]:
        """Manifest rows whose file is no longer there. A file still there but unreadable,
        or under a folder that turned unreadable, keeps its article (a bad save never loses
        one); a file that must not be indexed (a link out of the corpus) does not."""
        if self.matched == len(self.known):
            return []  # every row's file was found
        missing = self.known.keys() - set(self.order)
        kept = {s.path for s in self.skipped if s.keeps_indexed}
        folders = tuple(p for p in kept if p.endswith("/"))
        return sorted(p for p in missing if p not in kept and not p.startswith(folders))

    def cached_stat(self, path: str, content_hash: str) -> StatKey | None:
        """The stat to keep for a file whose indexed version has this hash (None: read it
        again next run)."""
        article = self.read.get(path)
        if article is not None:
            return self.stats.get(path) if article.content_hash == content_hash else None
        row = self.known.get(path)
        if row is not None and row[4] == content_hash and row[0] is not None:
            return (row[0], row[1], row[2], row[3])
        return None


# Every module that shapes an article's text from its file's bytes (tests/test_in_step.py
# checks the list against what reading each kind of file imports).
LOADER_MODULES = (
    articles_module,
    html_tags,
    html,
    dates,
    furniture,
    json_article,
    markdown,
    mojibake,
    wrapping,
)


def loader_key(max_bytes: int) -> str:
    """Changes when the loader's code or the size limit does: stats taken with another
    loader do not vouch for today's hashes (a new furniture rule reads every file again, so
    no article keeps a line the new code drops)."""
    digest = hashlib.sha256()
    for module in LOADER_MODULES:
        digest.update(Path(module.__file__ or "").read_bytes())
    digest.update(str(max_bytes).encode())
    return digest.hexdigest()[:16]


def scan_corpus(
    corpus_dir: Path,
    max_bytes: int,
    known: Mapping[str, Row],
    trust_stats: bool = True,
    follow_symlinks: bool = False,
) -> Scan:
    """Walk the corpus; read the files whose stat is not the one in their `known` row."""
    require_corpus_dir(corpus_dir)
    found = walk_corpus(corpus_dir, follow_symlinks, ordered=False)
    return _scan_found(corpus_dir, max_bytes, known, found, trust_stats)


def scan_changed(
    corpus_dir: Path, max_bytes: int, known: Mapping[str, Row], changed: Iterable[str]
) -> Scan | None:
    """A scan told which files changed (by change notifications: `index --watch`), so
    only those are looked at; every other file is taken to be as its `known` row says.
    None when a change needs the full walk: a folder, a link, a path outside the corpus."""
    require_corpus_dir(corpus_dir)
    looked: dict[str, StatKey | None] = {}
    again = [rel for rel, r in known.items() if r[0] is None]  # too recent or unreadable last time
    for rel in [*changed, *again]:
        parts = rel.split("/")
        if not rel or ".." in parts or rel.startswith("/") or without_surrogates(rel) != rel:
            return None
        if rel in looked or any(p.startswith(".") for p in parts) or rel == FEEDS_FILE:
            continue
        try:
            st = os.lstat(corpus_dir / rel)
        except FileNotFoundError:
            looked[rel] = None  # gone
            continue
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode):
            return None  # a folder or a link: what it holds is the walk's to say
        looked[rel] = stat_key(st) if rel.lower().endswith(SUPPORTED_SUFFIXES) else None
    found = CorpusFiles(corpus_dir)
    found.entries = [
        (rel, (r[0], r[1], r[2], r[3])) for rel, r in known.items() if rel not in looked and r[0] is not None
    ]
    found.entries += [(rel, st) for rel, st in looked.items() if st is not None]
    return _scan_found(corpus_dir, max_bytes, known, found, trust_stats=True)


def _scan_found(
    corpus_dir: Path, max_bytes: int, known: Mapping[str, Row], found: CorpusFiles, trust_stats: bool
) -> Scan:
    now = time.time_ns()
    scan = Scan(known=known)
    scan.order = [rel for rel, _ in found.entries]
    to_read: list[tuple[str, StatKey | None]] = []
    for rel, key in found.entries:
        row = known.get(rel)
        if row is not None:
            scan.matched += 1
            if trust_stats and row[:4] == key:
                scan.unchanged.append(rel)
                continue
        to_read.append((rel, key))
    unreadable: list[Skipped] = []
    for rel, key in sorted(to_read, key=lambda e: path_order(e[0])):
        item = read_article(corpus_dir, corpus_dir / rel, max_bytes)
        if isinstance(item, Skipped):
            unreadable.append(item)  # read again every run, so the report keeps naming it
            continue
        scan.read[rel] = item
        scan.stats[rel] = key if key is not None and now - key[1] > RACY_NS else None
    scan.skipped = found.skipped + unreadable
    return scan


def legacy_rows(index_dir: Path, key: str) -> dict[str, Row]:
    """The stats and hashes of the JSON manifest an older newsdesk kept, as rows: the
    first run after the upgrade then reads only what changed."""
    try:
        data = json.loads((index_dir / LEGACY_CACHE).read_text(encoding="utf-8"))
        if data.get("key") != key:
            return {}
        return {
            rel: (e[0], e[1], e[2], e[3], str(e[5]), None)
            for rel, e in data["files"].items()
            if isinstance(e, list) and len(e) == 6
        }
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        return {}


def drop_legacy(index_dir: Path) -> None:
    with contextlib.suppress(OSError):
        (index_dir / LEGACY_CACHE).unlink(missing_ok=True)


def materialize(corpus_dir: Path, item: Article | ArticleRef, max_bytes: int) -> Article | Skipped:
    """The full article for a reference (read from disk now)."""
    if isinstance(item, Article):
        return item
    return read_article(corpus_dir, corpus_dir / item.path, max_bytes)
