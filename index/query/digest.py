"""Requests for the news itself, with no topic: "What's the latest news?", "What's new?",
"Any headlines today?", "What happened yesterday?".

Searched as a question, such a request matches whatever sentence says "news" ("The Fed
has no news conference planned"). It is answered instead from the newest articles: those
of the newest day in the index and the few days before it (or of the dates the request
names), the stories their headlines share most first, one article per story, each by
its lead sentence.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from index.dates import from_day
from index.query.answer import MAX_SENTENCES, Answer, Source, nothing_more
from index.query.retrieval import Passage
from index.text import content_terms, fold, stem, words

# Words a request for "the news" is made of; one of `_NEWS` must be among them.
_NEWS = frozenset([
    "news", "headline", "headlines", "stories", "story", "latest", "new", "newest", "happened", "happening",
    "digest", "update", "updates", "briefing",
])  # fmt: skip
_FRAME = frozenset([
    "what", "what's", "whats", "is", "are", "was", "were", "the", "a", "an", "any", "anything", "some", "there",
    "top", "main", "big", "biggest", "major", "important", "recent", "today", "today's", "tonight", "this", "week",
    "morning", "so", "far", "yet", "on", "going", "in", "world", "give", "show", "tell", "me", "us", "please",
    "can", "could", "you", "summarize", "summarise", "sum", "up", "summary", "of", "list", "brief", "catch", "s",
    "from", "for", "about", "during", "past", "over", "since", "at", "around", "day", "days", "hours",
])  # fmt: skip
WINDOW = 2000  # openings read at most, newest first
# Shown in Discord as well as the CLI: they name what a chat member can ask, no command.
NO_DATES = (
    "None of the articles has a date, so none of them is the latest news. Ask about a topic, "
    'or "Which articles mention ...?" to list them.'
)
NOTHING_DATED = (
    'None of the articles is dated within that. Ask without the dates, or "Which articles mention ...?" '
    "to see their dates."
)
NO_SENTENCE = "The newest articles have no sentence to quote. Ask about a topic instead."
_RARE_IDF = math.log(50)  # a term at most 1 in 50 articles hold names a story
_OPENING_CHARS = 600  # of an article's first chunk, where its names are read
_NAME = re.compile(r"(?<=[a-z0-9,;:)\"'”’] )[A-Z][A-Za-z&'’-]+")
_MIN_WORDS = 6  # a lead shorter than this is a headline or a table line, not a sentence
_SENTENCE = re.compile(r"[.!?][\"'”’)]*$")


_OUTLET_TAIL = re.compile(
    r"^(?P<rest>.+?)\s+(?:from|by|in|on|at)\s+(?:the\s+)?(?P<outlet>[^?.!]+?)[\s?.!]*$", re.I
)


def outlet_asked(text: str) -> tuple[str, str] | None:
    """(the request without it, the outlet) for a news request that names where from:
    "What's the latest news from the Rotterdam Daily?"; None when the words before the
    outlet are no news request. Whether the outlet is one the index has is the caller's."""
    match = _OUTLET_TAIL.match(text.strip())
    if match is None or not digest_request(match.group("rest")):
        return None
    return match.group("rest"), match.group("outlet").strip()


def digest_request(text: str) -> bool:
    """Is this a request for the latest news in general, with no topic of its own?"""
    tokens = [w.strip("?!.,'") for w in words(text.replace("’", "'"))]
    tokens = [t for t in tokens if t]
    return bool(tokens) and all(t in _NEWS or t in _FRAME for t in tokens) and any(t in _NEWS for t in tokens)


@dataclass(frozen=True)
class Opening:
    passage: Passage  # the article's first chunk
    day: int

    @property
    def title(self) -> str:
        return str(self.passage.metadata.get("title", ""))


