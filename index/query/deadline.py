"""LLM_TIMEOUT as a bound on the whole LLM call, not on each read.

HTTP clients time out per read, so a server that drips one byte a second never trips
them (it took 280 s with LLM_TIMEOUT=5). Two layers:

- `call_within` runs the call in a daemon thread and stops waiting at the deadline: the
  question falls back to the extractive answer on time and its Discord slot is freed,
  whatever the backend (OpenAI-compatible, Ollama, or a test double).
- `DeadlineTransport` (OpenAI-compatible backend) makes the abandoned request itself end:
  its body stream raises once the deadline passed or past a size cap, closing the socket.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

import httpx

T = TypeVar("T")
MAX_RESPONSE_BYTES = 1_000_000  # a chat answer is a few KB; 10 MB is a broken or hostile server


class DeadlineExceeded(TimeoutError):
    """The LLM did not finish within LLM_TIMEOUT."""


def call_within(fn: Callable[[], T], seconds: float) -> T:
    """fn() if it finishes within seconds, else DeadlineExceeded (fn is left to finish alone)."""
    box: dict[str, object] = {}
    done = threading.Event()

    def work() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the caller
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=work, name="newsdesk-llm", daemon=True).start()
    if not done.wait(seconds):
        raise DeadlineExceeded(f"no complete answer within {seconds:g} s")
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


class ResponseTooLarge(httpx.ReadError):
    """The endpoint sent more than MAX_RESPONSE_BYTES."""


class _BoundedStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, deadline: float, max_bytes: int) -> None:
        self.inner, self.deadline, self.max_bytes = inner, deadline, max_bytes

    def __iter__(self) -> Iterator[bytes]:
        received = 0
        for chunk in self.inner:
            received += len(chunk)
            if time.monotonic() > self.deadline:
                raise httpx.ReadTimeout("LLM_TIMEOUT passed while the answer was still arriving")
            if received > self.max_bytes:
                raise ResponseTooLarge(f"its answer was larger than {self.max_bytes:,} bytes")
            yield chunk

    def close(self) -> None:
        self.inner.close()


class DeadlineTransport(httpx.HTTPTransport):
    """Every response body must arrive within `seconds` of the request and stay under a cap."""

    def __init__(self, seconds: float, max_bytes: int = MAX_RESPONSE_BYTES) -> None:
        super().__init__()
        self.seconds, self.max_bytes = seconds, max_bytes

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        deadline = time.monotonic() + self.seconds
        response = super().handle_request(request)
        assert isinstance(response.stream, httpx.SyncByteStream)
        response.stream = _BoundedStream(response.stream, deadline, self.max_bytes)
        return response
