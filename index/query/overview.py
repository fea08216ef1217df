"""Requests for an overview, not a fact: "Summarize the news on OPEC", "Tell me about
the Bundesbank", "What's the latest on Texaco?".

The answer model was trained on questions with one answer, so it scores such a request
as a question nobody answers ("summarize the news on OPEC" was refused over 2,000
articles with dozens on OPEC), or quotes whichever sentence repeats "news". An overview
is instead what the articles that report on the topic say first: for each of the (up
to) three likeliest articles that hold every word of the topic, its earliest sentence
that names it (a news story opens with its summary); when only one article does, its
first few sentences from there. When no candidate article holds the whole topic, the
request is refused, as a question would be.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from index.query.answer import MAX_SENTENCES, Answer, abstain, already_quoted, extractive_answer, nothing_more
from index.query.dates import HAPPENED, LATELY
from index.query.scope import LATEST_DAYS
from index.store.lexical import holds_phrase, written_names
from index.text import content_terms

if TYPE_CHECKING:
    from index.query.candidates import Article
    from index.query.features import Row
    from index.query.reader import Reading

_POLITE = r"(?:(?:please|can you|could you|would you|pls)\s+)?"
_RECENT = r"(?:latest|recent|most\s+recent|newest)"
_NEWS = rf"(?:(?:the\s+)?(?:{_RECENT}\s+)?(?:news|stories|articles|reports|coverage|developments)\s+(?:on|about|of|from|in)\s+)?"
_REQUESTS = [
    rf"(?:summari[sz]e|sum\s+up|recap)\s+{_NEWS}",
    rf"give\s+me\s+(?:a\s+|an\s+|the\s+)?(?:short\s+|quick\s+|brief\s+)?(?:summary|overview|rundown|recap|update|briefing)\s+(?:of|on|about)\s+{_NEWS}",
    rf"(?:a\s+|an\s+)?(?:short\s+|quick\s+|brief\s+)?(?:summary|overview|rundown|recap)\s+of\s+{_NEWS}",
    r"(?:brief|update)\s+me\s+(?:on|about)\s+",
    r"(?:catch\s+me\s+up|fill\s+me\s+in)\s+(?:on|about|with)\s+",
    r"tell\s+me\s+(?:more\s+|everything\s+|all\s+)?about\s+",
    r"what(?:'s|’s|s|\s+is|\s+are)\s+(?:the\s+)?(?:latest|most\s+recent|newest|news|new)(?:\s+(?:news|developments|updates?|stories))?"
    r"\s+(?:on|about|with|from|in)\s+",
    r"what(?:'s|’s|s|\s+is)\s+up\s+with\s+",
    rf"(?:any\s+)?(?:(?:the\s+)?{_RECENT}\s+)?(?:news|updates?|stories|developments)\s+(?:on|about|from|with)\s+",
    r"(?:the\s+)?(?:latest|most\s+recent|newest)\s+(?:on|about|from|with)\s+",
    r"what\s+do(?:es)?\s+the\s+(?:articles?|news|reports?|stories|papers?)\s+say\s+(?:about|on)\s+",
    r"what(?:'s|’s|s|\s+is)\s+(?:been\s+)?(?:happening|going\s+on)\s+(?:with|in|at|to)\s+",
    rf"{HAPPENED}(?=.+?{LATELY})",  # "What happened to Texaco recently?"
]
_REQUEST = re.compile(
    rf"^\s*{_POLITE}(?:{'|'.join(_REQUESTS)})(?P<topic>.+?)(?:,?\s+please)?[\s?.!]*$", re.I | re.S
)
# "Latest Texaco news", "recent OPEC stories": the topic between the time word and the news word
_TOPIC_FIRST = re.compile(
    rf"^\s*{_POLITE}(?:any\s+|the\s+)?{_RECENT}\s+(?P<topic>.+?)\s+(?:news|stories|headlines|updates?|developments)[\s?.!]*$",
    re.I | re.S,
)
_LATELY = re.compile(LATELY, re.I)
_MIN_WORDS = 4  # a shorter line after an opening is a caption or a credit, not a sentence
_TOPIC_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.I)
# "Tell me about Texaco and when it happened": the topic is Texaco; a question tacked on
# after it is not a word every article must hold ("happened").
_TACKED_ON = re.compile(
    r"(?:\s*,\s*|\s+)(?:and|but)\s+(?:when|where|why|how|what|who|whom|whose|which|whether|if)\b.*$",
    re.I | re.S,
)


def overview_topic(text: str) -> str | None:
    """What an overview request is about ("Summarize the news on OPEC?" -> "OPEC"), or
    None when the text is not one (a question with a single answer, or no topic words)."""
    match = _REQUEST.match(text) or _TOPIC_FIRST.match(text)
    if not match:
        return None
    topic = _TOPIC_ARTICLE.sub("", without_tacked_on(_LATELY.sub("", match.group("topic"))))
    return topic if content_terms(topic) else None


def title_names(title: str, terms: set[str]) -> bool:
    """Whether a title names every topic term: what the story is about, not a passing mention."""
    return terms <= set(content_terms(title))


def without_tacked_on(topic: str) -> str:
    """The topic without a question tacked on after it ("Texaco and when it happened")."""
    return _TACKED_ON.sub("", topic).strip()


def overview_answer(
    reading: Reading, topic: str, mode: str, newest: bool = False, quoted: frozenset[str] | None = None
) -> Answer:
    """How the articles that hold every word of the topic open: per article, its earliest
    candidate sentence with the most topic words; one per article, up to three, the
    likeliest articles (when `newest`, "What's the latest on ...": the newest ones, from
    the newest article's day and the few days before it); refused when no candidate
    article holds the whole topic. quoted: for "tell me more", the sentences quoted so
    far; their articles are left out, and when none is left, the sentences that follow
    the last one quoted of each; when there are none, it says so."""
    terms = set(content_terms(topic))
    best: dict[int, float] = {}
    for p, row in zip(reading.probabilities, reading.rows):
        best[id(row.article)] = max(best.get(id(row.article), 0.0), float(p))

    def order(a: Article) -> tuple[float, float, int]:
        day = a.published_day if newest else None
        return (-(day if day is not None else -1), -best.get(id(a), 0.0), a.rank)

    about = sorted((a for a in reading.articles if terms <= a.terms and a.sentences), key=order)
    if quoted is not None:
        told = [r for r in reading.rows if already_quoted(r, quoted)]
        fresh = [a for a in about if all(r.article is not a for r in told)]
        if not fresh:  # every article was quoted: what follows in them
            rows: list[Row] = []
            for a in about:
                last = max(
                    (r for r in told if r.article is a), key=lambda r: r.sentence.stored.idx, default=None
                )
                if last is not None:
                    rows += _continued(reading, last, MAX_SENTENCES - len(rows))
            return (
                _quoted_in_order(reading, rows, best, mode)
                if rows
                else nothing_more(reading.question.text, mode)
            )
        about = fresh
    # the newest stories about it (named in their titles), not the newest that mention it
    titled = [a for a in about if a.published_day is not None and title_names(a.title, terms)]
    about = titled if newest and titled else about
    days = [d for a in about if (d := a.published_day) is not None] if newest else []
    if days:  # the newest coverage: its day and the few before it, as "latest" questions get
        about = [a for a in about if (a.published_day or 0) >= max(days) - LATEST_DAYS]
    names = written_names(topic)  # "Roberts" as written: its stem is Robert's
    rows = [r for r in (_opening(reading, a, terms, names) for a in about) if r is not None][:MAX_SENTENCES]
    if not rows:
        return abstain(reading.question.text, reading.passages, mode)
    if len(rows) == 1:  # one article about it: its first few sentences, not one
        rows += _continued(reading, rows[0], MAX_SENTENCES - 1)
    return _quoted_in_order(reading, rows, best, mode)


def _quoted_in_order(reading: Reading, rows: list[Row], best: dict[int, float], mode: str) -> Answer:
    """The rows quoted in this order (the scores given only order them: extra_sentence -1
    quotes every row); each source's score is its article's likeliest sentence's probability."""
    ranks = np.arange(len(rows), 0, -1, dtype=np.float32)
    answer = extractive_answer(replace(reading, rows=rows, probabilities=ranks, first=None), -1.0, mode)
    by_id = {r.article.article_id: best.get(id(r.article), 0.0) for r in rows}
    for source in answer.sources:
        source.score = round(by_id.get(source.article_id, 0.0), 4)
    return answer


def _continued(reading: Reading, opening: Row, room: int) -> list[Row]:
    """Up to `room` sentences that follow the opening in its article (loaded ones, without
    a gap), a line of under four words (a photo credit) left out."""
    by_idx = {r.sentence.stored.idx: r for r in reading.rows if r.article is opening.article}
    out: list[Row] = []
    idx = opening.sentence.stored.idx + 1
    while len(out) < room and idx in by_idx:
        if len(by_idx[idx].sentence.quote.split()) >= _MIN_WORDS:
            out.append(by_idx[idx])
        idx += 1
    return out


def _opening(reading: Reading, article: Article, terms: set[str], names: list[str]) -> Row | None:
    """The article's earliest candidate sentence among those with the most topic words
    (and, when the topic has `written_names`, one of them as written, the article's
    sentences holding them all); None when no candidate sentence has one (the article
    holds the words elsewhere, or only a stem of them: "Mar 5" for "Mars")."""
    rows = [r for r in reading.rows if r.article is article]
    if names:
        holding = [{n for n in names if holds_phrase(r.sentence.quote, n)} for r in rows]
        if set().union(*holding) != set(names):
            return None
        rows = [r for r, held in zip(rows, holding) if held]
    best = min(
        rows, key=lambda r: (-len(terms.intersection(r.sentence.terms)), r.sentence.stored.idx), default=None
    )
    return best if best is not None and terms.intersection(best.sentence.terms) else None
