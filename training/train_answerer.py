"""Train the answerer (`index/query/answerer.npz`) and report how it does: `make train`.

    python -m training.train_answerer [--work training/.work] [--quick]

Data (../shared/eval; nothing of it is copied into code):
- sentence ranker: SQuAD 2.0 `squad/train_pool.jsonl` (4,169 questions) over the 10
  SQuAD articles (with `--news-questions`, also detail questions generated from news
  articles, training/news_questions.py: one per Reuters article that no dev question is
  about, for the ranker only; an experiment, not in the shipped weights),
  each question's candidates gathered exactly as a user's question is (`Reader.gather`),
  labelled by whether a sentence of a gold article holds the answer;
- abstain model: the SQuAD questions, answerable ones labelled by whether the answer is
  among the candidates, plus negatives: SQuAD's own unanswerable questions, the
  answerable ones with every answer-bearing sentence removed (the topic is there, the
  fact is not), the answerable ones with a name or number changed (the question's key
  fact now absent), and SQuAD questions put to the Reuters corpus (off topic);
- first-sentence ranker (which candidate is quoted first; the probabilities stay the
  sentence ranker's): the SQuAD training questions plus generated news questions, five
  per article (NEWS_ROUNDS), of half the Reuters articles (chosen by a hash of the
  article's name), the other half's first-round questions held out as "news dev", so
  both sides show in the report;
- validation only (never trained on): SQuAD `questions.jsonl`, Reuters
  `questions.jsonl`, the seed dev set and the seed held-out sets in tests/data; and,
  without `--news-questions`, the generated news questions ("news": answerable) with
  their answer sentences removed (unanswerable: the topic is there, the fact is not).

Each ranker is the mean of SEEDS LightGBM rankers that differ only in their seed
(`Averaged`), shipped as one set of trees. Out-of-fold scores (5 folds grouped by
article, so no fold sees its own article) feed the calibration and the abstain model,
and choose the operating point. The report
(training/report.md, report.json, abstain_pr.png) shows train and validation figures
side by side so over-fitting is visible.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "eval"
OUT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from index.evaluation import EvalQuestion, has_keywords, load_questions  # noqa: E402
from index.query.features import FEATURES, Row, feature_rows  # noqa: E402
from index.query.model import ABSTAIN_FEATURES, MODEL_FILE, abstain_features, flatten_lightgbm, load_model  # noqa: E402
from index.query.reader import Gathered, Reader, agreeing  # noqa: E402
from index.settings import load_settings  # noqa: E402
from training import news_questions  # noqa: E402

SEED = 13
LGB_PARAMS = {
    "objective": "lambdarank",
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_data_in_leaf": 50,
    "feature_fraction": 0.8,
    "lambdarank_truncation_level": 10,
    "verbose": -1,
    "seed": SEED,
    "deterministic": True,
    "num_threads": 2,
}
ROUNDS = 200
SEEDS = 3  # rankers averaged (`Averaged`), each with its own seed for feature_fraction
MIN_HEAD_EXAMPLES = 5
MAX_FALSE_REFUSALS = 0.04  # the operating point: refuse at most this share of answerable training questions
# Quote a further sentence when its calibrated P(states the answer) reaches this (at most
# three in all). Read off data not used for validation: the answer is in a quoted sentence
# for 0.909 / 0.924 / 0.933 of the SQuAD training questions (in sample) at 0.15 / 0.10 /
# 0.05 (1.9 / 2.4 / 2.9 sentences), and for 0.784 / 0.830 / 0.868 of the generated news
# questions (held out; 1.8 / 2.2 / 2.8): 0.10 gains news answers 0.046 for 0.4 more
# sentences, 0.05 another 0.038 for 0.6 more. (0.15 was read off the Reuters dev set.)
EXTRA_SENTENCE = 0.10
# Share of the generated news articles whose questions train the first-sentence ranker
# (the rest are held out). Measured in a harness before it shipped (docs/answer-quality.md): first
# sentence on Reuters dev 0.629 -> 0.686, on held-out news 0.570 -> 0.700, SQuAD dev
# unchanged, with abstention and further sentences untouched by construction.
FIRST_NEWS_SHARE = 0.5
# Questions generated per news article for the first-sentence ranker, each round with its
# own draws (the held-out news check stays the first round's questions). Measured in a
# harness before it shipped (docs/answer-quality.md): 1 -> 5 rounds, first sentence over three LightGBM
# seeds SQuAD dev 0.790-0.802 -> 0.802-0.805, Reuters 0.686-0.700 -> 0.700, held-out
# news 0.748-0.754 -> 0.789-0.799, seed unchanged.
NEWS_ROUNDS = 5


def first_ranker_side(item: Item) -> bool:
    """Whether a news item trains the first-sentence ranker (a stable hash of its article)."""
    return _first_side(item.group)


def _first_side(group: str) -> bool:
    return zlib.crc32(group.encode("utf-8")) % 1000 < FIRST_NEWS_SHARE * 1000


def trains_first_ranker(question: EvalQuestion) -> bool:
    """Whether a generated news question's article is on the first-sentence ranker's side
    (its group as `gather_all` and the news items name it); the others are held out."""
    return _first_side(f"news-{question.gold_sources[0]}")


@dataclass
class Item:
    """One question with its gathered candidates, features and labels."""

    q: EvalQuestion
    g: Gathered
    corpus: str
    kind: str  # "train", "news", "dev", "masked", "swapped", "offtopic"
    X: np.ndarray = field(default_factory=lambda: np.zeros((0, len(FEATURES)), np.float32))
    y: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    rows: list[Row] = field(default_factory=list)
    group: str = ""  # article the question is about (folds keep articles apart)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def stem_of(article_id: str) -> str:
    name = article_id.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] if name.endswith((".md", ".txt", ".html", ".htm")) else name


# -- indexes and readers ----------------------------------------------------------------------------
def open_reader(corpus: Path, index_dir: Path) -> Reader:
    """Index the corpus, then search it as `newsdesk ask` does (`open_search`: the exact
    vector mirror while it is in step with Chroma). Chroma's HNSW search is approximate and
    not the same from one fresh build to the next; training on what is served gives the
    same candidates on every build, and so the same weights."""
    from index.embedding.onnx import shared_encoder
    from index.ingest.indexer import run_index
    from index.query.engine import open_search
    from index.query.retrieval import HybridRetriever
    from index.store.sentences import SentenceStore
    from index.store.vector_mirror import MirrorStore

    settings = load_settings(corpus_dir=corpus, index_dir=index_dir)
    started = time.perf_counter()
    report = run_index(settings)
    log(f"index {corpus}: {report.chunks} chunks ({time.perf_counter() - started:.0f} s)")
    encoder = shared_encoder(settings.embed_threads, settings.embed_batch_size)
    store, keywords, _ = open_search(settings)
    if not isinstance(store, MirrorStore):
        log(f"index {corpus}: no vector mirror in step with Chroma, searching Chroma (approximate)")
    return Reader(HybridRetriever(store, encoder, keywords), SentenceStore(settings.index_dir), None, encoder)


def gather_all(reader: Reader, questions: list[EvalQuestion], corpus: str, kind: str) -> list[Item]:
    started = time.perf_counter()
    items = [
        Item(q, reader.gather(q.question), corpus, kind, group=(q.gold_sources or [""])[0]) for q in questions
    ]
    log(f"gathered {len(items)} {kind} questions on {corpus} ({time.perf_counter() - started:.0f} s)")
    return items


# -- labels and answer types ----------------------------------------------------------------------------
def sentence_labels(item: Item) -> np.ndarray:
    gold = set(item.q.gold_sources)
    out = []
    for a in item.g.articles:
        for s in a.sentences:
            ok = (
                item.q.answerable
                and stem_of(a.article_id) in gold
                and has_keywords(s.quote, item.q.answer_keywords)
            )
            out.append(int(ok))
    return np.asarray(out, dtype=np.int32)


def answer_types(items: list[Item]) -> dict[str, dict[str, float]]:
    """P(entity label | answer-type key) from where training answers sit."""
    by_head: dict[str, Counter[str]] = defaultdict(Counter)
    for item in items:
        if not item.q.answerable or not item.q.answer_keywords:
            continue
        gold = set(item.q.gold_sources)
        label = None
        for a in item.g.articles:
            if stem_of(a.article_id) not in gold:
                continue
            for s in a.sentences:
                low = s.stored.text.lower()
                for kw in item.q.answer_keywords[0]:
                    at = low.find(kw)
                    if at >= 0:
                        covering = [lab for x, y, lab in s.entities if x < at + len(kw) and y > at]
                        label = covering[0] if covering else "NONE"
                        break
                if label:
                    break
            if label:
                break
        if label:
            head = item.g.question.head
            by_head[head][label] += 1
            if ":" in head:
                by_head[head.split(":", 1)[0]][label] += 1
    return {
        head: {lab: round(n / sum(c.values()), 4) for lab, n in c.most_common()}
        for head, c in by_head.items()
        if sum(c.values()) >= MIN_HEAD_EXAMPLES
    }


def featurize(items: list[Item], types: dict[str, dict[str, float]]) -> None:
    for item in items:
        q = item.g.question
        expected = types.get(q.head) or types.get(q.head.split(":", 1)[0], {})
        item.X, item.rows = feature_rows(q, item.g.vectors, item.g.articles, item.g.idf, expected)
        item.y = sentence_labels(item)


# -- negatives for the abstain model --------------------------------------------------------------------------
_NUMBER = re.compile(r"\b\d{1,4}\b")


def swapped(questions: list[EvalQuestion], rng: random.Random, limit: int) -> list[EvalQuestion]:
    """Answerable questions with one name or number changed: the fact asked about is gone."""
    names = [w for q in questions for w in re.findall(r"(?<!^)(?<![.?!] )\b[A-Z][a-z]{3,}\b", q.question)]
    out = []
    for q in rng.sample(questions, min(len(questions), limit * 2)):
        text = q.question
        numbers = _NUMBER.findall(text)
        if numbers:
            old = rng.choice(numbers)
            value = int(old)
            new = str(
                value + rng.choice([-7, -3, 2, 5, 11]) if value > 1800 else value * 3 + rng.randint(1, 9)
            )
            text = re.sub(rf"\b{old}\b", new, text, count=1)
        else:
            caps = re.findall(r"(?<!^)\b[A-Z][a-z]{3,}\b", text)
            if not caps or not names:
                continue
            old = rng.choice(caps)
            new = rng.choice(names)
            if new == old or new in text:
                continue
            text = text.replace(old, new, 1)
        out.append(EvalQuestion(f"{q.id}-swap", text, q.gold_sources, [], False))
        if len(out) >= limit:
            break
    return out


def masked(item: Item) -> Item | None:
    """The question with every answer-bearing sentence removed from its candidates."""
    if not item.y.any():
        return None
    from dataclasses import replace

    keep_articles = []
    for a in item.g.articles:
        sentences = [s for s in a.sentences if not has_keywords(s.quote, item.q.answer_keywords)]
        keep_articles.append(replace(a, sentences=sentences))
    g = replace(item.g, articles=keep_articles)
    q = EvalQuestion(f"{item.q.id}-masked", item.q.question, item.q.gold_sources, [], False)
    return Item(q, g, item.corpus, "masked", group=item.group)


# -- models ---------------------------------------------------------------------------------------------
def stack(items: list[Item]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    kept = [it for it in items if len(it.y)]
    X = np.vstack([it.X for it in kept])
    y = np.concatenate([it.y for it in kept])
    groups = np.asarray([len(it.y) for it in kept])
    return X, y, groups


class Averaged:
    """The mean of rankers fitted with different seeds: one seed's trees move with small
    changes to the training data (docs/answer-quality.md: a retrain's spread), the mean of several less.
    Dumped as one model whose trees are all of theirs with leaf values over their count."""

    def __init__(self, boosters: list[Any]) -> None:
        self.boosters = boosters

    def predict(self, X: np.ndarray) -> np.ndarray:
        return np.mean([b.predict(X) for b in self.boosters], axis=0)  # type: ignore[no-any-return]

    def dump_model(self) -> dict[str, Any]:
        share = 1.0 / len(self.boosters)

        def scaled(node: dict[str, Any]) -> dict[str, Any]:
            if "leaf_value" in node:
                return {**node, "leaf_value": float(node["leaf_value"]) * share}
            return {
                **node,
                "left_child": scaled(node["left_child"]),
                "right_child": scaled(node["right_child"]),
            }

        trees = [t for b in self.boosters for t in b.dump_model()["tree_info"]]
        return {"tree_info": [{**t, "tree_structure": scaled(t["tree_structure"])} for t in trees]}


def fit_ranker(items: list[Item], rounds: int) -> Averaged:
    import lightgbm as lgb

    usable = [it for it in items if it.y.any()]
    X, y, groups = stack(usable)
    data = lgb.Dataset(X, y, group=groups, free_raw_data=False)
    return Averaged(
        [lgb.train({**LGB_PARAMS, "seed": SEED + i}, data, num_boost_round=rounds) for i in range(SEEDS)]
    )


def first_choice(
    rank: Callable[[np.ndarray], np.ndarray], first: Callable[[np.ndarray], np.ndarray], calib: dict[str, Any]
) -> Callable[[Item], np.ndarray]:
    """Serving's choice of the sentence quoted first, scored as a ranking: `first`'s scores
    among the rows the checks leave standing under `rank`'s calibrated probabilities."""

    def score(item: Item) -> np.ndarray:
        probs = sigmoid_apply(calib, calibration_inputs(rank(item.X))) if len(item.X) else np.zeros(0)
        probs = agreeing(item.g, item.rows, probs)
        scores = first(item.X)
        return np.where(probs > 0, scores, scores.min() - 1.0) if len(scores) else scores

    return score


def fold_of(group: str, groups: list[str], k: int) -> int:
    return groups.index(group) % k


def top1(items: list[Item], score: Any) -> dict[str, float]:
    """Sentence top-1/top-3 over answerable questions whose candidates hold the answer,
    and top-1 over all answerable ones (a miss when retrieval missed)."""
    n = hit = found = hit3 = 0
    for it in items:
        if not it.q.answerable:
            continue
        n += 1
        if not len(it.y) or not it.y.any():
            continue
        found += 1
        s = score(it)
        order = np.argsort(-s)
        hit += int(it.y[order[0]])
        hit3 += int(it.y[order[:3]].any())
    return {
        "questions": n,
        "answer_in_candidates": round(found / (n or 1), 3),
        "first_sentence": round(hit / (n or 1), 3),
        "first_sentence_when_found": round(hit / (found or 1), 3),
        "top3_sentences": round(hit3 / (n or 1), 3),
    }


def logistic(
    X: np.ndarray, y: np.ndarray, names: list[str], c: float = 1.0, balanced: bool = True
) -> dict[str, Any]:
    from sklearn.linear_model import LogisticRegression

    mean = X.mean(axis=0)
    scale = X.std(axis=0) + 1e-6
    weight = "balanced" if balanced else None
    model = LogisticRegression(C=c, max_iter=5000, class_weight=weight).fit((X - mean) / scale, y)
    return {
        "names": names,
        "mean": mean,
        "scale": scale,
        "coef": model.coef_[0],
        "intercept": float(model.intercept_[0]),
    }


def sigmoid_apply(lr: dict[str, Any], X: np.ndarray) -> np.ndarray:
    z = ((X - lr["mean"]) / lr["scale"]) @ lr["coef"] + lr["intercept"]
    return 1.0 / (1.0 + np.exp(-z))  # type: ignore[no-any-return]


def calibration_inputs(raw: np.ndarray) -> np.ndarray:
    return np.column_stack([raw, raw - raw.max()]) if len(raw) else np.zeros((0, 2))


def question_vector(item: Item, raw: np.ndarray, calib: dict[str, Any]) -> np.ndarray:
    unchecked = sigmoid_apply(calib, calibration_inputs(raw)) if len(raw) else raw
    probs = agreeing(item.g, item.rows, unchecked)  # as the reader does
    ev = abstain_features(item.X, probs, FEATURES, unchecked)
    return np.asarray([ev[n] for n in ABSTAIN_FEATURES], dtype=np.float32)


# -- report -------------------------------------------------------------------------------------------
def pr_table(p: np.ndarray, answerable: np.ndarray, thresholds: list[float]) -> list[dict[str, float]]:
    rows = []
    for t in thresholds:
        refuse = p < t
        unans = ~answerable
        rows.append(
            {
                "threshold": t,
                "unanswerable_refused": round(float(refuse[unans].mean()) if unans.any() else 0.0, 3),
                "answerable_refused": round(float(refuse[answerable].mean()) if answerable.any() else 0.0, 3),
                "refusal_precision": round(float(unans[refuse].mean()) if refuse.any() else 1.0, 3),
            }
        )
    return rows


def plot_pr(curves: dict[str, tuple[np.ndarray, np.ndarray]], threshold: float, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 4.5), dpi=110)
    grid = np.linspace(0, 1, 201)
    for name, (p, answerable) in curves.items():
        unans = ~answerable
        if not unans.any() or not answerable.any():
            continue
        recall = [float((p[unans] < t).mean()) for t in grid]
        false_ref = [float((p[answerable] < t).mean()) for t in grid]
        ax.plot(false_ref, recall, label=name)
        k = int(np.argmin(np.abs(grid - threshold)))
        ax.scatter([false_ref[k]], [recall[k]], marker="o")
    ax.axvline(0.05, linestyle=":", color="grey")
    ax.set_xlabel("answerable questions refused (false refusals)")
    ax.set_ylabel("unanswerable questions refused (recall)")
    ax.set_title(f"Abstention as P(answerable) < t; dots: chosen t = {threshold:.3f}")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_xlim(0, 0.4)
    ax.set_ylim(0, 1.02)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


