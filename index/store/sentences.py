"""The sentence side of the index: `text.sqlite` in the index dir.

Chroma holds the chunks (the truth about what is indexed); this file holds what the
answerer needs per sentence of each indexed article version (article id + content hash):
offsets, quotable span, entities, sentence vector and token states, plus each article's
content terms and the document frequency of every term (for IDF). `newsdesk index`
writes an article's sentences right after its chunks and deletes them with them; each
run also compares the two and fills in or drops what differs (an index built elsewhere,
by an older newsdesk, or a lost file), so this is a cache that can always be rebuilt.
SQLite in WAL mode lets questions read while `index` writes.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.store.sqlite_file import SqliteFile
from index.text import fold

FILE = "text.sqlite"
FORMAT = "newsdesk-text-1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    article_id TEXT NOT NULL, content_hash TEXT NOT NULL, title TEXT NOT NULL,
    terms TEXT NOT NULL, n_sentences INTEGER NOT NULL,
    PRIMARY KEY (article_id, content_hash));
CREATE TABLE IF NOT EXISTS sentences (
    article_id TEXT NOT NULL, content_hash TEXT NOT NULL, idx INTEGER NOT NULL,
    chunk INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL,
    quote_start INTEGER NOT NULL, quote_end INTEGER NOT NULL, kind TEXT NOT NULL,
    text TEXT NOT NULL, entities TEXT NOT NULL, vector BLOB NOT NULL, tokens BLOB NOT NULL,
    PRIMARY KEY (article_id, content_hash, idx));
CREATE INDEX IF NOT EXISTS sentences_chunk ON sentences (article_id, content_hash, chunk);
CREATE TABLE IF NOT EXISTS df (term TEXT PRIMARY KEY, n INTEGER NOT NULL);
"""


@dataclass(frozen=True)
class StoredSentence:
    article_id: str
    content_hash: str
    idx: int
    chunk: int
    start: int
    end: int
    quote_start: int
    quote_end: int
    kind: str
    text: str
    entities: list[tuple[int, int, str]]
    vector: bytes
    tokens: bytes

    @property
    def quote(self) -> str:
        return self.text[self.quote_start : self.quote_end]


def open_for_writing(index_dir: Path) -> SentenceStore:
    """The store `newsdesk index` writes. A file SQLite finds damaged ("database disk
    image is malformed") is deleted and started afresh: everything in it derives from the
    chunks, and the run puts each article's sentences back from them, embedding nothing
    (`afresh` says so to a run that would otherwise write only what changed). (`newsdesk
    ask` advised `index --full`, which crashed on the same file.)"""
    store = None
    try:
        store = SentenceStore(index_dir, create=True)
        store.probe()
        return store
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError):  # locked, disk full: not damage
            raise
        if store is not None:
            store.close()  # its connection holds the damaged file open
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{index_dir / FILE}{suffix}").unlink(missing_ok=True)
    store = SentenceStore(index_dir, create=True)
    store.afresh = True
    return store


KEPT_CHUNKS = 1024  # chunks' sentences a thread keeps between questions (oldest go first)


def _stored(row: tuple[Any, ...]) -> StoredSentence:
    """A `sentences` table row as read (`SELECT *`)."""
    return StoredSentence(
        article_id=row[0],
        content_hash=row[1],
        idx=row[2],
        chunk=row[3],
        start=row[4],
        end=row[5],
        quote_start=row[6],
        quote_end=row[7],
        kind=row[8],
        text=row[9],
        entities=[(int(a), int(b), str(label)) for a, b, label in json.loads(row[10])],
        vector=row[11],
        tokens=row[12],
    )


