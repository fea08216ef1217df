"""The BM25 side of hybrid retrieval, persisted next to the Chroma index.

Built with bm25s (the engine under llama-index's BM25Retriever) and tokenised exactly
as that retriever does: English stopwords and stemming for the corpus, stemming for the
question. It is built from the chunks Chroma holds, the truth about what is indexed: a
fingerprint of their ids tells `newsdesk index` whether the persisted BM25 still
matches, and a rebuild fetches from Chroma only the chunks the persisted corpus lacks.
Going through BM25Retriever instead cost a TextNode per chunk and a full re-read of every
chunk's text from Chroma: 0.6 s of the 1.4 s it took to add one article to 2,000.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from index.store.chroma import Hit
from index.text import joined_terms, query_words

BM25_DIR = "bm25"
FINGERPRINT_FILE = "fingerprint.txt"
CORPUS_FILE = "corpus.jsonl"
FORMAT = "newsdesk-bm25-2"  # corpus entries are {"node_id", "text", "metadata"}
TOKEN_PATTERN = r"(?u)\b\w\w+\b"


def fingerprint(chunk_ids: Iterable[str]) -> str:
    digest = hashlib.sha256(FORMAT.encode())
    for cid in sorted(chunk_ids):
        digest.update(b"\n")
        digest.update(cid.encode("utf-8"))
    return digest.hexdigest()


def stored_fingerprint(index_dir: Path) -> str:
    path = index_dir / BM25_DIR / FINGERPRINT_FILE
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def _persisted_corpus(index_dir: Path) -> dict[str, dict[str, Any]]:
    """Entries of the current BM25 by chunk id (empty when absent, old-format or damaged)."""
    entries: dict[str, dict[str, Any]] = {}
    try:
        with open(index_dir / BM25_DIR / CORPUS_FILE, encoding="utf-8") as fh:
            for line in fh:
                doc = json.loads(line)
                if isinstance(doc, dict) and "text" in doc and "node_id" in doc:
                    entries[doc["node_id"]] = doc
    except (OSError, ValueError):
        return {}
    return entries


def check_arrays(num_docs: Any, vocab: Any, scores: dict[str, Any], corpus_size: int) -> str:
    """What is wrong with a BM25 index's parts ("" when nothing is): garbage there made
    every question fail with IndexError, or was silently ignored and never repaired."""
    try:
        return _check_arrays(num_docs, vocab, scores, corpus_size)
    except (TypeError, ValueError, IndexError):
        return "its files do not fit together"


def _check_arrays(num_docs: Any, vocab: Any, scores: dict[str, Any], corpus_size: int) -> str:
    import numpy as np

    if not isinstance(num_docs, int) or num_docs != corpus_size:
        return f"it counts {num_docs!r} passages but holds {corpus_size}"
    if not isinstance(vocab, dict) or not vocab:
        return "its vocabulary is unreadable"
    data, indices, indptr = (np.asarray(scores.get(k)) for k in ("data", "indices", "indptr"))
    if indptr.ndim != 1 or len(indptr) != len(vocab) or (len(indptr) and indptr[0] != 0):
        return "its term table does not match its vocabulary"
    if np.any(np.diff(indptr) < 0) or indptr[-1] != len(indices) or len(indices) != len(data):
        return "its term table is inconsistent"
    if len(indices) and (indices.min() < 0 or indices.max() >= num_docs):
        return "it points at passages that do not exist"
    values = set(vocab.values())
    if min(values) < 0 or max(values) >= len(indptr):
        return "its vocabulary points outside its term table"
    if not np.all(np.isfinite(data)):
        return "its scores are not numbers"
    return ""


def problem(index_dir: Path) -> str:
    """What is wrong with the persisted BM25 ("" when it is sound or absent), read cheaply
    (arrays memory-mapped, the corpus only counted) so every `newsdesk index` can ask."""
    import numpy as np

    folder = index_dir / BM25_DIR
    if not (folder / "params.index.json").exists() and not (folder / FINGERPRINT_FILE).exists():
        return ""
    try:
        params = json.loads((folder / "params.index.json").read_text(encoding="utf-8"))
        vocab = json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))
        scores = {
            k: np.load(folder / f"{k}.csc.index.npy", mmap_mode="r", allow_pickle=False)
            for k in ("data", "indices", "indptr")
        }
        with open(folder / CORPUS_FILE, "rb") as fh:
            corpus_size = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        return f"a file is unreadable: {type(exc).__name__}"
    if not isinstance(params, dict):
        return "its parameters are unreadable"
    return check_arrays(params.get("num_docs"), vocab, scores, corpus_size)


def update(index_dir: Path, ids: list[str], fetch: Callable[[list[str]], list[Hit]]) -> bool:
    """Bring the persisted BM25 in step with the store's chunk ids; True when it was rebuilt.

    fetch(ids) returns those chunks' text and metadata from the store. A damaged BM25 is
    rebuilt even when its fingerprint matches.
    """
    fp = fingerprint(ids)
    if fp == stored_fingerprint(index_dir) and not problem(index_dir):
        return False
    known = _persisted_corpus(index_dir)
    for hit in fetch([i for i in ids if i not in known]):
        known[hit.chunk_id] = {"node_id": hit.chunk_id, "text": hit.text, "metadata": hit.metadata}
    build_and_persist(index_dir, [known[i] for i in ids if i in known], fp)
    return True


def build_and_persist(index_dir: Path, corpus: list[dict[str, Any]], fp: str) -> None:
    """Build BM25 over corpus entries and swap it in place of the old one (never half-written)."""
    import bm25s
    import Stemmer

    target = index_dir / BM25_DIR
    tmp = index_dir / f".{BM25_DIR}.tmp"
    old = index_dir / f".{BM25_DIR}.old"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    tmp.mkdir(parents=True)
    if corpus:
        tokens = bm25s.tokenize(
            [doc["text"] for doc in corpus],
            stopwords="en",
            stemmer=Stemmer.Stemmer("english"),
            token_pattern=TOKEN_PATTERN,
            show_progress=False,
        )
        model = bm25s.BM25()
        model.index(tokens, show_progress=False)
        model.save(str(tmp), corpus=corpus, show_progress=False)
    (tmp / FINGERPRINT_FILE).write_text(fp, encoding="utf-8")
    if target.exists():
        target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)


class Bm25Index:
    """The persisted BM25, queried with bm25s directly (tokenised exactly as llama-index's
    BM25Retriever does), so the query path needs no llama-index import."""

    def __init__(self, model: Any) -> None:
        import Stemmer

        self.model = model
        self.stemmer = Stemmer.Stemmer("english")
        self.size = len(model.corpus)
        self.problem = ""  # set when a search fails: vectors answer alone meanwhile

    def search(self, question: str, top_k: int) -> list[Hit]:
        import bm25s

        # Content words plus run-together pairs ("Nord Stream" also as "nordstream"); a
        # pair no article spells that way is not in the vocabulary and counts for nothing.
        query = " ".join(query_words(question) + [joined for joined, _ in joined_terms(question)])
        tokens = bm25s.tokenize(query, stemmer=self.stemmer, token_pattern=TOKEN_PATTERN, show_progress=False)
        if not tokens.vocab:
            return []
        try:
            docs, scores = self.model.retrieve(tokens, k=min(top_k, self.size), show_progress=False)
        except (IndexError, ValueError, KeyError, TypeError) as exc:  # damage validation missed
            self.problem = f"searching it failed: {type(exc).__name__}"
            return []
        hits = []
        for doc, score in zip(docs[0], scores[0]):
            if score <= 0:
                continue
            hits.append(
                Hit(str(doc["node_id"]), str(doc["text"]), dict(doc.get("metadata") or {}), float(score))
            )
        return hits


def load_checked(index_dir: Path) -> tuple[Bm25Index | None, str]:
    """The persisted BM25 and what is wrong with it: (None, "") when there is none (or it
    is of an older format), (None, reason) when it is damaged. Either way the next
    `newsdesk index` rebuilds it; meanwhile vectors answer alone."""
    import bm25s

    path = index_dir / BM25_DIR
    if not (path / "params.index.json").exists():
        return None, ""
    try:
        model = bm25s.BM25.load(str(path), load_corpus=True, show_progress=False)
    except Exception as exc:  # garbage in any of its files
        return None, f"a file is unreadable: {type(exc).__name__}"
    corpus = model.corpus
    if corpus is None or not len(corpus) or "text" not in corpus[0]:
        return None, ""  # empty, or written before newsdesk-bm25-2: the next `index` rebuilds it
    wrong = check_arrays(
        getattr(model, "scores", {}).get("num_docs"), model.vocab_dict, model.scores, len(corpus)
    )
    if wrong:
        return None, wrong
    return Bm25Index(model), ""


def load(index_dir: Path) -> Bm25Index | None:
    """The persisted BM25 index, or None when there is none (or it is unusable)."""
    return load_checked(index_dir)[0]
