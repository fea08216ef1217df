"""Incremental cost against corpus size, with a stand-in embedder (`EMBED_MODE=hash`).

    python -m benchmarks.scale --sizes 2000,10000,50000          # the curve (table + PNG)
    python -m benchmarks.scale --sizes 100000 --server           # scale mode, embedded and `chroma run`
    python -m benchmarks.scale --sizes 100000 --server-only --baseline embedded.json  # in two sittings
    python -m benchmarks.scale --label flat --baseline old.json  # beside another code's run

For each size a corpus of generated articles is written and *seeded* into an index
directly (chunks = paragraphs, hashed vectors, keyword index, sentence-store keys, file
manifest): building 50,000 articles through spaCy and the model would take hours here,
and what is measured is the cost of one change at that size, not the build. Then the
real `newsdesk index` runs, cycles of no-op, add one article, change one, delete one
(medians over --repeat cycles): in this process after it indexed once (warm: `/reindex`,
or `--watch` after a walk), in this process told which file changed (warm, named: what
`--watch` does on a notification, no walk), and as fresh CLIs, timed after startup in
the same process (imports, spaCy, ONNX: what any run with something to write pays first); then hybrid candidate retrieval
(vector + keyword, 50 questions) for query p50/p95. "rest" is the run minus its NLP and
embedding (the one article's spaCy and MiniLM token-state pass, timed in the run).
A baseline is the same benchmark run against other code (`--baseline`: its JSON, plotted
dashed); "bm25s rebuild" is what every change cost before the FTS5 keyword index.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.synthetic import generate_corpus

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
ENV = {"EMBED_MODE": "hash"}
QUESTIONS = [
    "Who did Blinken meet in Geneva?",
    "What did Zakharova allege about the West?",
    "What sanctions were discussed against Russian banks?",
    "How many troops are near the Ukrainian border?",
    "What did NATO say about expansion?",
]


def _settings(corpus: Path, index_dir: Path, **extra: Any) -> Any:
    from index.settings import load_settings

    return load_settings(corpus_dir=corpus, index_dir=index_dir, embed_mode="hash", **extra)


def seed(settings: Any, count: int) -> float:
    """Write `count` generated articles and index them without spaCy or the model."""
    from index.dates import published_day
    from index.embedding.hashing import HASH_MODEL_ID, HashEmbedding
    from index.ingest import indexer
    from index.ingest.chunking import make_node
    from index.ingest.corpus_scan import RACY_NS, loader_key, scan_corpus
    from index.ingest.corpus_walk import walk_corpus
    from index.store import lexical
    from index.store.chroma import collection_metadata, create_collection, open_client, write_state
    from index.store.file_manifest import open_manifest, row
    from index.store.index_stamp import META_KEY, index_stamp
    from index.store.sentences import SentenceStore
    from index.store.sqlite_file import checkpoint
    from index.store.vector_check import record_vectors
    from index.text import content_terms

    started = time.perf_counter()
    generate_corpus(settings.corpus_dir, count, paragraphs=2)
    articles = list(
        scan_corpus(settings.corpus_dir, settings.max_file_bytes, {}, trust_stats=False).read.values()
    )
    client = open_client(settings, create=True)
    name = f"{settings.chroma_collection}_1"
    meta = collection_metadata(HASH_MODEL_ID, settings.chunk_size, settings.chunk_overlap)
    store = create_collection(client, name, meta)
    write_state(settings.index_dir, {"collection": name, "generation": 1})
    keywords, _ = lexical.open_for_index(settings.index_dir, name)
    store.mirror = keywords
    side = SentenceStore(settings.index_dir, create=True)
    side.set_meta("basis", indexer.sentence_rules_id())  # else `index` rebuilds every article's sentences
    embed = HashEmbedding()
    nodes: list[Any] = []
    rows: list[tuple[Any, ...]] = []

    def flush() -> None:
        store.upsert(nodes, embed.get_text_embedding_batch([n.text for n in nodes]))
        with side._conn() as conn:
            conn.executemany("INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, 0)", rows)
        nodes.clear()
        rows.clear()

    for article in articles:
        text = article.text
        mid = text.find("\n\n", len(text) // 2)
        mid = mid if mid > 0 else len(text)
        pieces = [(text[:mid], 0, mid)] + ([(text[mid:], mid, len(text))] if mid < len(text) else [])
        nodes.extend(make_node(article, i, len(pieces), p) for i, p in enumerate(pieces))  # type: ignore[arg-type]
        rows.append((article.id, article.content_hash, article.title, " ".join(set(content_terms(text)))))
        if len(nodes) >= 4000:
            flush()
    flush()
    checkpoint(side._conn())
    side.close()
    keywords.set_meta("writer", store.token)
    keywords.set_meta("collection", json.dumps(indexer._collection_settings(meta), sort_keys=True))
    lexical.finish(settings.index_dir, keywords, name)
    record_vectors(settings.index_dir, settings.chroma_path)
    # The file manifest, with each file's stat as `index` would keep it (none when < 2 s old).
    now = time.time_ns()
    stats = dict(walk_corpus(settings.corpus_dir).entries)
    manifest = open_manifest(settings.index_dir)
    manifest.update(
        {
            a.path: row(
                stat if (stat := stats[a.path]) and now - stat[1] > RACY_NS else None,
                a.content_hash,
                published_day(a.published),
            )
            for a in articles
        },
        (),
        {
            "loader": loader_key(settings.max_file_bytes),
            META_KEY: index_stamp(settings, name, HASH_MODEL_ID, indexer.sentence_rules_id()),
        },
    )
    manifest.close()
    return time.perf_counter() - started


class Clock:
    """Time spent in spaCy and the MiniLM during a run (patched in; the rest is ours)."""

    def __init__(self) -> None:
        from index.ingest import nlp

        self.seconds = 0.0
        self._annotate = nlp.annotate
        nlp.annotate = self._wrap(nlp.annotate)  # type: ignore[assignment]

    def _wrap(self, fn: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            out = fn(*args, **kwargs)
            out = list(out) if not isinstance(out, list) else out
            self.seconds += time.perf_counter() - t
            return out

        return timed

    def watch_encoder(self, encoder: Any) -> None:
        if not getattr(encoder, "_clocked", False):
            encoder.encode = self._wrap(encoder.encode)
            encoder._clocked = True


# A fresh process that first pays what any `index` with something to write pays (imports:
# chromadb with its Rust API, llama-index; spaCy's model, the ONNX model), timed, then runs the CLI: the report's seconds are then
# the run after startup, measured in the same process (not the difference of two).
_AFTER_STARTUP = """
import atexit, sys, time
t = time.perf_counter()
import bot.cli, chromadb, chromadb.api.rust, llama_index.core
from index.embedding import index_encoder
from index.ingest.nlp import annotate
from index.settings import load_settings
list(annotate(["Warm up."]))
encoder = index_encoder(load_settings())
encoder.encode(["Warm up."])
print(f"startup {time.perf_counter() - t}", file=sys.stderr)
from benchmarks.scale import Clock
clock = Clock()
clock.watch_encoder(encoder)
atexit.register(lambda: print(f"nlp+embed {clock.seconds}", file=sys.stderr))
sys.argv = ["newsdesk", *sys.argv[1:]]
bot.cli.main()
"""


def _cli(
    settings: Any, extra_env: dict[str, str], after_startup: bool
) -> tuple[float, dict[str, Any], dict[str, float]]:
    """(wall, the `--json` report, {"startup": s, "nlp+embed": s} or {}) of one fresh
    `newsdesk index`."""
    env = {**os.environ, **ENV, **extra_env}
    args = [
        "--corpus-dir",
        str(settings.corpus_dir),
        "--index-dir",
        str(settings.index_dir),
        "index",
        "--json",
    ]
    command = [sys.executable, "-c", _AFTER_STARTUP] if after_startup else [sys.executable, "-m", "bot.cli"]
    t = time.perf_counter()
    done = subprocess.run([*command, *args], capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - t
    if done.returncode:
        raise RuntimeError(done.stderr)
    timed = {
        line.split()[0]: float(line.split()[1])
        for line in done.stderr.splitlines()
        if line.startswith(("startup ", "nlp+embed "))
    }
    return wall, json.loads(done.stdout.strip().splitlines()[-1]), timed


def _new_article(corpus: Path, tag: str) -> Path:
    path = corpus / f"zz_{tag}.txt"
    path.write_text(
        f"Bench article {tag}\n\nBlinken met Lavrov in Geneva on {tag} for ninety minutes, "
        "and both sides agreed to keep talking about security guarantees in Europe.\n\n"
        "NATO said expansion was not up for negotiation, officials told reporters.",
        encoding="utf-8",
    )
    return path


def measure(
    work: Path, count: int, server: bool = False, fresh_cli: bool = True, repeat: int = 3
) -> list[dict[str, Any]]:
    """Rows for one corpus size: each run's median over `repeat` cycles of no-op, add one,
    change one, delete one (warm in this process, then as fresh CLIs)."""
    from index.ingest.indexer import run_index
    from index.store.chroma import forget_client

    base = work / f"n{count}{'-server' if server else ''}"
    corpus, index_dir = base / "corpus", base / "index"
    extra: dict[str, Any] = {}
    proc = None
    if server:
        port = _free_port()
        proc = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "chroma"),
                "run",
                "--path",
                str(base / "srv"),
                "--port",
                str(port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        _wait_port(port)
        extra = {"chroma_host": "127.0.0.1", "chroma_port": port}
    try:
        settings = _settings(corpus, index_dir, **extra)
        seeded = seed(settings, count)
        clock = Clock()
        from index.embedding import index_encoder

        clock.watch_encoder(index_encoder(settings))
        rows: list[dict[str, Any]] = []
        store = "server" if server else "embedded"

        samples: dict[tuple[str, str], list[dict[str, Any]]] = {}

        def warm(op: str, change: Any, named: list[str] | None = None) -> None:
            change()
            clock.seconds = 0.0
            t = time.perf_counter()
            report = run_index(settings, changed=named)
            total = time.perf_counter() - t
            samples.setdefault(("warm, named" if named is not None else "warm", op), []).append(
                {
                    "seconds": total,
                    "nlp+embed": clock.seconds,
                    "rest": total - clock.seconds,
                    "chunks": report.chunks,
                }
            )

        def changes(tag: str) -> list[tuple[str, Any]]:
            return [
                ("no-op", lambda: None),
                ("add one", lambda: _new_article(corpus, tag)),
                (
                    "change one",
                    lambda: _new_article(corpus, tag).write_text("Changed.\n\nNew.", encoding="utf-8"),
                ),
                ("delete one", lambda: (corpus / f"zz_{tag}.txt").unlink()),
            ]

        # Warm: a process that indexed before (models loaded, Chroma open), as `index
        # --watch` or the bot's /reindex is after its first run.
        _new_article(corpus, "warmup")
        run_index(settings)
        (corpus / "zz_warmup.txt").unlink()
        run_index(settings)
        for _ in range(repeat):
            for op, change in changes("warm"):
                warm(op, change)
        for _ in range(repeat):  # as `index --watch` runs: told the changed file, no walk
            for op, change in changes("named")[1:]:
                warm(op, change, named=["zz_named.txt"])
        if fresh_cli:
            env = {"CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(extra["chroma_port"])} if server else {}
            for _ in range(repeat):
                for op, change in changes("cli"):
                    change()
                    time.sleep(2.1)  # a real edit is not made in the same instant as the run
                    wall, report, timed = _cli(settings, env, after_startup=op != "no-op")
                    inside = float(report["seconds"])
                    samples.setdefault(("fresh CLI", op), []).append(
                        {"seconds": inside, "wall": wall, "startup": timed.get("startup"),
                         "nlp+embed": timed.get("nlp+embed", 0.0), "rest": inside - timed.get("nlp+embed", 0.0),
                         "chunks": report["chunks"]}
                    )  # fmt: skip
        for (process, op), runs in samples.items():
            rest = sorted(r["rest"] for r in runs)
            rows.append(
                {"articles": count, "store": store, "op": op, "process": process, "runs": len(runs),
                 **{k: statistics.median(r[k] for r in runs) for k in runs[0] if runs[0][k] is not None},
                 "rest range": f"{rest[0]:.3f}-{rest[-1]:.3f}"}
            )  # fmt: skip
        rows.extend(_query(settings, count, store))
        rows.append(
            {"articles": count, "store": store, "op": "seed (not measured as a build)", "seconds": seeded}
        )
        return rows
    finally:
        if not server:
            forget_client(index_dir / "chroma")
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)


def _query(settings: Any, count: int, store: str) -> list[dict[str, Any]]:
    from index.embedding.hashing import HashEmbedding
    from index.query.retrieval import HybridRetriever
    from index.store import lexical
    from index.store.chroma import open_active
    from index.store.vector_mirror import open_mirror

    active = open_active(settings, fresh=True)
    keywords = lexical.load_checked(settings.index_dir, active.name)[0]
    searches = [("Chroma", HybridRetriever(active, HashEmbedding(), keywords))]
    t = time.perf_counter()
    mirror = open_mirror(settings, active.name)  # None past MAX_CHUNKS, and on a server
    opened = time.perf_counter() - t
    if mirror is not None:
        searches.append(("vector copy", HybridRetriever(mirror, HashEmbedding(), mirror.keywords)))
    rows = []
    for vectors, retriever in searches:
        times = []
        for i in range(50):
            t = time.perf_counter()
            retriever.candidates(QUESTIONS[i % len(QUESTIONS)])
            times.append(time.perf_counter() - t)
        times.sort()
        rows.append(
            {"articles": count, "store": store, "op": f"query (hybrid candidates, vectors: {vectors})",
             "process": "warm", "p50 ms": 1000 * statistics.median(times),
             "p95 ms": 1000 * times[int(0.95 * (len(times) - 1))],
             **({"open ms": 1000 * opened} if vectors == "vector copy" else {}),
             "peak RSS MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}
        )  # fmt: skip
    return rows


def bm25s_baseline(work: Path, count: int) -> dict[str, Any]:
    """What one change cost before: the bm25s index rebuilt over all chunks (tokenise,
    index, save), as `newsdesk index` did whenever the chunk ids changed."""
    import bm25s
    import Stemmer

    corpus = work / f"n{count}" / "corpus"
    texts = [p for f in sorted(corpus.glob("*.txt")) for p in f.read_text(encoding="utf-8").split("\n\n")]
    target = work / f"bm25s-{count}"
    t = time.perf_counter()
    tokens = bm25s.tokenize(
        texts,
        stopwords="en",
        stemmer=Stemmer.Stemmer("english"),
        token_pattern=r"(?u)\b\w\w+\b",
        show_progress=False,
    )
    model = bm25s.BM25()
    model.index(tokens, show_progress=False)
    model.save(
        str(target), corpus=[{"node_id": str(i), "text": x} for i, x in enumerate(texts)], show_progress=False
    )
    seconds = time.perf_counter() - t
    shutil.rmtree(target, ignore_errors=True)
    return {
        "articles": count,
        "store": "embedded",
        "op": "baseline: bm25s rebuild per change",
        "seconds": seconds,
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(port: int, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise RuntimeError("chroma run did not start")


SERIES = {  # (process, op): (label, the figure the goal is about)
    ("warm", "no-op"): ("no-op, warm", "seconds"),
    ("warm", "add one"): ("add one, warm (rest)", "rest"),
    ("warm", "change one"): ("change one, warm (rest)", "rest"),
    ("warm", "delete one"): ("delete one, warm", "rest"),
    ("warm, named", "add one"): ("add one, watch (rest)", "rest"),
    ("warm, named", "change one"): ("change one, watch (rest)", "rest"),
    ("warm, named", "delete one"): ("delete one, watch", "rest"),
    ("fresh CLI", "no-op"): ("no-op, fresh CLI (inside)", "seconds"),
    ("fresh CLI", "add one"): ("add one, fresh CLI (after startup, rest)", "rest"),
    ("fresh CLI", "change one"): ("change one, fresh CLI (after startup, rest)", "rest"),
    ("fresh CLI", "delete one"): ("delete one, fresh CLI (after startup)", "rest"),
}


def plot(rows: list[dict[str, Any]], out: Path) -> None:
    """Cost of one change vs corpus size: this code (solid) and the baseline rows loaded
    with --baseline (dashed, same colours)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(11, 5))
    codes = list(dict.fromkeys(str(r.get("code", "")) for r in rows))
    for i, ((process, op), (label, figure)) in enumerate(SERIES.items()):
        for code in codes:
            pts = sorted(
                (r["articles"], r[figure])
                for r in rows
                if r.get("process") == process and r.get("op") == op and r.get("store") == "embedded"
                and str(r.get("code", "")) == code and r.get(figure) is not None
            )  # fmt: skip
            if pts:
                dashed = code != codes[-1]
                ax.plot(
                    [p[0] for p in pts],
                    [p[1] for p in pts],
                    marker="x" if dashed else "o",
                    linestyle="--" if dashed else "-",
                    color=f"C{i}",
                    label=f"{label}" + (f" [{code}]" if dashed else ""),
                )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.axhline(0.3, color="grey", linewidth=0.8, linestyle=":")
    ax.set_xlabel("articles in the index")
    ax.set_ylabel("seconds (the one article's spaCy + MiniLM pass excluded)")
    ax.set_title("Cost of one change vs corpus size (2 cores; dotted: 0.3 s)")
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="2000,10000,50000")
    parser.add_argument("--server", action="store_true", help="also run each size against `chroma run`")
    parser.add_argument("--server-only", action="store_true", help="only against `chroma run` (and no bm25s)")
    parser.add_argument("--no-cli", action="store_true", help="skip the fresh-CLI runs")
    parser.add_argument("--repeat", type=int, default=3, help="cycles of runs per size (medians reported)")
    parser.add_argument("--out", default=str(RESULTS / "scale.json"))
    parser.add_argument("--label", default="this code", help="the `code` field of this run's rows")
    parser.add_argument(
        "--baseline", help="a JSON this benchmark wrote for other code (--label): kept beside, plotted dashed"
    )
    args = parser.parse_args()
    from benchmarks.run import table

    work = Path(tempfile.mkdtemp(prefix="newsdesk-scale-"))
    rows: list[dict[str, Any]] = []
    try:
        for size in (int(s) for s in args.sizes.split(",") if s):
            found = []
            if not args.server_only:
                found = measure(work, size, fresh_cli=not args.no_cli, repeat=args.repeat)
                found.append(bm25s_baseline(work, size))
            if args.server or args.server_only:
                found.extend(measure(work, size, server=True, fresh_cli=not args.no_cli, repeat=args.repeat))
            rows.extend({**r, "code": args.label} for r in found)
            table(f"Incremental cost at {size:,} articles", found)
            shutil.rmtree(work / f"n{size}", ignore_errors=True)
            shutil.rmtree(work / f"n{size}-server", ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.baseline:
        rows = json.loads(Path(args.baseline).read_text(encoding="utf-8")) + rows
    RESULTS.mkdir(exist_ok=True)
    out = Path(args.out)
    out.write_text(json.dumps(rows, indent=2, default=str), encoding="utf-8")
    if len({r["articles"] for r in rows}) > 1:
        plot(rows, out.with_suffix(".png"))
    print(f"\nJSON: {out}")


if __name__ == "__main__":
    main()
