"""A SQLite file beside Chroma in the index dir: one connection per thread, WAL when
writable, and opened immutable when the index may only be read (no WAL files written)."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

from index.store.index_dir import storage_problem


def signature(path: Path) -> list[int]:
    """Size and mtime of the file, plus the size of its write-ahead log: a write through
    SQLite lands there first; a reader only ever creates it empty. [] when it is missing."""
    try:
        st = path.stat()
    except OSError:
        return []
    try:
        wal = Path(f"{path}-wal").stat().st_size
    except OSError:
        wal = 0
    return [st.st_size, st.st_mtime_ns, wal]


def checkpoint(conn: sqlite3.Connection) -> None:
    """Move the write-ahead log into the file and empty it, so the file's `signature` is
    what it stays until someone writes again."""
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


class SqliteFile:
    """Shared by the keyword index (`lexical.py`) and the sentence store (`sentences.py`)."""

    def __init__(self, path: Path, schema: str, file_format: str, create: bool = False) -> None:
        self.path = path
        folder = path.parent
        if create:
            folder.mkdir(parents=True, exist_ok=True)
        self.writable = os.access(folder, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))
        if not create and not path.exists():
            raise FileNotFoundError(path)
        self._local = threading.local()
        self._writer = create  # a writer's full disk is its error; a reader falls back
        if create:
            with self._conn() as conn:
                conn.executescript(schema)
                conn.execute("INSERT OR IGNORE INTO meta VALUES ('format', ?)", (file_format,))

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if self.writable:
                conn = sqlite3.connect(self.path, timeout=30)
                try:
                    conn.execute("PRAGMA journal_mode=WAL")
                    conn.execute("PRAGMA synchronous=NORMAL")
                    conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # WAL reads write -shm
                except sqlite3.OperationalError as exc:
                    if self._writer or storage_problem(exc) is None:
                        raise
                    # A full disk: read the file as the last finished run left it (a failed
                    # run's uncommitted WAL frames are not part of it); writes fail clearly.
                    conn.close()
                    conn = sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True)
            else:  # a read-only index: nothing may be written, not even WAL files
                conn = sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True)
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def get_meta(self, key: str) -> str | None:
        row = self._conn().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._conn() as conn:
            conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
