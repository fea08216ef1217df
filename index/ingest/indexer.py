"""`newsdesk index`: bring the Chroma index in step with the corpus, embedding only what changed.

Order of writes, chosen so a kill at any point leaves an index that answers:
1. new chunks of an added or updated article are upserted (stable ids: a retry overwrites);
2. only then are that article's chunks of other content hashes deleted;
3. removed articles are deleted last.
Every Chroma write is followed by the same write to the keyword index
(`index.store.lexical`), which also tells the next run what Chroma holds without
reading all of it. The next run sees leftovers (two hashes, or an incomplete set) and
finishes the job.

While the index is as the last run left it (`index.store.index_stamp`), the file
manifest (`index.store.file_manifest`) lists what it holds, and a run touches only what
differs between it and the corpus (`_update_in_step`): its cost is a `stat` per file plus
the change, whatever the corpus size. Otherwise it goes the full way
(`_update_full_way`), which reads what the index holds and brings the index, the
sentence store and the manifest in step.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections import deque
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

from index.dates import date_metadata, from_day, published_day
from index.errors import NewsdeskError
from index.ingest import forked
from index.ingest.articles import Article, Skipped, id_for_path
from index.ingest.corpus_scan import (
    ArticleRef,
    Scan,
    drop_legacy,
    legacy_rows,
    loader_key,
    materialize,
    scan_changed,
    scan_corpus,
)
from index.ingest.corpus_walk import require_corpus_dir
from index.ingest.id_migration import current_view, legacy_ids, migrate_ids
from index.ingest.phases import Phases, peak_rss_mb
from index.ingest.sentence_data import SENTENCE_DATA_VERSION
from index.settings import Settings
from index.store import lexical
from index.store.chroma import (
    ArticleState,
    ChunkStore,
    bump_revision,
    clients_made,
    collection_metadata,
    create_collection,
    fresh_client_after_failure,
    open_client,
    read_state,
    write_state,
    writer_on_server,
)
from index.store.file_manifest import FileManifest, Row, open_manifest, row
from index.store.index_dir import storage_errors, storage_problem
from index.store.index_stamp import META_KEY as IN_STEP
from index.store.index_stamp import index_stamp
from index.store.lock import IndexLock
from index.store.sentences import SentenceStore
from index.store.sentences import open_for_writing as open_sentences
from index.store.sqlite_file import checkpoint
from index.store.vector_check import record_vectors, verify_vectors

Progress = Callable[[int, int], None]
EMBED_GROUP = 64  # chunks embedded and written together: small enough that a kill loses little
FULL_MARKER = "full-rebuild.started"  # present while a `--full` fills a fresh collection
ANNOTATE_BATCH = 16  # articles through spaCy's nlp.pipe together
NLP_AHEAD = 4  # batches spaCy may annotate ahead of the model (their offsets only are held)


@dataclass
class IndexReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    documents: int = 0
    chunks: int = 0
    embedded_chunks: int = 0
    seconds: float = 0.0
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)  # seconds per build phase (index.ingest.phases)
    peak_rss_mb: int = 0  # the process's peak so far: a fresh CLI's is the run's

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def to_json(self) -> dict[str, Any]:
        """The `--json` summary: counts, with skipped files and the run's notes listed."""
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "removed": len(self.removed),
            "unchanged": self.unchanged,
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "notes": self.notes,
            "documents": self.documents,
            "chunks": self.chunks,
            "embedded_chunks": self.embedded_chunks,
            "seconds": round(self.seconds, 3),
            "phases": self.phases,
            "peak_rss_mb": self.peak_rss_mb,
        }


Item = Article | ArticleRef


def _plan(articles: list[Item], states: dict[str, ArticleState], report: IndexReport) -> list[Item]:
    """Classify articles; return those to embed."""
    todo: list[Item] = []
    for article in articles:
        state = states.get(article.id)
        if state is None:
            report.added.append(article.path)
            todo.append(article)
        elif state.complete(article.content_hash):
            report.unchanged += 1
        else:
            report.updated.append(article.path)
            todo.append(article)
    return todo


