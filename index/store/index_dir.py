"""What the index folder allows: it must be a folder, and `newsdesk index` must be able to
write there. Questions need only read it (see index/store/read_only.py)."""

from __future__ import annotations

import os
from pathlib import Path

from index.errors import NewsdeskError


def require_folder(index_dir: Path) -> None:
    """A path that exists but is not a folder is a user mistake worth naming."""
    if index_dir.exists() and not index_dir.is_dir():
        raise NewsdeskError(
            f"the index directory {index_dir} is a file, not a folder (--index-dir / NEWSDESK_INDEX_DIR)"
        )


def not_writable(index_dir: Path, exc: OSError) -> NewsdeskError:
    """The error `newsdesk index` gives where it cannot write."""
    return NewsdeskError(
        f"the index directory {index_dir} is not writable ({exc.strerror or exc}); "
        "`newsdesk index` must write there (questions against it still work)"
    )


def writable(path: Path) -> bool:
    """Whether this process may write the folder and the files in it (root on a
    read-only mount may not; `os.access` knows both)."""
    if not os.access(path, os.W_OK):
        return False
    return all(os.access(child, os.W_OK) for child in path.iterdir() if child.is_file())
