"""Damaged vector files must not crash newsdesk.

Random bytes in Chroma's HNSW files (`data_level0.bin`, ...) make the Rust extension
segfault when the collection is first touched: `ask` and `index` died with exit 139 and
no message. Checksumming those files on every cold `ask` would cost time in proportion
to the index, so instead:

- after every successful `newsdesk index`, the writer records each vector file's size
  and mtime in `<index dir>/vectors.json`;
- before opening the store, `verify_vectors` compares them (a few `stat` calls); when
  they match, that is all.
- When they differ, each segment's 100-byte HNSW header is read. One that says no vector
  is persisted yet is fine: Chroma keeps the first ~1,000 vectors of a collection in its
  SQLite log and rewrites these files on every open (so their mtimes always differ on
  small indexes, and there is nothing to crash on). A header that makes no sense, or a
  level-0 neighbour list pointing past the last vector (random bytes there are what
  crashes hnswlib; in 24 random corruptions this check flagged every one that crashed a
  query), is damage. Otherwise a child process opens the collection and queries it as
  the last word: if it fails, the user gets one `Error:` line naming the fix; if it
  succeeds, the new sizes and mtimes are recorded, so these checks run once per change.
"""

from __future__ import annotations

import contextlib
import json
import os
import struct
import subprocess
import sys
import time
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
    fields = _header_fields(header)
    return None if fields is None else int(fields[3])


def _header_fields(header: bytes) -> tuple[Any, ...] | None:
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
    return fields if sane else None


def level0_sound(segment: Path, fields: tuple[Any, ...], rows_per_pass: int = 65_536) -> bool:
    """Every persisted vector's level-0 neighbour list is in range (hnswlib follows those
    ids blindly: random bytes there are what segfaults). Read in passes through a memory
    map, so memory stays bounded on large indexes."""
    import numpy as np

    count, size_data, max_m0 = fields[3], fields[4], fields[10]
    path = segment / "data_level0.bin"
    if path.stat().st_size < count * size_data:
        return False
    level0 = np.memmap(path, dtype=np.uint8, mode="r", shape=(count, size_data))
    slots = np.arange(max_m0)[None, :]
    for start in range(0, count, rows_per_pass):
        links = np.ascontiguousarray(level0[start : start + rows_per_pass, : 4 + 4 * max_m0]).view(np.uint32)
        sizes = links[:, 0] & 0xFFFF
        if sizes.size and int(sizes.max()) > max_m0:
            return False
        if (links[:, 1:][slots < sizes[:, None]] >= count).any():
            return False
    return True


def _files_say(chroma_path: Path) -> str:
    """ "empty" (no vector persisted), "damaged", or "vectors" (sound as far as reading the
    files can tell; a probe has the last word)."""
    verdict = "empty"
    for header in chroma_path.glob("*/header.bin"):
        try:
            fields = _header_fields(header.read_bytes())
            if fields is not None and fields[3] and not level0_sound(header.parent, fields):
                return "damaged"
        except (OSError, ValueError):
            fields = None
        if fields is None:
            return "damaged"
        if fields[3]:
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
    for _ in range(10):  # files a writer is rewriting right now: read them again once settled
        verdict = _files_say(chroma_path)
        now = signature(chroma_path)
        if now == files:
            break
        files = now
        time.sleep(0.2)
    if verdict == "damaged":
        raise _damaged(chroma_path, "its HNSW files hold values out of range")
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
