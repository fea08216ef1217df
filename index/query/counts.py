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

from index.dates import MONTH_NAME
from index.query.agreement import without_contradicting
from index.query.days import WEEKDAYS
from index.text import is_content, stem, word_spans

if TYPE_CHECKING:
    from index.query.features import Row

# units, teens and tens, as cardinals and as ordinals
_CARDINALS = """one two three four five six seven eight nine
ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen
twenty thirty forty fifty sixty seventy eighty ninety"""
_ORDINALS = """first second third fourth fifth sixth seventh eighth ninth
tenth eleventh twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth
twentieth thirtieth fortieth fiftieth sixtieth seventieth eightieth ninetieth"""


# "first", "second" and "third" are said loosely ("the first Dalai Lama to rule", "the
# second busiest airport"): among the SQuAD training questions they cost more answers than
# they saved refusals; "the eighth appearance" against "his fourth appearance" does not.
_FEWEST_ORDINAL = 4


def _number_words() -> dict[str, str]:
    """Number words and ordinals to the value they state: "sixty-five" -> "65",
    "thirty-fourth" -> "34th" (the suffix keeps "the 4th of July" a date)."""
    units, teens, tens = (line.split() for line in _CARDINALS.splitlines())
    nth_units, nth_teens, nth_tens = (line.split() for line in _ORDINALS.splitlines())
    out = {"dozen": "12", "hundred": "100", "thousand": "1000"}
    for n, (word, nth) in enumerate(zip(units, nth_units), 1):
        out[word] = str(n)
        if n >= _FEWEST_ORDINAL:
            out[nth] = f"{n}th"
    for n, (word, nth) in enumerate(zip(teens, nth_teens), 10):
        out[word], out[nth] = str(n), f"{n}th"
    for n, (word, nth) in enumerate(zip(tens, nth_tens), 2):
        out[word], out[nth] = str(10 * n), f"{10 * n}th"
        for u, (unit, nth_unit) in enumerate(zip(units, nth_units), 1):
            out[f"{word}-{unit}"] = str(10 * n + u)
            out[f"{word}-{nth_unit}"] = f"{10 * n + u}th"
    return out


_WORDS = _number_words()
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)*$")
_ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th)$")
_MONTH = re.compile(rf"(?i){MONTH_NAME}$")
_YEAR = re.compile(r"^(?:1[5-9]|20)\d\d$")
# after these a number is an amount or a measure, whatever comes before it ("give Greece 86
# billion euros", "shot on Kodak 35 mm film"), not a name's number ("Boeing 737 jets")
# ("marks", "pounds" and "per" are verbs and a preposition too: "July 4 marks ...")
_MAGNITUDE_WORDS = """million billion trillion mln bln pct percent mm cm km kg lb lbs mph
metres meters feet ft miles tonnes tons dlrs dollars euros yen francs degrees"""
_MAGNITUDES = frozenset(_MAGNITUDE_WORDS.split())
_REACH = 2  # the counted word is at most this many words after the number


def _value(word: str) -> str | None:
    """The number a word states ("three" -> "3", "1,269" -> "1269", "24th" and
    "twenty-fourth" -> "24th"); None if it is none or a year."""
    if word in _WORDS:
        return _WORDS[word]
    if _NUMBER.match(word) and not _YEAR.match(word):
        return word.replace(",", "")
    ordinal = _ORDINAL.match(word)
    return f"{int(ordinal.group(1))}th" if ordinal and int(ordinal.group(1)) >= _FEWEST_ORDINAL else None


@lru_cache(maxsize=65536)
def counts(text: str) -> frozenset[tuple[str, str]]:
    """(number, stem of the counted word) pairs a text states."""
    spans = word_spans(text)
    tokens = [word for _, _, _, word in spans]
    out = set()
    for i, word in enumerate(tokens):
        value = _value(word)
        if value is None or (i and _names_the_number(text, spans, i - 1)):
            continue
        for j in range(i + 1, min(i + 1 + _REACH, len(tokens))):
            follower = tokens[j]
            if _value(follower) is not None or _YEAR.match(follower):  # "5 1987" counts nothing
                break
            if _MONTH.match(follower) and (text[spans[j][0]].isupper() or value.endswith("th")):
                break  # "27 May", "the 4th of july": a date ("300 may die" still counts)
            if is_content(follower):
                out.add((value, stem(follower)))
                break
    return frozenset(out)


def _names_the_number(text: str, spans: list[tuple[int, int, str, str]], k: int) -> bool:
    """Whether the word right before a number (a space, or an abbreviation's full stop,
    between them) makes it a day or a name, not a count: its month ("the May 27
    aftershocks", "the Sept. 11 attacks"; not "In January, 12 people ..."), or a
    capitalised word that is not the text's first, a weekday, a possessive or in capitals
    ("Boeing 737 jets", "Flight 370", "Op. 10"; not "OPEC's 13 members", "Tuesday 300
    workers"). Not before an amount: "give Greece 86 billion euros" counts euros."""
    a, b, _, folded = spans[k]
    gap = text[b : spans[k + 1][0]]
    if not (gap.isspace() or (gap[:1] == "." and gap[1:].isspace() and b - a <= 4)):
        return False
    if _MONTH.match(folded):
        return True
    if k + 2 < len(spans) and spans[k + 2][3] in _MAGNITUDES:
        return False
    raw = text[a:b]
    if k == 0 or not raw[:1].isupper() or raw.isupper():
        return False
    if gap[:1] == ".":  # "No. 12", "Op. 10"
        return True
    return (
        not raw.endswith(("'s", "’s"))
        and folded not in WEEKDAYS
        and is_content(folded)  # "LONDON - Some 300 workers ...": a sentence's first word after a dateline
    )


def verdict(asked: frozenset[tuple[str, str]], stated: frozenset[tuple[str, str]]) -> tuple[bool, bool]:
    """(the sentence counts something the question counts, never with the question's
    number; it states one of the question's counts)."""
    wrong = False
    # "the 43 Annual Grammy Awards" asks about the 43rd: the number, not its suffix, differs
    stated = frozenset((n.removesuffix("th"), t) for n, t in stated)
    asked = frozenset((n.removesuffix("th"), t) for n, t in asked)
    for number, thing in asked:
        said = {n for n, t in stated if t == thing}
        wrong = wrong or bool(said and number not in said)
    return wrong, bool(asked & stated)


def without_other_counts(question: str, rows: list[Row], probabilities: np.ndarray) -> np.ndarray:
    """Probabilities with 0 for sentences stating another count than the question's, and
    for the rest of an article whose best sentence does (`index.query.agreement`)."""
    asked = counts(question)
    return without_contradicting(asked, rows, probabilities, lambda text: verdict(asked, counts(text)))
