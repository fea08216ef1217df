"""Words of a question typed with a slip, respelt as the word one edit away that the
articles hold ("Manhatten" -> "Manhattan", "Philpis" -> "Philips", "laywer" -> "lawyer").

A misspelt word matches nothing: its term is missing from every sentence (so every
sentence covers less of the question), a misspelt name is one no article mentions (so
the reader refuses, `index.query.unknown`), and MiniLM sees other word pieces. With one
letter pair swapped in a word of six letters or more, the answerable dev questions were
refused 19% (Reuters) and 30% (SQuAD) of the time, against 3% and 4% as written (docs/answer-quality.md:
"Typed with a slip").

A word is respelt only when it is no English word (not a whole word of MiniLM's
vocabulary, 21,745 of them) and no article holds its term or has it in its title, and only to a word one edit
away (a letter dropped, added, replaced, or two neighbours swapped; Norvig's corrector)
that is a stop word, or whose term some article holds and that is itself an English word
or its own term (a name: "Sciarra", "Beichuan"; not "hectores", whose term "hector" some
article holds). The first letter stays unless it is swapped with the second. Of several,
a stop word wins, then the word most articles hold. Words of fewer than four letters (five
for one capitalised after the first word: a short name one letter from another is another
name), words with digits, hyphens or accents are left as typed. The SQuAD questions, written by people,
have such slips ("Septermber", "laywer", "filmakers").
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from index.text import is_content, stem, word_spans

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
MIN_LETTERS = 4
MIN_NAME_LETTERS = 5
MAX_SLIPS = 6  # words looked at in one question (each asks the index about ~400 spellings)


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """MiniLM's whole-word vocabulary: the common English words (lower case)."""
    from index.embedding.onnx import onnx_files

    with open(onnx_files()[1], encoding="utf-8") as f:
        vocab = json.load(f)["model"]["vocab"]
    return frozenset(w for w in vocab if w.isascii() and w.isalpha())


def edits(word: str) -> set[str]:
    """Words one edit from `word` that keep its first letter, or swap it with the second."""
    out = {word[1] + word[0] + word[2:]} if len(word) > 1 else set()
    for i in range(1, len(word) + 1):
        head, tail = word[:i], word[i:]
        out.update(head + c + tail for c in _LETTERS)  # a letter added
        if tail:
            out.add(head + tail[1:])  # dropped
            out.update(head + c + tail[1:] for c in _LETTERS if c != tail[0])  # replaced
            if len(tail) > 1:
                out.add(head + tail[1] + tail[0] + tail[2:])  # neighbours swapped
    out.discard(word)
    return out


def respelt(
    text: str,
    frequencies: Callable[[Iterable[str]], dict[str, int]],
    titled: Callable[[str], bool] = lambda word: False,
) -> str:
    """`text` with each misspelt word replaced by the likeliest word one edit away, in the
    case it was typed in.

    frequencies: articles holding each term (`SentenceStore.document_frequencies`, which
    counts the text, not the titles); titled: whether a title holds the word
    (`SentenceStore.in_a_title`: "sapped" is only in "REAGAN'S STRENGTH ... APPEARS
    SAPPED"). English words are MiniLM's (`english_words`)."""
    known = english_words()
    words = []
    for i, (a, _, term, word) in enumerate(word_spans(text)):
        raw = text[a : a + len(word)]
        name = raw[:1].isupper() and i > 0  # the first word is capitalised wherever it is
        least = MIN_NAME_LETTERS if name else MIN_LETTERS
        if len(word) >= least and raw.isascii() and word.isalpha() and is_content(word) and word not in known:
            words.append((a, raw, term, word, name))
    if not words:
        return text
    held = frequencies({term for _, _, term, _, _ in words})
    unheld = [(a, raw, word, name) for a, raw, term, word, name in words if not held.get(term, 0)]
    slips = [slip for slip in unheld[:MAX_SLIPS] if not titled(slip[2])]
    if not slips:
        return text
    options = {a: sorted(edits(word)) for a, _, word, _ in slips}
    found = frequencies({stem(e) for es in options.values() for e in es if is_content(e)})
    out, at = [], 0
    for a, raw, _, name in slips:
        ranked = [
            (not is_content(e), found.get(stem(e), 0), e)
            for e in options[a]
            if not is_content(e) or (found.get(stem(e), 0) and (e in known or (name and stem(e) == e)))
        ]
        if ranked:  # options are sorted: of equals, the alphabetically first
            best = max(ranked, key=lambda r: (r[0], r[1]))[2]
            out += [text[at:a], _as_typed(best, raw)]
            at = a + len(raw)
    return "".join(out) + text[at:] if out else text


def _as_typed(word: str, raw: str) -> str:
    if raw.isupper() and len(raw) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if raw[:1].isupper() else word


_MONTHS = {
    "jan": "January", "feb": "February", "mar": "March", "apr": "April", "jun": "June", "jul": "July",
    "aug": "August", "sep": "September", "sept": "September", "oct": "October", "nov": "November",
    "dec": "December",
}  # fmt: skip
# A capitalised abbreviation with its dot, or before a day or year: "Mar. 1987", "Aug 29"
_ABBREVIATED_MONTH = re.compile(r"\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)(?:\.|(?=\s+\d))")


def months_as_written(text: str, frequencies: Callable[[Iterable[str]], dict[str, int]]) -> str:
    """Abbreviated months ("Mar. 1987") written out when more articles write the month out
    than abbreviate it. "mar" is a rare term where the articles write "March" (one Reuters
    article in 2,000), so a question that abbreviates looked like one about something the
    articles barely mention (docs/answer-quality.md: "Abbreviated months"); where they abbreviate, as
    AP style does before a day, the question is left as typed."""
    found = list(_ABBREVIATED_MONTH.finditer(text))
    if not found:
        return text
    df = frequencies(
        {stem(w) for m in found for w in (m.group(1).lower(), _MONTHS[m.group(1).lower()].lower())}
    )
    out, at = [], 0
    for m in found:
        short = m.group(1).lower()
        full = _MONTHS[short]
        if df.get(stem(full.lower()), 0) > df.get(stem(short), 0):
            out += [text[at : m.start()], full]
            at = m.end()
    return "".join(out) + text[at:]
