"""`newsdesk add URL...` and `newsdesk feeds`: articles from the web into the corpus.

Each fetched article is saved as a `.md` file with front matter (title, url, published,
outlet, author, fetched) under `<corpus>/web/<host>/`, so the corpus folder stays the one
source of truth (delete the file and the next `index` forgets the article), and then
indexed incrementally. A story already in the corpus is not saved again: same canonical
URL (as fetched, as the page declares it, or as a feed links it) or the same text. Feed
validators (ETag / Last-Modified) live in `<index>/fetch.json`, so re-reading an
unchanged feed costs a 304.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from index.dates import normalize_published
from index.errors import NewsdeskError
from index.ingest.articles import clean_text, decode, split_front_matter
from index.ingest.corpus_walk import FEEDS_FILE  # in the corpus folder: one feed URL a line, `#` comments
from index.ingest.web import WebClient, canonical, is_feed, is_html
from index.redact import redact_url
from index.settings import Settings
from index.store.chroma import write_json_atomic

WEB_FOLDER = "web"
STATE_FILE = "fetch.json"
MAX_ITEMS_PER_FEED = 50


@dataclass
class IntakeReport:
    saved: list[str] = field(default_factory=list)  # corpus paths written
    duplicates: list[str] = field(default_factory=list)  # URLs already in the corpus
    failed: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)
    feeds_unchanged: int = 0
    feeds_read: int = 0
    index: Any = None  # the IndexReport of the incremental index run, if any

    def to_json(self) -> dict[str, Any]:
        return {
            "saved": self.saved,
            "duplicates": [redact_url(u) for u in self.duplicates],
            "failed": [{"url": redact_url(u), "reason": r} for u, r in self.failed],
            "feeds_read": self.feeds_read,
            "feeds_unchanged": self.feeds_unchanged,
            "index": self.index.to_json() if self.index is not None else None,
        }


@dataclass
class _Known:
    """What the corpus already holds: canonical URLs and text digests."""

    urls: set[str] = field(default_factory=set)
    digests: set[str] = field(default_factory=set)


def _digest(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).lower().encode("utf-8")).hexdigest()


def known_articles(corpus_dir: Path, max_bytes: int) -> _Known:
    """URLs and text digests of the corpus's `.md`/`.txt` articles (their front matter)."""
    known = _Known()
    if not corpus_dir.is_dir():
        return known
    for path in corpus_dir.rglob("*"):
        if path.suffix.lower() not in (".md", ".txt") or any(p.startswith(".") for p in path.parts):
            continue
        try:
            if path.stat().st_size > max_bytes:
                continue
            meta, body = split_front_matter(decode(path.read_bytes()))
        except (OSError, ValueError):
            continue
        if meta.get("url"):
            known.urls.add(canonical(meta["url"]))
        text = clean_text(body)
        if text:
            known.digests.add(_digest(text))
    return known


def feed_urls(settings: Settings) -> list[str]:
    """Feeds from NEWSDESK_FEEDS and from `feeds.txt` in the corpus folder, in order, once each."""
    urls = list(settings.feeds)
    path = settings.corpus_dir / FEEDS_FILE
    if path.is_file():
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                urls.append(line)
    return list(dict.fromkeys(urls))


def _slug(text: str, limit: int = 60) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "article"


def _front_value(value: str) -> str:
    return " ".join(value.split())


def save_article(corpus_dir: Path, page: Any, url: str, feed_published: str = "") -> str:
    """Write one article as `.md` with front matter; returns its corpus-relative path."""
    host = (urlsplit(url).hostname or "unknown").removeprefix("www.")
    fetched = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    published = page.published or normalize_published(feed_published)
    folder = corpus_dir / WEB_FOLDER / _slug(host, 80)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{published[:10] or fetched[:10]}-{_slug(page.title or 'article')}"
    target = folder / f"{stem}.md"
    n = 2
    while target.exists():
        target = folder / f"{stem}-{n}.md"
        n += 1
    fields = {
        "title": page.title,
        "url": url,
        "published": published,
        "outlet": page.outlet or host,
        "author": page.author,
        "fetched": fetched,
    }
    head = "\n".join(f"{k}: {_front_value(v)}" for k, v in fields.items() if v)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(f"---\n{head}\n---\n\n{page.text}\n", encoding="utf-8")
    tmp.replace(target)
    return target.relative_to(corpus_dir).as_posix()


def _client(settings: Settings) -> WebClient:
    return WebClient(
        user_agent=settings.user_agent,
        timeout=settings.fetch_timeout,
        max_bytes=settings.fetch_max_bytes,
        per_host=settings.fetch_per_host,
    )