def _select_store(
    settings: Settings, client: Any, model: str, full: bool, dry_run: bool
) -> tuple[ChunkStore | None, str | None]:
    """The collection to write: the active one, or a fresh one for a full rebuild.

    Returns (store, old_collection_to_drop). store is None only in a dry run with no index.
    """
    wanted = collection_metadata(model, settings.chunk_size, settings.chunk_overlap)
    state = _state_for(settings, full)
    active = state.get("collection")
    existing = {c.name if hasattr(c, "name") else str(c) for c in client.list_collections()}
    if active and active in existing:
        store = ChunkStore(client, client.get_collection(active, embedding_function=None))
        meta = store.metadata
        if not full:
            if not settings.chroma_host:  # damaged vector files: an error, not a segfault
                verify_vectors(settings.index_dir, settings.chroma_path, active)
            if meta.get("embed_model") != model:
                raise NewsdeskError(
                    f"the index was built with embedding model {meta.get('embed_model')!r}, settings "
                    f"now say {model!r}: rebuild it with `newsdesk index --full`"
                )
            if (meta.get("chunk_size"), meta.get("chunk_overlap")) != (
                settings.chunk_size,
                settings.chunk_overlap,
            ):
                raise NewsdeskError(
                    f"the index was chunked with size {meta.get('chunk_size')}/overlap "
                    f"{meta.get('chunk_overlap')}, settings now say {settings.chunk_size}/"
                    f"{settings.chunk_overlap}: rebuild it with `newsdesk index --full`"
                )
            # Not in a dry run: it writes nothing and takes no lock, and the collection a
            # running `--full` fills looks like a leftover.
            if not settings.chroma_host and not dry_run:
                _drop_leftovers(settings, client, existing, keep=active)
            return store, None
        if dry_run:
            return None, active
    elif dry_run:
        return None, None
    # A new collection: the first build writes it in place; a full rebuild fills it
    # while the old one keeps answering, then the pointer moves.
    generation = int(state.get("generation", 0)) + 1
    name = f"{settings.chroma_collection}_{generation}"
    if not (active and active in existing):
        # First build here. On a shared Chroma server the collection may exist already
        # (built from another machine): adopt it; a no-op run then only rebuilds local BM25.
        new_store = create_collection(client, name, wanted)
        write_state(settings.index_dir, {"collection": name, "generation": generation})
        return new_store, None
    _drop_leftovers(settings, client, existing, keep=active)
    (settings.index_dir / FULL_MARKER).touch()  # a kill from here leaves a collection to drop
    return create_collection(client, name, wanted), active


def _drop_leftovers(settings: Settings, client: Any, existing: set[str], keep: str) -> None:
    """Delete our collections other than the active one: what a killed `--full` left half-built.

    Not on a plain `index` against a Chroma server: another machine's `--full` may be
    filling one of them right now.
    """
    for stale in existing:
        prefix, _, generation = stale.rpartition("_")
        if prefix == settings.chroma_collection and generation.isdigit() and stale != keep:
            client.delete_collection(stale)
    (settings.index_dir / FULL_MARKER).unlink(missing_ok=True)


def run_index(
    settings: Settings,
    *,
    full: bool = False,
    dry_run: bool = False,
    embed_model: Any | None = None,
    progress: Progress | None = None,
    changed: Collection[str] | None = None,
) -> IndexReport:
    """Update (or with full=True rebuild) the index; returns what changed. `changed`:
    the corpus paths (relative, POSIX) that change notifications named; when the index is
    in step, only they are looked at instead of every file's stat (`index --watch`)."""
    from index.embedding import model_id

    started = time.perf_counter()
    report = IndexReport(dry_run=dry_run)
    phases = Phases()
    model = embed_model.model_name if embed_model is not None else model_id(settings)
    require_corpus_dir(settings.corpus_dir)
    key = loader_key(settings.max_file_bytes)

    if dry_run:
        manifest = FileManifest.open(settings.index_dir)
        known = manifest.rows() if manifest is not None else {}
        trusted = manifest is not None and manifest.get_meta("loader") == key
        with phases("read"):
            scan = _scan(settings, known, trust_stats=trusted and not full)
        if manifest is not None:
            manifest.close()
        report.skipped, report.documents = scan.skipped, scan.documents
        _dry_run(settings, scan.articles(), model, full, report)
        return _timed(report, phases, started)

    with (
        IndexLock(settings.index_dir),
        storage_errors(settings.index_dir),
        fresh_client_after_failure(settings),
    ):
        manifest = open_manifest(settings.index_dir)
        known = manifest.rows()
        trusted = manifest.get_meta("loader") == key
        if not known and not full:
            known, trusted = legacy_rows(settings.index_dir, key), True
        collection = str(_state_for(settings, full).get("collection") or "")
        stamp = manifest.get_meta(IN_STEP)
        # On a server, whether anyone wrote since is the collection's token there.
        on_server = None
        if settings.chroma_host and stamp and collection and not full:
            with phases("load"):  # one REST request; chromadb's import only when that fails
                on_server = writer_on_server(settings, collection)
        in_step = (
            not full
            and bool(stamp)  # none after a run that died
            and not (settings.index_dir / FULL_MARKER).exists()
            and stamp == index_stamp(settings, collection, model, sentence_rules_id(), on_server)
        )
        folder = _folder_stamp(settings)  # before the walk: what changes during it shows next run
        with phases("read"):
            named = None
            if changed is not None and in_step and trusted and not settings.follow_symlinks:
                named = scan_changed(settings.corpus_dir, settings.max_file_bytes, known, changed)
            if named is not None:
                scan = named
            elif in_step and trusted and _worth_forking(settings, known, folder != manifest.get_meta(FOLDER)):
                scan = _scan_while_loading(settings, known, collection)
            else:
                scan = _scan(settings, known, trust_stats=trusted and not full)
        report.skipped, report.documents = scan.skipped, scan.documents
        run = _Run(settings, model, key, embed_model, progress, report, phases)
        if in_step:
            _update_in_step(run, scan, manifest, collection)
        else:
            _update_full_way(run, scan, manifest, full)
        if folder != manifest.get_meta(FOLDER):
            manifest.update({}, (), {FOLDER: folder})
        manifest.close()
    return _timed(report, phases, started)


