"""What is indexed, article by article: `newsdesk articles` and `newsdesk show`.

Read from Chroma's chunk metadata (the truth about what is indexed), not the corpus
folder, so the list is what questions are answered from. An article's text is put back
together from its chunks' offsets; `ID#N` is one chunk, the passage a citation's
`chunk_id` names.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from index.dates import published_day
from index.errors import NewsdeskError
from index.query.scope import Scope
from index.store.chroma import ChunkStore, public_metadata


@dataclass
class ArticleRow:
    id: str
    title: str
    outlet: str
    published: str
    chunks: int
    path: str
    url: str = ""
    author: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def list_articles(store: ChunkStore, scope: Scope | None = None) -> list[ArticleRow]:
    """One row per indexed article (its current version), newest first; undated last.
    scope: only articles it admits (dates, outlet)."""
    rows: dict[str, ArticleRow] = {}
    hashes: dict[str, str] = {}
    for page in store._pages(["metadatas"]):
        for meta in page["metadatas"] or []:
            meta = meta or {}
            if scope is not None and not scope.admits(meta):
                continue
            aid = str(meta.get("article_id", ""))
            h = str(meta.get("content_hash", ""))
            row = rows.get(aid)
            if row is None or hashes[aid] != h:  # mid-update: two versions; count the one seen last
                rows[aid] = row = ArticleRow(
                    id=aid,
                    title=str(meta.get("title", "")),
                    outlet=str(meta.get("outlet", "")),
                    published=str(meta.get("published", "")),
                    chunks=0,
                    path=str(meta.get("path", "")),
                    url=str(meta.get("url", "")),
                    author=str(meta.get("author", "")),
                )
                hashes[aid] = h
            row.chunks += 1
    # Undated: no date, or front matter whose date is no date ("99999-99-99" is kept as
    # written, and sorted as text it came first).
    days = {aid: published_day(r.published) for aid, r in rows.items()}
    dated = sorted(
        (r for r in rows.values() if days[r.id] is not None), key=lambda r: (days[r.id], r.id), reverse=True
    )
    return dated + sorted((r for r in rows.values() if days[r.id] is None), key=lambda r: r.id)


@dataclass
class Shown:
    """An article (or one passage of it) as `newsdesk show` prints it."""

    id: str
    title: str
    outlet: str
    published: str
    path: str
    url: str
    author: str
    text: str
    chunk_id: str = ""  # set when one passage was asked for
    position: int | None = None
    chunks: int = 0

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in ("", None)}


def show(store: ChunkStore, ref: str) -> Shown:
    """`ID` (an article id, as in `articles` and in a source's `article_id`), `ID#N` (its
    passage N, counted from 0), or a full `chunk_id` from `ask --json`."""
    article_id, position = ref, None
    head, sep, tail = ref.rpartition("#")
    if sep and tail.isdigit():
        article_id, position = head, int(tail)
        if "#" in article_id:  # a full chunk id: article#hash#0003
            article_id = article_id.rpartition("#")[0]
    got = store.collection.get(where={"article_id": article_id}, include=["documents", "metadatas"])
    chunks = [(public_metadata(m), d or "") for m, d in zip(got["metadatas"] or [], got["documents"] or [])]
    if not chunks:
        raise NewsdeskError(f"no indexed article {article_id!r}; `newsdesk articles` lists them")
    versions: dict[str, list[tuple[dict[str, Any], str]]] = {}
    for m, d in chunks:
        versions.setdefault(str(m.get("content_hash", "")), []).append((m, d))
    # Mid-update an article has two versions: show a complete one.
    version = max(
        versions,
        key=lambda h: (len(versions[h]) == int(versions[h][0][0].get("n_chunks", -1)), len(versions[h])),
    )
    chunks = sorted(versions[version], key=lambda c: int(c[0].get("position", 0)))
    meta = chunks[0][0]
    common = {
        "id": article_id,
        "title": str(meta.get("title", "")),
        "outlet": str(meta.get("outlet", "")),
        "published": str(meta.get("published", "")),
        "path": str(meta.get("path", "")),
        "url": str(meta.get("url", "")),
        "author": str(meta.get("author", "")),
        "chunks": len(chunks),
    }
    if position is not None:
        if not 0 <= position < len(chunks):
            raise NewsdeskError(
                f"{article_id!r} has passages #0 to #{len(chunks) - 1}; there is no #{position}"
            )
        m, text = chunks[position]
        cid = f"{article_id}#{version[:16]}#{position:04d}"
        return Shown(**common, text=text, chunk_id=cid, position=position)  # type: ignore[arg-type]
    return Shown(**common, text=_joined(chunks))  # type: ignore[arg-type]


def _joined(chunks: list[tuple[dict[str, Any], str]]) -> str:
    """The article's text from its overlapping chunks, by character offsets."""
    size = max((int(m.get("start_char", 0)) + len(d) for m, d in chunks), default=0)
    chars = ["\n"] * size
    for m, d in chunks:
        a = int(m.get("start_char", 0))
        chars[a : a + len(d)] = d
    return "".join(chars).strip()
