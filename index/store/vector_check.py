"""Damaged vector files must not crash newsdesk.

Random bytes in Chroma's HNSW files (`data_level0.bin`, ...) make the Rust extension
segfault when the collection is first touched: `ask` and `index` died with exit 139 and
no message. Checksumming those files on every cold `ask` would cost time in proportion
to the index, so instead:

- after every successful `newsdesk index`, the writer records each vector file's size
  and mtime in `<index dir>/vectors.json`;
- before opening the store, `verify_vectors` compares them (a few `stat` calls); when
  they match, that is all.
- When they differ, each segment's 100-byte HNSW header is read. A header that makes no
  sense is damage. One that says no vector is persisted yet is fine: Chroma keeps the
  first ~1,000 vectors of a collection in its SQLite log and rewrites these files on
  every open (so their mtimes always differ on small indexes, and there is nothing to
  crash on). Otherwise a child process opens the collection and queries it: if the child
  crashes, the user gets one `Error:` line naming the fix; if it succeeds, the new sizes
  and mtimes are recorded, so the child runs once per change.
"""

from __future__ import annotations

import contextlib
import json
import os
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

from index.errors import NewsdeskError

MANIFEST = "vectors.json"
PROBE_TIMEOUT = 120  # seconds; loading a large HNSW index takes a while
# hnswlib's header as Chroma persists it: a format version, then the index parameters.
_HEADER = struct.Struct("<iQQQQQQiIQQQdQ")


def signature(chroma_path: Path) -> dict[str, list[int]]:
    """Size and mtime of every file in Chroma's segment folders (the HNSW files)."""
    files: dict[str, list[int]] = {}
    try:
        segments = [e for e in os.scandir(chroma_path) if e.is_dir()]
    except OSError:
        return files
    for segment in segments:
        try:
            entries = list(os.scandir(segment.path))
        except OSError:
            continue
        for entry in entries:
            if entry.is_file():
                st = entry.stat()
                files[f"{segment.name}/{entry.name}"] = [st.st_size, st.st_mtime_ns]
    return files


def _recorded(index_dir: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data.get("files") if isinstance(data, dict) else None


def record_vectors(index_dir: Path, chroma_path: Path, files: dict[str, list[int]] | None = None) -> None:
    """Remember the vector files as they are now, known good (a read-only dir: skipped)."""
    from index.store.chroma import write_json_atomic

    with contextlib.suppress(OSError):
        write_json_atomic(index_dir / MANIFEST, {"files": signature(chroma_path) if files is None else files})


def persisted_vectors(header: bytes) -> int | None:
    """How many vectors an hnswlib header (as Chroma writes it) says are persisted; None
    when the header is not a sane one."""
    if len(header) < _HEADER.size:
        return None
    fields = _HEADER.unpack_from(header)
    version, offset0, max_elements, count, size_data, label_offset, offset_data = fields[:7]
    max_level, entry, max_m, max_m0, m = fields[7:12]
    sane = (
        version == 1
        and offset0 == 0
        and 0 < m <= 4096
        and 0 < max_m <= 4096
        and 0 < max_m0 <= 8192
        and offset_data == 4 + 4 * max_m0
        and offset_data < label_offset
        and size_data == label_offset + 8
        and count <= max_elements < 1 << 40
        and -1 <= max_level < 64
        and (entry < count if count else entry in (0, 0xFFFFFFFF))
    )
    return count if sane else None


def _headers_say(chroma_path: Path) -> str:
    """ "empty" (no vector persisted), "damaged", or "vectors" (a probe must decide)."""
    verdict = "empty"
    for header in chroma_path.glob("*/header.bin"):
        try:
            count = persisted_vectors(header.read_bytes())
        except OSError:
            count = None
        if count is None:
            return "damaged"
        if count:
            verdict = "vectors"
    return verdict


def _damaged(chroma_path: Path, how: str) -> NewsdeskError:
    return NewsdeskError(
        f"the vector index in {chroma_path} is damaged ({how}); run `newsdesk index --full` to rebuild it"
    )


def verify_vectors(
    index_dir: Path, chroma_path: Path, collection: str, open_path: Path | None = None
) -> None:
    """Raise a NewsdeskError instead of crashing when the vector files are damaged.

    open_path: where the store will actually be opened (a private copy of a read-only one).
    """
    files = signature(chroma_path)
    if not files or files == _recorded(index_dir):
        return
    verdict = _headers_say(chroma_path)
    if verdict == "damaged":
        raise _damaged(chroma_path, "an HNSW header makes no sense")
    if verdict == "empty":
        return
    try:
        done = subprocess.run(
            [sys.executable, "-m", "index.store.vector_check", str(open_path or chroma_path), collection],
            capture_output=True,
            timeout=PROBE_TIMEOUT,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
    except subprocess.TimeoutExpired:
        raise _damaged(chroma_path, f"opening it in a test process took over {PROBE_TIMEOUT} s") from None
    if done.returncode != 0:
        how = f"signal {-done.returncode}" if done.returncode < 0 else f"exit code {done.returncode}"
        raise _damaged(chroma_path, f"opening it in a test process failed: {how}")
    if signature(chroma_path) == files:
        record_vectors(index_dir, chroma_path, files)


def _probe(path: str, collection: str) -> None:
    """Open the collection and touch its vectors the way `ask` and `index` do."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(path=path, settings=ChromaSettings(anonymized_telemetry=False))
    found: Any = client.get_collection(collection, embedding_function=None)
    if found.count():
        first = found.get(limit=1, include=["embeddings"])
        found.query(query_embeddings=[first["embeddings"][0]], n_results=1)


if __name__ == "__main__":
    _probe(sys.argv[1], sys.argv[2])
