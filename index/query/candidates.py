"""From retrieved chunks to the sentences that may answer: fusion, articles, neighbours.

1. Every retrieved chunk (vector and BM25 candidates) gets the fused score
   `cosine + 0.5 * BM25/max(BM25) + 0.5 * sentence coverage` (README "Answers"), where
   coverage is the IDF-weighted share of the question's terms that one of its stored
   sentences holds. Near-identical wire copies are collapsed.
2. Chunks are grouped by article version; the best ARTICLES articles go on.
3. For those, the sentences of each retrieved chunk and of the chunks either side are
   loaded from the sentence store: in news the answer is often a sentence or two after
   the lead that matched the question's names (measured: 12 of 27 Reuters misses of the
   chunk-only pool sat in a neighbouring chunk).
"""

from __future__ import annotations

import math
import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace
from functools import cached_property

from index.dates import published_day
from index.query.bridge import Bridge
from index.query.question import Question
from index.query.retrieval import Passage, collapse_duplicates
from index.store.sentences import SentenceStore, StoredSentence
from index.text import content_terms, is_content, word_spans

BM25_WEIGHT = 0.5
COVERAGE_WEIGHT = 0.5
ARTICLES = 6


@dataclass
class Sentence:
    """A stored sentence with what features need, computed once per question."""

    stored: StoredSentence
    terms: tuple[str, ...]  # stems of the quotable part (no dateline)
    folded: frozenset[str]  # its words, folded (for exact number matching)
    entities: list[tuple[int, int, str]]  # inside the quotable part, relative to the sentence
    # (start, end, stem, folded word) of each word of the quotable part, offsets relative
    # to the sentence: where the question's terms sit around an answer candidate
    tokens: tuple[tuple[int, int, str, str], ...] = ()
    # answer candidates as (first token, last token, entity label; "" for a number outside
    # entities): the same for every question, so found once
    slots: tuple[tuple[int, int, str], ...] = ()
    # the question's terms it states in another form ("IMF" for "International Monetary
    # Fund", "Japan" for "Japanese"; `bridge.Bridge`): a copy made for that question has them
    bridged: frozenset[str] = frozenset()

    @property
    def quote(self) -> str:
        return self.stored.quote

    @cached_property
    def term_set(self) -> frozenset[str]:
        """`terms` as a set: every question that reads the sentence tests it."""
        return frozenset(self.terms) | self.bridged


@dataclass
class Article:
    """One article version among the candidates."""

    article_id: str
    content_hash: str
    title: str
    terms: set[str]
    passages: list[Passage]  # its retrieved chunks, best first
    rank: int = 0
    sentences: list[Sentence] = field(default_factory=list)  # loaded ones, in article order

    @property
    def score(self) -> float:
        return self.passages[0].score

    @property
    def vector_score(self) -> float:
        return max((p.vector_score or 0.0) for p in self.passages)

    @property
    def bm25_score(self) -> float:
        return max((p.bm25_score or 0.0) for p in self.passages)

    @property
    def published_day(self) -> int | None:
        """The day number it was published (`index.dates`), None when undated."""
        return published_day(next((str(p.metadata.get("published", "")) for p in self.passages), ""))

    def chunk_ranks(self) -> dict[int, tuple[Passage, int]]:
        """chunk position -> (its first retrieved passage, that passage's rank among the
        article's passages)."""
        out: dict[int, tuple[Passage, int]] = {}
        for rank, p in enumerate(self.passages):
            out.setdefault(_position(p), (p, rank))
        return out


def _position(p: Passage) -> int:
    return int(p.metadata.get("position", 0))


def _key(p: Passage) -> tuple[str, str]:
    return str(p.metadata.get("article_id", "")), str(p.metadata.get("content_hash", ""))


# Sentences read, for the next question that reads them. A read sentence costs ~10 KB
# (its word spans and slots as Python objects, its vector and token states): 200,000 of
# them, the old limit, would have been ~2 GB in a bot that runs for weeks over a large
# corpus. 30,000 are ~300 MB, a few hundred questions' worth; the oldest go first.
KEPT_SENTENCES = 30_000
_cache: dict[tuple[str, str, int], Sentence] = {}
_cache_lock = threading.Lock()


