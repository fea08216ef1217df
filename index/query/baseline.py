"""Today's heuristic answerer, kept as the baseline `newsdesk eval` and the benchmarks
measure the learned one against (`--answerer heuristic`). Not used to answer users.

Retrieval fuses `cosine + 0.5 * BM25/max + 0.5 * sentence coverage` over chunks split
into sentences at query time; the answer quotes the 1-3 sentences with the highest
IDF-weighted question-term overlap (plus a rank prior), with the preceding sentence when
the best one is short or refers back; it abstains on hand-set cosine/coverage thresholds
(fitted to the 5 seed articles) or when a question worded to ask for a number, year,
duration, age or sum finds none in the top sentences.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from index.query.answer import Answer, Source, abstain
from index.query.retrieval import HybridRetriever, Passage, collapse_duplicates
from index.text import content_terms, jaccard, join_quotations, joined_terms, split_sentences

MAX_SENTENCES = 3
TYPED_CANDIDATES = 5
SENTENCE_MAX_CHARS = 600
MIN_COSINE = 0.30
WEAK_COSINE = 0.15
WEAK_COVERAGE = 0.6
BM25_WEIGHT = 0.5
COVERAGE_WEIGHT = 0.5


_COUNT_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|"
    r"fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|millions?|billions?|dozens?|several|"
    r"half|once|twice|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth"
)
_NUMBER = rf"(?:\d[\d,.]*|{_COUNT_WORDS}|an?|a few|few)"
_UNITS = r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centur(?:y|ies))"

_KINDS: list[tuple[str, re.Pattern[str], re.Pattern[str]]] = [
    (
        "duration",
        re.compile(r"^\s*(?:for\s+)?how long\b", re.I),
        re.compile(
            rf"\b{_NUMBER}[\s-]+(?:and a half\s+)?{_UNITS}\b|\b(?:hours|days|weeks|months|years)\b", re.I
        ),
    ),
    (
        "year",
        re.compile(r"^\s*(?:in\s+)?(?:what|which) year\b", re.I),
        re.compile(r"\b(?:1[5-9]|20)\d\d\b"),
    ),
    (
        "age",
        re.compile(r"^\s*how old\b", re.I),
        re.compile(
            r"\b\d+[\s-]*years?[\s-]*old\b|\baged?\s+\d+|\bage of \d+|\(\s*\d{1,3}\s*\)|\w,\s*\d{1,3}\s*,",
            re.I,
        ),
    ),
    (
        "money",
        re.compile(
            r"^\s*how much\b.*\b(?:cost|costs|costing|spend|spent|pay|paid|worth|price|priced|fund|funding|"
            r"aid|budget|fine|fined)\b",
            re.I,
        ),
        re.compile(
            r"[$€£¥₽]\s?\d|\b\d[\d,.]*\s*(?:dollars|euros|pounds|rubles|roubles|yuan)\b|"
            r"\b(?:millions?|billions?|trillions?)\b|\b(?:USD|EUR|GBP|RUB)\b",
            re.I,
        ),
    ),
    (
        "quantity",
        re.compile(r"^\s*how (?:many|much)\b", re.I),
        re.compile(rf"\d|\b(?:{_COUNT_WORDS})\b", re.I),
    ),
]


def expected_kind(question: str) -> str | None:
    """'duration', 'year', 'age', 'money' or 'quantity' when the question's wording asks for one."""
    for kind, asks, _ in _KINDS:
        if asks.search(question):
            return kind
    return None


def states(kind: str, sentence: str) -> bool:
    """Whether a sentence states something of that kind (a number, a year, a duration)."""
    for name, _, pattern in _KINDS:
        if name == kind:
            return bool(pattern.search(sentence))
    return True


def sentence_coverage(question: str, passages: list[Passage]) -> dict[str, float]:
    """Per passage: IDF-weighted share of the question's terms that one sentence holds."""
    q_terms = set(content_terms(question))
    if not q_terms or not passages:
        return {p.chunk_id: 0.0 for p in passages}
    sentence_terms = {p.chunk_id: [set(content_terms(s)) for s in split_sentences(p.text)] for p in passages}
    n = len(passages)
    df = {t: sum(1 for sets in sentence_terms.values() if any(t in s for s in sets)) for t in q_terms}
    idf = {t: math.log(1 + n / (1 + df[t])) for t in q_terms}
    total = sum(idf.values()) or 1.0
    return {
        cid: max((math.fsum(idf[t] for t in q_terms & s) / total for s in sets), default=0.0)
        for cid, sets in sentence_terms.items()
    }


def retrieve(retriever: HybridRetriever, question: str, top_k: int) -> list[Passage]:
    """Top-k distinct passages by the fused score."""
    pool = retriever.candidates(question)
    top_bm25 = max((p.bm25_score or 0.0 for p in pool), default=0.0) or 1.0
    coverage = sentence_coverage(question, pool)
    for p in pool:
        p.score = (
            (p.vector_score or 0.0)
            + BM25_WEIGHT * (p.bm25_score or 0.0) / top_bm25
            + COVERAGE_WEIGHT * coverage[p.chunk_id]
        )
    return collapse_duplicates(sorted(pool, key=lambda p: p.score, reverse=True))[:top_k]


def should_abstain(question: str, passages: list[Passage]) -> bool:
    if not passages:
        return True
    ev = evidence(question, passages)
    if not ev.states_expected:
        return True
    if ev.top_cosine >= MIN_COSINE:
        return False
    return not (ev.top_cosine >= WEAK_COSINE and ev.coverage >= WEAK_COVERAGE)


