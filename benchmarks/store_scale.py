"""One store-scale measurement in its own process (so RSS is this store's alone).

    python -m benchmarks.store_scale DIR N embedded|server

Inserts N random unit 384-dim vectors in batches, then times 200 queries (top 10).
Prints one JSON line: vectors, store, insert_per_s, query p50/p95 ms, peak RSS (MB).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np


def _rss_mb(pids: list[int]) -> int:
    """Resident memory now of this process and the server, if any (MB)."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) // 1024
        except OSError:
            pass
    return total


def main() -> None:
    import chromadb
    from chromadb.config import Settings

    directory, n, mode = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    server = None
    pids = [os.getpid()]
    if mode == "server":
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        chroma = Path(sys.executable).parent / "chroma"
        server = subprocess.Popen(
            [str(chroma), "run", "--path", str(directory), "--host", "127.0.0.1", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        pids.append(server.pid)
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        client = chromadb.HttpClient(
            host="127.0.0.1", port=port, settings=Settings(anonymized_telemetry=False)
        )
    else:
        client = chromadb.PersistentClient(path=str(directory), settings=Settings(anonymized_telemetry=False))
    try:
        coll = client.get_or_create_collection(
            "scale", configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
        )
        rng = np.random.default_rng(0)
        batch = min(5000, client.get_max_batch_size())
        started = time.perf_counter()
        for start in range(0, n, batch):
            size = min(batch, n - start)
            vecs = rng.standard_normal((size, 384)).astype(np.float32)
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            coll.add(
                ids=[f"v{start + i}" for i in range(size)],
                embeddings=vecs.tolist(),
                metadatas=[{"article_id": f"a{(start + i) // 10}"} for i in range(size)],
            )
        insert_s = time.perf_counter() - started
        queries = rng.standard_normal((200, 384)).astype(np.float32)
        times = []
        for q in queries:
            t = time.perf_counter()
            coll.query(query_embeddings=[(q / np.linalg.norm(q)).tolist()], n_results=10)
            times.append(time.perf_counter() - t)
        times.sort()
        print(
            json.dumps(
                {
                    "vectors": n,
                    "store": mode,
                    "insert_per_s": round(n / insert_s),
                    "query_p50_ms": round(times[len(times) // 2] * 1000, 2),
                    "query_p95_ms": round(times[int(len(times) * 0.95)] * 1000, 2),
                    "peak_rss_mb": _rss_mb(pids)
                    if mode == "server"
                    else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                }
            )
        )
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)


if __name__ == "__main__":
    main()
