"""Fetching pages and feeds politely: timeouts, a size cap, robots.txt, a per-host limit.

Every request names newsdesk in its User-Agent, is bounded as a whole (a server that
drips bytes is cut off at the timeout, not per read), stops reading past the size cap,
and is refused when the host's robots.txt disallows it. At most `per_host` requests go
to one host at once. Conditional headers (ETag / Last-Modified) are sent when the caller
has validators from an earlier fetch, so an unchanged feed costs a 304.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import httpx

HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = ("xml", "rss", "atom")  # substrings of feed content types


@dataclass
class Fetched:
    """One URL's outcome: a body, not-modified, or a reason it was not fetched."""

    url: str
    final_url: str = ""
    status: int = 0
    body: bytes = b""
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""
    error: str = ""  # set when there is no usable body
    not_modified: bool = False

    @property
    def ok(self) -> bool:
        return not self.error and not self.not_modified

    def text(self) -> str:
        from index.ingest.articles import decode

        return decode(self.body)


@dataclass
class WebClient:
    """One run's fetching: a shared httpx client, robots.txt per host, per-host slots."""

    user_agent: str
    timeout: float = 10.0
    max_bytes: int = 5_000_000
    per_host: int = 2
    _robots: dict[str, RobotFileParser | None] = field(default_factory=dict)
    _robots_locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    _unreachable: dict[str, str] = field(default_factory=dict)  # host -> why its robots.txt failed
    _slots: dict[str, asyncio.Semaphore] = field(default_factory=dict)
    _client: Any = None

    async def __aenter__(self) -> WebClient:
        self._client = httpx.AsyncClient(
            headers={"User-Agent": self.user_agent},
            timeout=httpx.Timeout(self.timeout),
            follow_redirects=True,
            max_redirects=5,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()

    def _slot(self, host: str) -> asyncio.Semaphore:
        return self._slots.setdefault(host, asyncio.Semaphore(self.per_host))

    async def allowed(self, url: str) -> bool:
        """What the host's robots.txt says about our User-Agent (fetched once per host).
        No robots.txt (404 and other 4xx) allows everything; 401/403 or a failing server
        allows nothing, as the robots.txt standard asks."""
        parts = urlsplit(url)
        host = f"{parts.scheme}://{parts.netloc}"
        lock = self._robots_locks.setdefault(host, asyncio.Lock())
        async with lock:
            if host not in self._robots:
                self._robots[host] = await self._read_robots(host)
        robots = self._robots[host]
        return robots is None or robots.can_fetch(self.user_agent, url)

    async def _read_robots(self, host: str) -> RobotFileParser | None:
        parser = RobotFileParser()
        got = await self._get(f"{host}/robots.txt", {}, check_robots=False)
        if got.error and not got.status:  # no answer at all: the page's error says why
            self._unreachable[host] = got.error
        if got.status in (401, 403) or got.status >= 500 or (got.error and not got.status):
            parser.disallow_all = True  # type: ignore[attr-defined]
            return parser
        if got.status >= 400 or got.error:
            return None
        parser.parse(got.body.decode("utf-8", "replace").splitlines())
        return parser

    async def get(self, url: str, validators: dict[str, str] | None = None) -> Fetched:
        """GET url within the limits; validators: {"etag", "last_modified"} from before."""
        return await self._get(url, validators or {}, check_robots=True)

    async def _get(self, url: str, validators: dict[str, str], check_robots: bool) -> Fetched:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return Fetched(url, error="not an http(s) URL")
        if check_robots and not await self.allowed(url):
            why = self._unreachable.get(f"{parts.scheme}://{parts.netloc}")
            return Fetched(url, error=why or "disallowed by robots.txt")
        headers = {}
        if validators.get("etag"):
            headers["If-None-Match"] = validators["etag"]
        if validators.get("last_modified"):
            headers["If-Modified-Since"] = validators["last_modified"]
        async with self._slot(parts.netloc):
            try:
                return await asyncio.wait_for(self._read(url, headers), self.timeout)
            except (TimeoutError, httpx.TimeoutException):
                return Fetched(url, error=f"timed out after {self.timeout:g} s")
            except httpx.TooManyRedirects:
                return Fetched(url, error="too many redirects")
            except httpx.HTTPError as exc:
                return Fetched(url, error=f"could not connect ({type(exc).__name__})")

    async def _read(self, url: str, headers: dict[str, str]) -> Fetched:
        async with self._client.stream("GET", url, headers=headers) as response:
            out = Fetched(
                url,
                final_url=str(response.url),
                status=response.status_code,
                content_type=response.headers.get("content-type", "").split(";")[0].strip().lower(),
                etag=response.headers.get("etag", ""),
                last_modified=response.headers.get("last-modified", ""),
            )
            if response.status_code == 304:
                out.not_modified = True
                return out
            if response.status_code >= 400:
                out.error = f"HTTP {response.status_code}"
                return out
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                out.error = f"larger than the {self.max_bytes:,}-byte limit ({int(declared):,} bytes)"
                return out
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    out.error = f"larger than the {self.max_bytes:,}-byte limit"
                    return out
                chunks.append(chunk)
            out.body = b"".join(chunks)
            return out


def canonical(url: str) -> str:
    """A URL as compared for duplicates: no fragment, lower-case scheme and host, no
    trailing slash on the path."""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def is_html(fetched: Fetched) -> bool:
    if fetched.content_type in HTML_TYPES:
        return True
    return not fetched.content_type and fetched.body.lstrip()[:15].lower().startswith(
        (b"<!doctype html", b"<html")
    )


def is_feed(fetched: Fetched) -> bool:
    return any(t in fetched.content_type for t in FEED_TYPES) or fetched.body.lstrip()[:5] == b"<?xml"
