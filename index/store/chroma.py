"""The Chroma side of the index: client, collections, the active-collection pointer.

Chroma (on disk, or a `chroma run` server) holds every chunk with its vector, text and
metadata; it is the truth about what is indexed. A small `state.json` in the index dir
names the active collection, so a `--full` rebuild can fill a fresh collection and
switch over atomically.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.errors import IndexMissingError, NewsdeskError, StoreUnavailableError
from index.redact import redact_url
from index.settings import Settings
from index.store.index_dir import require_folder, storage_problem, writable
from index.store.read_only import private_copy
from index.store.vector_check import verify_vectors

STATE_FILE = "state.json"
REBUILD_HINT = "run `newsdesk index --full` to rebuild it"


def write_json_atomic(path: Path, data: Any) -> None:
    """Write-then-rename, so a kill never leaves half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def read_state(index_dir: Path) -> dict[str, Any]:
    require_folder(index_dir)
    path = index_dir / STATE_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise NewsdeskError(f"the index state file {path} is unreadable ({exc}); {REBUILD_HINT}") from exc
    if not isinstance(data, dict):
        raise NewsdeskError(f"the index state file {path} is corrupted; {REBUILD_HINT}")
    return data


def write_state(index_dir: Path, state: dict[str, Any]) -> None:
    index_dir.mkdir(parents=True, exist_ok=True)
    write_json_atomic(index_dir / STATE_FILE, state)


def bump_revision(index_dir: Path, **fields: Any) -> None:
    """Tell long-lived readers (the bot, `chat`) that the index content changed: they
    watch the state file (`state_signature`) and reopen the store when it does. fields:
    other state to change in the same write."""
    state = read_state(index_dir)
    write_state(index_dir, {**state, **fields, "revision": int(state.get("revision", 0)) + 1})


def state_signature(index_dir: Path) -> tuple[int, ...]:
    """Changes whenever the state file is rewritten (it is replaced, never edited in place)."""
    try:
        st = os.stat(index_dir / STATE_FILE)
    except OSError:
        return ()
    return (st.st_ino, st.st_mtime_ns, st.st_size)


_made = False  # see clients_made


def forget_client(path: Path) -> None:
    """Drop chromadb's cached client of an on-disk store. Its in-memory HNSW never sees what
    other processes write, and it keeps a deleted collection's handle: the next client made
    for the path reads the files anew."""
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient._identifier_to_system.pop(str(path), None)


def clients_made() -> bool:
    """Whether this process has made a Chroma client: its Rust runtime's threads (tokio,
    sqlx) then run beside Python, and a fork could copy one of their locks held
    (`index.ingest.forked`: a forked walk hung on a futex so)."""
    return _made


def where(settings: Settings) -> str:
    """Where the vectors live, for messages."""
    if settings.chroma_host:
        return f"the Chroma server at {settings.chroma_host}:{settings.chroma_port}"
    return f"{settings.chroma_path}"


@contextmanager
def fresh_client_after_failure(settings: Settings) -> Iterator[None]:
    """After a failed run (the index dir deleted under a running `index --watch`), the next
    run must not reuse the cached client of the broken store."""
    try:
        yield
    except Exception:
        if not settings.chroma_host:
            forget_client(settings.chroma_path)
        raise