class SentenceStore(SqliteFile):
    """One connection per thread; writes in one transaction per article."""

    def __init__(self, index_dir: Path, create: bool = False) -> None:
        super().__init__(index_dir / FILE, _SCHEMA, FORMAT, create)
        self._titles: tuple[tuple[Any, ...], list[str]] | None = None
        self.afresh = False  # `open_for_writing` found it damaged and started it empty

    # -- what is stored ------------------------------------------------------------------
    def probe(self) -> None:
        """Read every page of the articles table, making no rows: damage shows here, not
        halfway through a run (a third of the time of reading its 50,000 keys)."""
        self._conn().execute("SELECT count(*) FROM articles NOT INDEXED").fetchone()

    def known(self) -> set[tuple[str, str]]:
        return {(a, h) for a, h in self._conn().execute("SELECT article_id, content_hash FROM articles")}

    def put(
        self, article_id: str, content_hash: str, title: str, terms: set[str], records: list[Any]
    ) -> None:
        """Store one article version's sentences (records: `SentenceRecord`s); replaces it."""
        self._local.kept = None  # this connection's own writes leave `data_version` as it is
        with self._conn() as conn:
            self._delete(conn, article_id, content_hash)
            conn.execute(
                "INSERT INTO articles VALUES (?, ?, ?, ?, ?)",
                (article_id, content_hash, title, " ".join(sorted(terms)), len(records)),
            )
            conn.executemany(
                "INSERT INTO sentences VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        article_id,
                        content_hash,
                        r.idx,
                        r.chunk,
                        r.start,
                        r.end,
                        r.quote_start,
                        r.quote_end,
                        r.kind,
                        r.text,
                        json.dumps(r.entities),
                        r.vector,
                        r.tokens,
                    )
                    for r in records
                ],
            )
            conn.executemany(
                "INSERT INTO df VALUES (?, 1) ON CONFLICT(term) DO UPDATE SET n = n + 1",
                [(t,) for t in terms],
            )

    def delete(self, keys: Iterable[tuple[str, str]]) -> None:
        self._local.kept = None
        with self._conn() as conn:
            for article_id, content_hash in keys:
                self._delete(conn, article_id, content_hash)

    @staticmethod
    def _delete(conn: sqlite3.Connection, article_id: str, content_hash: str) -> None:
        row = conn.execute(
            "SELECT terms FROM articles WHERE article_id = ? AND content_hash = ?", (article_id, content_hash)
        ).fetchone()
        if row is None:
            return
        terms = [(t,) for t in row[0].split()]
        conn.executemany("UPDATE df SET n = n - 1 WHERE term = ?", terms)
        conn.execute("DELETE FROM df WHERE n <= 0")
        conn.execute(
            "DELETE FROM articles WHERE article_id = ? AND content_hash = ?", (article_id, content_hash)
        )
        conn.execute(
            "DELETE FROM sentences WHERE article_id = ? AND content_hash = ?", (article_id, content_hash)
        )

    # -- reading for a question ----------------------------------------------------------
    def sentences(self, article_id: str, content_hash: str, chunks: Iterable[int]) -> list[StoredSentence]:
        """Sentences of one article version whose first chunk is one of `chunks`, in order.
        Kept per chunk for the next question (follow-ups read the same articles): an
        article version's sentences change only when this file is written, and a write
        clears what was kept (`_kept`)."""
        wanted = sorted(set(chunks))
        if not wanted:
            return []
        kept = self._kept()
        got: dict[int, list[StoredSentence]] = {}
        missing = []
        for c in wanted:
            found = kept.get((article_id, content_hash, c))
            if found is None:
                missing.append(c)
            else:
                got[c] = found
        if missing:
            fetched: dict[int, list[StoredSentence]] = {c: [] for c in missing}
            for row in self._conn().execute(
                f"SELECT * FROM sentences WHERE article_id = ? AND content_hash = ? "
                f"AND chunk IN ({','.join('?' * len(missing))}) ORDER BY idx",
                (article_id, content_hash, *missing),
            ):
                fetched[row[3]].append(_stored(row))
            while kept and len(kept) + len(missing) > KEPT_CHUNKS:  # the oldest go
                kept.pop(next(iter(kept)))
            for c, found in fetched.items():
                kept[(article_id, content_hash, c)] = found
            got.update(fetched)
        return sorted((s for found in got.values() for s in found), key=lambda s: s.idx)

    def _kept(self) -> dict[tuple[str, str, int], list[StoredSentence]]:
        """This thread's sentences by chunk, emptied when another connection has written
        the file since (SQLite's `data_version`) or this one did (`put`, `delete`)."""
        local = self._local
        version = self._conn().execute("PRAGMA data_version").fetchone()[0]
        kept: dict[tuple[str, str, int], list[StoredSentence]] | None = getattr(local, "kept", None)
        if kept is None or getattr(local, "version", None) != version:
            kept = local.kept = {}
            local.version = version
        return kept

    def sentence_states(
        self, article_id: str, content_hash: str
    ) -> dict[tuple[int, int], tuple[bytes, bytes]]:
        """(start, end) -> (vector, token states) of an article version's stored sentences."""
        rows = self._conn().execute(
            "SELECT start, end, vector, tokens FROM sentences WHERE article_id = ? AND content_hash = ?",
            (article_id, content_hash),
        )
        return {(int(a), int(b)): (bytes(v), bytes(t)) for a, b, v, t in rows}

    def article_terms(self, article_id: str, content_hash: str) -> tuple[str, set[str]] | None:
        row = (
            self._conn()
            .execute(
                "SELECT title, terms FROM articles WHERE article_id = ? AND content_hash = ?",
                (article_id, content_hash),
            )
            .fetchone()
        )
        return None if row is None else (str(row[0]), set(row[1].split()))

    def in_a_title(self, name: str) -> bool:
        """Whether some article's title holds the name as a whole word, accents and case
        folded as for the text ("Zurich" in "Floods hit Zürich old town"): a title from
        front matter is not in the text the terms come from ("... settles north London
        derby" over a report that never repeats "London")."""
        pattern = re.compile(rf"(?<!\w){re.escape(fold(name))}(?!\w)")
        return any(pattern.search(title) for title in self._folded_titles())

    def _folded_titles(self) -> list[str]:
        """Every article's title, folded; read again when articles were added or replaced."""
        conn = self._conn()
        version = tuple(conn.execute("SELECT COUNT(*), MAX(rowid) FROM articles").fetchone())
        cached = self._titles
        if cached is None or cached[0] != version:
            cached = (version, [fold(str(t)) for (t,) in conn.execute("SELECT title FROM articles")])
            self._titles = cached
        return cached[1]

    def terms_near(self, term: str, within: int) -> list[str]:
        """Terms some article holds that start with term's first letter and differ in
        length from it by at most `within` (the candidates for a misspelt name)."""
        first = term[:1]
        if not first:
            return []
        rows = self._conn().execute(
            "SELECT term FROM df WHERE term >= ? AND term < ? AND n > 0 AND length(term) BETWEEN ? AND ?",
            (first, chr(ord(first) + 1), len(term) - within, len(term) + within),
        )
        return [str(t) for (t,) in rows]

    def hyphenated_with(self, term: str) -> list[str]:
        """Terms some article holds that are written with a hyphen or slash and have a part
        starting with term's first three letters ("bar-ilan" for "ilan", "sony-ericsson" for
        "soni", "allied-sign" for "signal": a part is stemmed otherwise than the word alone,
        `unknown.is_part` decides): asked only for a name no article holds alone, so the
        scan of the terms is rare."""
        if len(term) < 3:
            return []
        plain = term[:3].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        patterns = (f"{plain}%-%", f"{plain}%/%", f"%-{plain}%", f"%/{plain}%")
        rows = self._conn().execute(
            "SELECT term FROM df WHERE n > 0 AND (" + " OR ".join(["term LIKE ? ESCAPE '\\'"] * 4) + ")",
            patterns,
        )
        return [str(t) for (t,) in rows]

    def document_frequencies(self, terms: Iterable[str]) -> tuple[dict[str, int], int]:
        """(articles holding each term, articles in all)."""
        terms = list(dict.fromkeys(terms))
        conn = self._conn()
        total = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        if not terms:
            return {}, int(total)
        marks = ",".join("?" * len(terms))
        found = dict(conn.execute(f"SELECT term, n FROM df WHERE term IN ({marks})", terms).fetchall())
        return {t: int(found.get(t, 0)) for t in terms}, int(total)
