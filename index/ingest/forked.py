"""One piece of work in a forked child while this process does another.

A fresh `newsdesk index` at 50,000 articles paid two waits of ~0.25 s each, one after the
other, for a change: the stat walk of every corpus file, and Chroma's first touch of the
collection (any first call reads the whole HNSW index from disk). Chroma's Rust binding
holds the GIL while it loads, so a thread cannot overlap the two; a child process can.
With `fork` the child has the parent's memory (the manifest rows) without copying it, and
sends its result back pickled through a pipe.

Only on Linux, and only while this process runs no other Python thread: elsewhere, or when
the child fails in a way that leaves no result, the work runs here as it would have.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import sys
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
SILENCE = 300.0  # seconds without a word from the child before it is given up on


def can_fork() -> bool:
    return sys.platform == "linux" and hasattr(os, "fork") and threading.active_count() == 1


def beside(work: Callable[[], T], meanwhile: Callable[[], object]) -> T:
    """work()'s result (or its exception), run in a forked child while meanwhile() runs
    here. meanwhile's own exception is raised after the child is collected."""
    if not can_fork():
        meanwhile()
        return work()
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # no process to spare (a limit on processes, no memory)
        os.close(read_end)
        os.close(write_end)
        meanwhile()
        return work()
    if pid == 0:  # the child: never returns, never runs the parent's exit handlers
        os.close(read_end)
        _child(work, write_end)
    os.close(write_end)
    try:
        meanwhile()
    finally:
        data = _answer(read_end, pid)
    try:
        ok, value = pickle.loads(data)
    except Exception:  # the child died, or hung, before it could answer
        return work()
    if ok:
        return value  # type: ignore[no-any-return]
    raise value


def _answer(fd: int, pid: int) -> bytes:
    """What the child wrote, once it has closed the pipe; b"" if it said nothing for
    `SILENCE` seconds (it is killed: a lock copied held would keep it waiting forever)."""
    chunks: list[bytes] = []
    with os.fdopen(fd, "rb", buffering=0) as pipe:
        while True:
            ready, _, _ = select.select([pipe], [], [], SILENCE)
            if not ready:
                os.kill(pid, signal.SIGKILL)
                chunks = []
                break
            chunk = pipe.read(1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    os.waitpid(pid, 0)
    return b"".join(chunks)


def _child(work: Callable[[], object], fd: int) -> None:
    code = 0
    try:
        try:
            data = pickle.dumps((True, work()), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # noqa: BLE001 - the parent raises it
            try:
                data = pickle.dumps((False, exc), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:
                data = b""  # unpicklable: the parent runs the work itself
        with os.fdopen(fd, "wb") as pipe:
            pipe.write(data)
    except BaseException:  # noqa: BLE001 - a closed pipe: the parent is gone
        code = 1
    finally:
        os._exit(code)