def open_client(settings: Settings, create: bool, fresh: bool = False, check: str = "") -> Any:
    """A Chroma client: HttpClient when CHROMA_HOST is set, else PersistentClient on disk
    (fresh: not the one cached in this process, see `forget_client`; check: a collection
    whose vector files are verified first, see index/store/vector_check.py)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    global _made
    _made = True
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_host:
        try:
            client = chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
            client.heartbeat()
        except Exception as exc:  # chromadb raises assorted types for a dead server
            raise StoreUnavailableError(
                f"cannot reach the Chroma server at {redact_url(settings.chroma_host)}:{settings.chroma_port}"
                f" ({type(exc).__name__}); is `chroma run` up?"
            ) from exc
        return client
    path = settings.chroma_path
    if not create and not path.is_dir():
        raise IndexMissingError(f"no index at {settings.index_dir}: run `newsdesk index` first")
    if not create and not writable(path):
        path = private_copy(path)  # Chroma writes whenever it opens a database
    if fresh:
        forget_client(path)
    if check:
        verify_vectors(settings.index_dir, settings.chroma_path, check, open_path=path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as exc:
        # Chroma writes to its database on open: a read-only or full disk refuses, so a
        # question reads a private copy (in the temp folder) of what was indexed before.
        cannot_write = "readonly database" in str(exc) or storage_problem(exc) is not None
        if not create and cannot_write and path == settings.chroma_path:
            forget_client(path)  # chromadb keeps the half-opened one, and would refuse a later open
            try:
                return chromadb.PersistentClient(path=str(private_copy(path)), settings=chroma_settings)
            except Exception as again:
                exc = again
        elif create and storage_problem(exc) is not None:
            raise  # `newsdesk index` words a full or failing disk (index_dir.storage_errors)
        raise StoreUnavailableError(f"the index at {path} cannot be opened ({exc}); {REBUILD_HINT}") from exc


def stored_writer(chroma_path: Path, collection: str) -> str | None:
    """The collection's writer token read straight from the embedded store's SQLite file,
    without importing chromadb (0.6 s); None when it can't be read (another Chroma version
    lays its tables out otherwise: callers then open Chroma the usual way)."""
    import sqlite3

    try:
        conn = sqlite3.connect(f"file:{chroma_path / 'chroma.sqlite3'}?mode=ro", uri=True, timeout=5)
        try:
            row = conn.execute(
                "SELECT m.str_value FROM collection_metadata m JOIN collections c ON c.id = m.collection_id "
                "WHERE c.name = ? AND m.key = 'writer'",
                (collection,),
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return None if row is None or row[0] is None else str(row[0])


def writer_on_server(settings: Settings, collection: str) -> str | None:
    """The collection's writer token as the Chroma server holds it now (one request);
    None when the collection is not there. Asked over Chroma's REST API first, which
    spares a run with nothing to write chromadb's import (~0.6 s); through chromadb's
    client when that gives no answer (another API version, auth, a URL for a host)."""
    quick = _writer_over_rest(settings, collection)
    if quick:
        return quick
    client = open_client(settings, create=False)
    try:
        found = client.get_collection(collection, embedding_function=None)
    except Exception:  # chromadb's "does not exist" differs by version; the full way words the rest
        return None
    writer = (found.metadata or {}).get("writer")
    return str(writer) if writer else None


_COLLECTION_URL = (
    "http://{host}:{port}/api/v2/tenants/default_tenant/databases/default_database/collections/{name}"
)


def _writer_over_rest(settings: Settings, collection: str) -> str | None:
    """The writer token from Chroma's v2 REST API (chromadb 1.x servers), or None for
    any answer but a clear one: the caller then asks through chromadb."""
    import http.client
    import urllib.parse
    import urllib.request

    if not all(c.isalnum() or c in ".-" for c in settings.chroma_host):
        return None  # an IPv6 address, a URL, credentials: chromadb's client knows them
    url = _COLLECTION_URL.format(
        host=settings.chroma_host, port=settings.chroma_port, name=urllib.parse.quote(collection, safe="")
    )
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            body = json.loads(response.read(4_000_000))
    except (OSError, ValueError, http.client.HTTPException):
        return None
    meta = body.get("metadata") if isinstance(body, dict) and body.get("name") == collection else None
    writer = meta.get("writer") if isinstance(meta, dict) else None
    return writer if isinstance(writer, str) and writer else None


def chunk_id(article_id: str, content_hash: str, position: int) -> str:
    """Same article content, same id: re-writing a chunk is an idempotent upsert."""
    return f"{article_id}#{content_hash[:16]}#{position:04d}"


@dataclass(frozen=True)
class Hit:
    """One search result from either index: chunk id, text, metadata, score."""

    chunk_id: str
    text: str
    metadata: dict[str, Any]
    score: float


def public_metadata(meta: Any) -> dict[str, Any]:
    """Our metadata without llama-index's bookkeeping keys (`_node_content`, `doc_id`, ...)."""
    return {
        k: v
        for k, v in dict(meta or {}).items()
        if not k.startswith("_") and k not in ("doc_id", "document_id", "ref_doc_id", "node_id")
    }


@dataclass
class ArticleState:
    """What the store holds for one article: chunk ids per content hash, and expected counts."""

    path: str = ""
    ids_by_hash: dict[str, list[str]] = field(default_factory=dict)
    expected_by_hash: dict[str, int] = field(default_factory=dict)
    published: str = ""
    # Chunks written before chunks carried date/outlet fields: id -> (published, outlet).
    undated_fields: dict[str, tuple[str, str]] = field(default_factory=dict)

    def complete(self, content_hash: str) -> bool:
        ids = self.ids_by_hash.get(content_hash, [])
        return bool(ids) and len(set(ids)) == self.expected_by_hash.get(content_hash, -1)

    def ids_except(self, content_hash: str) -> list[str]:
        return [i for h, ids in self.ids_by_hash.items() if h != content_hash for i in ids]

    def all_ids(self) -> list[str]:
        return [i for ids in self.ids_by_hash.values() for i in ids]


