"""Requests for the articles themselves: "Which articles mention Pennzoil?", "List the
stories about coffee", "How many articles are about Texaco?".

Read as questions, these quoted whatever sentence matched best ("list the articles about
coffee" quoted a Reuters Holdings story for the word "articles"), and no sentence says how
many articles there are. They are answered from the keyword index instead: every article
whose text holds each word of the topic (within the dates and outlet asked for), counted,
and the newest listed by title and date, each cited by its first sentence that names the
topic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from index.dates import day_number
from index.query.answer import Answer, Source, nothing_more
from index.query.conversation import REFERRING
from index.query.overview import title_names, without_tacked_on
from index.query.retrieval import Passage
from index.store.lexical import STOPWORDS, TOKEN_PATTERN, LexicalIndex, holds_phrase, stems, written_names
from index.text import content_terms, split_sentences

if TYPE_CHECKING:
    from index.query.scope import Scope

LISTED = 5  # articles named per answer; "tell me more" names the next ones
TITLES_READ = 5000  # "the latest on X": the newest articles whose titles are read (~25 ms)
_ITEMS = r"(?:news\s+)?(?:articles?|stories|story|reports?|pieces|items)"
_ON = (
    r"(?:(?:that|which)\s+)?(?:mention(?:s|ing)?|(?:are|is)\s+about|about|on|concerning|regarding"
    r"|cover(?:s|ing)?|discuss(?:es|ing)?|talk\s+about|deal\s+with|refer\s+to|say\s+anything\s+about"
    r"|(?:are|is)\s+there\s+(?:about|on))"
)
_PATTERNS = [
    rf"(?:which|what)\s+{_ITEMS}\s+(?:do\s+you\s+have\s+|are\s+there\s+)?{_ON}",
    rf"(?:please\s+)?(?:list|show|find|give)\s+(?:me\s+)?(?:all\s+|every\s+)?(?:of\s+)?(?:the\s+)?{_ITEMS}\s+{_ON}",
    rf"how\s+many\s+{_ITEMS}\s+(?:are\s+there\s+|do\s+you\s+have\s+|have\s+you\s+got\s+)?{_ON}",
    rf"(?:are\s+there|do\s+you\s+have|is\s+there)\s+(?:any\s+)?{_ITEMS}\s+{_ON}",
]
_REQUEST = re.compile(
    rf"^\s*(?:{'|'.join(_PATTERNS)})\s+(?:the\s+)?(?P<topic>.+?)(?:,?\s+please)?[\s?.!]*$", re.I | re.S
)

_POSSESSIVE = re.compile(r"['’]s\b|(?<=s)['’](?!\w)")  # "Texaco's", "traders'": the index holds "texaco"
_LEFT_POSSESSIVE = re.compile(r"^\s*['’]s\b")
_DANGLING = re.compile(
    r"(?:\s+(?:in|on|at|from|since|during|before|after|until|till|by|of|for|over|last|this))+\s*$", re.I
)


# A topic holding one of these is a question about the articles, not a list of them
# ("Which report on OPEC said prices would rise?"), or one the index can't count as
# written ("oil but not gas", "Pennzoil or Getty"): it is answered as a question.
_NOT_A_TOPIC = frozenset([
    "did", "does", "do", "is", "are", "was", "were", "be", "been", "has", "have", "had", "will",
    "would", "can", "could", "should", "may", "might", "must", "said", "says", "say", "told",
    "reported", "who", "whom", "whose", "what", "when", "where", "why", "how", "which", "whether",
    "if", "or", "not", "nor", "but", "without", "except", "us", "we", "you", "i", "me", "my", "our", "your",
])  # fmt: skip


def listing_topic(text: str) -> str | None:
    """The topic of a request for the articles on it ("Which articles mention Pennzoil?"
    -> "Pennzoil"), or None when the text is no such request, or its topic is not one
    articles can be counted for: a clause ("... on OPEC said prices would rise?"),
    "or"/"not", a pronoun ("Which articles mention them?": a follow-up, whose subject the
    conversation carries into the question)."""
    match = _REQUEST.match(text)
    if not match:
        return None
    # "... mention Texaco in April?" reaches here as "... mention Texaco in ?", and "this
    # week's oil prices" as " 's oil prices": their dates are the scope
    topic = _DANGLING.sub("", without_tacked_on(match.group("topic")))
    topic = _LEFT_POSSESSIVE.sub("", topic).strip()
    words = re.findall(r"\w+", _POSSESSIVE.sub("", topic).lower())
    if not words or any(w in _NOT_A_TOPIC or w in REFERRING for w in words):
        return None
    return topic


def written_phrase(topic: str) -> str | None:
    """The topic as written, lower case, when the keyword index can't find it by its
    words: "AT&T" (no word of two letters), "U.S. Steel" (it would count every article
    with "steel"); None when its words are enough ("Texaco's bankruptcy")."""
    words = re.findall(r"\w+", _POSSESSIVE.sub("", topic).lower())
    if "&" in topic or any(w not in STOPWORDS and not TOKEN_PATTERN.fullmatch(w) for w in words):
        return " ".join(_POSSESSIVE.sub("", topic).lower().split())
    return None


@dataclass(frozen=True)
class Listed:
    """One article that holds the topic: its metadata and its chunks, first to last."""

    article_id: str
    metadata: dict[str, Any]
    chunks: list[Passage]


def listing_answer(
    question: str, topic: str, lexical: LexicalIndex, scope: Scope, quoted: frozenset[str] | None
) -> Answer:
    """How many articles of the keyword index hold every word of the topic (or, for one it
    has no words for, the topic as written) within the scope, and the newest ones not
    listed before (quoted: for "tell me more", the sentences this list quoted so far).
    Days come from the day index; an article whose first chunk is not held is dated from
    another; undated articles go last."""
    terms = list(dict.fromkeys(stems(topic)))
    # as written, not by their words: "AT&T", "U.S. Steel"; else names such as "Roberts"
    phrase = written_phrase(topic)
    exact = [phrase] if phrase is not None else written_names(topic)
    ids = lexical.articles_holding(terms) if terms else None
    for written in exact:
        if ids != set():
            ids = lexical.articles_with_phrase(written, ids)
    ids = ids or set()
    days = lexical.first_days() if ids else {}
    missing = [aid for aid in ids if aid not in days]
    if missing:
        days.update(lexical.days_of(missing))
    outlets = lexical.outlets_of(ids) if ids and scope.outlet else {}
    metadata = {
        aid: {"published_day": days.get(aid), "published": "", "outlet": outlets.get(aid, "")} for aid in ids
    }
    kept = sorted(
        (aid for aid, meta in metadata.items() if scope.admits(meta)),
        key=lambda aid: (days.get(aid) is None, -(days.get(aid) or 0), aid),
    )
    found = []
    for aid in kept[: LISTED + len(quoted or ())]:  # for "more", past those listed before
        chunks = [Passage.of_hit(h) for h in lexical.article_chunks(aid)]
        found.append(Listed(aid, chunks[0].metadata if chunks else metadata[aid], chunks))
    return _listed(question, topic, terms, found, len(kept), quoted, exact)


def newest_titled_day(lexical: LexicalIndex, topic: str, scope: Scope) -> int | None:
    """The day of the newest article within the scope whose title names every word of the
    topic, from the keyword index's titles: for "the latest on X", whose newest story can
    rank below older ones on X and so be missing from what retrieval returns. The newest
    `TITLES_READ` articles are read, newest first; None when none of their titles names it."""
    terms = set(content_terms(topic))
    if not terms:
        return None
    # Stemming a title costs ~20 µs. A stem starts with the first two letters of the word
    # it comes from ("dying" -> "die", "skies" -> "sky"), so a title without them is
    # passed over unstemmed (one with letters English lacks is stemmed: "Ögedei").
    starts = [term[:2] for term in terms]
    until = day_number(scope.until) if scope.until else 10**7
    since = day_number(scope.since) if scope.since else -(10**7)
    for _, title, day, outlet in lexical.newest_titles(until, TITLES_READ):
        if day < since:
            break
        if (
            (not title.isascii() or all(start in title.lower() for start in starts))
            and scope.admits({"published_day": day, "outlet": outlet})
            and title_names(title, terms)
        ):
            return day
    return None


def _listed(
    question: str,
    topic: str,
    terms: list[str],
    found: list[Listed],
    total: int,
    quoted: frozenset[str] | None,
    exact: list[str],
) -> Answer:
    """The answer: the count, and the first `LISTED` of the found articles not quoted
    before, each cited by its first sentence with a topic word (or, given any, one of the
    words or phrases matched as written)."""
    mode = "extractive"
    listed: list[tuple[Listed, Passage, str]] = []
    for article in found:
        cited = _citing(article, terms, exact)
        if cited is None:
            continue
        if quoted and cited[1] in quoted:
            continue
        listed.append((article, *cited))
        if len(listed) >= LISTED:
            break
    if not listed:
        if quoted is not None and total:
            return nothing_more(question, mode)
        return Answer(
            question=question, text=f"No article mentions {topic}.", sources=[], abstained=True, mode=mode
        )
    items = [
        f"{_title(a)} ({a.metadata.get('published') or 'undated'}) [{n}]"
        for n, (a, _, _) in enumerate(listed, 1)
    ]
    count = f"{total} article{'s' if total != 1 else ''} mention{'s' if total == 1 else ''} {topic}"
    if quoted is not None:
        which = "; more of them, newest first: "
    else:
        which = ": " if total <= len(listed) else "; the newest: "
    return Answer(
        question=question,
        text=f"{count}{which}{'; '.join(items)}.",
        sources=[Source.from_passage(n, p, quote=s) for n, (_, p, s) in enumerate(listed, 1)],
        abstained=False,
        mode=mode,
        note="Ask about one of them for what it says.",  # read in Discord too: no CLI command here
        sentences=len(listed),
        quotes=[s for _, _, s in listed],
    )


def _title(article: Listed) -> str:
    return " ".join(str(article.metadata.get("title") or article.article_id).split())


def _citing(article: Listed, terms: list[str], exact: list[str]) -> tuple[Passage, str] | None:
    """The article's first chunk and sentence that hold a word of the topic (or, given
    any, one of the words or phrases matched as written)."""
    wanted = set(terms)
    for chunk in article.chunks:
        for sentence in split_sentences(chunk.text):
            flat = " ".join(sentence.split())
            if any(holds_phrase(flat, e) for e in exact) if exact else bool(wanted & set(stems(sentence))):
                return chunk, flat
    return None
