"""The file manifest, `files.sqlite` in the index dir: one row per article the index holds.

A row is the article's path (its id), the content hash indexed for it, its published day,
and the (size, mtime_ns, ctime_ns, inode) its file had when that hash was read from it
(no stat: read the file again next run). It serves two ends:

- a stat cache, as git's index is one: a file whose stat matches its row is not opened;
- while the stamp in its meta table matches the index (`index/store/index_stamp.py`), the
  rows *are* the list of what the index holds, so `newsdesk index` compares the corpus
  with them and reads, writes and deletes only what differs.

It replaced `files.json`, a JSON manifest parsed whole and rewritten whole (2 MB at
10,000 files) on every change; here a change writes its own rows.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from index.store.sqlite_file import SqliteFile

FILE = "files.sqlite"
FORMAT = "newsdesk-files-1"

Stat = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode
# (size, mtime_ns, ctime_ns, inode, content hash, published day); the stat parts are
# None when the file is to be read again.
Row = tuple[Any, Any, Any, Any, str, "int | None"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, ctime_ns INTEGER, ino INTEGER,
    content_hash TEXT NOT NULL, day INTEGER) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS files_day ON files (day);
"""


# The rows last read or written per manifest file, with the version (a fresh token every
# write) they are at: a process that indexes again (`index --watch`, the bot's /reindex)
# does not parse 50,000 rows each run, only checks the version.
_LOADED: dict[Path, tuple[str, dict[str, Row]]] = {}


def row(stat: Stat | None, content_hash: str, day: int | None) -> Row:
    size, mtime, ctime, ino = stat if stat is not None else (None, None, None, None)
    return (size, mtime, ctime, ino, content_hash, day)


class FileManifest(SqliteFile):
    """Read whole once per run; written a row per change, in one transaction."""

    def __init__(self, index_dir: Path, create: bool = False) -> None:
        super().__init__(index_dir / FILE, _SCHEMA, FORMAT, create)

    @classmethod
    def open(cls, index_dir: Path) -> FileManifest | None:
        """The manifest to read, or None when there is none (or it is not one)."""
        try:
            manifest = cls(index_dir)
        except FileNotFoundError:
            return None
        try:
            if manifest.get_meta("format") == FORMAT:
                return manifest
        except sqlite3.DatabaseError:  # garbage bytes: the run goes the full way and replaces it
            pass
        manifest.close()
        return None

    def rows(self) -> dict[str, Row]:
        """Every row, by path (a copy: the caller may keep it across writes)."""
        version = self.get_meta("version") or ""
        loaded = _LOADED.get(self.path)
        if not version or loaded is None or loaded[0] != version:
            cursor = self._conn().execute(
                "SELECT path, size, mtime_ns, ctime_ns, ino, content_hash, day FROM files"
            )
            loaded = (version, {r[0]: r[1:] for r in cursor})
            _LOADED[self.path] = loaded
        return dict(loaded[1])

    def newest_day(self) -> int | None:
        found = self._conn().execute("SELECT MAX(day) FROM files").fetchone()[0]
        return None if found is None else int(found)

    def update(self, rows: Mapping[str, Row], deleted: Iterable[str], meta: Mapping[str, str]) -> None:
        """Write changed rows, drop deleted ones and set meta keys, all or nothing."""
        version = uuid.uuid4().hex
        deleted = list(deleted)
        with self._conn() as conn:
            conn.execute("BEGIN IMMEDIATE")
            found = conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
            conn.executemany(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(path, *r) for path, r in rows.items()],
            )
            conn.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in deleted])
            conn.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)", [*meta.items(), ("version", version)]
            )
        loaded = _LOADED.pop(self.path, None)
        if loaded is not None and found is not None and loaded[0] == found[0]:  # they were current
            data = loaded[1]
            data.update(rows)
            for path in deleted:
                data.pop(path, None)
            _LOADED[self.path] = (version, data)


def open_manifest(index_dir: Path) -> FileManifest:
    """The manifest to write; one SQLite cannot read is replaced by an empty one (the run
    then goes the full way and reads every file)."""
    try:
        return FileManifest(index_dir, create=True)
    except sqlite3.DatabaseError:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{index_dir / FILE}{suffix}").unlink(missing_ok=True)
        return FileManifest(index_dir, create=True)
