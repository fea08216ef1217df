"""Small text tools shared by the answerers: sentences, content terms, overlap."""

from __future__ import annotations

import re
from functools import lru_cache

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "also",
        "said",
        "say",
        "says",
        "tell",
        "told",
        "did",
        "according",
        "whose",
        "many",
        "much",
    ]
)
_WORD = re.compile(r"[\w][\w'\-.,]*[\w]|\w")
_ABBREVIATIONS = frozenset(
    [
        "u.s",
        "u.k",
        "u.n",
        "e.u",
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "gen",
        "sen",
        "rep",
        "gov",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "no",
        "vs",
        "etc",
        "inc",
        "ltd",
        "co",
        "corp",
        "jr",
        "sr",
        "prof",
        "lt",
        "col",
        "capt",
        "sgt",
    ]
)
_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*\s+")


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    """Lower-cased words; keeps 100,000 and U.S. together, drops trailing punctuation."""
    return [w.strip(".,").lower() for w in _WORD.findall(text) if w.strip(".,")]


def content_terms(text: str) -> list[str]:
    """Stemmed words that carry meaning (no stopwords), in order."""
    return list(_content_terms(text))


@lru_cache(maxsize=8192)
def _content_terms(text: str) -> tuple[str, ...]:
    """Cached: one question stems the same sentences for ranking, abstention and the answer."""
    kept = [w for w in words(text) if w not in STOPWORDS and not w.isdigit() or len(w) > 3 and w.isdigit()]
    return tuple(_stemmer().stemWords(kept)) if kept else ()


def query_words(text: str) -> list[str]:
    """Words of a question worth searching for: BM25 matching "what" or "did" only adds noise."""
    return [w for w in words(text) if w not in STOPWORDS]


def joined_terms(text: str) -> list[tuple[str, tuple[str, str]]]:
    """Adjacent word pairs written as one word, with the two terms each replaces:
    "Nord Stream" -> "nordstream", as machine-translated and differently styled copy
    spells the same name."""
    kept = [w for w in words(text) if w.isalpha()]
    pairs = [(a, b) for a, b in zip(kept, kept[1:]) if a not in STOPWORDS and b not in STOPWORDS]
    if not pairs:
        return []
    stem = _stemmer().stemWords
    joined = stem([a + b for a, b in pairs])
    return [(j, (x, y)) for j, x, y in zip(joined, stem([a for a, _ in pairs]), stem([b for _, b in pairs]))]


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences, without breaking after U.S., Mr., or initials like J."""
    sentences: list[str] = []
    for paragraph in re.split(r"\n\s*\n|\n", text):
        start = 0
        for match in _SENTENCE_END.finditer(paragraph):
            before = paragraph[start : match.start() + 1].rstrip(".!?\"')]")
            last = before.rsplit(" ", 1)[-1].lower().strip("(\"'")
            if match.group()[0] == "." and (last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())):
                continue
            nxt = paragraph[match.end() : match.end() + 1]
            if nxt and not (nxt.isupper() or nxt in "\"'(-[" or nxt.isdigit()):
                continue
            sentence = paragraph[start : match.end()].strip()
            if sentence:
                sentences.append(sentence)
            start = match.end()
        tail = paragraph[start:].strip()
        if tail:
            sentences.append(tail)
    return sentences


def opens_quote(sentence: str) -> bool:
    """The sentence opens a quotation it doesn't close (it runs on into the next sentence)."""
    if sentence.count('"') % 2 == 0:
        return False
    i = sentence.rfind('"')
    return i + 1 < len(sentence) and not sentence[i + 1].isspace()


def join_quotations(sentences: list[str]) -> list[str]:
    """Merge a sentence that opens a quotation with the next one when that one closes it:
    a quoted remark over two sentences is one claim with one citation."""
    out: list[str] = []
    for sentence in sentences:
        if out and opens_quote(out[-1]) and sentence.count('"') % 2 == 1:
            out[-1] = f"{out[-1]} {sentence}"
        else:
            out.append(sentence)
    return out


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / (len(a | b) or 1)