def _timed(report: IndexReport, phases: Phases, started: float) -> IndexReport:
    report.seconds = time.perf_counter() - started
    report.phases = phases.report(report.seconds)
    report.peak_rss_mb = peak_rss_mb()
    return report


def _scan(settings: Settings, known: dict[str, Row], trust_stats: bool) -> Scan:
    return scan_corpus(
        settings.corpus_dir,
        settings.max_file_bytes,
        known,
        trust_stats=trust_stats,
        follow_symlinks=settings.follow_symlinks,
    )


# Below this many articles the walk and Chroma's first touch take a few hundredths of a
# second each: not worth a fork.
FORK_FROM_ARTICLES = 5000
# The corpus folder's mtime and ctime at the last run's start (manifest meta): a file added,
# removed or renamed in it changes them, and a run that will write loads Chroma beside its walk.
FOLDER = "corpus_folder"


def _folder_stamp(settings: Settings) -> str:
    try:
        st = settings.corpus_dir.stat()
    except OSError:
        return ""
    return f"{st.st_mtime_ns}:{st.st_ctime_ns}"


def _worth_forking(settings: Settings, known: dict[str, Row], folder_changed: bool) -> bool:
    """Whether an in-step run with trusted stats (a walk that reads every file could
    outlast `forked.SILENCE`) walks in a child while this process loads the collection:
    - the corpus folder changed since the last run: a file was added, removed or renamed,
      so the run will write (a fresh CLI's no-op, which never loads Chroma, would pay
      chromadb's import, ~1 s; an edit in place walks alone as before);
    - a large corpus in an on-disk store;
    - no Chroma client made in this process yet: a warm process has the collection loaded
      and would only pay the fork, and Chroma's threads make a fork unsafe (`clients_made`)."""
    return (
        folder_changed
        and len(known) >= FORK_FROM_ARTICLES
        and not settings.chroma_host
        and not clients_made()
        and forked.can_fork()
    )


def _scan_while_loading(settings: Settings, known: dict[str, Row], collection: str) -> Scan:
    """The walk in a forked child while Chroma loads the collection here
    (`index.ingest.forked`). A change needs the collection loaded (a fresh process pays
    chromadb's import and its first read of the whole HNSW index), a no-op run does not:
    then the load was spent beside the walk, on another core. The load is only a warm-up:
    whatever fails in it (damaged files, say) the write path finds again and reports."""

    def walk() -> Scan:
        scan = _scan(settings, known, trust_stats=True)
        scan.known = {}  # the parent has them: not sent back
        return scan

    def load() -> None:
        with contextlib.suppress(Exception):
            verify_vectors(settings.index_dir, settings.chroma_path, collection)  # no segfault on damage
            open_client(settings, create=False).get_collection(collection).count()

    scan = forked.beside(walk, load)
    scan.known = known
    return scan


@dataclass
class _Run:
    """What every step of one `newsdesk index` run needs."""

    settings: Settings
    model: str
    key: str  # the loader's key: manifest rows written under another one are not trusted
    embed_model: Any | None
    progress: Progress | None
    report: IndexReport
    phases: Phases

    def open_for_writing(self, full: bool) -> tuple[Any, ChunkStore, str | None, lexical.LexicalIndex, str]:
        """(client, store, the collection a full rebuild replaces, keyword index, what was
        damaged in the keyword index: it was rebuilt)."""
        with self.phases("load"):
            client = _client_for(self.settings, full, self.report)
            store, old = _select_store(self.settings, client, self.model, full, dry_run=False)
        assert store is not None
        with self.phases("lexical"):
            keywords, damage = lexical.open_for_index(self.settings.index_dir, store.name)
        if damage:
            self.report.notes.append(f"the keyword index was damaged ({damage}); it was rebuilt")
        return client, store, old, keywords, damage


def _close_side_stores(
    run: _Run, store: ChunkStore, side: SentenceStore, keywords: lexical.LexicalIndex, rebuilt: int
) -> None:
    """Say how many articles' sentence data was rebuilt (none: nothing said), close the
    sentence store with its log moved into the file, and finish the keyword index."""
    if rebuilt:
        run.report.notes.append(f"sentence data rebuilt for {rebuilt} articles")
    checkpoint(side._conn())
    side.close()
    run.report.chunks = keywords.count()
    with run.phases("lexical"):
        _finish_keywords(run.settings, store, keywords)


