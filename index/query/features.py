"""Features of each candidate sentence for one question: the learned answerer's input.

One function computes them for serving and for training (training/train_answerer.py), so
the model sees at run time exactly what it was fitted on. Groups:

- lexical: IDF-weighted share of the question's terms in the sentence (corpus IDF, IDF
  over the candidates, IDF within its article), with the sentences either side, in the
  whole article; bigrams; how tightly the matches sit; the question's names and numbers
  and its focus word ("what price" -> price) in the sentence, around it, in the article;
- semantic: cosine of question and sentence vectors; MaxSim of the question's content
  tokens against the sentence's (each question token's best match, averaged, plainly and
  IDF-weighted), from MiniLM token states stored at index time;
- answer type: entities in the sentence that the question does not mention, weighed by
  how likely the question's answer type (learned per wh-word and focus) is each label;
  and how many of the question's terms sit within a few words of such a candidate (a
  news lead restates the question with no answer in it; the sentence that answers has
  the candidate among the question's words: "sold at around 160 dlrs" for "at what price
  were ... sold");
- retrieval: the article's and the chunk's fused scores and ranks.

"_rel" features are a value minus the best value among the question's candidates.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from index.dates import from_day
from index.embedding.token_states import TOKEN_DIM, dequantize
from index.query.candidates import Article, Sentence
from index.query.question import CLASSES, Question
from index.query.retrieval import Passage
from index.text import stem

LABELS = [
    "PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "DATE", "TIME", "MONEY", "PERCENT",
    "CARDINAL", "QUANTITY", "ORDINAL", "EVENT", "WORK_OF_ART", "PRODUCT", "LAW", "LANGUAGE",
]  # fmt: skip
_BASE = [
    "idf_cov", "lidf_cov", "aidf_cov", "aidf_ctx", "n_match", "n_q", "frac_match", "bigram",
    "ctx_cov", "art_cov", "novel_terms", "sent_len", "window", "key_cov", "key_ctx", "key_art",
    "n_keys", "num_cov", "num_art", "focus", "focus_ctx", "sent_idx", "lead", "title_overlap",
    "art_rank", "art_score", "art_vec", "art_bm", "chunk_score", "chunk_rank", "chunk_hit", "cos",
    "ms", "msw", "n_ents", "n_novel", "exp_type", "exp_none", "focus_ent",
    "win_best", "win_cov", "win_w", "cand_any", "title_ctx_cov", "title_key_ctx",
]  # fmt: skip
RELATIVE = [
    "idf_cov", "lidf_cov", "aidf_cov", "ctx_cov", "cos", "ms", "msw", "win_best", "win_cov", "title_ctx_cov",
]  # fmt: skip
FEATURES = (
    _BASE
    + [f"{name}_rel" for name in RELATIVE]
    + [f"q_{c}" for c in CLASSES]
    + [f"nov_{label}" for label in LABELS]
)
_INDEX = {name: i for i, name in enumerate(FEATURES)}
_WORDS = re.compile(r"\w+")
_NEAR = 25  # characters between a focus word and an entity that belong together
_WINDOW = 8  # words either side of an answer candidate that count as its context
_NUMERIC = ("CARDINAL", "MONEY", "PERCENT", "QUANTITY")


@dataclass(frozen=True)
class QuestionVectors:
    """The question through the embedding model: its vector and content-token states."""

    vector: np.ndarray  # (384,)
    tokens: np.ndarray  # (n, TOKEN_DIM) unit rows
    weights: np.ndarray  # (n,) IDF of each token's word, summing to 1
    stems: tuple[str, ...] = ()  # (n,) each token's word, stemmed


@dataclass(frozen=True)
class Row:
    """Where a feature row came from."""

    article: Article
    sentence: Sentence
    position: int  # index in article.sentences


def feature_rows(
    question: Question,
    vectors: QuestionVectors,
    articles: list[Article],
    idf: dict[str, float],
    expected: dict[str, float],
) -> tuple[np.ndarray, list[Row]]:
    """(matrix, rows): one row per candidate sentence of the given articles."""
    rows = [Row(a, s, i) for a in articles for i, s in enumerate(a.sentences)]
    X = np.zeros((len(rows), len(FEATURES)), dtype=np.float32)
    if not rows:
        return X, rows
    q = frozenset(question.terms)
    # Sums over sets of terms are math.fsum: exact whatever order a set iterates in (it
    # changes with PYTHONHASHSEED), so a question gets the same features in every
    # process and `make train` gives the same weights twice.
    wsum = sum(idf.values()) or 1.0
    total = len(rows)
    local_df = {t: sum(1 for r in rows if t in r.sentence.term_set) for t in q}
    lidf = {t: np.log(1 + total / (1 + local_df[t])) for t in q}
    lsum = math.fsum(lidf.values()) or 1.0
    top_score = max((a.score for a in articles), default=1.0) or 1.0
    top_bm = max((a.bm25_score for a in articles), default=0.0) or 1.0
    keys, numbers, focus = question.keys, question.numbers, question.focus
    qclass_col = _INDEX[f"q_{question.qclass}"]
    # What is the same for every sentence of an article, found once per article.
    of_article = {id(a): _ArticleSide.of(a, question, idf, wsum) for a in articles}
    cos, ms, msw = _semantic(vectors, [r.sentence for r in rows])
    for i, r in enumerate(rows):
        s, a = r.sentence, r.article
        side = of_article[id(a)]
        terms = s.terms
        tset = s.term_set
        m = q & tset
        prev = a.sentences[r.position - 1] if r.position > 0 else None
        nxt = a.sentences[r.position + 1] if r.position + 1 < len(a.sentences) else None
        # the sentence with the ones either side, as far as the question's terms and names go
        q_ctx, keys_ctx, focus_ctx = set(m), set(keys & tset), set(focus & tset)
        for other in (prev, nxt):
            if other is not None:
                q_ctx |= q & other.term_set
                keys_ctx |= keys & other.term_set
                focus_ctx |= focus & other.term_set
        hits = [k for k, t in enumerate(terms) if t in q]
        aw, awsum = side.weights, side.weights_sum
        quote_text = s.stored.text
        novel_spans = [
            (x, y, label) for x, y, label in s.entities if not (_entity_terms(quote_text[x:y]) & q)
        ]
        novel = {label for _, _, label in novel_spans}
        passage, chunk_rank = side.chunks.get(s.stored.chunk, (None, 40))
        v = X[i]
        v[_INDEX["idf_cov"]] = math.fsum(idf[t] for t in m) / wsum
        v[_INDEX["lidf_cov"]] = math.fsum(lidf[t] for t in m) / lsum
        v[_INDEX["aidf_cov"]] = math.fsum(aw[t] for t in m) / awsum
        v[_INDEX["aidf_ctx"]] = math.fsum(aw[t] for t in q_ctx) / awsum
        v[_INDEX["n_match"]] = len(m)
        v[_INDEX["n_q"]] = len(q)
        v[_INDEX["frac_match"]] = len(m) / (len(q) or 1)
        v[_INDEX["bigram"]] = len(question.bigrams & set(zip(terms, terms[1:]))) / (
            len(question.bigrams) or 1
        )
        v[_INDEX["ctx_cov"]] = math.fsum(idf[t] for t in q_ctx) / wsum
        v[_INDEX["art_cov"]] = side.coverage
        v[_INDEX["novel_terms"]] = len(tset) - len(m)
        v[_INDEX["sent_len"]] = len(terms)
        v[_INDEX["window"]] = (
            (hits[-1] - hits[0] + 1) / max(len(terms), 1) if len(hits) > 1 else (1.0 if hits else 0.0)
        )
        # the article's date is every sentence's context
        if keys:
            v[_INDEX["key_cov"]] = len((keys & tset) | side.dated_keys) / len(keys)
            v[_INDEX["key_ctx"]] = len(keys_ctx | side.dated_keys) / len(keys)
            v[_INDEX["key_art"]] = side.key_share
        else:
            v[_INDEX["key_cov"]] = v[_INDEX["key_ctx"]] = v[_INDEX["key_art"]] = 1.0
        # The headline as every sentence's context (a front-matter title is not in the text):
        # columns of their own, for the rankers. The abstain model reads the untitled ones: with
        # the title in them every sentence of an on-topic article covered the question, and
        # fewer unanswerable questions were refused (docs/answer-quality.md, 2026-12-06).
        v[_INDEX["title_ctx_cov"]] = math.fsum(idf[t] for t in q_ctx | side.title_q) / wsum
        v[_INDEX["title_key_ctx"]] = (
            len(keys_ctx | side.title_keys | side.dated_keys) / len(keys) if keys else 1.0
        )
        v[_INDEX["n_keys"]] = len(keys)
        if numbers:
            ctx_words = (
                s.folded | (prev.folded if prev else frozenset()) | (nxt.folded if nxt else frozenset())
            )
            v[_INDEX["num_cov"]] = len((numbers & s.folded) | side.dated_numbers) / len(numbers)
            v[_INDEX["num_art"]] = len((numbers & ctx_words) | side.dated_numbers) / len(numbers)
        else:
            v[_INDEX["num_cov"]] = v[_INDEX["num_art"]] = 1.0
        v[_INDEX["focus"]] = len(focus & tset) / len(focus) if focus else -1.0
        v[_INDEX["focus_ctx"]] = len(focus_ctx) / len(focus) if focus else -1.0
        v[_INDEX["sent_idx"]] = s.stored.idx
        v[_INDEX["lead"]] = float(s.stored.idx == 0)
        v[_INDEX["title_overlap"]] = len(tset & side.title) / (len(tset) or 1)
        v[_INDEX["art_rank"]] = a.rank
        v[_INDEX["art_score"]] = side.score / top_score
        v[_INDEX["art_vec"]] = side.vector_score
        v[_INDEX["art_bm"]] = side.bm25_score / top_bm
        v[_INDEX["chunk_score"]] = (passage.score / top_score) if passage else 0.0
        v[_INDEX["chunk_rank"]] = chunk_rank
        v[_INDEX["chunk_hit"]] = float(passage is not None)
        v[_INDEX["cos"]] = cos[i]
        v[_INDEX["ms"]] = ms[i]
        v[_INDEX["msw"]] = msw[i]
        v[_INDEX["n_ents"]] = len(s.entities)
        v[_INDEX["n_novel"]] = len(novel)
        v[_INDEX["exp_type"]] = max((expected.get(label, 0.0) for label in novel), default=0.0)
        v[_INDEX["exp_none"]] = expected.get("NONE", 0.0)
        if not focus:
            v[_INDEX["focus_ent"]] = -1.0
        elif focus & tset and novel_spans:
            v[_INDEX["focus_ent"]] = _focus_entity(quote_text, focus, novel_spans, expected)
        v[_INDEX["win_best"]], v[_INDEX["win_cov"]], v[_INDEX["win_w"]], v[_INDEX["cand_any"]] = _window(
            s, q, idf, wsum, expected, question.numbers
        )
        v[qclass_col] = 1.0
        for label in novel:
            col = _INDEX.get(f"nov_{label}")
            if col is not None:
                v[col] = 1.0
    for name in RELATIVE:
        col = _INDEX[name]
        X[:, _INDEX[f"{name}_rel"]] = X[:, col] - X[:, col].max()
    return X, rows


@dataclass(frozen=True)
class _ArticleSide:
    """One candidate article's share of a question's features: the same for each of its
    sentences, so found once (the article's terms are hundreds; a sentence's a dozen)."""

    weights: dict[str, float]  # the question's terms, IDF x IDF within the article
    weights_sum: float
    coverage: float  # IDF-weighted share of the question's terms in the article
    key_share: float  # share of the question's names and numbers in the article or its date
    dated_keys: frozenset[str]  # the question's names and numbers its date states ("1987")
    dated_numbers: frozenset[str]  # the question's numbers among its date's words
    title: frozenset[str]  # the title's terms
    title_q: frozenset[str]  # the question's terms among them
    title_keys: frozenset[str]
    chunks: dict[int, tuple[Passage, int]]  # chunk position -> (passage, rank), `Article.chunk_ranks`
    score: float
    vector_score: float
    bm25_score: float

    @classmethod
    def of(cls, a: Article, question: Question, idf: dict[str, float], wsum: float) -> _ArticleSide:
        q, keys = frozenset(question.terms), question.keys
        n = len(a.sentences) or 1
        adf = {t: sum(1 for s in a.sentences if t in s.term_set) for t in q}
        weights = {t: idf[t] * float(np.log(1 + n / (1 + adf[t]))) for t in q}
        dated_terms, dated_words = published_words(a)
        title = frozenset(_terms_of_title(a.title))
        return cls(
            weights=weights,
            weights_sum=math.fsum(weights.values()) or 1.0,
            coverage=math.fsum(idf[t] for t in q & a.terms) / wsum,
            key_share=len(keys & (a.terms | dated_terms)) / len(keys) if keys else 1.0,
            dated_keys=keys & dated_terms,
            dated_numbers=question.numbers & dated_words,
            title=title,
            title_q=q & title,
            title_keys=keys & title,
            chunks=a.chunk_ranks(),
            score=a.score,
            vector_score=a.vector_score,
            bm25_score=a.bm25_score,
        )


@lru_cache(maxsize=65536)
def _entity_terms(text: str) -> frozenset[str]:
    """The content terms of an entity's text (the question names it when they meet)."""
    return frozenset(_terms_of_title(text))