def _sentence(stored: StoredSentence) -> Sentence:
    """Terms of a stored sentence, cached across questions (sentences don't change).
    One pass over its words gives the terms, the folded words and the spans: `words`
    reads the quote as `word_spans` does from the quote's start (the pattern has no
    look-behind), and `content_terms` is the stems of its content words."""
    key = (stored.article_id, stored.content_hash, stored.idx)
    found = _cache.get(key)
    if found is None:
        entities = [(a, b, label) for a, b, label in stored.entities if a >= stored.quote_start]
        tokens = tuple(word_spans(stored.text, stored.quote_start))
        found = Sentence(
            stored,
            tuple(t[2] for t in tokens if is_content(t[3])),
            frozenset(t[3] for t in tokens),
            entities,
            tokens,
            answer_slots(tokens, entities),
        )
        with _cache_lock:  # the bot reads in several threads: one evicts at a time
            while len(_cache) >= KEPT_SENTENCES:
                _cache.pop(next(iter(_cache)))
            _cache[key] = found
    return found


def answer_slots(
    tokens: tuple[tuple[int, int, str, str], ...], entities: list[tuple[int, int, str]]
) -> tuple[tuple[int, int, str], ...]:
    """Where a sentence could hold an answer: each entity's token range with its label,
    and each number outside the entities (label "")."""
    out: list[tuple[int, int, str]] = []
    in_entity: set[int] = set()
    starts, ends = [t[0] for t in tokens], [t[1] for t in tokens]  # both rising: words don't overlap
    for x, y, label in entities:
        first, past = bisect_right(ends, x), bisect_left(starts, y)  # the words overlapping [x, y)
        if first < past:
            in_entity.update(range(first, past))
            out.append((first, past - 1, label))
    for k, t in enumerate(tokens):
        if k not in in_entity and any(map(str.isdigit, t[3])):
            out.append((k, k, ""))
    return tuple(out)


def idf_weights(question: Question, store: SentenceStore) -> dict[str, float]:
    """log(1 + N / (1 + df)) over articles, for the question's terms."""
    df, total = store.document_frequencies(question.terms)
    return {t: math.log(1 + total / (1 + df.get(t, 0))) for t in question.terms}


def gather(
    question: Question, passages: list[Passage], store: SentenceStore, idf: dict[str, float]
) -> list[Article]:
    """Fuse, group and expand retrieved chunks into candidate articles, best first."""
    by_chunk: dict[str, list[Sentence]] = {}
    grouped: dict[tuple[str, str], list[Passage]] = {}
    bridge = Bridge.of(question.as_read, question.terms)
    for p in passages:
        grouped.setdefault(_key(p), []).append(p)
    for (aid, h), group in grouped.items():
        loaded = [
            _bridged(_sentence(s), bridge) for s in store.sentences(aid, h, [_position(p) for p in group])
        ]
        for p in group:
            by_chunk[p.chunk_id] = [s for s in loaded if s.stored.chunk == _position(p)]
    total = sum(idf.values()) or 1.0
    top_bm25 = max((p.bm25_score or 0.0 for p in passages), default=0.0) or 1.0
    q = set(question.terms)
    for p in passages:
        coverage = max(
            (
                math.fsum(idf[t] for t in q.intersection(s.term_set)) / total
                for s in by_chunk.get(p.chunk_id, [])
            ),
            default=0.0,
        )
        p.score = (
            (p.vector_score or 0.0)
            + BM25_WEIGHT * (p.bm25_score or 0.0) / top_bm25
            + COVERAGE_WEIGHT * coverage
        )
    ranked = collapse_duplicates(sorted(passages, key=lambda p: p.score, reverse=True))
    articles: dict[tuple[str, str], Article] = {}
    for p in ranked:
        key = _key(p)
        if key not in articles:
            if len(articles) >= ARTICLES:
                continue
            found = store.article_terms(*key)
            if found is None:  # not in the sentence store (yet): it can't be quoted
                continue
            # the title names what the article is about even when the text does not repeat
            # it (front matter): its words count as the article's
            terms = found[1] | set(content_terms(found[0]))
            articles[key] = Article(key[0], key[1], found[0], terms, [], rank=len(articles))
        articles[key].passages.append(p)
    for article in articles.values():
        wanted = {c + d for p in article.passages for c in (_position(p),) for d in (-1, 0, 1) if c + d >= 0}
        article.sentences = [
            _bridged(_sentence(s), bridge)
            for s in store.sentences(article.article_id, article.content_hash, wanted)
            if s.kind == ""
        ]
        if bridge:  # the article states what its sentences state in the other form
            article.terms |= bridge.in_terms(article.terms)
            article.terms.update(*(s.bridged for s in article.sentences))
    return list(articles.values())


def _bridged(sentence: Sentence, bridge: Bridge) -> Sentence:
    """The sentence for this question: a copy with the question's terms it writes in the
    other form, when it has any (the cached one is every question's)."""
    if not bridge:
        return sentence
    found = bridge.stated(sentence.quote, sentence.term_set) - sentence.term_set
    return replace(sentence, bridged=found) if found else sentence
