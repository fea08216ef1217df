"""Whether an article spells out an acronym the question writes: "GDP" is stated by an
article that says "gross domestic product", "OPEC" by "the Organization of Petroleum
Exporting Countries". News writes a name in full or as its letters, a question often the
other way round.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from index.text import fold

_ACRONYM = re.compile(r"\b[A-Z]{3,6}\b")  # as written: "GDP", "OPEC"; two letters match too much
_WORD = re.compile(r"[^\W\d_]+")
_SKIPPED = frozenset(["of", "and", "the", "for"])  # no letter of their own: "Organization of Petroleum"


def acronyms(question: str) -> frozenset[str]:
    """The acronyms a question writes in capitals, folded ("gdp")."""
    return frozenset(fold(m.group()) for m in _ACRONYM.finditer(question))


@lru_cache(maxsize=65536)
def _initials(text: str) -> str:
    """The first letters of a text's words, the words acronyms skip left out."""
    folded = (fold(w) for w in _WORD.findall(text))
    return "".join(w[0] for w in folded if w and w not in _SKIPPED)


def spelled_out(acronym: str, texts: Iterable[str]) -> bool:
    """Does one of the texts write the acronym's words in full, one word a letter, in a row?"""
    return any(acronym in _initials(text) for text in texts)