def _focus_entity(
    text: str, focus: frozenset[str], spans: list[tuple[int, int, str]], expected: dict[str, float]
) -> float:
    """How likely the answer type is of a new entity right beside the focus word ("a range
    of 40 miles" for "what range", "1,269 Libyan soldiers" for "how many soldiers"): 0
    when none sits within a few words of it, -1 when the question has no focus word."""
    best = 0.0
    for m in _WORDS.finditer(text):
        if stem(m.group().lower()) not in focus:
            continue
        for x, y, label in spans:
            if -_NEAR <= x - m.end() <= _NEAR or -_NEAR <= m.start() - y <= _NEAR:
                best = max(best, 0.1 + expected.get(label, 0.0))
    return best


def _window(
    s: Sentence,
    q: frozenset[str],
    idf: dict[str, float],
    wsum: float,
    expected: dict[str, float],
    numbers: frozenset[str],
) -> tuple[float, float, float, float]:
    """The sentence's best answer candidate by its expected type and the question's terms
    around it: (weight x (0.2 + coverage), coverage of the words within _WINDOW of it, its
    type weight, whether any candidate has weight). A candidate is an entity the question
    does not name, or a number outside entities (half the weight of the likeliest
    numeric label)."""
    tokens = s.tokens
    if not tokens:
        return 0.0, 0.0, 0.0, 0.0
    numeric = 0.5 * max(expected.get(label, 0.0) for label in _NUMERIC)
    candidates: list[tuple[int, int, float]] = []
    for a, b, label in s.slots:
        if label:  # an entity the question names is no answer
            if not any(tokens[k][2] in q for k in range(a, b + 1)):
                candidates.append((a, b, expected.get(label, 0.0)))
        elif tokens[a][3] not in numbers:
            candidates.append((a, b, numeric))
    best = cov_of_best = weight = 0.0
    for a, b, w in candidates:
        near = {t[2] for t in tokens[max(0, a - _WINDOW) : b + _WINDOW + 1] if t[2] in q}
        cov = math.fsum(idf[t] for t in near) / wsum
        if w * (0.2 + cov) > best:
            best, cov_of_best, weight = w * (0.2 + cov), cov, w
    return best, cov_of_best, weight, float(any(w > 0 for _, _, w in candidates))


