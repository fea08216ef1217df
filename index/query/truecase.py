"""Capitals for a question typed without any ("who did blinken meet in geneva"), taken from
how the candidate articles write each word.

Question analysis (`index.query.question`) reads names from capitals: they are the keys
the evidence must hold, and a capitalised word before the noun is not the focus ("which
Boeing planes" asks about planes). A question typed in lower case loses both; on the dev
sets, lower-cased, that halved the unanswerable questions refused. Retrieval does not care
(BM25 and MiniLM are uncased), so after it the candidates say which words are names: a
word the articles write capitalised in mid-sentence more often than not is given their
spelling. (Counting only words inside spaCy's entities was tried: it found 73-75% of the
names the dev sets' writers capitalised, against 88-89% for this.)
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

_WORD = re.compile(r"[^\W\d_][\w'’.-]*[^\W_]|[^\W\d_]")
_OPENING = re.compile(r"\W*")


def uncased(text: str) -> bool:
    """Whether a question has no capital letter after its first character."""
    return not any(ch.isupper() for ch in text[1:])


def unshouted(text: str) -> str:
    """A question typed in capitals throughout ("WHO DID BLINKEN MEET IN GENEVA?") in lower
    case, so it is read as one typed without capitals: every word of it would otherwise be
    a name the evidence must hold. One word ("OPEC?") stays as typed."""
    words = [w for w in _WORD.findall(text) if any(ch.isupper() for ch in w)]
    shouted = len(words) >= 2 and not any(ch.islower() for ch in text)
    return text.lower() if shouted else text


def truecase(text: str, sentences: Iterable[str]) -> str:
    """`text` with each word the sentences mostly write capitalised in mid-sentence spelled
    as they most often do there ("opec" -> "OPEC", "u.s." -> "U.S."); the first word
    stays as typed."""
    capitalised, lower = _cases(text, sentences)

    def spelled(m: re.Match[str]) -> str:
        seen = capitalised.get(m.group().lower())
        if m.start() == 0 or not seen or seen.total() <= lower[m.group().lower()]:
            return m.group()
        return seen.most_common(1)[0][0]

    return _WORD.sub(spelled, text)


def never_lower(text: str, sentences: Iterable[str], least: int = 2) -> frozenset[str]:
    """The words of `text` (lower case) the sentences write at least `least` times in
    mid-sentence, always capitalised: names beyond doubt ("chile"), where `truecase` also
    capitalises a word most of its uses write so ("soft" of "Soft Drink")."""
    capitalised, lower = _cases(text, sentences)
    return frozenset(w for w, seen in capitalised.items() if seen.total() >= least and not lower[w])


def _cases(text: str, sentences: Iterable[str]) -> tuple[dict[str, Counter[str]], Counter[str]]:
    """How the sentences write each word of `text` in mid-sentence: (lower-cased word ->
    its capitalised spellings counted, lower-cased word -> times written in lower case)."""
    wanted = {m.group().lower() for m in _WORD.finditer(text)}
    capitalised: dict[str, Counter[str]] = {}
    lower: Counter[str] = Counter()
    for sentence in sentences:
        for m in _WORD.finditer(sentence):
            low = m.group().lower()
            if low not in wanted or _OPENING.fullmatch(sentence, 0, m.start()):
                continue  # a sentence's first word is capitalised whatever it is
            if m.group()[0].isupper():
                capitalised.setdefault(low, Counter())[m.group()] += 1
            else:
                lower[low] += 1
    return capitalised, lower
