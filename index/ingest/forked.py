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

import contextlib
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
    parent = os.getpid()
    try:
        pid = os.fork()
    except OSError:  # no process to spare (a limit on processes, no memory)
        os.close(read_end)
        os.close(write_end)
        meanwhile()
        return work()
    if pid == 0:  # the child: never returns, never runs the parent's exit handlers
        os.close(read_end)
        _child(work, write_end, parent)
    os.close(write_end)
    try:
        meanwhile()
    finally:
        data = _answer(read_end, pid)
    try:
        ok, value = pickle.loads(data)
    except Exception:  # the child died, hung, or had an answer it could not send
        return work()
    if ok:
        return value  # type: ignore[no-any-return]
    raise value


def _answer(fd: int, pid: int) -> bytes:
    """What the child wrote, once it has closed the pipe; b"" if it said nothing for
    `SILENCE` seconds (a lock copied held would keep it waiting forever). The child is
    reaped whatever happens here (Ctrl-C included), and killed unless it finished."""
    chunks: list[bytes] = []
    finished = False
    poller = select.poll()  # not select(): it refuses descriptors past 1023
    poller.register(fd, select.POLLIN)
    try:
        while True:
            if not poller.poll(SILENCE * 1000):
                chunks = []
                break
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                finished = True
                break
            chunks.append(chunk)
    finally:
        os.close(fd)
        if not finished:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    return b"".join(chunks)


def _child(work: Callable[[], object], fd: int, parent: int) -> None:
    code = 0
    try:
        _die_with(parent)
        try:
            answer: tuple[bool, object] = (True, work())
        except BaseException as exc:  # noqa: BLE001 - the parent raises it
            answer = (False, exc)
        try:
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:
            data = b""  # unpicklable: the parent runs the work itself
        with os.fdopen(fd, "wb") as pipe:
            pipe.write(data)
    except BaseException:  # noqa: BLE001 - a closed pipe: the parent is gone
        code = 1
    finally:
        os._exit(code)


def _die_with(parent: int) -> None:
    """Have the kernel kill this child when the parent dies (`kill -9`): it holds copies
    of the parent's descriptors, the index lock's among them, which an orphan would keep
    held until its walk ends."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the call
        os._exit(1)
