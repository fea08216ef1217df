"""Acronyms and the names they stand for. News writes a name in full or as its letters, a
question often the other way round.

- Whether an article spells out an acronym the question writes: "GDP" is stated by an
  article that says "gross domestic product", "OPEC" by "the Organization of Petroleum
  Exporting Countries" (`spelled_out`, for `reader.naming_first`).
- The long forms a text writes, as initials of runs of capitalised words ("imf" for
  "International Monetary Fund"), and the acronyms it writes in capitals (for `bridge`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from index.text import fold, stem, word_spans

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


# -- the two forms as the same words, for the features ---------------------------------------
_CAPITALS = re.compile(r"[A-Z]{2,6}")  # an acronym as written: "ECB", "OPEC" (and "EU", to end a run)


def _runs(text: str) -> list[list[tuple[str, str]]]:
    """Runs of two or more capitalised words, each word as (initial, term); connectors
    inside a run are kept with the term "" ("Organization of the Petroleum Exporting
    Countries", "Bank of England"). A word in capitals ("ECB President Christine Lagarde")
    ends a run, as it is an acronym itself, and so does a word with digits ("MI66")."""
    runs: list[list[tuple[str, str]]] = [[]]
    for a, b, term, folded in word_spans(text):
        raw = re.split(r"['’]", text[a:b], maxsplit=1)[0]
        if folded in _SKIPPED:  # inside a name: "Organization of the Petroleum ..."
            if runs[-1]:  # read past inside a run; "The Bank of England" is "BOE"
                runs[-1].append((folded[0], ""))
            continue
        if raw[:1].isupper() and folded.isalpha() and not _CAPITALS.fullmatch(raw):
            runs[-1].append((folded[0], term))
        elif runs[-1]:
            runs.append([])
    out = []
    for run in runs:
        while run and not run[-1][1]:  # "Bank of" before a lower-case word
            run.pop()
        if sum(1 for _, term in run if term) >= 2:
            out.append(run)
    return out


def _run_initials(words: list[tuple[str, str]]) -> set[str]:
    """The initials of the words, with and without the connectors' ("BOE", "OPEC"), of
    three letters or more: two capitalised words are another 2-letter acronym too often
    ("Children's Day" is no CD; measured on the SQuAD dev questions)."""
    found = {stem("".join(i for i, t in words if t)), stem("".join(i for i, _ in words))}
    return {initials for initials in found if len(initials) >= 3}


def _named(run: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """The run, and the run without its first word when three or more are left: a
    question's or a sentence's first word is capitalised whatever it is."""
    named = [k for k, (_, term) in enumerate(run) if term]
    rest = run[named[1] :] if len(named) > 3 else []
    return [run, rest] if rest else [run]


@lru_cache(maxsize=65536)
def long_forms(text: str) -> frozenset[str]:
    """The acronyms a text writes out: the initials of each run of capitalised words and of
    the runs of three or more words inside it ("VIENNA - The Organization of the Petroleum
    Exporting Countries" gives "opec")."""
    out: set[str] = set()
    for run in _runs(text):
        for words in _named(run):
            out |= _run_initials(words)
        named = [k for k, (_, term) in enumerate(run) if term]
        for i in range(len(named)):
            for j in range(i + 2, min(len(named), i + 6)):
                out |= _run_initials(run[named[i] : named[j] + 1])
    return frozenset(out)


def asked_long_forms(text: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """(initials, terms) of each run of capitalised words in a question."""
    out: list[tuple[str, frozenset[str]]] = []
    for run in _runs(text):
        for words in _named(run):
            terms = frozenset(t for _, t in words if t)
            out.extend((initials, terms) for initials in sorted(_run_initials(words)))
    return tuple(out)


@lru_cache(maxsize=65536)
def written_acronyms(text: str) -> frozenset[str]:
    """The acronyms a text writes in capitals, as terms ("ecb")."""
    return frozenset(stem(fold(m.group())) for m in _CAPITALS.finditer(text) if _alone(text, m))


def _alone(text: str, m: re.Match[str]) -> bool:
    """A whole word of capitals: "ECB" and "ECB's", not the "EC" of "ECu" or of "ECB"."""
    before = text[m.start() - 1] if m.start() else " "
    after = text[m.end()] if m.end() < len(text) else " "
    return not (before.isalnum() or after.isalnum())