def answer(question: str, passages: list[Passage], mode: str = "extractive") -> Answer:
    if should_abstain(question, passages):
        return abstain(question, passages, mode)
    return extractive_answer(question, passages, mode)


@dataclass
class Evidence:
    """How well the best passages match the question, for the abstention decision."""

    top_cosine: float
    coverage: float  # share of the question's content terms found in the best sentence
    states_expected: bool = True  # a top sentence states the quantity/year/duration asked for


@dataclass
class _Candidate:
    sentence: str
    passage_index: int
    score: float
    terms: set[str]
    previous: str = ""  # the sentence before it in the same passage, for context
    following: str = ""  # the sentence after it, to finish a quotation it opens

    def quoted(self) -> str:
        """The sentence as shown: with the next one when it opens a quotation that one closes."""
        joined = join_quotations([self.sentence, self.following]) if self.following else []
        if len(joined) == 1 and len(joined[0]) <= SENTENCE_MAX_CHARS:
            return joined[0]
        return self.sentence


def _sentence_candidates(question: str, passages: list[Passage]) -> tuple[list[_Candidate], set[str]]:
    """Score every sentence of the passages: IDF-weighted question-term overlap plus rank prior.

    IDF is taken over the candidate sentences themselves, so a term every passage repeats
    ("Blinken") counts less than the one that singles the answer out ("window").
    """
    q_terms = set(content_terms(question))
    best_passage = max((p.score for p in passages), default=1.0) or 1.0
    raw: list[tuple[str, int, set[str], float, str, str]] = []
    for index, passage in enumerate(passages):
        prior = passage.score / best_passage
        sentences = split_sentences(passage.text)
        for k, sentence in enumerate(sentences):
            if 20 <= len(sentence) <= SENTENCE_MAX_CHARS:
                previous = sentences[k - 1] if k else ""
                following = sentences[k + 1] if k + 1 < len(sentences) else ""
                raw.append((sentence, index, set(content_terms(sentence)), prior, previous, following))
    seen = set().union(*(r[2] for r in raw)) if raw else set()
    for joined, parts in joined_terms(question):
        if joined in seen:  # the passages spell the pair as one word: count it once, as that
            q_terms = (q_terms - set(parts)) | {joined}
    total = len(raw) or 1
    idf = {t: math.log(1 + total / (1 + sum(1 for r in raw if t in r[2]))) for t in q_terms}
    weight = sum(idf.values()) or 1.0
    candidates = [
        _Candidate(
            sentence,
            index,
            0.65 * math.fsum(idf[t] for t in q_terms & terms) / weight + 0.35 * prior,
            terms,
            previous,
            following,
        )
        for sentence, index, terms, prior, previous, following in raw
    ]
    candidates.sort(key=lambda c: c.score, reverse=True)
    return candidates, q_terms


def evidence(question: str, passages: list[Passage]) -> Evidence:
    candidates, q_terms = _sentence_candidates(question, passages)
    coverage = max((len(q_terms & c.terms) / (len(q_terms) or 1) for c in candidates), default=0.0)
    top_cos = max((p.vector_score or 0.0 for p in passages), default=0.0)
    kind = expected_kind(question)
    stated = kind is None or any(states(kind, c.sentence) for c in candidates[:TYPED_CANDIDATES])
    return Evidence(top_cosine=top_cos, coverage=coverage, states_expected=stated)


_REFERRING_START = re.compile(
    r"^(he|she|it|they|this|that|these|those|there|the latter|the former|such)\b", re.I
)
SHORT_SENTENCE_WORDS = 12


def _needs_context(sentence: str) -> bool:
    return len(sentence.split()) < SHORT_SENTENCE_WORDS or bool(_REFERRING_START.match(sentence))


def extractive_answer(question: str, passages: list[Passage], mode: str = "extractive") -> Answer:
    """1-3 sentences quoted verbatim from the top passages, each followed by its [n]."""
    candidates, _ = _sentence_candidates(question, passages)
    if not candidates:
        return abstain(question, passages, mode)
    chosen = [candidates[0]]
    top = candidates[0]
    if top.previous and 20 <= len(top.previous) <= SENTENCE_MAX_CHARS and _needs_context(top.quoted()):
        # A short or back-referring sentence reads wrong alone; its predecessor sets the scene.
        chosen.insert(
            0,
            _Candidate(
                top.previous, top.passage_index, top.score, set(content_terms(top.previous)), "", top.sentence
            ),
        )
    for c in candidates[1:]:
        if len(chosen) >= MAX_SENTENCES or c.score < 0.7 * top.score:
            break
        if any(
            jaccard(c.terms, o.terms) > 0.5 or c.sentence in o.quoted() or o.sentence in c.quoted()
            for o in chosen
        ):
            continue
        chosen.append(c)
    numbering: dict[int, int] = {}
    quoted: dict[int, list[str]] = {}
    parts = []
    for c in chosen:
        n = numbering.setdefault(c.passage_index, len(numbering) + 1)
        quoted.setdefault(c.passage_index, []).append(c.quoted())
        parts.append(f"{c.quoted()} [{n}]")
    sources = [
        Source.from_passage(n, passages[i], quote=_in_passage_order(passages[i].text, quoted[i]))
        for i, n in numbering.items()
    ]
    return Answer(
        question=question,
        text=" ".join(parts),
        sources=sources,
        abstained=False,
        mode=mode,
        sentences=len(chosen),
    )


def _in_passage_order(text: str, sentences: list[str]) -> str:
    return " ".join(sorted(dict.fromkeys(sentences), key=lambda x: text.find(x)))