def _update_in_step(run: _Run, scan: Scan, manifest: FileManifest, collection: str) -> None:
    """The index is as the last run left it, so the manifest lists what it holds: only
    the files that differ from their rows are read, embedded, written or deleted, and
    Chroma is not opened unless something is to be written there. The cost is one `stat`
    per file plus the changes, not a pass over what is indexed."""
    settings, model, key, report, phases = run.settings, run.model, run.key, run.report, run.phases
    known = scan.known
    changed = [a for a in scan.read.values() if a.path not in known or known[a.path][4] != a.content_hash]
    gone = scan.gone()
    rows: dict[str, Row] = {}
    for article in scan.read.values():  # read again, same hash: touched, or written < 2 s before
        old = known.get(article.path)
        if old is not None and old[4] == article.content_hash:
            rows[article.path] = row(scan.stats[article.path], article.content_hash, old[5])
    for skipped in scan.skipped:  # unreadable now, indexed before: kept, and read again next run
        old = known.get(skipped.path)
        if old is not None and skipped.keeps_indexed:
            rows[skipped.path] = row(None, old[4], old[5])
    rows = {path: r for path, r in rows.items() if known.get(path) != r}
    meta = {} if manifest.get_meta("loader") == key else {"loader": key}

    if not changed and not gone:
        if not settings.chroma_host:  # damaged vector files are an error here too
            verify_vectors(settings.index_dir, settings.chroma_path, collection)
        if rows or meta:
            manifest.update(rows, (), meta)
        report.unchanged = scan.documents
        keywords = lexical.LexicalIndex(lexical.path_for(settings.index_dir, collection))
        report.chunks = keywords.count()
        keywords.close()
        return

    manifest.update({}, (), {IN_STEP: ""})  # a run killed from here on leaves the full way to the next
    _, store, _, keywords, damage = run.open_for_writing(full=False)
    if damage:  # the signature was as recorded, yet SQLite could not open it
        reconcile(store, keywords)
        if not settings.chroma_host:  # questions on a server search it, never the copy
            fill_vectors(store, keywords)
    store.mirror = phases.calls("lexical", keywords)  # written from inside Chroma writes
    side = open_sentences(settings.index_dir)
    states = keywords.article_states([a.id for a in changed] + gone)
    report.added = [a.path for a in changed if a.path not in known]
    report.updated = [a.path for a in changed if a.path in known]
    report.removed = gone
    report.unchanged = scan.documents - len(changed)

    note_unread_dates(report, changed)
    if changed:  # each article's older version goes once its new chunks are in
        report.embedded_chunks = _embed_and_write(
            settings,
            store,
            side,
            changed,
            states,
            _embed_model(settings, run.embed_model, phases),
            run.progress,
            phases,
        )
    with phases("write"):
        for aid in gone:
            state = states.pop(aid, None)
            if state is not None:
                store.delete(state.all_ids())
                side.delete((aid, h) for h in state.ids_by_hash)
    # found damaged and started empty: every article's sentences again, from the chunks
    rebuilt = sync_sentences(settings, store, side, keywords.article_states()) if side.afresh else 0
    _close_side_stores(run, store, side, keywords, rebuilt)
    for article in changed:
        rows[article.path] = row(
            scan.stats[article.path], article.content_hash, published_day(article.published)
        )
    manifest.update(rows, gone, {"loader": key})
    newest = manifest.newest_day()  # relative dates in questions count from it
    bump_revision(  # running bots and chats reopen the store
        settings.index_dir, newest_published=from_day(newest).isoformat() if newest is not None else ""
    )
    if not settings.chroma_host:
        record_vectors(settings.index_dir, settings.chroma_path)
    # The token this run stamped before its first write: another machine's write since
    # replaced it on the server, and the next run here then goes the full way.
    manifest.update(
        {}, (), {IN_STEP: index_stamp(settings, store.name, model, sentence_rules_id(), store.token)}
    )


def _update_full_way(run: _Run, scan: Scan, manifest: FileManifest, full: bool) -> None:
    """Read what the index holds (from the keyword index's mirror when it saw every
    write, else from Chroma) and bring the index, the sentence store and the manifest in
    step with the corpus: leftovers of killed runs, other machines' writes, upgrades."""
    settings, model, key, report, phases = run.settings, run.model, run.key, run.report, run.phases
    manifest.update({}, (), {IN_STEP: ""})
    with phases("read"):
        articles = scan.articles()
    client, store, old, keywords, _ = run.open_for_writing(full)
    seen = str(store.metadata.get("writer") or "")  # the token before this run read the index
    states = _article_states(store, keywords)
    store.mirror = phases.calls("lexical", keywords)  # written from inside Chroma writes
    side = open_sentences(settings.index_dir)
    replan = _check_sentence_rules(side)
    moved = 0
    if legacy_ids(states):  # an index written before ids kept the file suffix
        moved = migrate_ids(store, states)
        states = reconcile(store, keywords)
    if not settings.chroma_host:  # questions on a server always search it, never the copy
        with phases("lexical"):
            fill_vectors(store, keywords)
    with phases("read"):
        todo = _read_todo(settings, _plan(articles, states, report), report)
    note_unread_dates(report, todo)
    gone = _gone(articles, report.skipped, states)
    report.removed = sorted(states[aid].path for aid in gone)

    if todo:
        report.embedded_chunks = _embed_and_write(
            settings,
            store,
            side,
            todo,
            states,
            _embed_model(settings, run.embed_model, phases),
            run.progress,
            phases,
        )

    # Leftovers of an interrupted update: a complete current hash plus stale chunks.
    current = {a.id: a.content_hash for a in articles} | {a.id: a.content_hash for a in todo}
    stale = [i for aid, h in current.items() if aid in states for i in states[aid].ids_except(h)]
    with phases("write"):
        store.delete(stale)
        store.delete([i for aid in gone for i in states[aid].all_ids()])
    for aid, h in current.items():
        if aid in states:
            states[aid].ids_by_hash = {k: v for k, v in states[aid].ids_by_hash.items() if k == h}

    if old is not None:
        state = read_state(settings.index_dir)
        write_state(
            settings.index_dir,
            {"collection": store.name, "generation": int(state.get("generation", 0)) + 1},
        )
        client.delete_collection(old)
        (settings.index_dir / FULL_MARKER).unlink(missing_ok=True)
        report.notes.append("full rebuild: switched to a fresh collection")

    for aid in gone:
        del states[aid]
    dated = add_date_fields(store, states)
    if dated:
        report.notes.append(f"date and outlet fields added to {dated} chunks (no re-embedding)")
    rebuilt = sync_sentences(settings, store, side, states, replan, {a.id: a for a in articles})
    _close_side_stores(run, store, side, keywords, 0 if todo else rebuilt)
    record_newest(settings, states)
    if report.changed or moved or dated or old is not None:
        bump_revision(settings.index_dir)  # running bots and chats reopen the store
    if not settings.chroma_host:
        record_vectors(settings.index_dir, settings.chroma_path)
    rows, in_step = manifest_rows(scan, states)
    writer = store.token or seen  # a write by anyone after `seen` changed the token on a server
    stamp = index_stamp(settings, store.name, model, sentence_rules_id(), writer) if in_step else ""
    before = manifest.rows()
    changed = {path: r for path, r in rows.items() if before.get(path) != r}
    manifest.update(changed, before.keys() - rows.keys(), {"loader": key, IN_STEP: stamp})
    drop_legacy(settings.index_dir)


