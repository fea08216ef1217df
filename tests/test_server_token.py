"""The writer token read over Chroma's REST API: only a clear answer counts.

Against a real local HTTP server standing in for `chroma run` (the real server is in
tests/test_chroma_server.py): anything but a 200 with the collection's own JSON gives
None, so the run asks through chromadb's client instead of trusting a stranger.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from index.settings import Settings
from index.store.chroma import _writer_over_rest

PATH = "/api/v2/tenants/default_tenant/databases/default_database/collections/newsdesk_1"


class Reply:
    status = 200
    body = b""
    seen: list[str] = []


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        Reply.seen.append(self.path)
        self.send_response(Reply.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(Reply.body)))
        self.end_headers()
        self.wfile.write(Reply.body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[int]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    Reply.seen = []
    yield int(httpd.server_address[1])
    httpd.shutdown()
    httpd.server_close()


def answer(status: int, body: Any) -> None:
    Reply.status = status
    Reply.body = body if isinstance(body, bytes) else json.dumps(body).encode()


def test_the_collections_own_answer_gives_its_token(
    server: int, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(chroma_host="127.0.0.1", chroma_port=server)
    answer(200, {"name": "newsdesk_1", "metadata": {"writer": "abc123", "chunk_size": 192}})
    assert _writer_over_rest(settings, "newsdesk_1") == "abc123"
    assert Reply.seen == [PATH]


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (404, {"error": "NotFoundError"}),
        (401, {"error": "Unauthorized"}),
        (200, b"<html>a proxy's page</html>"),
        (200, {"name": "another_collection", "metadata": {"writer": "abc123"}}),
        (200, {"name": "newsdesk_1", "metadata": None}),
        (200, {"name": "newsdesk_1", "metadata": {"writer": 7}}),
        (200, ["newsdesk_1"]),
    ],
)
def test_anything_else_is_no_answer(
    server: int, make_settings: Callable[..., Settings], status: int, body: Any
) -> None:
    settings = make_settings(chroma_host="127.0.0.1", chroma_port=server)
    answer(status, body)
    assert _writer_over_rest(settings, "newsdesk_1") is None
    assert Reply.seen == [PATH]


def test_a_host_it_cannot_spell_safely_is_left_to_chromadb(
    server: int, make_settings: Callable[..., Settings]
) -> None:
    answer(200, {"name": "newsdesk_1", "metadata": {"writer": "abc123"}})
    for host in ("http://127.0.0.1", "user:secret@127.0.0.1", "::1"):
        assert _writer_over_rest(make_settings(chroma_host=host, chroma_port=server), "newsdesk_1") is None
    assert Reply.seen == []


def test_a_dead_port_is_no_answer(make_settings: Callable[..., Settings]) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])  # closed when the block ends: nothing listens there
    assert _writer_over_rest(make_settings(chroma_host="127.0.0.1", chroma_port=port), "newsdesk_1") is None
