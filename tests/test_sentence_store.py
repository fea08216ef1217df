"""The sentence store keeps what a question read for the next one, and never serves it
after the file was written: by another process (`newsdesk index` beside a bot) or by
itself. Real SQLite files, two connections as two processes would have."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from index.ingest.sentence_data import SentenceRecord
from index.store import sentences
from index.store.sentences import SentenceStore


def records(*texts: str, chunk: int = 0, first: int = 0) -> list[SentenceRecord]:
    out, at = [], 0
    for i, text in enumerate(texts, first):
        out.append(SentenceRecord(i, chunk, at, at + len(text), 0, len(text), "", [], text=text))
        at += len(text) + 1
    return out


def texts(store: SentenceStore, chunks: list[int]) -> list[str]:
    return [s.text for s in store.sentences("a.txt", "h1", chunks)]


def reads_of_sentences(store: SentenceStore) -> list[str]:
    """Starts recording the SQL this thread's connection runs against the sentences table."""
    seen: list[str] = []
    store._conn().set_trace_callback(lambda sql: seen.append(sql) if "FROM sentences" in sql else None)
    return seen


def test_a_second_read_is_served_without_sql_until_another_connection_writes(tmp_path: Path) -> None:
    writer = SentenceStore(tmp_path, create=True)
    writer.put("a.txt", "h1", "A", {"ford"}, records("Ford sold cars.", "It made money."))
    reader = SentenceStore(tmp_path)
    sql = reads_of_sentences(reader)

    assert texts(reader, [0]) == ["Ford sold cars.", "It made money."]
    assert texts(reader, [0]) == ["Ford sold cars.", "It made money."]
    assert len(sql) == 1  # the second question found them kept

    writer.put("a.txt", "h1", "A", {"ford"}, records("Ford sold trucks."))  # same version rewritten
    assert texts(reader, [0]) == ["Ford sold trucks."]
    writer.delete([("a.txt", "h1")])
    assert texts(reader, [0]) == []
    assert len(sql) == 3


def test_its_own_writes_are_seen(tmp_path: Path) -> None:
    store = SentenceStore(tmp_path, create=True)
    assert texts(store, [0, 1]) == []  # read before the article is written: nothing kept wrongly
    store.put(
        "a.txt", "h1", "A", {"ford"}, records("Ford sold cars.") + records("Later news.", chunk=1, first=1)
    )
    assert texts(store, [1, 0]) == ["Ford sold cars.", "Later news."]  # article order
    store.delete([("a.txt", "h1")])
    assert texts(store, [0]) == []


def test_each_thread_keeps_its_own(tmp_path: Path) -> None:
    """One connection per thread (the bot answers in a pool): a write another thread's
    connection made is seen by this one's `data_version` too."""
    store = SentenceStore(tmp_path, create=True)
    store.put("a.txt", "h1", "A", {"ford"}, records("Ford sold cars."))
    assert texts(store, [0]) == ["Ford sold cars."]
    worker = threading.Thread(
        target=lambda: store.put("a.txt", "h1", "A", {"ford"}, records("Ford sold vans."))
    )
    worker.start()
    worker.join()
    assert texts(store, [0]) == ["Ford sold vans."]


def test_a_full_store_lets_the_oldest_go_not_what_this_question_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sentences, "KEPT_CHUNKS", 2)
    store = SentenceStore(tmp_path, create=True)
    store.put("a.txt", "h1", "A", {"ford"}, [*records("One."), *records("Two.", chunk=1, first=1),
                                             *records("Three.", chunk=2, first=2)])  # fmt: skip
    assert texts(store, [0, 1]) == ["One.", "Two."]
    assert texts(store, [0, 1, 2]) == ["One.", "Two.", "Three."]  # 0 and 1 kept, 2 read
    assert texts(store, [2]) == ["Three."]
