"""Words a question asks about, and the reader's check that a quoted sentence does not
say the opposite in their place.

"Who was the youngest actress to be a Bond girl?" is not answered by "... becoming, at
the age of fifty, the oldest actress to be cast as a Bond girl", nor "A prequel to
Spectre will begin when?" by "A sequel to Spectre will begin development in spring 2016":
every word but one matches, so word-overlap features rank the sentence first. SQuAD 2.0
writes many of its unanswerable questions so, and a news reader asking about the lowest
bid or a deficit meets the same trap in "the highest bid", "a surplus".

A question word is checked when the sentence lacks it (by stem) and holds its opposite
within two words of a word that sits within two words of it in the question ("youngest
actress" / "oldest actress"). Opposites are a short table of English antonyms (the same
for every corpus: sizes, ages, directions, gains and losses, kin) and words that differ by
a negating prefix ("official" / "unofficial", "experienced" / "inexperienced"). Numbers,
ordinals and "before"/"after" are left out: "the first iPod with ..." is answered by "the
third generation began including ...", and counts are `index.query.counts`' check. A
sentence that says the opposite gets probability 0 in `without_opposites`, after the model
has scored it, and so does the rest of an article whose best sentence does
(`index.query.agreement`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from index.query.agreement import without_contradicting
from index.text import is_content, stem, stop_words, words

if TYPE_CHECKING:
    from collections.abc import Sequence

    from index.query.features import Row

_PAIRS = """
young old, youngest oldest, newest oldest, current former, past future, prequel sequel,
real fictional, true false, permanent temporary, high low, highest lowest, large small,
largest smallest, big small, biggest smallest, long short, longest shortest, most least,
increase decrease, rise fall, rose fell, risen fallen, gain loss, gained lost, profit loss,
surplus deficit, positive negative, best worst, good bad, north south, east west,
northern southern, eastern western, upper lower, inside outside, internal external,
domestic foreign, open closed, opened closed, minimum maximum, male female, man woman,
men women, son daughter, brother sister, father mother, king queen, boy girl,
accept reject, accepted rejected, approve reject, allowed banned, success failure,
private public, rich poor, fast slow, fastest slowest, hot cold, warm cool, wet dry,
top bottom, strong weak, strongest weakest, heavy light, entry exit, arrival departure,
morning evening, day night, summer winter, major minor, senior junior, ancient modern,
indoor outdoor, legal illegal, agree disagree, early late, earlier later, earliest latest,
hero villain, cheap expensive, wide narrow, deep shallow, thick thin, full empty, inner outer,
include exclude, included excluded, friend enemy, love hate, easy difficult, safe dangerous,
dead alive, later early
"""
# a prefix that negates, and the letters the word keeps without it: "official" /
# "unofficial", "experienced" / "inexperienced"; not "prison" / "imprison", "play" / "display"
_NEGATING = {"un": 5, "non": 5, "non-": 4, "in": 7, "im": 7, "il": 7, "ir": 7, "dis": 7}
_NEAR = 2  # words either side that count as a word's place


def _table() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for pair in _PAIRS.replace("\n", " ").split(","):
        if pair.strip():
            a, b = (stem(w) for w in pair.split())
            out.setdefault(a, set()).add(b)
            out.setdefault(b, set()).add(a)
    return {k: frozenset(v) for k, v in out.items()}


_OPPOSITE = _table()


def _unnegated(word: str) -> str | None:
    """The word a negating prefix was put before ("unofficial" -> "official"), if any."""
    for prefix, base in _NEGATING.items():
        rest = word[len(prefix) :]
        if word.startswith(prefix) and len(rest) >= base and rest.isalpha():
            return rest
    return None


def opposites(word: str) -> frozenset[str]:
    """The words that say the opposite of a folded word: stems from the table, whole
    words with or without a negating prefix ("iran-contra" has none)."""
    out = set(_OPPOSITE.get(stem(word), ()))  # "most" / "least" too, stop words as they are
    if word in stop_words():
        return frozenset(out)
    if word.isalpha():
        out.update(prefix + word for prefix, base in _NEGATING.items() if len(word) >= base)
    unnegated = _unnegated(word)
    if unnegated:
        out.add(unnegated)
    return frozenset(out)


def _around(tokens: Sequence[str], i: int) -> set[str]:
    """The content words within _NEAR words of tokens[i]: its place ("her" is no place)."""
    near = range(max(0, i - _NEAR), min(len(tokens), i + _NEAR + 1))
    return {tokens[k] for k in near if k != i and is_content(tokens[k])}


@dataclass(frozen=True)
class Asked:
    """A question word that has opposites."""

    term: str  # its stem
    opposite: frozenset[str]  # stems (table) and whole words (prefixes) that say the opposite
    around: frozenset[str]  # the content words in its place
    marked: bool  # in the table, or negated by a prefix: a sentence stating it takes the question's side


@lru_cache(maxsize=4096)
def asked_words(question: str) -> tuple[Asked, ...]:
    """The question's words that have opposites and a place to check them in."""
    tokens = words(question)
    stems = {stem(t) for t in tokens} | set(tokens)
    out = []
    for i, word in enumerate(tokens):
        if i and tokens[i - 1] == "how":  # "how long", "how high": the measure asked for
            continue
        opposite = opposites(word)
        around = frozenset(_around(tokens, i))
        if opposite and around and not opposite & stems:  # "male or female pupils" asks which
            marked = stem(word) in _OPPOSITE or _unnegated(word) is not None
            out.append(Asked(stem(word), opposite, around, marked))
    return tuple(out)


@lru_cache(maxsize=65536)
def _read(sentence: str) -> tuple[tuple[str, ...], tuple[str, ...], frozenset[str], frozenset[str]]:
    """(words, their stems, the set of stems, the set of words and stems) of a sentence:
    read once, however many questions check it."""
    tokens = tuple(words(sentence))
    stems = tuple(stem(t) for t in tokens)
    return tokens, stems, frozenset(stems), frozenset(tokens) | frozenset(stems)


def verdict(asked: tuple[Asked, ...], sentence: str) -> tuple[bool, bool]:
    """(the sentence says the opposite of a question word in its place and never the
    word; it states one of the question's words that has a marked opposite)."""
    tokens, stems, present, either = _read(sentence)
    wrong = any(
        a.term not in present
        and not a.opposite.isdisjoint(either)  # most sentences hold no opposite at all
        and any(
            (s in a.opposite or t in a.opposite) and a.around & _around(tokens, j)
            for j, (t, s) in enumerate(zip(tokens, stems))
        )
        for a in asked
    )
    return wrong, any(a.marked and a.term in present for a in asked)


def without_opposites(question: str, rows: list[Row], probabilities: np.ndarray) -> np.ndarray:
    """Probabilities with 0 for sentences that say the opposite of a question word where
    the question has it, and for the rest of an article whose best sentence does."""
    asked = asked_words(question)
    return without_contradicting(asked, rows, probabilities, lambda text: verdict(asked, text))
