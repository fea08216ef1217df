"""The result every front end renders, and the extractive answer composed from a reading.

An `Answer` is text with `[n]` markers plus the numbered sources they point at;
front ends only render it. Which sentences are quoted, and whether to answer at all, is
decided by the learned model's probabilities (`index.query.reader`, `index.query.model`).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

from index.query.chronology import in_date_order
from index.query.retrieval import Passage
from index.store.chroma import chunk_id as store_chunk_id
from index.text import content_terms, jaccard, join_quotations, split_sentences

if TYPE_CHECKING:
    from index.query.features import Row
    from index.query.reader import Reading

NOT_FOUND = "I couldn't find that in the articles."
NOTHING_MORE = "There is nothing more on that in the articles."
MARKER = re.compile(r"\[(\d{1,3})\]")
MAX_SENTENCES = 3
SOURCE_JSON_KEYS: tuple[str, ...] = ("n", "source", "title", "url", "score", "text", "quote")
SOURCE_JSON_KEYS += ("article_id", "path", "chunk_id", "published", "outlet")
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
    article_id: str = ""  # `newsdesk show ARTICLE_ID`
    path: str = ""  # relative to the corpus folder
    opening: str = ""  # the sentence of this article the answer quotes first

    def preview(self, limit: int) -> str:
        """A short excerpt for a sources list: from the sentence the answer quotes first from
        this article (the one that answered; the article's earlier cited sentences could fill
        the excerpt before it), else its first cited sentence, else the passage's beginning."""
        flat = " ".join(self.text.split())
        start = -1
        for quote in (self.opening, self.quote.split(" … ")[0]):
            quote = " ".join(quote.split())
            start = flat.find(quote) if quote else -1
            if start >= 0:
                break
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
            article_id=str(m.get("article_id", "")),
            path=str(m.get("path", "")),
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
    entities: list[tuple[str, str]] = field(default_factory=list)  # (name, label) in the quotes
    quotes: list[str] = field(default_factory=list)  # the article sentences quoted (extractive)
    names: list[str] = field(default_factory=list)  # the question's names as read (a follow-up's subject)

    def to_json(self) -> dict[str, Any]:
        data = {
            "question": self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "mode": self.mode,
            "sources": [{k: v for k, v in asdict(s).items() if k in SOURCE_JSON_KEYS} for s in self.sources],
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


def never_mentioned(question: str, names: tuple[str, ...], passages: list[Passage], mode: str) -> Answer:
    """The refusal when the question names something no article mentions: say which
    name, so a misspelling or another name for it can be tried (index.query.unknown)."""
    answer = abstain(question, passages, mode)
    answer.text = f"{NOT_FOUND} None of them mentions {_listed(names)}."
    return answer


def _listed(names: tuple[str, ...]) -> str:
    quoted = [f"“{name}”" for name in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def written_otherwise(question: str, asked: str, written: str, passages: list[Passage], mode: str) -> Answer:
    """The refusal when the question writes a name as no article does ("Radar Princess"
    where they write "Twilight Princess", index.query.misnamed): say both, so the user can
    ask again with the name the articles use."""
    answer = abstain(question, passages, mode)
    answer.text = f"{NOT_FOUND} They write “{written}”, never “{asked}”."
    return answer


def named_elsewhere(question: str, names: tuple[str, ...], passages: list[Passage], mode: str) -> Answer:
    """The refusal when the article that best matches the question never names what it
    asks about (other articles do): another story's facts would be quoted."""
    answer = abstain(question, passages, mode)
    answer.text = f"{NOT_FOUND} The articles that match it best never mention {_listed(names)}."
    return answer


def role_not_named(question: str, role: str, passages: list[Passage], mode: str) -> Answer:
    """The refusal when the question asks who holds a role that no article about its
    subject names (index.query.roles): say which word, so the user can try another
    ("CEO" for "chief executive" is tried already)."""
    answer = abstain(question, passages, mode)
    answer.text = f"{NOT_FOUND} None of the articles about it mentions a “{role}”."
    return answer


def not_english(question: str, why: str, mode: str) -> Answer:
    """MiniLM and the answerer read English only: say so rather than quote at random."""
    return Answer(
        question=question,
        text=f"newsdesk answers questions in English, and this one {why}. Please ask it in English.",
        sources=[],
        abstained=True,
        mode=mode,
    )


def extractive_answer(reading: Reading, extra_sentence: float, mode: str = "extractive") -> Answer:
    """The sentence chosen to go first (`Reading.ranked_rows`: the first-sentence ranker's
    pick, else the likeliest), then up to two more whose probability passes
    `extra_sentence`. Each is followed by its [n]; one source per article, numbered in
    order of first citation; no sentence twice (nor its wire copy)."""
    ranked = reading.ranked_rows()
    if not ranked:
        return abstain(reading.question.text, reading.passages, mode)
    chosen: list[tuple[float, Row, str]] = []
    for probability, row in ranked:
        if chosen and (len(chosen) >= MAX_SENTENCES or probability < extra_sentence):
            break
        quote = quote_of(row)
        terms = set(row.sentence.terms)
        if any(
            row.sentence is other.sentence
            or quote in text
            or text in quote
            or jaccard(terms, set(other.sentence.terms)) > 0.5
            for _, other, text in chosen
        ):
            continue
        chosen.append((probability, row, quote))
    # the answer first; what else is quoted, in the order it was reported
    chosen = chosen[:1] + in_date_order(chosen[1:], lambda c: c[1].article.article_id, reading.passages)
    numbering: dict[tuple[str, str], int] = {}
    cited: dict[tuple[str, str], list[tuple[float, Row, str]]] = {}
    parts = []
    for probability, row, quote in chosen:
        key = (row.article.article_id, row.article.content_hash)
        n = numbering.setdefault(key, len(numbering) + 1)
        cited.setdefault(key, []).append((probability, row, quote))
        parts.append(f"{quote} [{n}]")
    sources = [_source(reading, n, cited[key]) for key, n in numbering.items()]
    return Answer(
        question=reading.question.text,
        text=" ".join(parts),
        sources=sources,
        abstained=False,
        mode=mode,
        sentences=len(chosen),
        entities=[
            (row.sentence.stored.text[a:b], label)
            for _, row, _ in chosen
            for a, b, label in row.sentence.entities
        ],
        quotes=[quote for _, _, quote in chosen],
    )


def quoted_sentences(answer: Answer) -> set[str]:
    """The article sentences an extractive answer quotes, whitespace normalised (what a
    "tell me more" must not quote again); none for a refusal."""
    if getattr(answer, "abstained", False):
        return set()
    return {" ".join(q.split()) for q in getattr(answer, "quotes", [])}


def further_answer(
    reading: Reading, quoted: frozenset[str], floor: float, mode: str = "extractive"
) -> Answer:
    """For "tell me more": the likeliest sentences the conversation has not quoted yet, up
    to three, each with probability at least `floor` (the engine passes half the bar for a
    further sentence: the reader asked for more, not for anything); when none is left, it
    says so."""
    keep = [
        i
        for i, row in enumerate(reading.rows)
        if reading.probabilities[i] >= floor and not already_quoted(row, quoted)
    ]
    if not keep:
        return nothing_more(reading.question.text, mode)
    rows = [reading.rows[i] for i in keep]
    probabilities = reading.probabilities[keep]
    return extractive_answer(replace(reading, rows=rows, probabilities=probabilities, first=None), -1.0, mode)


def already_quoted(row: Row, quoted: frozenset[str]) -> bool:
    """Whether the row's quote was quoted, whole or as part of a longer or shorter quote
    (a quotation over two sentences is quoted as one)."""
    quote = quote_of(row)
    return quote in quoted or any(quote in q or q in quote for q in quoted)


def quote_of(row: Row) -> str:
    """The sentence as shown: with the next one when it opens a quotation that one closes."""
    quote = " ".join(row.sentence.quote.split())
    following = (
        row.article.sentences[row.position + 1] if row.position + 1 < len(row.article.sentences) else None
    )
    if following is not None and following.stored.idx == row.sentence.stored.idx + 1:
        joined = join_quotations([quote, " ".join(following.quote.split())])
        if len(joined) == 1 and len(joined[0]) <= SENTENCE_MAX_CHARS:
            return joined[0]
    return quote


def nothing_more(question: str, mode: str) -> Answer:
    return Answer(question=question, text=NOTHING_MORE, sources=[], abstained=True, mode=mode)


def _source(reading: Reading, n: int, cited: list[tuple[float, Row, str]]) -> Source:
    """One article's source: the chunk(s) holding its cited sentences, their quotes in
    article order, and the answer probability of its first-cited sentence."""
    chunks: dict[int, Passage] = {}
    for _, row, _ in cited:
        passage = _passage_of(reading, row)
        if passage is not None:
            chunks.setdefault(row.sentence.stored.chunk, passage)
    quote = _joined(sorted(cited, key=lambda c: c[1].sentence.stored.idx))
    probability, row, opening = cited[0]
    sibling = None if chunks else _passage_of(reading, row, any_chunk=True)
    if sibling is not None:  # its chunk was loaded for its sentences only: the article's metadata
        source = Source.from_passage(n, sibling, quote=quote)
        source.text, source.also_in = quote, []
        source.chunk_id = store_chunk_id(
            row.article.article_id, row.article.content_hash, row.sentence.stored.chunk
        )
    elif not chunks:
        source = _bare_source(n, row, quote)
    else:
        ordered = [chunks[k] for k in sorted(chunks)]
        source = Source.from_passage(n, ordered[0], quote=quote)
        source.text = " … ".join(p.text for p in ordered)
    source.score = round(probability, 4)
    source.opening = opening
    return source


def _joined(cited: list[tuple[float, Row, str]]) -> str:
    """An article's quotes in article order: a space between neighbouring sentences, " … "
    where the article has text between them (the quote is not one stretch of it)."""
    out = ""
    previous = -2
    for _, row, quote in cited:
        idx = row.sentence.stored.idx
        out += ("" if not out else " " if idx == previous + 1 else " … ") + quote
        previous = idx
    return out


def _passage_of(reading: Reading, row: Row, any_chunk: bool = False) -> Passage | None:
    """The chunk holding the sentence, from the reading's passages; any_chunk: any chunk of
    its article version (a sentence from a neighbouring chunk that was not retrieved)."""
    for p in reading.passages:
        m = p.metadata
        if (
            m.get("article_id") == row.article.article_id
            and m.get("content_hash") == row.article.content_hash
            and (any_chunk or int(m.get("position", -1)) == row.sentence.stored.chunk)
        ):
            return p
    return None


def _bare_source(n: int, row: Row, quote: str) -> Source:
    return Source(n=n, source=row.article.article_id.rsplit("/", 1)[-1], title=row.article.title, url="",
                  score=0.0, text=quote, quote=quote, article_id=row.article.article_id,
                  path=row.article.article_id)  # fmt: skip


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