def digest_answer(
    question: str,
    openings: list[Opening],
    store: Any,
    quoted: frozenset[str] | None = None,
    dated: bool = True,
    limit: int = MAX_SENTENCES,
) -> Answer:
    """The leads of the newest articles, one per story, the stories the window's headlines
    share most first; the note says how many articles the window holds and from when.

    store: the sentence store (`SentenceStore`: each article's lead sentence, and the
    document frequencies of headline terms). A headline term that the article's opening
    writes as a name and few articles hold (1 in 50; in a corpus under 100 articles, 2)
    counts for a story by how many other headlines of the window have it, times its IDF
    (a burst of "Lyng" and "India" in two days, not of "qtr"); two headlines sharing such
    a term tell one story. An opening that is no sentence (a headline repeated, a results
    table's first line) is not quoted, and the next story is. quoted: for "tell me more",
    the sentences quoted so far, whose stories are not told again. dated: whether any
    article has a date (else none is the latest). Always extractive."""
    mode = "extractive"
    if not openings:
        text = NOTHING_DATED if dated else NO_DATES
        return Answer(question=question, text=text, sources=[], abstained=True, mode=mode)
    titles = [set(content_terms(o.title)) & _named(o.passage.text) for o in openings]
    counts = Counter(t for terms in titles for t in terms)
    df, total = store.document_frequencies(set(counts))
    weights = {t: math.log(total / n) for t, n in df.items() if n}
    rare = min(_RARE_IDF, math.log(max(total, 2) / 2))
    burst = {t: (n - 1) * weights.get(t, 0.0) for t, n in counts.items()}
    story = {t for t, n in counts.items() if n > 1 and weights.get(t, 0.0) >= rare}
    score = [sum(burst[t] for t in terms & story) for terms in titles]
    told = [
        i for i, o in enumerate(openings) if any(q in " ".join(o.passage.text.split()) for q in quoted or ())
    ]
    chosen: list[tuple[int, str]] = []
    for i in sorted(range(len(openings)), key=lambda i: (-score[i], -openings[i].day)):
        if len(chosen) >= limit:
            break
        if i in told or any(titles[i] & titles[j] & story for j in [*told, *(j for j, _ in chosen)]):
            continue  # the same story as one quoted (in this answer or, for "more", before)
        lead = _lead(store, openings[i])
        if _SENTENCE.search(lead) and len(lead.split()) >= _MIN_WORDS:
            chosen.append((i, lead))
    if not chosen:
        if quoted is not None:
            return nothing_more(question, mode)
        return Answer(question=question, text=NO_SENTENCE, sources=[], abstained=True, mode=mode)
    days = [o.day for o in openings]
    note = (
        f"From the {len(openings)} newest article{'s' if len(openings) != 1 else ''} ({from_day(min(days)).isoformat()} to "
        f"{from_day(max(days)).isoformat()}), the stories most of their headlines share first; "
        "ask about one for more."
    )
    return Answer(
        question=question,
        text=" ".join(f"{lead} [{n}]" for n, (_, lead) in enumerate(chosen, start=1)),
        sources=[
            Source.from_passage(n, openings[i].passage, quote=lead) for n, (i, lead) in enumerate(chosen, 1)
        ],
        abstained=False,
        mode=mode,
        note=note,
        sentences=len(chosen),
        quotes=[lead for _, lead in chosen],
    )


def _lead(store: Any, opening: Opening) -> str:
    """The article's first sentence past its dateline, whitespace normalised."""
    m = opening.passage.metadata
    found = store.sentences(str(m.get("article_id")), str(m.get("content_hash")), [0])
    return " ".join(next((s.quote for s in found if s.kind == ""), "").split())


def _named(text: str) -> set[str]:
    """Stems of the words the article's opening writes as names (capitalised after a
    lower-case word, a dateline left out): "Lyng", "Goldman", not "3RD QTR" or "sees"."""
    opening = text[:_OPENING_CHARS]
    dash = opening.find(" - ", 0, 60)  # "WASHINGTON, Oct 20 - ..."
    return {stem(fold(m.group())) for m in _NAME.finditer(opening, dash + 3 if dash >= 0 else 0)}


def openings_of(hits: Iterable[Any]) -> list[Opening]:
    """Openings from the keyword index's first chunks (`LexicalIndex.openings`)."""
    return [
        Opening(Passage.of_hit(h), h.metadata["published_day"])
        for h in hits
        if isinstance(h.metadata.get("published_day"), int)
    ]
