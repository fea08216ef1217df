"""A small LLM server for tests: real HTTP, scripted replies, in OpenAI's and Ollama's dialects."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

EMBED_AXES = ("pipeline", "troops", "sanctions", "lavrov", "zelensk", "cyber", "nato", "biden")


def keyword_vector(text: str) -> list[float]:
    """A hand-built embedding: keyword counts (plus a constant), L2-normalised."""
    lowered = text.lower()
    v = [float(lowered.count(a)) for a in EMBED_AXES] + [0.1]
    norm = sum(x * x for x in v) ** 0.5
    return [x / norm for x in v]


class ScriptedOpenAI:
    """Serve `POST /v1/chat/completions`, `/v1/embeddings` and Ollama's `/api/chat` on a free
    loopback port.

    Each request pops one scripted step: {"content": str}, {"status": int},
    {"sleep": seconds, "content": str}, or {"drip": seconds, "content": str} (the response
    body one byte per `drip` seconds, as a server stuck in a slow loop sends it). With the
    script empty it answers "(no script)". `gone` counts drips the client walked away from.
    """

    def __init__(self) -> None:
        self.script: deque[dict[str, Any]] = deque()
        self.requests: list[dict[str, Any]] = []
        self.gone = threading.Semaphore(0)  # released when a dripped-to client hangs up
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                outer.requests.append({"path": self.path, "body": body})
                step = outer.script.popleft() if outer.script else {"content": "(no script)"}
                if "sleep" in step:
                    time.sleep(step["sleep"])
                if "status" in step:
                    self._send(
                        step["status"],
                        {
                            "error": {
                                "message": step.get("message", "scripted failure"),
                                "type": "server_error",
                            }
                        },
                    )
                    return
                if self.path.endswith("/embeddings"):
                    texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
                    self._send(
                        200,
                        {
                            "object": "list",
                            "model": body.get("model", "test"),
                            "data": [
                                {"object": "embedding", "index": i, "embedding": keyword_vector(t)}
                                for i, t in enumerate(texts)
                            ],
                            "usage": {"prompt_tokens": 1, "total_tokens": 1},
                        },
                    )
                    return
                if self.path == "/api/chat":  # Ollama
                    self._send(
                        200,
                        {
                            "model": body.get("model", "test"),
                            "created_at": "2026-01-01T00:00:00Z",
                            "message": {"role": "assistant", "content": step["content"]},
                            "done": True,
                            "done_reason": "stop",
                            "prompt_eval_count": 1,
                            "eval_count": 1,
                        },
                        drip=step.get("drip", 0.0),
                    )
                    return
                if not self.path.endswith("/chat/completions"):
                    self._send(404, {"error": {"message": "not found"}})
                    return
                self._send(
                    200,
                    {
                        "id": "chatcmpl-test",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": body.get("model", "test"),
                        "choices": [
                            {
                                "index": 0,
                                "finish_reason": "stop",
                                "message": {"role": "assistant", "content": step["content"]},
                            }
                        ],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    },
                    drip=step.get("drip", 0.0),
                )

            def _send(self, status: int, payload: dict[str, Any], drip: float = 0.0) -> None:
                data = json.dumps(payload).encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    if not drip:
                        self.wfile.write(data)
                        return
                    for i in range(len(data)):
                        self.wfile.write(data[i : i + 1])
                        self.wfile.flush()
                        time.sleep(drip)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                    if drip:
                        outer.gone.release()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # A short poll: `shutdown` waits up to one poll interval (0.5 s by default, per server).
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    @property
    def root_url(self) -> str:
        """Where an Ollama client points (it adds `/api/...` itself)."""
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> ScriptedOpenAI:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
