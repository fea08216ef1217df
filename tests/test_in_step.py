"""While the index is as the last run left it, `newsdesk index` compares the corpus with the
file manifest and touches only what differs; anything that changed the index behind its
back sends it the full way. Touched, renamed and same-second replaced files are seen."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from index.ingest import corpus_scan, indexer
from index.ingest.indexer import run_index
from index.settings import Settings
from index.store.chroma import ChunkStore, open_active, read_state
from index.store.file_manifest import FILE, FileManifest
from index.store.index_stamp import META_KEY
from index.store.lexical import LexicalIndex
from index.store.sentences import FILE as SENTENCES_FILE
from tests.conftest import CountingEmbedding

SEED = "003_96b30b9797db3545.txt"
NEW = "Blinken flew to Kyiv on Tuesday.\n\nHe met Zelensky there and promised more aid."


def _write_old(path: Path, text: str) -> None:
    """Write a file as if an hour ago (a file written in the last 2 s is read again next run)."""
    path.write_text(text, encoding="utf-8")
    past = time.time() - 3600
    os.utime(path, (past, past))


@pytest.fixture
def aged(corpus: Path) -> Path:
    """The seed files, last written an hour ago: old enough for their stat to be kept."""
    past = time.time() - 3600
    for path in corpus.iterdir():
        os.utime(path, (past, past))
    return corpus


class Watch:
    """What a run did: files opened, whether it opened Chroma, which article states it read."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.read: list[str] = []
        self.opened = 0
        self.states: list[list[str] | None] = []
        real_read, real_client, real_states = (
            corpus_scan.read_article,
            indexer._client_for,
            LexicalIndex.article_states,
        )

        def read(corpus_dir: Path, path: Path, max_bytes: int) -> Any:
            self.read.append(path.name)
            return real_read(corpus_dir, path, max_bytes)

        def client(*args: Any) -> Any:
            self.opened += 1
            return real_client(*args)

        def states(index: LexicalIndex, ids: Any = None) -> Any:
            self.states.append(None if ids is None else sorted(ids))
            return real_states(index, ids)

        def everything(store: ChunkStore) -> None:
            raise AssertionError("read every chunk's metadata from Chroma")

        monkeypatch.setattr(corpus_scan, "read_article", read)
        monkeypatch.setattr(indexer, "_client_for", client)
        monkeypatch.setattr(LexicalIndex, "article_states", states)
        monkeypatch.setattr(ChunkStore, "article_states", everything)

    def reset(self) -> None:
        self.read, self.opened, self.states = [], 0, []


def _manifest(settings: Settings) -> dict[str, str]:
    manifest = FileManifest(settings.index_dir)
    try:
        return {path: r[4] for path, r in manifest.rows().items()}
    finally:
        manifest.close()


def _indexed(settings: Settings) -> dict[str, set[str]]:
    """Article id -> content hashes Chroma holds (the truth)."""
    got = open_active(settings, fresh=True).collection.get(include=["metadatas"])
    out: dict[str, set[str]] = {}
    for meta in got["metadatas"]:
        out.setdefault(str(meta["article_id"]), set()).add(str(meta["content_hash"]))
    return out


def _in_step(settings: Settings) -> bool:
    manifest = FileManifest(settings.index_dir)
    try:
        return bool(manifest.get_meta(META_KEY))
    finally:
        manifest.close()


