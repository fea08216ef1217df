"""Words, terms and sentences, shared by indexing, retrieval and answering.

Stop words are spaCy's English list (read from spaCy's own file, so the query path does
not pay spaCy's 1.3 s import), less the number words a question can turn on ("the first
wave", "two ships"), plus the reporting verbs news copy repeats in every paragraph.
Matching folds accents ("Ogedei" finds "Ögedei") and stems with Snowball. Article
sentences come from spaCy at index time (`index.ingest.nlp`); `split_sentences` here is
for text made at query time (an LLM's answer, a Discord message), with spaCy's rule-based
sentencizer and tokenizer exceptions (U.S., Mr., Jan.).
"""

from __future__ import annotations

import importlib.util
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from anyascii import anyascii

_NUMBER_WORDS = frozenset(
    [
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "fifteen",
        "twenty",
        "forty",
        "fifty",
        "sixty",
        "hundred",
        "first",
        "third",
        "last",
        "former",
        "latter",
    ]
)
_REPORTING = frozenset(["said", "says", "say", "told", "according"])
_WORD = re.compile(r"\w+(?:[.,'’\-/]\w+)*")


@lru_cache(maxsize=64)
def spacy_stop_words(lang: str) -> frozenset[str]:
    """spaCy's stop words for a language, read from its source file without importing spaCy
    (empty when spaCy has no list for it)."""
    spec = importlib.util.find_spec("spacy")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("spaCy is not installed: pip install 'spacy>=3.8,<3.9'")
    path = Path(next(iter(spec.submodule_search_locations))) / "lang" / lang / "stop_words.py"
    if not path.is_file():
        return frozenset()
    namespace: dict[str, Any] = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)  # plain data module
    return frozenset(w.lower() for w in namespace.get("STOP_WORDS", ()))


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """English stop words as matching uses them (see the module docstring)."""
    return frozenset((spacy_stop_words("en") - _NUMBER_WORDS) | _REPORTING)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


_SURROGATES = re.compile("[\ud800-\udfff]")


def without_surrogates(text: str) -> str:
    """Bytes that were not UTF-8 as U+FFFD. The OS hands them over (in file names, command
    line arguments, stdin) as lone surrogates, which SQLite, Chroma and the tokenizer refuse."""
    return text if text.isascii() else _SURROGATES.sub("\ufffd", text)


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Lower case, accents and other scripts' letters transliterated, curly apostrophes plain."""
    return anyascii(word).lower()


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


def words(text: str) -> list[str]:
    """Folded words; keeps 1,269 and U.S. together, splits possessives off ("Chad's" -> chad)."""
    out = []
    for token in _WORD.findall(text):
        word = fold(token).strip(".,")
        if "'" in word:
            word = word.split("'", 1)[0]
        if word:
            out.append(word)
    return out


def word_spans(text: str, start: int = 0) -> list[tuple[int, int, str, str]]:
    """(start, end, stem, folded word) of each word from `start` on, folded as `words`
    folds them: term matching that also knows where each word sits."""
    out = []
    for m in _WORD.finditer(text, start):
        word = fold(m.group()).strip(".,").split("'", 1)[0]
        if word:
            out.append((m.start(), m.end(), stem(word), word))
    return out


def letters_and_digits(word: str) -> bool:
    """A word of letters and digits ("MI66", "DB10"): a name or a code, capitalised or not."""
    return any(ch.isdigit() for ch in word) and any(ch.isalpha() for ch in word)


def is_content(word: str) -> bool:
    """A word that carries meaning: not a stop word, not a lone character (unless a digit)."""
    return word not in stop_words() and (len(word) > 1 or word.isdigit())


@lru_cache(maxsize=16384)
def _content_terms(text: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in words(text) if is_content(w))


def content_terms(text: str) -> list[str]:
    """Stemmed content words, in order (cached: one question stems the same texts often)."""
    return list(_content_terms(text))


def query_words(text: str) -> list[str]:
    """Words of a question worth searching for: BM25 matching "what" or "did" only adds noise."""
    return [w for w in words(text) if is_content(w)]


def joined_terms(text: str) -> list[tuple[str, tuple[str, str]]]:
    """Adjacent word pairs written as one word, with the two terms each replaces:
    "Nord Stream" -> "nordstream", as machine-translated and differently styled copy
    spells the same name."""
    kept = [w for w in words(text) if w.isalpha()]
    pairs = [(a, b) for a, b in zip(kept, kept[1:]) if is_content(a) and is_content(b)]
    return [(stem(a + b), (stem(a), stem(b))) for a, b in pairs]


@lru_cache(maxsize=1)
def _sentencizer() -> Any:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def split_sentences(text: str) -> list[str]:
    """Sentences of text made at query time; a line break always ends one."""
    nlp = _sentencizer()
    out: list[str] = []
    for line in re.split(r"\n+", text):
        if line.strip():
            out.extend(s.text.strip() for s in nlp(line).sents if s.text.strip())
    return out


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