def _embed_model(settings: Settings, embed_model: Any | None, phases: Phases) -> Any:
    """The model to embed with: the caller's, or the configured one (loaded only now),
    and the spaCy pipeline loaded (its first use would charge the load to "nlp")."""
    with phases("load"):
        from index.ingest.nlp import pipeline

        pipeline()
        if embed_model is not None:
            return embed_model
        from index.embedding import build_embed_model

        return build_embed_model(settings)


def _finish_keywords(settings: Settings, store: ChunkStore, keywords: lexical.LexicalIndex) -> None:
    """Record in the keyword index that it saw every write of this run, then close it."""
    if store.token:  # every write of this run reached the keyword index too
        keywords.set_meta("writer", store.token)
    keywords.set_meta("collection", json.dumps(_collection_settings(store.metadata), sort_keys=True))
    lexical.finish(settings.index_dir, keywords, store.name)


def manifest_rows(scan: Scan, states: dict[str, ArticleState]) -> tuple[dict[str, Row], bool]:
    """The manifest rows for what the index holds, and whether they tell all of it: every
    article in exactly one complete version under today's id (else the next run goes the
    full way again)."""
    rows: dict[str, Row] = {}
    in_step = True
    for aid, state in states.items():
        complete = [h for h in state.ids_by_hash if state.complete(h)]
        if len(state.ids_by_hash) != 1 or not complete or aid != id_for_path(state.path):
            in_step = False
        if complete and aid == id_for_path(state.path):
            h = complete[0]
            rows[aid] = row(scan.cached_stat(aid, h), h, published_day(state.published))
    return rows, in_step


def _state_for(settings: Settings, full: bool) -> dict[str, Any]:
    """The state file; a full rebuild starts over when it is unreadable."""
    try:
        return read_state(settings.index_dir)
    except NewsdeskError:
        if not full:
            raise
        return {}


def _client_for(settings: Settings, full: bool, report: IndexReport) -> Any:
    """A writable client. A full rebuild moves an on-disk store that won't open aside
    (kept, not deleted) and starts a fresh one."""
    try:
        client = open_client(settings, create=True)
        client.list_collections()
        return client
    except Exception as exc:
        if storage_problem(exc) is not None:
            raise  # a full or failing disk, not a broken store: storage_errors() words it
        if not full or settings.chroma_host:
            if isinstance(exc, NewsdeskError):
                raise
            raise NewsdeskError(
                f"the index at {settings.chroma_path} cannot be opened ({exc}); run `newsdesk index --full`"
            ) from exc
    broken = settings.chroma_path.with_name(f"chroma.broken-{int(time.time())}")
    settings.chroma_path.rename(broken)
    (settings.index_dir / "state.json").unlink(missing_ok=True)
    report.notes.append(f"the old store could not be opened; it was moved to {broken}")
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()  # forget the half-opened broken store
    return open_client(settings, create=True)


def _read_todo(settings: Settings, todo: list[Item], report: IndexReport) -> list[Article]:
    """Full text for the articles to embed; one the cache vouched for is read now
    (a store reset or an interrupted run can need an unchanged file's chunks again)."""
    out: list[Article] = []
    for item in todo:
        article = materialize(settings.corpus_dir, item, settings.max_file_bytes)
        if isinstance(article, Skipped):  # changed or vanished since the scan
            report.skipped.append(article)
            for bucket in (report.added, report.updated):
                if item.path in bucket:
                    bucket.remove(item.path)
            continue
        out.append(article)
    return out