def test_each_change_costs_itself_and_the_manifest_lists_the_index(
    settings: Settings, aged: Path, counting: CountingEmbedding, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_index(settings, embed_model=counting)
    assert _in_step(settings)
    watch = Watch(monkeypatch)

    assert run_index(settings, embed_model=counting).unchanged == 5
    assert (watch.read, watch.opened, watch.states) == ([], 0, [])  # no file read, no Chroma

    _write_old(aged / "new.txt", NEW)
    watch.reset()
    report = run_index(settings, embed_model=counting)
    assert report.added == ["new.txt"] and report.unchanged == 5
    assert watch.read == ["new.txt"] and watch.states == [["new.txt"]]  # its own state only

    path = aged / SEED
    _write_old(path, path.read_text(encoding="utf-8") + "\n\nA late paragraph.")
    (aged / "001_6590fbfd3e993fb7.txt").unlink()
    watch.reset()
    report = run_index(settings, embed_model=counting)
    assert (report.updated, report.removed) == ([SEED], ["001_6590fbfd3e993fb7.txt"])
    assert watch.read == [SEED] and watch.states == [sorted(["001_6590fbfd3e993fb7.txt", SEED])]

    indexed = _indexed(settings)
    assert all(len(hashes) == 1 for hashes in indexed.values())
    assert _manifest(settings) == {aid: next(iter(hashes)) for aid, hashes in indexed.items()}
    assert _in_step(settings)


def _count_walks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    walks: list[int] = []
    real = corpus_scan.walk_corpus

    def walk(*args: Any, **kwargs: Any) -> Any:
        walks.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(corpus_scan, "walk_corpus", walk)
    return walks


def test_named_changes_are_all_that_is_looked_at(
    settings: Settings, aged: Path, counting: CountingEmbedding, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`index --watch` passes the paths its notifications named: no walk, no other stat."""
    run_index(settings, embed_model=counting)
    watch, walks = Watch(monkeypatch), _count_walks(monkeypatch)

    _write_old(aged / "new.txt", NEW)
    report = run_index(settings, embed_model=counting, changed=["new.txt"])
    assert report.added == ["new.txt"] and report.unchanged == 5
    assert (watch.read, walks) == (["new.txt"], [])

    path = aged / SEED
    _write_old(path, path.read_text(encoding="utf-8") + "\n\nA late paragraph.")
    (aged / "001_6590fbfd3e993fb7.txt").unlink()
    (aged / "notes.pdf").write_bytes(b"%PDF")
    watch.reset()
    changed = [SEED, "001_6590fbfd3e993fb7.txt", "notes.pdf", ".new.txt.swp"]
    report = run_index(settings, embed_model=counting, changed=changed)
    assert (report.updated, report.removed, report.unchanged) == ([SEED], ["001_6590fbfd3e993fb7.txt"], 4)
    assert (watch.read, walks) == ([SEED], [])

    indexed = _indexed(settings)
    assert _manifest(settings) == {aid: next(iter(hashes)) for aid, hashes in indexed.items()}
    assert run_index(settings, embed_model=counting).unchanged == 5  # the walk agrees
    assert walks == [1]


def test_a_named_folder_or_a_dirty_index_takes_the_walk(
    settings: Settings, aged: Path, counting: CountingEmbedding, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_index(settings, embed_model=counting)
    walks = _count_walks(monkeypatch)
    (aged / "more").mkdir()
    _write_old(aged / "more" / "new.txt", NEW)
    report = run_index(settings, embed_model=counting, changed=["more"])  # a folder moved in
    assert report.added == ["more/new.txt"] and walks == [1]
    assert corpus_scan.scan_changed(aged, settings.max_file_bytes, {}, ["../outside.txt"]) is None

    FileManifest(settings.index_dir).update({}, (), {META_KEY: ""})  # as a killed run leaves it
    _write_old(aged / "other.txt", NEW + " And Kuleba.")
    report = run_index(settings, embed_model=counting, changed=[])
    assert report.added == ["other.txt"] and walks == [1, 1]


def test_touched_file_is_a_noop_and_read_once(
    settings: Settings, aged: Path, counting: CountingEmbedding, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_index(settings, embed_model=counting)
    watch = Watch(monkeypatch)
    path = aged / SEED
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - 10**9))  # touched: same content
    counting.texts_embedded = 0
    report = run_index(settings, embed_model=counting)
    assert report.unchanged == 5 and not report.changed and counting.texts_embedded == 0
    assert (watch.read, watch.opened) == ([SEED], 0)
    watch.reset()
    assert run_index(settings, embed_model=counting).unchanged == 5
    assert watch.read == []  # its new stat was kept


def test_same_second_same_size_replacement_and_rename_are_seen(
    settings: Settings, aged: Path, counting: CountingEmbedding, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_index(settings, embed_model=counting)
    watch = Watch(monkeypatch)
    path = aged / SEED
    before = path.stat()
    other = aged.parent / "replacement.txt"  # an editor's save: write a copy, move it over
    other.write_bytes(path.read_bytes().replace(b"Lavrov", b"Lavrof", 1))
    os.utime(other, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(other, path)
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)

    report = run_index(settings, embed_model=counting)
    assert report.updated == [SEED] and watch.opened == 1
    texts = open_active(settings, fresh=True).collection.get(where={"article_id": SEED})["documents"]
    assert any("Lavrof" in t for t in texts) and len(_indexed(settings)[SEED]) == 1

    path.rename(aged / "renamed.txt")
    report = run_index(settings, embed_model=counting)
    assert (report.added, report.removed, report.unchanged) == (["renamed.txt"], [SEED], 4)
    assert set(_indexed(settings)) == set(_manifest(settings)) and "renamed.txt" in _manifest(settings)


def test_an_index_changed_behind_the_manifest_goes_the_full_way(
    settings: Settings, aged: Path, counting: CountingEmbedding
) -> None:
    run_index(settings, embed_model=counting)
    (settings.index_dir / SENTENCES_FILE).unlink()  # the sentence store lost
    report = run_index(settings, embed_model=counting)
    assert report.notes == ["sentence data rebuilt for 5 articles"] and _in_step(settings)

    store = open_active(settings, fresh=True)  # another writer: a chunk deleted from Chroma
    store.delete(store.collection.get(where={"article_id": SEED})["ids"][:1])
    counting.texts_embedded = 0
    report = run_index(settings, embed_model=counting)
    assert report.updated == [SEED] and counting.texts_embedded > 0
    assert _indexed(settings)[SEED] == {_manifest(settings)[SEED]}


def test_a_damaged_manifest_is_replaced_and_nothing_is_reembedded(
    settings: Settings, aged: Path, counting: CountingEmbedding
) -> None:
    run_index(settings, embed_model=counting)
    for suffix in ("-wal", "-shm"):
        Path(f"{settings.index_dir / FILE}{suffix}").unlink(missing_ok=True)
    (settings.index_dir / FILE).write_bytes(b"\x00garbage, not SQLite" * 100)
    counting.texts_embedded = 0
    report = run_index(settings, embed_model=counting)
    assert report.unchanged == 5 and counting.texts_embedded == 0
    assert len(_manifest(settings)) == 5 and _in_step(settings)


def test_the_old_json_manifest_spares_reading_files_once(
    settings: Settings, aged: Path, counting: CountingEmbedding, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An index from before `files.sqlite`: its `files.json` stats are used, then it goes."""
    run_index(settings, embed_model=counting)
    manifest = FileManifest(settings.index_dir)
    rows = manifest.rows()
    key = manifest.get_meta("loader")
    manifest.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{settings.index_dir / FILE}{suffix}").unlink(missing_ok=True)
    files = {p: [*r[:4], p, r[4]] for p, r in rows.items()}
    (settings.index_dir / "files.json").write_text(json.dumps({"key": key, "files": files}))
    watch = Watch(monkeypatch)
    report = run_index(settings, embed_model=counting)
    assert report.unchanged == 5 and watch.read == []
    assert not (settings.index_dir / "files.json").exists() and _in_step(settings)


def test_other_loader_rereads_every_file_without_reembedding(
    make_settings: Any, aged: Path, counting: CountingEmbedding, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_index(make_settings(), embed_model=counting)
    watch = Watch(monkeypatch)
    counting.texts_embedded = 0
    report = run_index(make_settings(max_file_bytes=1_500_000), embed_model=counting)
    assert report.unchanged == 5 and len(watch.read) == 5 and counting.texts_embedded == 0
    watch.reset()
    run_index(make_settings(max_file_bytes=1_500_000), embed_model=counting)
    assert watch.read == []


def test_newest_date_follows_adds_and_deletes(
    settings: Settings, aged: Path, counting: CountingEmbedding
) -> None:
    run_index(settings, embed_model=counting)
    before = read_state(settings.index_dir).get("newest_published", "")
    (aged / "future.md").write_text(f"---\npublished: 2031-05-04\n---\n{NEW}\n", encoding="utf-8")
    run_index(settings, embed_model=counting)
    assert read_state(settings.index_dir)["newest_published"] == "2031-05-04"
    (aged / "future.md").unlink()
    run_index(settings, embed_model=counting)
    assert read_state(settings.index_dir).get("newest_published", "") == before


def test_rows_kept_in_memory_follow_this_and_other_processes_writes(tmp_path: Path) -> None:
    import subprocess
    import sys

    from index.store.file_manifest import open_manifest, row

    manifest = open_manifest(tmp_path)
    manifest.update({"a.txt": row((1, 2, 3, 4), "h1", None)}, (), {})
    assert manifest.rows() == {"a.txt": (1, 2, 3, 4, "h1", None)}
    manifest.update({"b.txt": row(None, "h2", 7)}, ["a.txt"], {})
    assert manifest.rows() == {"b.txt": (None, None, None, None, "h2", 7)}
    code = (
        "import sys; from pathlib import Path; from index.store.file_manifest import open_manifest, row; "
        "open_manifest(Path(sys.argv[1])).update({'c.txt': row((5, 6, 7, 8), 'h3', 1)}, ['b.txt'], {})"
    )
    root = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, cwd=root)
    assert manifest.rows() == {"c.txt": (5, 6, 7, 8, "h3", 1)}


def test_questions_between_runs_leave_the_index_in_step(
    settings: Settings, aged: Path, counting: CountingEmbedding, monkeypatch: pytest.MonkeyPatch
) -> None:
    from index.query.engine import Engine

    run_index(settings, embed_model=counting)
    answer = Engine(settings, embed_model=counting).ask("Who is the Russian Foreign Minister?")
    assert not answer.abstained
    watch = Watch(monkeypatch)
    assert run_index(settings, embed_model=counting).unchanged == 5 and watch.opened == 0


def test_watch_names_notified_paths_relative_to_the_corpus(tmp_path: Path) -> None:
    """What `index --watch` passes on: corpus-relative POSIX paths, or nothing (take the
    walk) when a notification is about the corpus folder itself or a place outside it."""
    from bot.cli import _corpus_paths

    corpus = tmp_path / "corpus"
    assert _corpus_paths(corpus, [str(corpus / "a.md"), str(corpus / "sub" / "b.txt")]) == [
        "a.md",
        "sub/b.txt",
    ]
    assert _corpus_paths(corpus, [str(corpus / "a.md"), str(corpus)]) is None
    assert _corpus_paths(corpus, [str(tmp_path / "elsewhere.md")]) is None
    assert _corpus_paths(corpus, [str(tmp_path / "corpus-old" / "a.md")]) is None


def test_the_loader_key_covers_every_module_that_reads_a_file() -> None:
    """A change to any code that turns a file into text (a new furniture line, a mojibake
    repair) must re-read every file: its stats vouch only for what the old code read."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from index.ingest.articles import parse_article\n"
        'parse_article(\'a.json\', b\'{"title": "T", "text": "Some body text here."}\')\n'
        "parse_article('a.html', b'<html><head><title>T</title></head><body><p>Some body text.</p></body></html>')\n"
        "parse_article('a.md', b'---\\ntitle: T\\n---\\n\\nSome body text here.\\n')\n"
        "print(' '.join(m for m in sys.modules if m.startswith('index.')))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    reading = {name for name in run.stdout.split() if name != "index.ingest"}
    assert reading
    assert reading == {m.__name__ for m in corpus_scan.LOADER_MODULES}
