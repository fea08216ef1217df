"""The keyword side of hybrid retrieval: an SQLite FTS5 index of the chunks, in the index dir.

It replaces a bm25s index that was rebuilt whole whenever a chunk changed: adding one
article to 2,000 cost 0.44 s there, and the cost grew with the corpus. FTS5 ranks with
BM25 (k1=1.2, b=0.75), and inserts and deletes are transactional B-tree updates whose
cost does not depend on how many chunks are indexed.

Chunks are tokenised exactly as the bm25s index did (lower case, `\\w\\w+`, bm25s's
English stop words, Snowball stems) and stored as space-joined stems, so FTS5's own
tokenizer only splits on spaces.

The file also mirrors what Chroma holds per chunk (id, article, content hash, chunk
count, text, metadata). `newsdesk index` reads the article states from it instead of
paging every chunk's metadata out of Chroma, which is what made a no-op run grow with
the corpus. The mirror is trusted only when it was synced to the collection's current
`writer` token (a fresh token is stored in the collection's metadata before any write,
by any process or machine) and counts as many chunks as Chroma; otherwise it is
reconciled from Chroma (the truth), fetching only chunks it lacks.

One file per Chroma collection (`lexical/<collection>.sqlite`), so a `--full` rebuild
fills its own file while the old one keeps answering. Damage (garbage bytes, FTS
segments that do not fit together) is detected: a question answers from vectors alone
with a note, and the next `newsdesk index` rebuilds the file from Chroma. That check
reads the whole file, so `index` runs it only when the file's size or mtime differs
from what the last run recorded (someone else wrote it).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from index.dates import published_day
from index.store.chroma import ArticleState, Hit, write_json_atomic
from index.store.sqlite_file import SqliteFile, checkpoint, signature
from index.text import joined_terms, query_words

FOLDER = "lexical"
MANIFEST = "lexical.json"  # size and mtime of each file as the last `index` left it
FORMAT = "newsdesk-lexical-1"
# What the mirror holds per chunk (in the index stamp: an older layout goes the full way once).
MIRROR_LAYOUT = "text, metadata and vectors by chunk id"
TOKEN_PATTERN = re.compile(r"(?u)\b\w\w+\b")
# bm25s's English stop words (what the bm25s index used), copied so the query path
# does not import bm25s (1.4 s with scipy).
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "if",
        "in",
        "into",
        "is",
        "it",
        "no",
        "not",
        "of",
        "on",
        "or",
        "such",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "will",
        "with",
    ]
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY, chunk_id TEXT NOT NULL UNIQUE, article_id TEXT NOT NULL,
    content_hash TEXT NOT NULL, n_chunks INTEGER NOT NULL, path TEXT NOT NULL,
    text TEXT NOT NULL, metadata TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks (article_id);
-- "What's the latest news?" reads articles' first chunks by day (`openings`): 240 ms by a
-- scan of 200,000 chunks, 2-6 ms with this index (built by the next `index` run, 0.25 s).
CREATE INDEX IF NOT EXISTS chunks_openings
    ON chunks (json_extract(metadata, '$.published_day') DESC, article_id)
    WHERE json_extract(metadata, '$.position') = 0;
CREATE VIRTUAL TABLE IF NOT EXISTS terms USING fts5(
    stems, tokenize = "unicode61 remove_diacritics 0 tokenchars '_'");
CREATE TABLE IF NOT EXISTS chunk_vectors (chunk_id TEXT PRIMARY KEY, vector BLOB NOT NULL) WITHOUT ROWID;
"""


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def stems(text: str) -> list[str]:
    """The terms a text is indexed (or searched) under: as bm25s tokenised it."""
    words = [w for w in TOKEN_PATTERN.findall(text.lower()) if w not in STOPWORDS]
    return list(_stemmer().stemWords(words)) if words else []


def vector_bytes(vector: Any) -> bytes:
    """A chunk's vector as the mirror stores it: little-endian float32, as Chroma holds it."""
    import numpy as np

    return np.asarray(vector, dtype="<f4").tobytes()


def path_for(index_dir: Path, collection: str) -> Path:
    return index_dir / FOLDER / f"{collection}.sqlite"


_OWNED = re.compile(r"['’]s\b")


