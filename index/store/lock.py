"""One writer per index: an advisory lock the kernel drops when its holder dies."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from index.errors import IndexLockedError
from index.store.index_dir import not_writable, require_folder

LOCK_FILE = "index.store.lock"


class IndexLock:
    """Non-blocking exclusive lock on `<index_dir>/index.store.lock` (kill -9 safe: flock is released)."""

    def __init__(self, index_dir: Path) -> None:
        self.path = index_dir / LOCK_FILE
        self._fd: int | None = None

    def __enter__(self) -> IndexLock:
        require_folder(self.path.parent)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise not_writable(self.path.parent, exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise IndexLockedError(
                f"another `newsdesk index` (pid {holder}) is updating {self.path.parent}; "
                "wait for it to finish"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode("ascii"))
        self._fd = fd
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def writer(index_dir: Path) -> str | None:
    """The pid of the `newsdesk index` writing the index now, as it wrote it, or None when
    nothing holds the lock (or there is no lock file: nothing ever wrote there)."""
    try:
        fd = os.open(index_dir / LOCK_FILE, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return _holder(fd)
    except OSError:
        return None
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _holder(fd: int) -> str:
    """The pid the lock's holder wrote into the file."""
    return os.read(fd, 32).decode("ascii", "replace").strip() or "another process"
