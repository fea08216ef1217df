"""The result every front end renders, and the extractive answerer that needs no model.

An `Answer` is text with `[n]` markers plus the numbered sources they point at;
front ends only render it.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from index.query.answer_type import expected_kind, states
from index.query.retrieval import Passage
from index.text import content_terms, jaccard, join_quotations, joined_terms, split_sentences

NOT_FOUND = "I couldn't find that in the articles."
MARKER = re.compile(r"\[(\d{1,3})\]")
MAX_SENTENCES = 3
TYPED_CANDIDATES = 5  # how deep to look for the number/year/duration a question asks for
SENTENCE_MAX_CHARS = 600


@dataclass
class Source:
    n: int
    source: str
    title: str
    url: str
    score: float
    text: str
    outlet: str = ""
    published: str = ""
    chunk_id: str = ""
    also_in: list[str] = field(default_factory=list)
    quote: str = ""  # the passage's sentence(s) the answer cites, verbatim

    def preview(self, limit: int) -> str:
        """A short excerpt for a sources list: the cited sentence(s) where the answer cites
        any (the passage start may say something else), else the passage's beginning."""
        flat = " ".join(self.text.split())
        quote = " ".join(self.quote.split())
        start = flat.find(quote) if quote else -1
        lead = "…" if start > 0 else ""
        body = flat[start:] if start > 0 else flat
        if len(lead) + len(body) <= limit:
            return lead + body
        return lead + body[: max(limit - len(lead) - 1, 1)].rsplit(" ", 1)[0] + "…"

    @classmethod
    def from_passage(cls, n: int, p: Passage, quote: str = "") -> Source:
        m = p.metadata
        return cls(
            n=n,
            source=p.source,
            title=p.title,
            url=str(m.get("url", "")),
            score=round(p.score, 4),
            text=p.text,
            outlet=str(m.get("outlet", "")),
            published=str(m.get("published", "")),
            chunk_id=p.chunk_id,
            also_in=list(p.also_in),
            quote=quote,
        )


@dataclass
class Answer:
    question: str
    text: str
    sources: list[Source]
    abstained: bool
    mode: str
    note: str = ""  # one line, e.g. why the LLM answer fell back to extractive
    standalone_question: str = ""
    sentences: int = 0
    unsupported: int = 0
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        data = {
            "question": self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "mode": self.mode,
            "sources": [
                {
                    k: v
                    for k, v in asdict(s).items()
                    if k in ("n", "source", "title", "url", "score", "text", "quote")
                }
                for s in self.sources
            ],
            "seconds": round(self.seconds, 4),
        }
        if self.note:
            data["note"] = self.note
        if self.standalone_question and self.standalone_question != self.question:
            data["standalone_question"] = self.standalone_question
        return data


def abstain(question: str, passages: list[Passage], mode: str) -> Answer:
    """The refusal: say so, and offer the closest headlines as sources."""
    seen: set[str] = set()
    closest = []
    for p in passages:
        if p.source not in seen:
            seen.add(p.source)
            closest.append(p)
    return Answer(
        question=question,
        text=NOT_FOUND,
        sources=[Source.from_passage(i, p) for i, p in enumerate(closest[:3], start=1)],
        abstained=True,
        mode=mode,
    )


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
            0.65 * sum(idf[t] for t in q_terms & terms) / weight + 0.35 * prior,
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


def best_sentence(claim: str, passage_text: str) -> str:
    """The passage sentence that shares most content terms with a claim (what it rests on)."""
    terms = set(content_terms(MARKER.sub("", claim)))
    sentences = split_sentences(passage_text)
    return max(sentences, key=lambda s: len(terms & set(content_terms(s))), default="")


_MARKER_GROUP = re.compile(r"(?:\s*\[\d{1,3}\])+")
_TRAILING_PUNCT = re.compile(r"[.!?,;:]+")


def cited_sentences(text: str) -> list[tuple[str, list[int]]]:
    """Split answer text into (sentence without markers, cited numbers).

    A marker group ends a sentence, whether it follows the full stop ("said. [2] Next")
    or precedes it ("said [2]."); sentences before it in the same stretch are uncited.
    """
    out: list[tuple[str, list[int]]] = []
    pos = 0
    for group in _MARKER_GROUP.finditer(text):
        if group.start() < pos:
            continue
        segment = text[pos : group.start()]
        pos = group.end()
        punct = _TRAILING_PUNCT.match(text, pos)
        if punct:
            segment += punct.group()
            pos = punct.end()
        sentences = join_quotations(split_sentences(segment))
        out.extend((s, []) for s in sentences[:-1])
        if sentences:
            out.append((sentences[-1], [int(n) for n in MARKER.findall(group.group())]))
    out.extend((s, []) for s in join_quotations(split_sentences(text[pos:])))
    return [(s.strip(), ns) for s, ns in out if s.strip()]


def supported(sentence: str, passage_text: str, threshold: float = 0.6) -> bool:
    """Cheap lexical claim check: most of the sentence's content terms occur in the passage."""
    terms = set(content_terms(MARKER.sub("", sentence)))
    if not terms:
        return True
    return len(terms & set(content_terms(passage_text))) / len(terms) >= threshold
