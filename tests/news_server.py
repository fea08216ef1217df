"""A local news site on 127.0.0.1 for the intake tests: a feed, realistic article pages
(navigation, cookie banner, `<time datetime>`, JSON-LD, comments), one story at two URLs,
and the ways fetching goes wrong (a page that never finishes, a 404, a PDF, a huge body,
a path robots.txt disallows). Counts requests, and honours ETag on the feed."""

from __future__ import annotations

import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ARTICLE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{title} | Harbour Herald</title>
<link rel="canonical" href="{canonical}">
<meta property="og:site_name" content="Harbour Herald">
<meta name="author" content="{author}">
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle",
"headline":"{title}","datePublished":"{published}T09:15:00Z",
"author":{{"@type":"Person","name":"{author}"}},"publisher":{{"@type":"Organization","name":"Harbour Herald"}}}}</script>
</head><body>
<div id="cookie-consent">We use cookies to improve your experience. Accept all cookies or manage privacy settings.</div>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li>
<li><a href="/weather">Weather</a></li><li><a href="/subscribe">Subscribe</a></li></ul></nav></header>
<main><article>
<h1>{title}</h1>
<p class="byline">By {author} · <time datetime="{published}T09:15:00Z">{published}</time></p>
{paragraphs}
</article>
<aside><h3>Most read</h3><ul><li><a href="/x">Ten gadgets you need this summer</a></li>
<li><a href="/y">Local bakery wins award</a></li></ul></aside>
<section class="comments"><h3>Comments</h3><p>First! Great piece, shared it with my whole family.</p></section>
</main>
<footer><p>© Harbour Herald. All rights reserved.</p><p><a href="/privacy">Privacy policy</a> · <a href="/terms">Terms</a></p></footer>
</body></html>"""

STORIES = {
    "/news/ferry-strike": (
        "Ferry workers strike over pay",
        "2024-03-11",
        "Mara Lindqvist",
        [
            "Ferry crews walked out on Monday morning, halting all crossings between the harbour and "
            "the three outer islands, the union said.",
            "The union said 240 deckhands and engineers joined the strike after talks on a 6 percent "
            "pay rise broke down late on Sunday.",
            "The operator said replacement boats would run a reduced timetable from Wednesday.",
        ],
    ),
    "/news/bridge-vote": (
        "Council approves harbour bridge",
        "2024-03-14",
        "Tomas Berg",
        [
            "The city council voted 31 to 18 on Thursday to build a new bridge across the harbour, "
            "ending a decade of debate.",
            "Construction is to start next spring and cost 410 million crowns, the council said.",
            "Opponents said the bridge would bring more traffic to the old town.",
        ],
    ),
}
FEED_ETAG = '"feed-v1"'


def page(path: str, canonical_path: str | None = None) -> str:
    title, published, author, paragraphs = STORIES[path]
    return ARTICLE.format(
        title=title,
        published=published,
        author=author,
        canonical="{base}" + (canonical_path or path),
        paragraphs="\n".join(f"<p>{p}</p>" for p in paragraphs),
    )


class NewsSite:
    """`with NewsSite() as site:` serves on a free port; `site.url("/feed.xml")`."""

    def __init__(self, slow_seconds: float = 5.0) -> None:
        self.requests: Counter[str] = Counter()
        self.headers: dict[str, dict[str, str]] = {}
        self.slow_seconds = slow_seconds
        self.max_parallel: Counter[str] = Counter()
        self._active = 0
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                site.requests[self.path] += 1
                site.headers[self.path] = dict(self.headers)
                with site._lock:
                    site._active += 1
                    site.max_parallel["all"] = max(site.max_parallel["all"], site._active)
                try:
                    site.handle(self)
                finally:
                    with site._lock:
                        site._active -= 1

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self) -> NewsSite:
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def feed(self) -> str:
        items = "".join(
            f"<item><title>{STORIES[p][0]}</title><link>{self.base}{p}</link><pubDate>{d}</pubDate></item>"
            for p, d in (
                ("/news/ferry-strike", "Mon, 11 Mar 2024 09:15:00 GMT"),
                ("/news/bridge-vote", "Thu, 14 Mar 2024 09:15:00 GMT"),
            )
        )
        items += f"<item><title>Same strike, syndicated</title><link>{self.base}/wire/ferry-strike-copy</link></item>"
        items += f"<item><title>Gone</title><link>{self.base}/news/missing</link></item>"
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Harbour Herald</title><link>{self.base}/</link>{items}</channel></rss>"
        )

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        path = h.path
        if path == "/robots.txt":
            return self._send(h, 200, "text/plain", "User-agent: *\nDisallow: /private/\n")
        if path == "/feed.xml":
            if h.headers.get("If-None-Match") == FEED_ETAG:
                return self._send(h, 304, "application/rss+xml", "")
            return self._send(h, 200, "application/rss+xml", self.feed(), {"ETag": FEED_ETAG})
        if path in STORIES:
            return self._send(h, 200, "text/html; charset=utf-8", page(path).replace("{base}", self.base))
        if path == "/wire/ferry-strike-copy":  # the same story, declaring the original canonical
            body = page("/news/ferry-strike").replace("{base}", self.base)
            return self._send(h, 200, "text/html", body)
        if path == "/mirror/ferry-strike":  # the same text, claiming to be its own original
            body = page("/news/ferry-strike", canonical_path=path).replace("{base}", self.base)
            return self._send(h, 200, "text/html", body)
        if path == "/slow":
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.send_header("Content-Length", "100000")
            h.end_headers()
            for _ in range(int(self.slow_seconds * 10)):
                try:
                    h.wfile.write(b"<p>drip</p>")
                    h.wfile.flush()
                except OSError:
                    return
                time.sleep(0.1)
            return
        if path.startswith("/delay/"):  # answers after a moment: overlapping requests show
            time.sleep(0.3)
            return self._send(h, 200, "text/plain", "plain text, not a page")
        if path == "/report.pdf":
            return self._send(h, 200, "application/pdf", "%PDF-1.4 not a page")
        if path == "/huge":
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.end_headers()  # no Content-Length: the cap must hold while reading
            try:
                for _ in range(200):
                    h.wfile.write(b"<p>" + b"x" * 65536 + b"</p>")
            except OSError:
                pass
            h.close_connection = True
            return
        if path.startswith("/private/"):
            return self._send(h, 200, "text/html", page("/news/bridge-vote").replace("{base}", self.base))
        return self._send(h, 404, "text/html", "<h1>Not found</h1>")

    @staticmethod
    def _send(
        h: BaseHTTPRequestHandler, status: int, ctype: str, body: str, extra: dict[str, str] | None = None
    ) -> None:
        data = body.encode("utf-8")
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            h.send_header(k, v)
        h.end_headers()
        if status != 304:
            h.wfile.write(data)
