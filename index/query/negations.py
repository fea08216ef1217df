"""The reader's check that a quoted sentence does not state what the question denies.

"Who was not trending on Twitter the day the song was released?" is not answered by "The
mixed reception to the song led to Shirley Bassey trending on Twitter on the day it was
released", nor "Profanity was not muted in which country?" by "They also muted all
profanity.": every word matches but the "not", so the features rank the sentence first.
SQuAD 2.0 writes a share of its unanswerable questions so, by negating an answerable one.

The question's negated word is the first content word after an auxiliary and "not" or
"never" ("was not used", "would not be reprising", "didn't compete"). A sentence that
writes that word with no negation in the few words before it ("not", "never", "no",
"without", "avoid", "fail", "refuse", ...) says the opposite, and gets probability 0 in
`without_negated`, as `opposites` does for antonyms; a sentence that writes it negated
takes the question's side. Left alone: a question that puts the auxiliary before its
subject ("Why didn't Yonten Gyatso make it to Beijing?": the negation is the question's,
not a fact to match; a contraction right after the wh-word is always read so, "Who didn't
attend?" too, as "What didn't the company release?" reads the same without a parser), "not
only", and a negation inside an "if" or "whether" clause. Not
read: a "not" after the subject ("In which country was profanity not muted?"), which reads
like a reduced relative clause without a parser ("Where is the solar radiation not
reflected back to space absorbed?" is answered by "30% is reflected back ...").
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from index.query.agreement import without_contradicting
from index.query.question import WH_WORDS
from index.text import stem, words

if TYPE_CHECKING:
    from index.query.features import Row

_AUX = r"(?:is|are|was|were|do|does|did|will|would|can|could|should|shall|has|have|had|may|might|must)"
_NEGATED = re.compile(
    rf"\b{_AUX}\s+(?:not|never)\b|\b(?:{_AUX}n|won|can)['’]t\b|\bcannot\b",  # "didn't", "won't", "can't"
    re.IGNORECASE,
)
_CONDITION = re.compile(r"\b(?:if|whether|unless)\b", re.IGNORECASE)
# read past to the denied word: "would not be reprising", "was not an amateur"; the word
# itself may be one spaCy lists as a stop word ("was not used")
_READ_PAST = """
be been being have had to get got only ever yet also the a an any all his her its their this
that as very much so too
"""
# words that negate what follows them within a few words: "would not return", "to avoid
# competing"; and few do: "only 22% of Manhattanites own a car" for "What share of New York
# households don't own an automobile?"
_NEGATING = """
not never no nor neither without cannot unable avoid avoided avoiding prevent prevented fail
failed failing refuse refused refusing instead rather stop stopped ban banned lack lacked
nobody none nothing only few hardly rarely seldom barely except
"""
_SKIPPED = frozenset(_READ_PAST.split())
_NEGATORS = frozenset(_NEGATING.split())
_CONTRACTED = re.compile(r"n['’]t\b", re.IGNORECASE)
_BEFORE = 6  # words before the sentence's word that may negate it ("refused to have the profanity muted")


@lru_cache(maxsize=4096)
def negated_word(question: str) -> str | None:
    """The stem of the word the question denies, or None."""
    m = _NEGATED.search(question)
    if m is None or _CONDITION.search(question[: m.start()]):
        return None
    before = words(question[: m.start()])
    if not before or (len(before) == 1 and before[0] in WH_WORDS and _CONTRACTED.search(m.group())):
        return None  # "Didn't ...?", "Why didn't X ...?": the auxiliary before the subject
    for word in words(question[m.end() :]):
        if word in _SKIPPED:
            if word == "only":
                return None  # "not only ... but"
            continue
        return stem(word) if word.isalpha() and len(word) > 2 else None
    return None


@lru_cache(maxsize=65536)
def _read(sentence: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    tokens = tuple(words(_CONTRACTED.sub(" not", sentence)))  # "wasn't" -> "was not"
    return tokens, tuple(stem(t) for t in tokens)


def verdict(term: str, sentence: str) -> tuple[bool, bool]:
    """(the sentence writes the word, never negated; it writes the word negated)."""
    tokens, stems = _read(sentence)
    places = [j for j, s in enumerate(stems) if s == term]
    negated = [any(t in _NEGATORS for t in tokens[max(0, j - _BEFORE) : j]) for j in places]
    return bool(places) and not any(negated), any(negated)


def without_negated(question: str, rows: list[Row], probabilities: np.ndarray) -> np.ndarray:
    """Probabilities with 0 for sentences that state what the question denies, and for the
    rest of an article whose best sentence does."""
    term = negated_word(question)
    return without_contradicting(term, rows, probabilities, lambda text: verdict(term or "", text))