def holds_phrase(text: str, phrase: str) -> bool:
    """Whether the text holds the phrase (lower case) as whole words, possessives aside:
    "Mars" is not in "Marshall", "AT&T rates" is in "AT&T's rates"."""
    flat = _OWNED.sub("", " ".join(text.lower().split()))
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", flat) is not None


def written_names(text: str) -> list[str]:
    """The text's names, lower case, that their stems would confuse with other words:
    the index holds "Roberts" as "robert" and "Mars" as "mar", so a topic's are matched
    as written, each as a whole word (`holds_phrase`). A plural of a party, people or
    games ("Democrats", "Americans", "Olympics", "Socialists") is not such a name: the
    singular ("Democrat John Fetterman", "Olympic Games") is about the same thing."""
    names = re.findall(r"\b[A-Z][\w'’]*\w", _OWNED.sub("", text))
    return [
        w
        for w in dict.fromkeys(n.lower() for n in names)
        if w not in STOPWORDS and stems(w) != [w] and not w.endswith(_PLURAL_ENDINGS)
    ]


_PLURAL_ENDINGS = ("ians", "cans", "ics", "ists", "rats")


class LexicalIndex(SqliteFile):
    """One collection's FTS5 index and chunk mirror; one connection per thread."""

    def __init__(self, path: Path, create: bool = False) -> None:
        super().__init__(path, _SCHEMA, FORMAT, create)
        self.problem = ""  # set when a search fails: vectors answer alone meanwhile

    # -- writing -------------------------------------------------------------------------
    def add(
        self,
        ids: list[str],
        texts: list[str],
        metadatas: list[dict[str, Any]],
        vectors: list[list[float]] | None = None,
    ) -> None:
        """Insert or replace chunks (one transaction), with their vectors when given."""
        with self._conn() as conn:
            self._delete(conn, ids)
            for i, (cid, text, meta) in enumerate(zip(ids, texts, metadatas)):
                cur = conn.execute(
                    "INSERT INTO chunks (chunk_id, article_id, content_hash, n_chunks, path, text, metadata) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        cid,
                        str(meta.get("article_id", "")),
                        str(meta.get("content_hash", "")),
                        int(meta.get("n_chunks", -1)),
                        str(meta.get("path", "")),
                        text,
                        json.dumps(meta, ensure_ascii=False),
                    ),
                )
                conn.execute(
                    "INSERT INTO terms (rowid, stems) VALUES (?, ?)", (cur.lastrowid, " ".join(stems(text)))
                )
                if vectors is not None:
                    conn.execute(
                        "INSERT OR REPLACE INTO chunk_vectors (chunk_id, vector) VALUES (?, ?)",
                        (cid, vector_bytes(vectors[i])),
                    )

    def set_vectors(self, vectors: dict[str, list[float]]) -> None:
        """Store the vectors of chunks already held (Chroma's copies, for an index written
        before the mirror kept them)."""
        with self._conn() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO chunk_vectors (chunk_id, vector) "
                "SELECT chunk_id, ? FROM chunks WHERE chunk_id = ?",
                [(vector_bytes(vector), cid) for cid, vector in vectors.items()],
            )

    def ids_without_vectors(self) -> list[str]:
        """Chunks held without a vector; stray vectors (of chunks no longer held: an older
        newsdesk deleted chunks without their vectors) are dropped on the way."""
        with self._conn() as conn:
            conn.execute("DELETE FROM chunk_vectors WHERE chunk_id NOT IN (SELECT chunk_id FROM chunks)")
        return [
            r[0]
            for r in self._conn().execute(
                "SELECT chunk_id FROM chunks WHERE chunk_id NOT IN (SELECT chunk_id FROM chunk_vectors) ORDER BY rowid"
            )
        ]

    def merge_metadata(self, updates: dict[str, dict[str, Any]]) -> None:
        """Merge fields into stored chunks' metadata (as Chroma's `update` does)."""
        with self._conn() as conn:
            for cid, fields in updates.items():
                row = conn.execute("SELECT metadata FROM chunks WHERE chunk_id = ?", (cid,)).fetchone()
                if row is not None:
                    merged = {**json.loads(row[0]), **fields}
                    conn.execute(
                        "UPDATE chunks SET metadata = ? WHERE chunk_id = ?",
                        (json.dumps(merged, ensure_ascii=False), cid),
                    )

    def add_hits(self, hits: Iterable[Hit]) -> None:
        hits = list(hits)
        self.add([h.chunk_id for h in hits], [h.text for h in hits], [h.metadata for h in hits])

    def delete(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        if ids:
            with self._conn() as conn:
                self._delete(conn, ids)

    @staticmethod
    def _delete(conn: sqlite3.Connection, ids: list[str]) -> None:
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            rows = [r[0] for r in conn.execute(f"SELECT rowid FROM chunks WHERE chunk_id IN ({marks})", part)]
            if rows:
                rmarks = ",".join("?" * len(rows))
                conn.execute(f"DELETE FROM terms WHERE rowid IN ({rmarks})", rows)
                conn.execute(f"DELETE FROM chunks WHERE rowid IN ({rmarks})", rows)
            conn.execute(f"DELETE FROM chunk_vectors WHERE chunk_id IN ({marks})", part)

    # -- what is stored ------------------------------------------------------------------
    def count(self) -> int:
        return int(self._conn().execute("SELECT COUNT(*) FROM chunks").fetchone()[0])

    def ids(self) -> set[str]:
        return {r[0] for r in self._conn().execute("SELECT chunk_id FROM chunks")}

    def article_states(self, article_ids: Iterable[str] | None = None) -> dict[str, ArticleState]:
        """What Chroma holds per article, as `ChunkStore.article_states` reads it there:
        of every article, or of the given ones only (an index lookup each)."""
        states: dict[str, ArticleState] = {}
        query = "SELECT chunk_id, article_id, content_hash, n_chunks, path, metadata FROM chunks"
        if article_ids is None:
            rows: Iterable[Any] = self._conn().execute(query)
        else:
            wanted = sorted(set(article_ids))
            rows = [
                row
                for start in range(0, len(wanted), 500)
                for row in self._conn().execute(
                    f"{query} WHERE article_id IN ({','.join('?' * len(wanted[start : start + 500]))})",
                    wanted[start : start + 500],
                )
            ]
        for cid, aid, h, n, path, raw in rows:
            state = states.get(aid)
            if state is None:
                state = states[aid] = ArticleState(path=path)
            state.ids_by_hash.setdefault(h, []).append(cid)
            state.expected_by_hash[h] = n
            meta = json.loads(raw)
            state.published = str(meta.get("published", ""))
            if "outlet_key" not in meta:
                state.undated_fields[cid] = (state.published, str(meta.get("outlet", "")))
        return states

    def check(self) -> str:
        """What is wrong with the file ("" when nothing is); reads all of it."""
        try:
            conn = self._conn()
            if self.get_meta("format") != FORMAT:
                return "it is of another format"
            bad = [r[0] for r in conn.execute("PRAGMA quick_check")]
            if bad != ["ok"]:
                return f"SQLite finds it damaged ({bad[0][:80]})"
            conn.execute("INSERT INTO terms (terms) VALUES ('integrity-check')")
            n_terms = conn.execute("SELECT COUNT(*) FROM terms").fetchone()[0]
            if n_terms != self.count():
                return "its term index and its passages do not match"
        except sqlite3.DatabaseError as exc:
            return f"a file is unreadable: {exc}"
        return ""

    # -- reading for a question ----------------------------------------------------------
    def chunks(self, ids: list[str]) -> list[Hit]:
        """Text and metadata of the given chunks that the mirror holds (score 0): what a
        question fetches for Chroma's nearest ids (a chunk id names its content, so the
        mirror's text is Chroma's)."""
        try:
            rows = self._rows_in("SELECT chunk_id, text, metadata FROM chunks WHERE chunk_id IN ({})", ids)
        except sqlite3.DatabaseError as exc:  # damage found only now: Chroma supplies the text
            self.problem = f"reading it failed: {exc}"
            return []
        return [Hit(cid, text, json.loads(meta), 0.0) for cid, text, meta in rows]

    def _rows_in(self, select: str, keys: list[str]) -> list[Any]:
        """The rows of `select` (its `IN ({})` filled with the keys), 500 keys a query."""
        rows: list[Any] = []
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            rows += self._conn().execute(select.format(",".join("?" * len(part))), part).fetchall()
        return rows

    def openings(self, since_day: int, until_day: int, limit: int, outlet_key: str = "") -> list[Hit]:
        """The first chunk of each article published within the days given (and by the
        outlet, when one is given), newest first, at most `limit`: what "What's the latest
        news?" reads."""
        day = "json_extract(metadata, '$.published_day')"
        outlet = " AND json_extract(metadata, '$.outlet_key') = ?" if outlet_key else ""
        try:
            rows = (
                self._conn()
                .execute(
                    f"SELECT chunk_id, text, metadata FROM chunks WHERE json_extract(metadata, '$.position') = 0 "
                    f"AND {day} BETWEEN ? AND ?{outlet} ORDER BY {day} DESC, article_id LIMIT ?",
                    (since_day, until_day, *([outlet_key] if outlet_key else []), limit),
                )
                .fetchall()
            )
        except sqlite3.DatabaseError as exc:
            self.problem = f"reading it failed: {exc}"
            return []
        return [Hit(cid, text, json.loads(meta), 0.0) for cid, text, meta in rows]

    def articles_holding(self, terms: list[str]) -> set[str]:
        """The ids of every article whose chunks between them hold each of the terms
        (stems, as `stems` makes them): what "Which articles mention Pennzoil?" counts. One
        FTS5 lookup per term (0.2 s for "said" over 200,000 chunks)."""
        ids: set[str] | None = None
        try:
            conn = self._conn()
            for term in terms:
                rows = conn.execute(
                    "SELECT c.article_id FROM terms JOIN chunks c ON c.rowid = terms.rowid WHERE terms MATCH ?",
                    ('"' + term.replace('"', '""') + '"',),
                ).fetchall()
                found = {aid for (aid,) in rows}
                ids = found if ids is None else ids & found
                if not ids:
                    break
        except sqlite3.DatabaseError as exc:
            self.problem = f"reading it failed: {exc}"
            return set()
        return ids or set()

    def first_days(self) -> dict[str, int | None]:
        """Every article's `published_day` (None when undated), read from the day index
        alone (75 ms for 110,000 articles)."""
        try:
            rows = (
                self._conn()
                .execute(
                    "SELECT article_id, json_extract(metadata, '$.published_day') FROM chunks "
                    "WHERE json_extract(metadata, '$.position') = 0"
                )
                .fetchall()
            )
        except sqlite3.DatabaseError as exc:
            self.problem = f"reading it failed: {exc}"
            return {}
        return {aid: day if isinstance(day, int) else None for aid, day in rows}

    def newest_titles(self, until_day: int, limit: int) -> Iterator[tuple[str, str, int, str]]:
        """(id, title, `published_day`, outlet) of the dated articles up to a day, newest
        first, read from the first chunks as they are wanted (the day index orders them):
        for "the latest on X", the newest story whose title names X, the body or not (a
        results table titled "CITICORP <CCI> 3RD QTR NET" names it nowhere else)."""
        try:
            rows = self._conn().execute(
                "SELECT article_id, json_extract(metadata, '$.title'), "
                "json_extract(metadata, '$.published_day'), json_extract(metadata, '$.outlet') "
                "FROM chunks WHERE json_extract(metadata, '$.position') = 0 "
                "AND json_extract(metadata, '$.published_day') <= ? "
                "ORDER BY json_extract(metadata, '$.published_day') DESC LIMIT ?",
                (until_day, limit),
            )
            for aid, title, day, outlet in rows:
                if isinstance(day, int):
                    yield aid, str(title or ""), day, str(outlet or "")
        except sqlite3.DatabaseError as exc:
            self.problem = f"reading it failed: {exc}"

    def articles_with_phrase(self, phrase: str, within: set[str] | None = None) -> set[str]:
        """The ids of the articles whose text holds the phrase as whole words (lower case,
        no possessive "'s"): for a topic the index has no words for ("AT&T") or would
        confuse ("Roberts" and "Robert"); a scan of the chunks' text, or of those of the
        articles `within` (the ones holding the topic's words)."""
        # SQLite finds the chunks holding it anywhere, `holds_phrase` those holding it as
        # words. Possessives left out on both sides: "AT&T rates" finds "AT&T's rates".
        select = (
            "SELECT article_id, text FROM chunks "
            "WHERE instr(replace(replace(lower(text), '''s', ''), '’s', ''), ?) > 0"
        )
        try:
            if within is None:
                rows = self._conn().execute(select, (phrase,)).fetchall()
            else:
                rows = []
                keys = sorted(within)
                for start in range(0, len(keys), 500):
                    part = keys[start : start + 500]
                    rows += (
                        self._conn()
                        .execute(f"{select} AND article_id IN ({','.join('?' * len(part))})", [phrase, *part])
                        .fetchall()
                    )
        except sqlite3.DatabaseError as exc:
            self.problem = f"reading it failed: {exc}"
            return set()
        return {aid for aid, text in rows if holds_phrase(text, phrase)}

    def written_near(self, first: str, second: str, gap: int) -> bool:
        """Whether some chunk writes `first`, then `second` with at most `gap` other words
        between them (stop words not counted): FTS5's NEAR finds chunks holding both close
        together in either order, their stems say which order. True when it cannot tell
        (no stems, a read that failed, more such chunks than are looked at)."""
        a, b = stems(first), stems(second)
        limit = 100
        rows = (
            self._matching("SELECT stems FROM terms", f'NEAR("{a[-1]}" "{b[0]}", {gap})', limit)
            if a and b
            else None
        )
        if rows is None:
            return True
        ordered = re.compile(rf"(?:^| ){re.escape(a[-1])}(?: \S+){{0,{gap}}} {re.escape(b[0])}(?: |$)")
        return len(rows) >= limit or any(ordered.search(text) for text in rows)

    def texts_holding(self, word: str, limit: int) -> list[str]:
        """The text of up to `limit` chunks that hold the word's stem."""
        terms = stems(word)
        select = "SELECT c.text FROM terms JOIN chunks c ON c.rowid = terms.rowid"
        return (self._matching(select, f'"{terms[0]}"', limit) or []) if len(terms) == 1 else []

    def _matching(self, select: str, match: str, limit: int) -> list[str] | None:
        """The first column of `select`'s rows whose terms match (at most `limit`); None
        when the read fails (said in `problem`)."""
        try:
            rows = self._conn().execute(f"{select} WHERE terms MATCH ? LIMIT ?", (match, limit)).fetchall()
        except sqlite3.DatabaseError as exc:
            self.problem = f"reading it failed: {exc}"
            return None
        return [str(row[0]) for row in rows]

    def days_of(self, ids: Iterable[str]) -> dict[str, int | None]:
        """The day of each of these articles from any of its chunks, `published` read
        when there is no `published_day`: for the few whose first chunk is not held."""
        rows = self._per_article(
            ids, "json_extract(metadata, '$.published_day'), json_extract(metadata, '$.published')"
        )
        return {
            aid: day if isinstance(day, int) else published_day(str(published or ""))
            for aid, day, published in rows
        }

    def outlets_of(self, ids: Iterable[str]) -> dict[str, str]:
        """The outlet of each of these articles (read only when a list is filtered by one)."""
        return {
            aid: str(outlet or "")
            for aid, outlet in self._per_article(ids, "json_extract(metadata, '$.outlet')")
        }

    def _per_article(self, ids: Iterable[str], columns: str) -> list[Any]:
        """(article id, *columns) of one chunk of each of these articles; [] when unreadable."""
        try:
            return self._rows_in(
                f"SELECT article_id, {columns} FROM chunks WHERE article_id IN ({{}}) GROUP BY article_id",
                sorted(ids),
            )
        except sqlite3.DatabaseError as exc:
            self.problem = f"reading it failed: {exc}"
            return []

    def article_chunks(self, article_id: str) -> list[Hit]:
        """An article's chunks, first to last."""
        try:
            rows = (
                self._conn()
                .execute(
                    "SELECT chunk_id, text, metadata FROM chunks WHERE article_id = ? "
                    "ORDER BY json_extract(metadata, '$.position')",
                    (article_id,),
                )
                .fetchall()
            )
        except sqlite3.DatabaseError as exc:
            self.problem = f"reading it failed: {exc}"
            return []
        return [Hit(cid, text, json.loads(meta), 0.0) for cid, text, meta in rows]

    def has_outlet(self, key: str) -> bool:
        """Whether some indexed article is from the outlet with this `outlet_key`."""
        try:
            row = (
                self._conn()
                .execute(
                    "SELECT 1 FROM chunks WHERE json_extract(metadata, '$.outlet_key') = ? LIMIT 1", (key,)
                )
                .fetchone()
            )
        except sqlite3.DatabaseError as exc:
            self.problem = f"reading it failed: {exc}"
            return False
        return row is not None

    def search(self, question: str, top_k: int) -> list[Hit]:
        """Chunks by BM25 over the question's content words plus run-together pairs
        ("Nord Stream" also as "nordstream"; a pair no article spells so counts for nothing)."""
        query = " ".join(query_words(question) + [joined for joined, _ in joined_terms(question)])
        terms = list(dict.fromkeys(stems(query)))
        if not terms:
            return []
        match = " OR ".join(f'"{t}"' for t in terms)
        try:
            rows = (
                self._conn()
                .execute(
                    "SELECT c.chunk_id, c.text, c.metadata, t.score FROM "
                    "(SELECT rowid, -bm25(terms) AS score FROM terms WHERE terms MATCH ? "
                    "ORDER BY bm25(terms) LIMIT ?) AS t JOIN chunks c ON c.rowid = t.rowid ORDER BY t.score DESC",
                    (match, top_k),
                )
                .fetchall()
            )
        except sqlite3.DatabaseError as exc:  # damage found only now
            self.problem = f"searching it failed: {exc}"
            return []
        return [
            Hit(cid, text, json.loads(meta), float(score)) for cid, text, meta, score in rows if score > 0
        ]


# -- opening ---------------------------------------------------------------------------
def load_checked(index_dir: Path, collection: str) -> tuple[LexicalIndex | None, str]:
    """The collection's keyword index for questions and what is wrong with it: (None, "")
    when there is none yet, (None, reason) when it is unreadable. Either way vectors
    answer alone and the next `newsdesk index` builds it."""
    path = path_for(index_dir, collection)
    if not path.exists():
        return None, ""
    try:
        lexical = LexicalIndex(path)
        if lexical.get_meta("format") != FORMAT:
            return None, "it is of another format"
    except sqlite3.DatabaseError as exc:
        return None, f"a file is unreadable: {exc}"
    return lexical, ""


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def open_for_index(index_dir: Path, collection: str) -> tuple[LexicalIndex, str]:
    """The collection's keyword index for writing, and the damage found in it ("" when
    none). A damaged file is deleted and started afresh (the caller reconciles it with
    Chroma); the full check runs only when the file changed since the last run."""
    path = path_for(index_dir, collection)
    damage = ""
    if path.exists() and signature(path) != _recorded(index_dir).get(collection):
        lexical = LexicalIndex(path)
        damage = lexical.check()
        lexical.close()
        if damage == "it is of another format":
            damage = ""  # an older newsdesk's file: rebuilt quietly
            _remove(path)
        elif damage:
            _remove(path)
    try:
        return LexicalIndex(path, create=True), damage
    except sqlite3.DatabaseError as exc:  # damage the stat did not reveal
        _remove(path)
        return LexicalIndex(path, create=True), damage or f"a file is unreadable: {exc}"


def unchanged_since_last_run(index_dir: Path, collection: str) -> bool:
    """The file is as the last `index` run left it (a run that did not finish records nothing)."""
    recorded = _recorded(index_dir).get(collection)
    return bool(recorded) and signature(path_for(index_dir, collection)) == recorded


def _recorded(index_dir: Path) -> dict[str, list[int]]:
    try:
        data = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def finish(index_dir: Path, lexical: LexicalIndex, collection: str) -> None:
    """Close after an `index` run and record the file's stat, so the next run can skip the
    full check; drop the files of collections that no longer exist."""
    try:
        checkpoint(lexical._conn())
    finally:
        lexical.close()
    for other in (index_dir / FOLDER).glob("*.sqlite"):
        if other.stem != collection and other.stem not in _live_collections(index_dir):
            _remove(other)
    write_json_atomic(index_dir / MANIFEST, {collection: signature(lexical.path)})


def _live_collections(index_dir: Path) -> set[str]:
    """The active collection (a `--full` in progress names none other yet)."""
    try:
        state = json.loads((index_dir / "state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return {str(state.get("collection"))} if isinstance(state, dict) else set()
