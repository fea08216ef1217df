"""Names a question states, and the reader's check that a quoted sentence does not put
another name in the question's place.

"An explosion filmed in Mexico holds the Guinness World Record for what?" is not answered
by "An explosion filmed in Morocco holds a Guinness World Record ...", nor "Who is taken
to the old MI66 building?" by "Bond is taken to the old MI6 building": the sentence
matches every word but the name, so word-overlap features rank it first. A name here is a
capitalised word of the question, or a word with letters and digits, from its third word
on (the first is capitalised whatever it is, and a frame around the second would start
with the wh-word, which no sentence repeats); its frame is the words either side of it. A sentence that has the same frame around another
capitalised word gets probability 0 in `without_other_names`, after the model has scored
it (`index.query.agreement`), unless its article states the question's name somewhere
(then the other word is likely the same thing named otherwise: "Chopin's health" for
"Frédéric's health"; not when spaCy read the other word as a place: Morocco is no other
name for Mexico) or the two words are one spelling apart ("Burying Ground" for
"Burial Ground": the same first three letters). Numbers and months are the count and
period checks' (`index.query.counts`, `index.query.periods`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from index.dates import MONTH_NAME
from index.query.agreement import without_disagreeing
from index.text import fold, letters_and_digits, stem

if TYPE_CHECKING:
    from index.query.features import Row

_MONTH = re.compile(rf"{MONTH_NAME}$")  # months are the period check's
_SAME_START = 3  # "Burial" and "Burying" Ground: a spelling, not another name
NAME_TOKEN = re.compile(r"[^\W_]+(?:['’.][^\W_]+)*")


@lru_cache(maxsize=65536)
def name_tokens(text: str) -> tuple[tuple[str, ...], tuple[bool, ...]]:
    """(folded words, whether each is written as a name), hyphens and dashes splitting."""
    found = [m.group() for m in NAME_TOKEN.finditer(text)]
    folded = (fold(w).replace(".", "").removesuffix("'s") for w in found)  # "Chopin's" is Chopin
    return tuple(folded), tuple(w[0].isupper() or letters_and_digits(w) for w in found)


def spelt_alike(a: str, b: str) -> bool:
    """Two folded words one spelling apart ("burying" / "burial", "blincoln" / "blinken"):
    the same first letters, and neither a code of letters and digits ("MI6" / "MI66")."""
    return a[:_SAME_START] == b[:_SAME_START] and not letters_and_digits(a) and not letters_and_digits(b)


@lru_cache(maxsize=4096)
def framed_names(question: str) -> frozenset[tuple[str, str, str]]:
    """(word before, name, word after) for each name inside the question."""
    words, named = name_tokens(question)
    return frozenset(
        (words[i - 1], words[i], words[i + 1])
        for i in range(2, len(words) - 1)
        if named[i] and not words[i].isdigit() and not _MONTH.match(words[i])
    )


def verdict(
    asked: frozenset[tuple[str, str, str]],
    sentence: str,
    elsewhere: frozenset[str] = frozenset(),
    places: frozenset[str] = frozenset(),
) -> tuple[bool, bool]:
    """(the sentence frames another name where the question has one and never states that
    name; it states one of the question's names). elsewhere: the names of the question its
    article states (there "Chopin" may be "Frédéric"'s surname, not another man); places:
    the sentence's words that spaCy read as a place, which are no other name for a name
    (Morocco is not Mexico, wherever the article mentions Mexico)."""
    words, named = name_tokens(sentence)
    present = set(words) | elsewhere
    right = any(name in present for _, name, _ in asked)
    wrong = False
    for before, name, after in asked:
        if name in words:
            continue
        aliased = name in elsewhere
        for j in range(1, len(words) - 1):
            other = words[j]
            if (
                named[j]
                and words[j - 1] == before
                and words[j + 1] == after
                and not spelt_alike(other, name)
                and (not aliased or other in places)
            ):
                wrong = True
                break
    return wrong, right


_PLACES = frozenset(["GPE", "LOC"])


def _places(row: Row) -> frozenset[str]:
    """The folded words of a row's sentence inside a place entity."""
    stored = row.sentence.stored
    spans = [stored.text[a:b] for a, b, label in stored.entities if label in _PLACES]
    return frozenset(w for span in spans for w in name_tokens(span)[0])


def without_other_names(question: str, rows: list[Row], probabilities: np.ndarray) -> np.ndarray:
    """Probabilities with 0 for sentences that put another name in the question's place,
    and for the rest of an article whose best sentence does (`index.query.agreement`)."""
    asked = framed_names(question)
    if not asked or not len(rows):
        return probabilities
    stems = {name: stem(name) for _, name, _ in asked}
    stated = {
        id(row.article): frozenset(name for name, term in stems.items() if term in row.article.terms)
        for row in rows
    }
    verdicts = []
    for row in rows:
        elsewhere = stated[id(row.article)]
        places = _places(row) if elsewhere else frozenset()  # read only where an alias could pass
        verdicts.append(verdict(asked, row.sentence.stored.text, elsewhere, places))
    return without_disagreeing(rows, probabilities, verdicts)