def note_unread_dates(report: IndexReport, articles: list[Article], shown: int = 5) -> None:
    """Say which articles give a published date that names no day ("2023-02-30",
    "yesterday"): kept as written, they count as undated, so a question about a period or
    `--since` leaves them out, and the user should know why."""
    odd = [a for a in articles if a.published and published_day(a.published) is None]
    for article in odd[:shown]:
        report.notes.append(
            f'{article.path}: published "{article.published}" is not a date; the article counts as undated'
        )
    if len(odd) > shown:
        report.notes.append(f"… and {len(odd) - shown} more articles whose published date is not a date")


def _gone(articles: list[Item], skipped: list[Skipped], states: dict[str, ArticleState]) -> list[str]:
    """Indexed articles whose file is gone. A file still there but now unreadable keeps
    its old chunks (it is reported as skipped): a bad save never loses an article. A file
    that must not be indexed (a link out of the corpus) loses them."""
    present = {a.id for a in articles} | {id_for_path(s.path) for s in skipped if s.keeps_indexed}
    # A folder that turned unreadable ("dir/") keeps the articles indexed from it.
    folders = tuple(s.path for s in skipped if s.keeps_indexed and s.path.endswith("/"))
    return [aid for aid, st in states.items() if aid not in present and not st.path.startswith(folders)]


def _collection_settings(meta: dict[str, Any]) -> dict[str, Any]:
    return {k: meta.get(k) for k in ("embed_model", "chunk_size", "chunk_overlap")}


def _article_states(store: ChunkStore, keywords: lexical.LexicalIndex) -> dict[str, ArticleState]:
    """What the store holds per article: from the keyword index's mirror when it saw every
    write to the collection (cheap), else read from Chroma and the mirror reconciled."""
    token = str(store.metadata.get("writer", ""))
    if token and keywords.get_meta("writer") == token and keywords.count() == store.count():
        return keywords.article_states()
    return reconcile(store, keywords)


def reconcile(store: ChunkStore, keywords: lexical.LexicalIndex) -> dict[str, ArticleState]:
    """Make the keyword index hold exactly the chunks Chroma holds (fetching only the
    missing ones' text); returns the article states read from Chroma."""
    keywords.set_meta("writer", "pending")
    states = store.article_states()
    ids = {i for st in states.values() for i in st.all_ids()}
    keywords.delete(keywords.ids() - ids)
    have = keywords.ids()
    missing = sorted(ids - have)
    for start in range(0, len(missing), 2000):
        keywords.add_hits(store.chunks(missing[start : start + 2000]))
    # A token of our own, which the keyword index records as seen when the run finishes
    # (`_finish_keywords`): until then it says "pending", so no question trusts it while
    # this run is still writing.
    store.begin_write()
    return states


def fill_vectors(store: ChunkStore, keywords: lexical.LexicalIndex) -> None:
    """Copy Chroma's vectors of the chunks the mirror holds without one (an index written
    before the mirror kept vectors, or chunks `reconcile` fetched): questions on the
    embedded store then search the mirror without opening Chroma (`index.store.vector_mirror`)."""
    missing = keywords.ids_without_vectors()
    for start in range(0, len(missing), 2000):
        keywords.set_vectors(store.vectors(missing[start : start + 2000]))


def _embed_and_write(
    settings: Settings,
    store: ChunkStore,
    side: SentenceStore,
    todo: list[Article],
    states: dict[str, ArticleState],
    embed_model: Any,
    progress: Progress | None,
    phases: Phases,
) -> int:
    """Annotate, chunk, embed and upsert in groups of EMBED_GROUP chunks; an article's
    sentences go to the sentence store, and its old chunks are deleted, only after all its
    new chunks landed.

    Memory stays bounded whatever the article's size: chunks become nodes and vectors a
    group at a time, and only each sentence's compact record waits for the article's end.
    Progress is reported in characters, twice over (annotated, then embedded).
    """
    from llama_index.core.schema import MetadataMode

    from index.ingest.chunking import make_node, split_pieces
    from index.ingest.sentence_data import add_chunk_states, finish, plan_records

    encoder, same_pass = _token_encoder(settings, embed_model)
    total = 2 * sum(len(a.text) for a in todo)

    def finish_records(records: list[Any]) -> None:
        with phases("chunk"):  # sentence vectors and token states, inside the article's write
            finish(records)

    done = 0
    pending: list[tuple[Any, _Open]] = []  # nodes not yet embedded, with their article
    written = 0

    def advance(chars: int) -> None:
        nonlocal done
        done = min(done + chars, total)
        if progress:
            progress(done, total)

    def flush() -> None:
        nonlocal pending, written
        if not pending:
            return
        nodes = [n for n, _ in pending]
        texts = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes]
        with phases("embed"):
            encoded = encoder.encode(texts)
            vectors = (
                [e.vector.tolist() for e in encoded]
                if same_pass
                else embed_model.get_text_embedding_batch(texts)
            )
        with phases("write"):
            store.upsert(nodes, vectors)
        written += len(nodes)
        for (node, item), enc in zip(pending, encoded):
            with phases("chunk"):
                add_chunk_states(item.records, int(node.metadata["start_char"]), node.text, enc)
            item.left -= 1
            if item.left == 0:
                with phases("write"):
                    _finish_article(store, side, states, item, finish_records)
        advance(sum(len(t) for t in texts))
        pending = []

    if progress:
        progress(0, total)
    for batch, found in _annotated_ahead(todo, phases):
        for article, annotation in zip(batch, found):
            advance(len(article.text))
            with phases("chunk"):
                pieces = split_pieces(article, annotation, settings.chunk_size, settings.chunk_overlap)
                item = _Open(
                    article,
                    plan_records(article.text, article.title, annotation, [(a, b) for _, a, b in pieces]),
                    [],
                    len(pieces),
                )
            if not pieces:
                with phases("write"):
                    _finish_article(store, side, states, item, finish_records)
            for position, piece in enumerate(pieces):
                with phases("chunk"):
                    node = make_node(article, position, len(pieces), piece)
                item.ids.append(node.node_id)
                pending.append((node, item))
                if len(pending) >= EMBED_GROUP:
                    flush()
    flush()
    return written