class ChunkStore:
    """One Chroma collection of newsdesk chunks, written through stable ids."""

    def __init__(self, client: Any, collection: Any) -> None:
        self.client = client
        self.collection = collection
        self._batch = max(1, min(int(client.get_max_batch_size()), 5000))
        self.mirror: Any | None = None  # the keyword index (`index.store.lexical`) every write goes to
        self.token = ""  # the writer token this process stamped on the collection, once it wrote

    def begin_write(self) -> None:
        """Stamp a fresh writer token on the collection before the first write, so any
        other copy of the chunk list (a keyword index here or on another machine) knows it
        may be stale, whoever wrote and however the write ended."""
        if not self.token:
            if self.mirror is not None:  # a crash from here on must not leave it trusted
                self.mirror.set_meta("writer", "pending")
            token = uuid.uuid4().hex
            meta = {**self.metadata, "writer": token}
            self.collection.modify(metadata=meta)
            self.token = token
            search_widely(self)

    @property
    def name(self) -> str:
        return str(self.collection.name)

    @property
    def metadata(self) -> dict[str, Any]:
        return dict(self.collection.metadata or {})

    def count(self) -> int:
        return int(self.collection.count())

    def _pages(self, include: list[str]) -> Iterator[dict[str, Any]]:
        total = self.count()
        for offset in range(0, total, self._batch):
            yield self.collection.get(include=include, limit=self._batch, offset=offset)

    def article_states(self) -> dict[str, ArticleState]:
        """Group every stored chunk id by article and content hash."""
        states: dict[str, ArticleState] = {}
        for page in self._pages(["metadatas"]):
            for cid, meta in zip(page["ids"], page["metadatas"] or []):
                meta = meta or {}
                state = states.setdefault(
                    str(meta.get("article_id", "")), ArticleState(path=str(meta.get("path", "")))
                )
                h = str(meta.get("content_hash", ""))
                state.ids_by_hash.setdefault(h, []).append(cid)
                state.published = str(meta.get("published", ""))
                if "outlet_key" not in meta:
                    state.undated_fields[cid] = (state.published, str(meta.get("outlet", "")))
                state.expected_by_hash[h] = int(meta.get("n_chunks", -1))  # type: ignore[arg-type]
        return states

    def upsert(self, nodes: list[Any], embeddings: list[list[float]]) -> None:
        """Idempotent writes in batches the client accepts."""
        from llama_index.core.schema import MetadataMode
        from llama_index.core.vector_stores.utils import node_to_metadata_dict

        self.begin_write()
        for start in range(0, len(nodes), self._batch):
            part = nodes[start : start + self._batch]
            ids = [n.node_id for n in part]
            documents = [n.get_content(metadata_mode=MetadataMode.NONE) for n in part]
            metadatas = [
                {
                    k: ("" if v is None else v)
                    for k, v in node_to_metadata_dict(n, remove_text=True, flat_metadata=True).items()
                }
                for n in part
            ]
            self.collection.upsert(
                ids=ids,
                embeddings=embeddings[start : start + self._batch],
                documents=documents,
                metadatas=metadatas,
            )
            if self.mirror is not None:
                self.mirror.add(
                    ids,
                    documents,
                    [public_metadata(m) for m in metadatas],
                    embeddings[start : start + self._batch],
                )

    def update_metadata(self, updates: dict[str, dict[str, Any]]) -> None:
        """Add fields to stored chunks' metadata (merged into what is there), no re-embedding."""
        ids = list(updates)
        self.begin_write()
        for start in range(0, len(ids), self._batch):
            part = ids[start : start + self._batch]
            self.collection.update(ids=part, metadatas=[updates[i] for i in part])
        if self.mirror is not None:
            self.mirror.merge_metadata(updates)

    def delete(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        if not ids:
            return
        self.begin_write()
        for start in range(0, len(ids), self._batch):
            self.collection.delete(ids=ids[start : start + self._batch])
        if self.mirror is not None:
            self.mirror.delete(ids)

    def chunks(self, ids: list[str]) -> list[Hit]:
        """Text and metadata of the given chunks (score 0), e.g. to build BM25 from."""
        hits: list[Hit] = []
        for start in range(0, len(ids), self._batch):
            got = self.collection.get(
                ids=ids[start : start + self._batch], include=["documents", "metadatas"]
            )
            hits.extend(
                Hit(cid, text or "", public_metadata(meta), 0.0)
                for cid, text, meta in zip(got["ids"], got["documents"] or [], got["metadatas"] or [])
            )
        return hits

    def vectors(self, ids: list[str]) -> dict[str, list[float]]:
        """The stored vectors of the given chunks (those Chroma has)."""
        found: dict[str, list[float]] = {}
        for start in range(0, len(ids), self._batch):
            got = self.collection.get(ids=ids[start : start + self._batch], include=["embeddings"])
            found.update(zip(got["ids"], [list(v) for v in got["embeddings"]]))
        return found

    def query(
        self, embedding: list[float], top_k: int, where: dict[str, Any] | None = None, text: bool = True
    ) -> list[Hit]:
        """Nearest chunks, score = cosine similarity (where: a Chroma metadata filter;
        text=False: ids and scores only, empty text and metadata: 2 ms instead of 7 on the
        Reuters index, for a caller that has the text elsewhere).

        Reads Chroma directly rather than through llama-index's ChromaVectorStore.query:
        same collection and metadata, but a cold `newsdesk ask` skips llama-index's
        1.3 s import.
        """
        got = self.collection.query(
            query_embeddings=[embedding],
            n_results=top_k,
            include=["documents", "metadatas", "distances"] if text else ["distances"],
            **({"where": where} if where else {}),
        )
        ids, distances = got["ids"][0], (got["distances"] or [[]])[0]
        if not text:
            return [Hit(cid, "", {}, 1.0 - float(dist)) for cid, dist in zip(ids, distances)]
        return [
            Hit(cid, doc or "", public_metadata(meta), 1.0 - float(dist))
            for cid, doc, meta, dist in zip(
                ids, (got["documents"] or [[]])[0], (got["metadatas"] or [[]])[0], distances
            )
        ]

    def similarities(self, embedding: list[float], ids: list[str]) -> dict[str, float]:
        """Cosine similarity of stored chunks (by id) to a query vector."""
        if not ids:
            return {}
        import numpy as np

        got = self.collection.get(ids=ids, include=["embeddings"])
        vectors = np.asarray(got["embeddings"], dtype=np.float32)
        if vectors.size == 0:
            return {}
        sims = vectors @ np.asarray(embedding, dtype=np.float32)
        return {cid: float(s) for cid, s in zip(got["ids"], sims)}


def collection_metadata(model: str, chunk_size: int, chunk_overlap: int) -> dict[str, Any]:
    return {"embed_model": model, "chunk_size": chunk_size, "chunk_overlap": chunk_overlap}


# HNSW settings, for when Chroma answers a search itself (above the vector mirror's 50,000
# chunks). Measured on 52,173 real MiniLM vectors (the Reuters and SQuAD dev corpora's
# sentences, alone and in windows of two and three) against 1,000 eval and training
# questions: Chroma's defaults (ef_construction 100, ef_search 100) returned the exact 20
# nearest with recall 0.981, and 8.4% of the questions missed at least one (one got none
# of its 20). ef_search 400 gave 0.998 (+0.4 ms a search, 1.1 -> 1.4 ms). ef_construction
# 200 on top gave 0.9994, for 18 s instead of 11 s to build the graph of those 52,173
# vectors (embedding them takes about 25 minutes here).
HNSW_BUILD = 200
HNSW_SEARCH = 400


def create_collection(client: Any, name: str, metadata: dict[str, Any]) -> ChunkStore:
    collection = client.get_or_create_collection(
        name=name,
        metadata=metadata,
        configuration={"hnsw": {"space": "cosine", "ef_construction": HNSW_BUILD, "ef_search": HNSW_SEARCH}},
        embedding_function=None,
    )
    return ChunkStore(client, collection)


def search_widely(store: ChunkStore) -> bool:
    """Raise an older collection's ef_search to HNSW_SEARCH (Chroma lets it change after
    creation; ef_construction it does not), so an index built before gets most of the
    recall above without a rebuild: at its first write (a no-op run does not open Chroma).
    True when it was changed."""
    try:
        hnsw = (store.collection.configuration_json or {}).get("hnsw") or {}
        if int(hnsw.get("ef_search", HNSW_SEARCH)) >= HNSW_SEARCH:
            return False
        store.collection.modify(configuration={"hnsw": {"ef_search": HNSW_SEARCH}})
    except Exception:  # noqa: BLE001 - a search setting; never a reason for an index run to fail
        return False
    return True


def open_active(settings: Settings, fresh: bool = False) -> ChunkStore:
    """The collection queries read; IndexMissingError when there is none or it is empty."""
    state = read_state(settings.index_dir)
    name = state.get("collection")
    if not name:
        if not settings.index_dir.exists():
            raise IndexMissingError(f"no index at {settings.index_dir}: run `newsdesk index` first")
        raise IndexMissingError(f"the index at {settings.index_dir} is empty: run `newsdesk index` first")
    client = open_client(settings, create=False, fresh=fresh, check=name)
    try:
        collection = client.get_collection(name=name, embedding_function=None)
    except Exception as exc:
        raise NewsdeskError(
            f"the index names collection {name!r}, which {where(settings)} does not have; {REBUILD_HINT}"
        ) from exc
    store = ChunkStore(client, collection)
    if store.count() == 0:
        raise IndexMissingError(f"the index at {settings.index_dir} is empty: run `newsdesk index` first")
    return store
