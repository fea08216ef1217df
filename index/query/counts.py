"""Counts a question states, and the reader's check that a quoted sentence does not state
another count of the same thing.

"Who has signed on for three more films?" is not answered by "Waltz has signed on for two
more films": the sentence matches every word but the number, so word-overlap features
rank it first. A count is a number and the thing it counts, the next content word within
two words ("three more films" -> films, "5 pct" -> pct). A sentence that counts the same
thing with other numbers and never states the question's number gets probability 0 in
`without_other_counts`, after the model has scored it (`index.query.agreement`). Years are periods
(`index.query.periods`), not counts.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from index.query.agreement import without_disagreeing
from index.text import is_content, stem, words

if TYPE_CHECKING:
    from index.query.features import Row

_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "dozen": "12",
    "twenty": "20", "hundred": "100", "thousand": "1000",
}  # fmt: skip
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)*$")
_YEAR = re.compile(r"^(?:1[5-9]|20)\d\d$")
_REACH = 2  # the counted word is at most this many words after the number


def _value(word: str) -> str | None:
    """The number a word states ("three" -> "3", "1,269" -> "1269"); None if it is none or a year."""
    if word in _WORDS:
        return _WORDS[word]
    if _NUMBER.match(word) and not _YEAR.match(word):
        return word.replace(",", "")
    return None


@lru_cache(maxsize=65536)
def counts(text: str) -> frozenset[tuple[str, str]]:
    """(number, stem of the counted word) pairs a text states."""
    tokens = words(text)
    out = set()
    for i, word in enumerate(tokens):
        value = _value(word)
        if value is None:
            continue
        for follower in tokens[i + 1 : i + 1 + _REACH]:
            if _value(follower) is not None or _YEAR.match(follower):  # "5 1987" counts nothing
                break
            if is_content(follower):
                out.add((value, stem(follower)))
                break
    return frozenset(out)


def verdict(asked: frozenset[tuple[str, str]], stated: frozenset[tuple[str, str]]) -> tuple[bool, bool]:
    """(the sentence counts something the question counts, never with the question's
    number; it states one of the question's counts)."""
    wrong = False
    for number, thing in asked:
        said = {n for n, t in stated if t == thing}
        wrong = wrong or bool(said and number not in said)
    return wrong, bool(asked & stated)


def without_other_counts(question: str, rows: list[Row], probabilities: np.ndarray) -> np.ndarray:
    """Probabilities with 0 for sentences stating another count than the question's, and
    for the rest of an article whose best sentence does (`index.query.agreement`)."""
    asked = counts(question)
    if not asked or not len(rows):
        return probabilities
    verdicts = [verdict(asked, counts(row.sentence.stored.text)) for row in rows]
    return without_disagreeing(rows, probabilities, verdicts)