def _annotated_ahead(todo: list[Article], phases: Phases) -> Iterator[tuple[list[Article], list[Any]]]:
    """(batch, its annotations) in order, spaCy working on the next batch in a thread while
    the caller chunks and embeds this one: the ONNX pass and numpy leave the GIL, so on 2
    cores most of spaCy's time hides behind the model's (measured over 150 Reuters
    articles: 24.5 s overlapped against 4.7 s spaCy + 23.6 s embedding one after the
    other). "nlp" is then only the wait for a batch that is not ready."""
    from concurrent.futures import ThreadPoolExecutor

    from index.ingest.nlp import annotate

    batches = [todo[start : start + ANNOTATE_BATCH] for start in range(0, len(todo), ANNOTATE_BATCH)]
    if not batches:
        return

    def annotated(batch: list[Article]) -> list[Any]:
        return list(annotate([a.text for a in batch]))

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsdesk-nlp")
    try:
        ahead = deque(pool.submit(annotated, b) for b in batches[:NLP_AHEAD])
        for k, batch in enumerate(batches):
            with phases("nlp"):
                annotations = ahead.popleft().result()
            if k + NLP_AHEAD < len(batches):
                ahead.append(pool.submit(annotated, batches[k + NLP_AHEAD]))
            yield batch, annotations
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class _Open:
    """An article whose chunks are on their way to the store."""

    article: Article
    records: list[Any]
    ids: list[str]
    left: int  # chunks not yet written


def _finish_article(
    store: ChunkStore, side: SentenceStore, states: dict[str, ArticleState], item: _Open, finish: Any
) -> None:
    """All chunks landed: store the sentences, then drop the article's older versions."""
    from index.text import content_terms

    article = item.article
    finish(item.records)
    for record in item.records:
        record.text = article.text[record.start : record.end]
    side.put(article.id, article.content_hash, article.title, set(content_terms(article.text)), item.records)
    state = states.get(article.id)
    if state is not None:
        store.delete(state.ids_except(article.content_hash))
        side.delete((article.id, h) for h in state.ids_by_hash if h != article.content_hash)
    states[article.id] = ArticleState(
        path=article.path,
        ids_by_hash={article.content_hash: item.ids},
        expected_by_hash={article.content_hash: len(item.ids)},
        published=article.published,
    )


def add_date_fields(store: ChunkStore, states: dict[str, ArticleState]) -> int:
    """Give chunks stored before date filtering existed their `published_day` and
    `outlet_key`, from their own metadata: an upgrade costs a metadata write, not a
    re-embedding. Returns chunks updated."""
    updates: dict[str, dict[str, Any]] = {}
    for state in states.values():
        if state.undated_fields:
            current = set(state.all_ids())  # stale versions' chunks are gone by now
            for cid, (published, outlet) in state.undated_fields.items():
                if cid in current:
                    updates[cid] = dict(date_metadata(published, outlet))
    if updates:
        store.update_metadata(updates)
    for state in states.values():
        state.undated_fields.clear()
    return len(updates)


def record_newest(settings: Settings, states: dict[str, ArticleState]) -> None:
    """Keep the newest article's date in the state file: relative dates in questions
    ("last week") count from it, not from today (an archive's "last week" is its own)."""
    days = [d for d in (published_day(st.published) for st in states.values()) if d is not None]
    newest = from_day(max(days)).isoformat() if days else ""
    state = read_state(settings.index_dir)
    if state.get("newest_published", "") != newest:
        write_state(settings.index_dir, {**state, "newest_published": newest})


def _token_encoder(settings: Settings, embed_model: Any) -> tuple[Any, bool]:
    """The packaged MiniLM, whose token states the answerer stores; and whether the chunk
    vectors come from the same pass (the default backend) or from another model."""
    from index.embedding import index_encoder

    own = getattr(embed_model, "_encoder", None)
    if own is not None and hasattr(own, "encode"):
        return own, True
    return index_encoder(settings), False


def sentence_rules_id() -> str:
    """What made the stored sentence data: the token basis and the sentence rules."""
    from index.embedding.token_states import basis

    return f"{basis().id}/{SENTENCE_DATA_VERSION}"