async def _fetch_page(web: WebClient, url: str, known: _Known) -> tuple[Any, str]:
    """(the extracted page, or None with why not: "" for a URL the corpus already has)."""
    from index.ingest.html import extract_page

    if canonical(url) in known.urls:
        return None, ""
    got = await web.get(url)
    if not got.ok:
        return None, got.error or "not modified"
    if not is_html(got):
        return None, f"not an HTML page ({got.content_type or 'unknown type'})"
    try:
        page = await asyncio.to_thread(extract_page, got.text(), got.final_url or url)
    except ValueError as exc:
        return None, str(exc)
    return (page, got.final_url), ""


async def _take_pages(
    web: WebClient, todo: list[tuple[str, str]], known: _Known, report: IntakeReport, corpus_dir: Path
) -> None:
    """Fetch the article URLs (url, feed date) at once; then save, in the order given, each
    one the corpus does not have: of two copies of a story the first listed is kept,
    whichever page arrived first."""
    fetched = await asyncio.gather(*(_fetch_page(web, url, known) for url, _ in todo))
    for (url, feed_published), (got, error) in zip(todo, fetched):
        if got is None:
            if error:
                report.failed.append((url, error))
            else:
                report.duplicates.append(url)
            continue
        page, final_url = got
        urls = {canonical(u) for u in (url, final_url, page.url) if u}
        digest = _digest(clean_text(page.text))
        if urls & known.urls or digest in known.digests:
            report.duplicates.append(url)
            continue
        known.urls |= urls
        known.digests.add(digest)
        report.saved.append(save_article(corpus_dir, page, page.url or final_url or url, feed_published))


def _load_state(index_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((index_dir / STATE_FILE).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


async def _add(settings: Settings, urls: list[str], report: IntakeReport) -> None:
    known = known_articles(settings.corpus_dir, settings.max_file_bytes)
    async with _client(settings) as web:
        await _take_pages(web, [(u, "") for u in urls], known, report, settings.corpus_dir)


async def _feeds(settings: Settings, feeds: list[str], report: IntakeReport) -> None:
    import feedparser

    known = known_articles(settings.corpus_dir, settings.max_file_bytes)
    state = _load_state(settings.index_dir)
    validators: dict[str, dict[str, str]] = state.get("feeds", {})
    async with _client(settings) as web:
        results = await asyncio.gather(*(web.get(f, validators.get(f)) for f in feeds))
        items: list[tuple[str, str]] = []
        for feed, got in zip(feeds, results):
            if got.not_modified:
                report.feeds_unchanged += 1
                continue
            if not got.ok:
                report.failed.append((feed, got.error))
                continue
            parsed = feedparser.parse(got.body)
            if not parsed.entries and (parsed.bozo or not is_feed(got)):
                report.failed.append((feed, "not an RSS or Atom feed"))
                continue
            report.feeds_read += 1
            validators[feed] = {"etag": got.etag, "last_modified": got.last_modified}
            for entry in parsed.entries[:MAX_ITEMS_PER_FEED]:
                link = str(entry.get("link", "")).strip()
                if link:
                    items.append((link, str(entry.get("published", "") or entry.get("updated", ""))))
        todo = list({canonical(u): (u, p) for u, p in reversed(items)}.values())[::-1]  # once each
        await _take_pages(web, todo, known, report, settings.corpus_dir)
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    write_json_atomic(settings.index_dir / STATE_FILE, {**state, "feeds": validators})


def _check_corpus(settings: Settings) -> None:
    if settings.corpus_dir.exists() and not settings.corpus_dir.is_dir():
        raise NewsdeskError(f"the corpus directory {settings.corpus_dir} is a file, not a folder")
    settings.corpus_dir.mkdir(parents=True, exist_ok=True)


def add_urls(
    settings: Settings, urls: list[str], index: bool = True, embed_model: Any = None
) -> IntakeReport:
    """Fetch article pages into the corpus, then index what changed."""
    bad = [u for u in urls if urlsplit(u).scheme not in ("http", "https") or not urlsplit(u).netloc]
    if bad:
        raise NewsdeskError(f"not an http(s) URL: {bad[0]}")
    _check_corpus(settings)
    report = IntakeReport()
    asyncio.run(_add(settings, list(dict.fromkeys(urls)), report))
    return _index(settings, report, index, embed_model)


def read_feeds(settings: Settings, index: bool = True, embed_model: Any = None) -> IntakeReport:
    """Read every feed, fetch its new items into the corpus, then index what changed."""
    _check_corpus(settings)
    feeds = feed_urls(settings)
    if not feeds:
        raise NewsdeskError(
            f"no feeds: list feed URLs in {settings.corpus_dir / FEEDS_FILE} (one a line) or NEWSDESK_FEEDS"
        )
    report = IntakeReport()
    asyncio.run(_feeds(settings, feeds, report))
    return _index(settings, report, index, embed_model)


def _index(settings: Settings, report: IntakeReport, index: bool, embed_model: Any) -> IntakeReport:
    if index and report.saved:
        from index.ingest.indexer import run_index

        report.index = run_index(settings, embed_model=embed_model)
    return report