def published_words(article: Article) -> tuple[frozenset[str], frozenset[str]]:
    """(stems, words) of an article's publication date ("1987", "april", "8"): a news
    sentence says "today" or "in March" and leaves the year and the day to the dateline."""
    day = article.published_day
    if day is None:
        return frozenset(), frozenset()
    d = from_day(day)
    year, month, number = str(d.year), d.strftime("%B").lower(), str(d.day)
    return frozenset({year, stem(month), number}), frozenset({year, month, number})


def _terms_of_title(text: str) -> list[str]:
    from index.text import content_terms

    return content_terms(text)


# A question token's best match in a sentence that writes its word: the median over the
# Reuters dev questions' tokens in their top two articles' sentences (2,436 tokens; quartiles
# 0.85 and 0.94). A word the sentence states in the other form ("IMF") counts as that.
SAME_WORD = 0.9


def _semantic(
    vectors: QuestionVectors, sentences: list[Sentence]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cosine, MaxSim and IDF-weighted MaxSim of the question against each sentence."""
    n = len(sentences)
    cos = np.zeros(n, dtype=np.float32)
    ms = np.zeros(n, dtype=np.float32)
    msw = np.zeros(n, dtype=np.float32)
    vecs = [np.frombuffer(s.stored.vector, dtype=np.float16) for s in sentences]
    have = [i for i, v in enumerate(vecs) if v.size]
    if have:
        cos[have] = np.stack([vecs[i] for i in have]).astype(np.float32) @ vectors.vector
    if not len(vectors.tokens):
        return cos, ms, msw
    mats = [dequantize(s.stored.tokens, TOKEN_DIM) if s.stored.tokens else None for s in sentences]
    lengths = [0 if m is None else len(m) for m in mats]
    if not sum(lengths):
        return cos, ms, msw
    sims = vectors.tokens @ np.concatenate([m for m in mats if m is not None]).T  # (q, total)
    starts = np.cumsum([0] + lengths[:-1])
    nonempty = [i for i, length in enumerate(lengths) if length]
    best = np.maximum.reduceat(sims, starts[nonempty], axis=1)  # (q, nonempty)
    for col, i in enumerate(nonempty):  # "IMF" for "International Monetary Fund": the same words
        if sentences[i].bridged:
            same = [j for j, t in enumerate(vectors.stems) if t in sentences[i].bridged]
            best[same, col] = np.maximum(best[same, col], SAME_WORD)
    ms[nonempty] = best.mean(axis=0)
    msw[nonempty] = vectors.weights @ best
    return cos, ms, msw