def _check_sentence_rules(side: SentenceStore) -> bool:
    """Sentence data made with another token basis is dropped before this run writes any,
    so `sync_sentences` rebuilds it from the chunks. Data made by other sentence rules
    under the same basis is kept until `sync_sentences` has planned every article again
    (True: it must): its vectors and token states still hold for unchanged sentences."""
    made_by, stored = sentence_rules_id(), side.get_meta("basis")
    if stored == made_by:
        return False
    if stored is not None and stored.rsplit("/", 1)[0] == made_by.rsplit("/", 1)[0]:
        return True
    side.delete(side.known())
    side.set_meta("basis", made_by)
    return False


def sync_sentences(
    settings: Settings,
    store: ChunkStore,
    side: SentenceStore,
    states: dict[str, ArticleState],
    replan: bool = False,
    files: dict[str, Article | ArticleRef] | None = None,
) -> int:
    """Make the sentence store hold exactly the complete article versions Chroma holds:
    drop the rest, rebuild what is missing (no re-embedding into Chroma; one model pass
    for the token states). replan: the sentence rules changed, so every article is
    planned again too, keeping the stored states of each sentence whose span is unchanged
    (spaCy only; the model runs for articles whose sentences moved). The text spaCy reads
    is the article's file when `files` has it at the same version (see `_article_text`).
    Returns articles rebuilt."""
    from index.ingest.nlp import annotate
    from index.ingest.sentence_data import add_chunk_states, finish, plan_records
    from index.text import content_terms

    wanted = {
        (aid, h): ids for aid, st in states.items() for h, ids in st.ids_by_hash.items() if st.complete(h)
    }
    have = side.known()
    side.delete(have - set(wanted))
    todo = [key for key in wanted if replan or key not in have]
    encoder = None
    for start in range(0, len(todo), ANNOTATE_BATCH):
        batch = todo[start : start + ANNOTATE_BATCH]
        rebuilt = [_article_text(settings, files, key, store.chunks(wanted[key])) for key in batch]
        for key, (text, title, chunks), annotation in zip(batch, rebuilt, annotate([r[0] for r in rebuilt])):
            records = plan_records(text, title, annotation, [(a, b) for _, a, b in chunks])
            kept = side.sentence_states(*key) if key in have else {}
            for record in records:
                record.vector, record.tokens = kept.get((record.start, record.end), (b"", b""))
            if not kept or any((r.start, r.end) not in kept for r in records):
                if encoder is None:
                    encoder = _token_encoder(settings, None)[0]
                for enc, (chunk_text, a, _) in zip(encoder.encode([c for c, _, _ in chunks]), chunks):
                    add_chunk_states(records, a, chunk_text, enc)
                finish(records)
            for record in records:
                record.text = text[record.start : record.end]
            side.put(key[0], key[1], title, set(content_terms(text)), records)
    if replan:
        side.set_meta("basis", sentence_rules_id())
    return len(todo)


def _article_text(
    settings: Settings, files: dict[str, Article | ArticleRef] | None, key: tuple[str, str], hits: list[Any]
) -> tuple[str, str, list[tuple[str, int, int]]]:
    """An article's text, title and chunks for its sentence data. The chunks leave out
    what lies between them (the space or line break a chunk boundary fell on), and put
    back with line breaks the text reads otherwise to spaCy, which then found other
    entities than a fresh build did (20 sentences of the Reuters and SQuAD eval corpora):
    so the file is read again when it still holds this version, and the chunks' text is
    the fallback (a file changed or gone since, a file over the size limit)."""
    text, title, chunks = _from_chunks(hits)
    item = (files or {}).get(key[0])
    if item is None or item.content_hash != key[1]:
        return text, title, chunks
    article = materialize(settings.corpus_dir, item, settings.max_file_bytes)
    if isinstance(article, Skipped) or article.content_hash != key[1]:
        return text, title, chunks
    if any(article.text[a:b] != piece for piece, a, b in chunks):
        return text, title, chunks  # chunked by other rules than this text's: keep theirs
    return article.text, article.title, chunks


def _from_chunks(hits: list[Any]) -> tuple[str, str, list[tuple[str, int, int]]]:
    """An article's text and (text, start, end) chunks, put back together from its chunks."""
    chunks = sorted(
        ((h.text, int(h.metadata.get("start_char", 0)), int(h.metadata.get("position", 0))) for h in hits),
        key=lambda c: c[2],
    )
    size = max((a + len(t) for t, a, _ in chunks), default=0)
    chars = ["\n"] * size
    for text, a, _ in chunks:
        chars[a : a + len(text)] = text
    title = str(hits[0].metadata.get("title", "")) if hits else ""
    return "".join(chars), title, [(t, a, a + len(t)) for t, a, _ in chunks]


def _dry_run(settings: Settings, articles: list[Item], model: str, full: bool, report: IndexReport) -> None:
    """Classify without writing; with no index everything would be added."""
    state = read_state(settings.index_dir)
    if not state.get("collection") or not settings.chroma_path.exists() and not settings.chroma_host:
        report.added = [a.path for a in articles]
        return
    client = open_client(settings, create=False)
    store, _ = _select_store(settings, client, model, full, dry_run=True)
    if store is None:  # full rebuild: everything is re-embedded
        report.added = [a.path for a in articles]
        return
    states = current_view(store.article_states())
    _plan(articles, states, report)
    report.removed = sorted(states[aid].path for aid in _gone(articles, report.skipped, states))
    report.chunks = store.count()
