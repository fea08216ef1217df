"""Querying an index the process may not write.

Chroma writes to its SQLite database whenever it opens it (even with migrations only
validated), so an index in a read-only folder fails with "attempt to write a readonly
database". Such an index is opened from a private copy of its Chroma folder in the temp
dir, made once per process and per change of the index, and removed at exit. BM25 and the
state file are read in place.
"""

from __future__ import annotations

import os
from pathlib import Path

_copies: dict[Path, tuple[tuple[int, ...], Path]] = {}


def _signature(path: Path) -> tuple[int, ...]:
    """Changes when Chroma's files do (size and mtime of each)."""
    out: list[int] = []
    for root, _, files in os.walk(path):
        for name in sorted(files):
            st = os.stat(os.path.join(root, name))
            out += [st.st_size, st.st_mtime_ns]
    return tuple(out)


def private_copy(path: Path) -> Path:
    """A writable copy of a read-only Chroma folder, reused while the original is unchanged."""
    import atexit
    import shutil
    import tempfile

    source = path.resolve()
    signature = _signature(source)
    known = _copies.get(source)
    if known is not None and known[0] == signature and known[1].is_dir():
        return known[1]
    tmp = Path(tempfile.mkdtemp(prefix="newsdesk-readonly-"))
    atexit.register(shutil.rmtree, tmp, True)
    target = tmp / "chroma"
    shutil.copytree(source, target, copy_function=shutil.copyfile)
    for root, _dirs, files in os.walk(target):
        os.chmod(root, 0o700)
        for name in files:
            os.chmod(os.path.join(root, name), 0o600)
    if known is not None:  # an older copy: open handles keep working after the unlink
        shutil.rmtree(known[1].parent, ignore_errors=True)
    _copies[source] = (signature, target)
    return target
