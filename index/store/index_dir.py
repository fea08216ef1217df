"""What the index folder allows: it must be a folder, and `newsdesk index` must be able to
write there. Questions need only read it (see index/store/read_only.py)."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
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


_FULL = (errno.ENOSPC, errno.EDQUOT)
_FULL_TEXT = ("database or disk is full", "no space left on device", "disk quota exceeded")
_IO_TEXT = ("disk i/o error", "file too large", "input/output error")


def storage_problem(exc: BaseException) -> str | None:
    """'full' or 'io' when the exception (or one it wraps) is the disk failing a write."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            break
        text = str(seen).lower()
        if (isinstance(seen, OSError) and seen.errno in _FULL) or any(t in text for t in _FULL_TEXT):
            return "full"
        if (isinstance(seen, OSError) and seen.errno in (errno.EIO, errno.EFBIG)) or any(
            t in text for t in _IO_TEXT
        ):
            return "io"
        seen = seen.__cause__ or seen.__context__
    return None


@contextmanager
def storage_errors(index_dir: Path) -> Iterator[None]:
    """A disk that fills up (or fails) during `newsdesk index` is one clear error, not a
    traceback. Writes are ordered so that what was indexed before still answers."""
    try:
        yield
    except NewsdeskError:
        raise
    except Exception as exc:
        if not index_dir.is_dir():  # Chroma's "attempt to write a readonly database", and the like
            raise NewsdeskError(
                f"the index folder {index_dir} was removed while `newsdesk index` was writing to it;"
                " run `newsdesk index` again"
            ) from None
        problem = storage_problem(exc)
        if problem is None:
            raise
        what = (
            "the disk is full"
            if problem == "full"
            else "the disk refused a write (an I/O error or a size limit)"
        )
        raise NewsdeskError(
            f"could not write the index at {index_dir}: {what}; free some space and run "
            "`newsdesk index` again (what was indexed before still answers)"
        ) from None
