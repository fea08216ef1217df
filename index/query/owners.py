"""Whose thing a question asks about, and the reader's check that a quoted sentence does not
give another owner's.

"What was Japan's trade surplus in April?" is not answered by "Taiwan's trade surplus is
expected to exceed 5.5 billion dlrs", nor "What is Pepsi's market share?" by "Coca-Cola's
market share rose to 40 pct": news reports the same measure for many countries and
companies, and every word but the owner matches. The names check
(`index.query.names`) lets such a sentence pass when its article mentions the question's
name anywhere ("... funds from Hong Kong, Japan and the U.S."), which news articles that
compare two owners always do.

An owner here is a capitalised word written with "'s" ("Japan's"), and what it owns is
the content words that follow it, up to the next stop word ("trade surplus last year").
A sentence gets probability 0 in `without_other_owners` when it gives another capitalised
owner the same thing, i.e. two of those words, or the one when there is one ("Taiwan's
trade surplus", not "Taiwan's trade minister"), and never states the question's owner.
Another name for the same owner is let through: a word the article writes in one run of
capitalised words with the question's owner ("Frédéric Chopin" makes "Chopin's health"
answer "Frédéric's health"), or one spelling apart from it ("Secretary Blincoln's visit"
for "Blinken's visit"), as in the names check. So is every sentence of an article whose
title names the question's owner (or is its initials: "NYC" for "New York City"): in the
article about Beyoncé, "Her debut single was named VH1's Greatest Song of the 2000s" is
her song.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from index.query.agreement import without_disagreeing
from index.query.names import NAME_TOKEN, spelt_alike
from index.text import fold, is_content, stem

if TYPE_CHECKING:
    from index.query.candidates import Article
    from index.query.features import Row

_POSSESSIVE = ("'s", "’s")
_OWNED = 4  # content words after an owner that may name what it owns
_SAME = 2  # owned words in common that make the same thing ("trade surplus")
# capitalised words that take "'s" without owning anything: contractions, pronouns
_NOT_OWNERS = frozenset(
    {"what", "who", "where", "when", "how", "which", "why", "it", "that", "there", "here", "let", "he", "she"}
    | {"this", "today"}
)


@lru_cache(maxsize=65536)
def _tokens(text: str) -> tuple[tuple[str, ...], tuple[bool, ...], tuple[bool, ...]]:
    """(folded words without "'s", written as a name, written with "'s")."""
    found = [m.group() for m in NAME_TOKEN.finditer(text)]
    possessive = tuple(w.endswith(_POSSESSIVE) for w in found)
    bare = [w[:-2] if p else w for w, p in zip(found, possessive)]
    return (
        tuple(fold(w).replace(".", "") for w in bare),
        tuple(bool(w) and w[0].isupper() for w in bare),
        possessive,
    )


def _owned_after(words: tuple[str, ...], i: int) -> tuple[str, ...]:
    """Stems of the content words after words[i], up to _OWNED and the first stop word."""
    out = []
    for w in words[i + 1 : i + 1 + _OWNED]:
        if not is_content(w):
            break
        out.append(stem(w))
    return tuple(out)


def _owners(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """(owner, stems of the words it owns) for each capitalised "X's" of a text."""
    words, named, possessive = _tokens(text)
    return [
        (words[i], owned)
        for i in range(len(words))
        if possessive[i] and named[i] and words[i] not in _NOT_OWNERS and (owned := _owned_after(words, i))
    ]


@lru_cache(maxsize=4096)
def asked_owners(question: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """(owner, stems of what it owns) for each owner the question names."""
    return tuple((owner, frozenset(owned)) for owner, owned in _owners(question))


def _same_thing(asked: frozenset[str], owned: tuple[str, ...]) -> bool:
    """Two of the question's owned words, or its one, among another owner's."""
    return len(asked.intersection(owned)) >= min(_SAME, len(asked))


def _runs(text: str) -> list[frozenset[str]]:
    """The runs of capitalised words in a text ("Frédéric François Chopin")."""
    words, named, _ = _tokens(text)
    runs: list[frozenset[str]] = []
    start = 0
    for i in range(len(words) + 1):
        if i == len(words) or not named[i]:
            if i - start > 1:
                runs.append(frozenset(words[start:i]))
            start = i + 1
    return runs


def verdict(
    asked: tuple[tuple[str, frozenset[str]], ...], sentence: str, aliases: frozenset[tuple[str, str]]
) -> tuple[bool, bool]:
    """(the sentence gives another owner what the question's owner owns and never states
    that owner, it states an owner of the question with what it owns). aliases: (owner,
    word) pairs its article writes in one run of capitalised words."""
    tokens = _tokens(sentence)[0]
    words = set(tokens)
    stems = {stem(w) for w in tokens}
    right = any(owner in words and thing & stems for owner, thing in asked)
    wrong = any(
        owner not in words
        and not spelt_alike(other, owner)
        and (owner, other) not in aliases
        and _same_thing(thing, owned)
        for owner, thing in asked
        for other, owned in _owners(sentence)
    )
    return wrong, right


def _about(title: str) -> frozenset[str]:
    """The owners an article is about: its title's words, and the initials of its
    capitalised ones ("nyc" for "New York City")."""
    words, named, _ = _tokens(title)
    initials = "".join(w[0] for w, n in zip(words, named) if n and w)
    return frozenset(words) | ({initials} if len(initials) > 1 else set())


def _aliases(asked: tuple[tuple[str, frozenset[str]], ...], article: Article) -> frozenset[tuple[str, str]]:
    """(owner, word) pairs the article writes in one run of capitalised words."""
    runs = [run for s in article.sentences for run in _runs(s.stored.text)]
    return frozenset((owner, other) for owner, _ in asked for run in runs if owner in run for other in run)


def without_other_owners(question: str, rows: list[Row], probabilities: np.ndarray) -> np.ndarray:
    """Probabilities with 0 for sentences that give another owner of what the question asks
    about, and for the rest of an article whose best sentence does (`index.query.agreement`).
    An article whose title names the owner is about it, and left alone: there "VH1's
    Greatest Song" is Beyoncé's song."""
    asked = asked_owners(question)
    if not asked or not len(rows):
        return probabilities
    verdicts = [verdict(asked, row.sentence.stored.text, frozenset()) for row in rows]
    if not any(wrong for wrong, _ in verdicts):
        return probabilities
    seen: dict[int, tuple[tuple[tuple[str, frozenset[str]], ...], frozenset[tuple[str, str]]]] = {}
    for i, row in enumerate(rows):
        if verdicts[i][0]:
            key = id(row.article)
            if key not in seen:
                about = _about(row.article.title)
                here = tuple(a for a in asked if a[0] not in about)
                seen[key] = (here, _aliases(here, row.article))
            here, aliases = seen[key]
            verdicts[i] = (
                verdict(here, row.sentence.stored.text, aliases) if here else (False, verdicts[i][1])
            )
    return without_disagreeing(rows, probabilities, verdicts)