# -- main -------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=OUT / ".work", help="where the training indexes live")
    parser.add_argument("--quick", action="store_true", help="small subsets, few trees (a smoke test)")
    parser.add_argument("--out", type=Path, default=MODEL_FILE, help="model file to write")
    parser.add_argument("--report", type=Path, default=OUT, help="folder for report.md/json and the plot")
    parser.add_argument(
        "--news-questions",
        action="store_true",
        help="also train the ranker on generated news questions (an experiment: docs/answer-quality.md, not in the shipped weights)",
    )
    args = parser.parse_args(argv)
    rng = random.Random(SEED)
    np.random.seed(SEED)
    limit = 300 if args.quick else None
    rounds = 30 if args.quick else ROUNDS

    squad = open_reader(SHARED / "squad" / "corpus", args.work / "squad")
    train_q = load_questions(SHARED / "squad" / "train_pool.jsonl")
    if limit:
        train_q = rng.sample(train_q, limit)
    train = gather_all(squad, train_q, "squad", "train")
    answerable_q = [q for q in train_q if q.answerable]
    negatives = gather_all(squad, swapped(answerable_q, rng, 60 if limit else 700), "squad", "swapped")
    dev: dict[str, list[Item]] = {}
    squad_dev = load_questions(SHARED / "squad" / "questions.jsonl")
    dev["squad"] = gather_all(squad, squad_dev[: limit or None], "squad", "dev")
    if not args.quick:
        reuters = open_reader(SHARED / "reuters" / "corpus", args.work / "reuters")
        dev["reuters"] = gather_all(
            reuters, load_questions(SHARED / "reuters" / "questions.jsonl"), "reuters", "dev"
        )
        negatives += gather_all(
            reuters,
            [EvalQuestion(f"{q.id}-off", q.question, [], [], False) for q in rng.sample(answerable_q, 500)],
            "reuters",
            "offtopic",
        )
        seed = open_reader(ROOT / "corpus", args.work / "seed")
        seed_q = (
            load_questions(SHARED / "dev_questions.jsonl")
            + load_questions(ROOT / "tests" / "data" / "extra_questions.jsonl")
            + load_questions(ROOT / "tests" / "data" / "validation_questions.jsonl")
        )
        dev["seed"] = gather_all(seed, seed_q, "seed", "dev")

    news: list[Item] = []
    more_first: list[Item] = []  # the later rounds' questions (first-sentence ranker side)
    if not args.quick:
        news_dir = SHARED / "reuters"
        articles = news_questions.read_articles(
            news_dir / "corpus", news_questions.excluded_stems(news_dir / "questions.jsonl")
        )
        drawn = news_questions.generate_rounds(
            articles,
            [random.Random(SEED + 1000 * r) for r in range(1 if args.news_questions else NEWS_ROUNDS)],
        )
        news = gather_all(reuters, drawn[0], "reuters", "news")
        # Later rounds train the first-sentence ranker only: its side of the articles alone.
        later = [q for r in drawn[1:] for q in r if trains_first_ranker(q)]
        more_first = gather_all(reuters, later, "reuters", "news") if later else []
        for it in news + more_first:
            it.group = f"news-{it.group}"
        if args.news_questions:
            train += news

    types = answer_types([it for it in train if it.kind == "train"])  # not the generator's own labels
    log(f"answer types for {len(types)} keys")
    for items in [train, negatives, *dev.values()]:
        featurize(items, types)
    first_train: list[Item] = []
    if news and not args.news_questions:
        featurize(news, types)
        featurize(more_first, types)
        first_train = [it for it in news if first_ranker_side(it)] + more_first
        # Held out: news-shaped questions of the articles the first-sentence ranker does
        # not train on, and the same with their answer sentences removed as in-domain
        # unanswerables (hundreds, where Reuters has 15 real ones).
        held_out = [it for it in news if not first_ranker_side(it)]
        news_masked = [m for m in (masked(it) for it in held_out) if m is not None]
        featurize(news_masked, types)
        dev["news"] = held_out + news_masked
    # The news questions teach the ranker only: fed to the abstain model as well (with
    # their masked copies as negatives) they cost refusals on both dev sets (docs/answer-quality.md).
    squad_train = [it for it in train if it.kind == "train"]
    masked_items = [m for m in (masked(it) for it in squad_train if it.q.answerable) if m is not None]

    # Out-of-fold ranker scores, folds by article.
    groups = sorted({it.group for it in train})
    k = min(5, len(groups))
    fold_models = []
    for f in range(k):
        fit_on = [it for it in train if fold_of(it.group, groups, k) != f]
        fold_models.append(fit_ranker(fit_on, rounds))
        log(f"fold {f + 1}/{k} trained")

    def oof(item: Item) -> np.ndarray:
        if not len(item.X):
            return np.zeros(0)
        f = fold_of(item.group, groups, k) if item.group in groups else 0
        return fold_models[f].predict(item.X)  # type: ignore[no-any-return]

    featurize(masked_items, types)  # features of what is left (no sentence holds the answer)

    # Calibration: P(sentence answers) from the raw score and its gap to the best.
    cal_X, cal_y = [], []
    for it in squad_train:
        if len(it.y):
            cal_X.append(calibration_inputs(oof(it)))
            cal_y.append(it.y)
    calib = logistic(np.vstack(cal_X), np.concatenate(cal_y), ["raw", "raw_gap"], balanced=False)

    # Abstain model on out-of-fold evidence.
    abst_items = squad_train + masked_items + negatives
    A = np.vstack([question_vector(it, oof(it), calib) for it in abst_items])
    ya = np.asarray([int(it.q.answerable and it.kind == "train" and bool(it.y.any())) for it in abst_items])
    abstain = logistic(A, ya, list(ABSTAIN_FEATURES), c=0.5)
    pa = sigmoid_apply(abstain, A)
    real_answerable = np.asarray(
        [it.kind == "train" and it.q.answerable and bool(it.y.any()) for it in abst_items]
    )
    threshold = float(np.quantile(pa[real_answerable], MAX_FALSE_REFUSALS))
    log(f"operating point: answer when P(answerable) >= {threshold:.3f}")

    # Final ranker on all training questions.
    final = fit_ranker(train, rounds)
    arrays, depth = flatten_lightgbm(final.dump_model())
    # The first-sentence ranker: SQuAD and half the news questions.
    first_items = [it for it in train if it.kind == "train"] + first_train
    first_model = fit_ranker(first_items, rounds) if first_train else None
    first_depth = None
    if first_model is not None:
        first_arrays, first_depth = flatten_lightgbm(first_model.dump_model())
        arrays.update({f"first_{name}": value for name, value in first_arrays.items()})
    extra = EXTRA_SENTENCE
    meta = {
        "features": FEATURES,
        "depth": depth,
        **({"first_depth": first_depth} if first_depth is not None else {}),
        "answer_threshold": threshold,
        "extra_sentence": extra,
        "answer_types": types,
        "trained": {
            "questions": len(train),
            "first_questions": len(first_items) if first_model is not None else 0,
            "rounds": rounds,
            "params": LGB_PARAMS,
        },
    }
    save(args.out, arrays, meta, calib, abstain)
    load_model.cache_clear()
    model = load_model(args.out)
    parity = max(
        float(np.abs(model.trees.predict(it.X) - final.predict(it.X)).max()) for it in train[:50] if len(it.X)
    )
    if first_model is not None and model.first is not None:
        parity = max(
            parity,
            max(
                float(np.abs(model.first.predict(it.X) - first_model.predict(it.X)).max())
                for it in first_items[:50]
                if len(it.X)
            ),
        )
    log(f"numpy trees vs LightGBM: max difference {parity:.2e}")

    # Report: train (in-sample and out-of-fold) vs validation.
    def serving(item: Item) -> np.ndarray:
        return model.trees.predict(item.X)

    report: dict[str, Any] = {}
    for kind, name in (("train", "train"), ("news", "train_news")):
        of_kind = [it for it in train if it.kind == kind]
        if of_kind:
            report[f"{name}_in_sample"] = top1(of_kind, serving)
            report[f"{name}_out_of_fold"] = top1(of_kind, oof)
    for name, items in dev.items():
        report[f"dev_{name}"] = top1(items, serving)
    if model.first is not None:
        quoted_first = first_choice(model.trees.predict, model.first.predict, calib)
        report["first_train_in_sample"] = top1(first_items, quoted_first)
        for name, items in dev.items():
            report[f"first_dev_{name}"] = top1(items, quoted_first)
    # Beside them, one seed alone (the first of each mean), scored the same way.
    one = Averaged(final.boosters[:1])
    fold_ones = [Averaged(m.boosters[:1]) for m in fold_models]
    of_squad = [it for it in train if it.kind == "train"]
    report["single_train_out_of_fold"] = top1(
        of_squad, lambda it: fold_ones[fold_of(it.group, groups, k)].predict(it.X)
    )
    for name, items in dev.items():
        report[f"single_dev_{name}"] = top1(items, lambda it: one.predict(it.X))
    if first_model is not None:
        single_first = first_choice(one.predict, Averaged(first_model.boosters[:1]).predict, calib)
        for name, items in dev.items():
            report[f"single_first_dev_{name}"] = top1(items, single_first)
    curves: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    oof_at = [i for i, it in enumerate(abst_items) if it.kind in ("train", "masked")]
    curves["SQuAD train (out of fold, masked negatives)"] = (pa[oof_at], ya[oof_at].astype(bool))
    for name, items in dev.items():
        P = np.asarray([
            float(model.abstain.probability(question_vector(it, serving(it), calib)[None, :].astype(np.float32))[0]) if len(it.X) else 0.0
            for it in items
        ])  # fmt: skip
        ans = np.asarray([it.q.answerable for it in items])
        curves[f"{name} dev"] = (P, ans)
        report[f"dev_{name}"]["abstention"] = pr_table(P, ans, [threshold])[0]
    grid = [round(x, 2) for x in np.arange(0.05, 0.96, 0.05)] + [round(threshold, 3)]
    report["pr_tables"] = {name: pr_table(p, a, sorted(set(grid))) for name, (p, a) in curves.items()}
    report["answer_threshold"] = threshold
    report["parity"] = parity
    if not args.quick:
        args.report.mkdir(parents=True, exist_ok=True)
        plot_pr(curves, threshold, args.report / "abstain_pr.png")
        (args.report / "report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        (args.report / "report.md").write_text(render_report(report), encoding="utf-8")
    print(render_report(report))
    return 0


def save(
    path: Path,
    arrays: dict[str, np.ndarray],
    meta: dict[str, Any],
    calib: dict[str, Any],
    abstain: dict[str, Any],
) -> None:
    data: dict[str, Any] = dict(arrays)
    data["meta"] = np.asarray(json.dumps(meta))
    for prefix, lr in (("calibration", calib), ("abstain", abstain)):
        data[f"{prefix}_names"] = np.asarray(json.dumps(lr["names"]))
        data[f"{prefix}_mean"] = np.asarray(lr["mean"], dtype=np.float32)
        data[f"{prefix}_scale"] = np.asarray(lr["scale"], dtype=np.float32)
        data[f"{prefix}_coef"] = np.asarray(lr["coef"], dtype=np.float32)
        data[f"{prefix}_intercept"] = np.asarray(lr["intercept"], dtype=np.float32)
    with open(path, "wb") as fh:
        np.savez_compressed(fh, **data)


def render_report(report: dict[str, Any]) -> str:
    lines = [
        "# Answerer training report",
        "",
        "Sentence ranking (answerable questions). `first_` rows: the sentence quoted first, chosen by",
        "the first-sentence ranker among the rows the period and count checks leave; the others: the",
        "sentence ranker alone, whose probabilities decide abstention and further sentences.",
        "`single_` rows: the baseline, the first seed of each mean alone, scored the same way.",
        "",
    ]
    lines.append(
        "| set | questions | answer in candidates | first sentence answers | ... when in candidates | answer in top 3 |"
    )
    lines.append("|---|---|---|---|---|---|")
    for name, r in report.items():
        if isinstance(r, dict) and "first_sentence" in r:
            lines.append(
                f"| {name} | {r['questions']} | {r['answer_in_candidates']} | {r['first_sentence']} | "
                f"{r['first_sentence_when_found']} | {r['top3_sentences']} |"
            )
    lines += ["", f"Abstention: answer when P(answerable) >= {report['answer_threshold']:.3f}", ""]
    lines.append("| set | unanswerable refused | answerable refused | refusal precision |")
    lines.append("|---|---|---|---|")
    for name, r in report.items():
        if isinstance(r, dict) and "abstention" in r:
            a = r["abstention"]
            lines.append(
                f"| {name} | {a['unanswerable_refused']} | {a['answerable_refused']} | {a['refusal_precision']} |"
            )
    lines += ["", "Precision/recall of refusing, by threshold (abstain_pr.png plots the same):", ""]
    for name, table in report["pr_tables"].items():
        lines += [
            f"{name}:",
            "",
            "| t | unanswerable refused | answerable refused | precision |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {r['threshold']} | {r['unanswerable_refused']} | {r['answerable_refused']} | {r['refusal_precision']} |"
            for r in table
        ]
        lines.append("")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
