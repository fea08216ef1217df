"""A name the question writes as no article does: "Radar Princess" where the articles always
write "Twilight Princess".

SQuAD 2.0's unanswerable questions are often made by swapping one word of a name for
another name of the same article ("When could GameCube owners purchase Australian
Princess?", "Who is the protagonist of Midna of Time?"). Every word is found, so neither
the names check (`index.query.unknown`) nor the models see anything missing, and the
sentence about the real name is quoted.

Two capitalised words next to each other in the question (or joined by "of", "de", ...)
are looked up in the keyword index in that order, up to `GAP` other words apart ("Trade
Representative Yeutter" where the articles write "Trade Representative Clayton Yeutter").
A pair no article writes is only a sign: a question puts a title or a place before a
name in ways no article did ("Spanish Prime Minister Felipe Gonzalez", "Berlin Chopin
was"). It is a misnaming when the second word ends a fixed name the first is not part of:
the articles write it after the same capitalised word nearly always ("Princess":
"Twilight" in 31 of 34 uses), and that word is nowhere in the question. Not the other way
round: "Attorney" is "Attorney General" in most of Reuters, yet a question may well say
"U.S. Attorney Rudolph Giuliani" where the article writes "Rudolph Giuliani, U.S.
Attorney in Manhattan".
Measured in docs/answer-quality.md ("A name written as no article writes it").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from index.query.titles import is_role
from index.query.unknown import distance, title_cased
from index.text import fold, is_content

GAP = 2  # other words the articles may write between the two ("Trade Representative [Clayton] Yeutter")
FIXED_SHARE = 0.8  # this share of a word's capitalised uses has the same neighbour: a fixed name
FIXED_LEAST = 3  # capitalised uses a word needs before its neighbours say anything
SAMPLE = 200  # chunks read for a word's neighbours
CONNECTORS = frozenset(["of", "de", "du", "la", "le", "van", "von", "der", "del", "da", "di"])
_HONORIFICS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "sir",
        "dame",
        "lord",
        "lady",
        "sen",
        "rep",
        "gov",
        "gen",
        "col",
        "capt",
        "adm",
        "prof",
        "premier",
        "chancellor",
        "mayor",
        "king",
        "queen",
        "prince",
        "princess",
        "pope",
        "sheikh",
        "emir",
        "deputy",
    ]
)
_TOKEN = re.compile(r"\w[\w&'’.-]*")
_BREAK = re.compile(r"[^\w\s]")  # punctuation between two words: no name runs across it
_OWNED = re.compile(r"['’]s$")


@dataclass(frozen=True)
class Misnamed:
    asked: str  # as the question writes it: "Radar Princess"
    written: str  # the fixed name the articles write instead: "Twilight Princess"


@dataclass(frozen=True)
class _Word:
    raw: str  # possessive and final dot taken off
    folded: str
    capitalised: bool
    joined: str  # the connector between this word and the one before ("of"), else ""
    run_start: bool  # nothing joins it to the word before (punctuation, a possessive, a lower-case word)


def misnamed(
    text: str,
    written_near: Callable[[str, str, int], bool],
    texts_holding: Callable[[str, int], list[str]],
) -> Misnamed | None:
    """The question's first pair of capitalised words that misnames a fixed name, or None.

    written_near(first, second, gap): whether some article writes `first`, then `second`
    at most `gap` words later (`LexicalIndex.written_near`); texts_holding(word, limit):
    texts of up to `limit` chunks that hold the word (`LexicalIndex.texts_holding`)."""
    if title_cased(text):
        return None  # capitals mark no names
    words = _words(text)
    asked = {w.folded for w in words}
    for i in range(2, len(words)):  # not from the first word: capitalised whatever it is ("Describe")
        first, second = words[i - 1], words[i]
        if (
            second.run_start
            or not (_is_name(first) and _is_name(second))
            or _a_title(first.folded.rstrip("."))
        ):
            continue
        if written_near(first.raw, second.raw, GAP):
            continue
        partner = _fixed_partner(second, texts_holding)
        if partner is None or fold(partner[0]) in asked or _slip(first.folded, fold(partner[0])):
            continue
        if _a_title(fold(partner[0])):  # "Senator Lugar" every time says nothing of "Richard Lugar"
            continue
        name, joined = partner
        return Misnamed(
            f"{first.raw}{_link(second.joined)}{second.raw}", f"{name}{_link(joined)}{second.raw}"
        )
    return None


def _a_title(word: str) -> bool:
    """A word people are called by before their surname ("Mr. Yeutter", "Ambassador
    Yeutter" where the articles write "Clayton Yeutter"): no misnaming."""
    return word in _HONORIFICS or is_role(word)


def _slip(asked: str, written: str) -> bool:
    """The asked word is the written one with a typing slip ("Giovani da Verrazzano",
    "Forth Thieves"): a letter off from five letters on, two from eight."""
    limit = 2 if len(written) >= 8 else 1 if len(written) >= 5 else 0
    return limit > 0 and distance(asked, written, limit) <= limit


def _link(joined: str) -> str:
    return f" {joined} " if joined else " "


def _is_name(word: _Word) -> bool:
    """A capitalised word that carries meaning: not "What" or "The" opening a sentence."""
    return word.capitalised and is_content(word.folded)


def _words(text: str) -> list[_Word]:
    """The text's words, with where a run of names may go on: two words are next to each
    other when only spaces, or one connector ("of"), stand between them."""
    out: list[_Word] = []
    joined, start, end = "", True, 0
    for m in _TOKEN.finditer(text):
        raw = m.group()
        if _BREAK.search(text[end : m.start()]):
            start, joined = True, ""
        end = m.end()
        folded = fold(raw)
        if folded in CONNECTORS and out and not start:
            joined = raw
            continue
        owned = _OWNED.search(raw) is not None
        ends_sentence = raw.endswith(".") and len(raw.replace(".", "")) > 3  # "Corp." yes, "U.S." no
        clean = _OWNED.sub("", raw).rstrip(".") if owned or ends_sentence else raw
        capitalised = clean[:1].isupper()
        out.append(_Word(clean, fold(clean), capitalised, joined, start or not capitalised))
        # after a lower-case word, a possessive or a sentence's end, a new run begins
        start, joined = not capitalised or owned or ends_sentence, ""
    return out


def _fixed_partner(word: _Word, texts_holding: Callable[[str, int], list[str]]) -> tuple[str, str] | None:
    """(the word before it as written, the connector between) when the articles write
    `word` after the same capitalised word in `FIXED_SHARE` of its capitalised uses,
    counted over `FIXED_LEAST` uses or more; else None. Only the few words before each
    use are read: a word like "York" is in most chunks of a city's article."""
    found = re.compile(rf"(?<![\w&'’.-]){re.escape(word.raw)}(?![\w&-])", re.IGNORECASE)
    uses = 0
    before: Counter[tuple[str, str]] = Counter()
    forms: Counter[tuple[str, str, str]] = Counter()  # (key, as written): "New" over a dateline's "NEW"
    for chunk in texts_holding(word.raw, SAMPLE):
        for m in found.finditer(chunk):
            if not m.group()[:1].isupper():
                continue
            uses += 1
            near = _BEFORE.search(chunk, max(0, m.start() - _REACH), m.start())
            if near is None:
                continue
            raw, joined = near.group(1), near.group(2) or ""
            if _OWNED.search(raw) or (raw.endswith(".") and len(raw.replace(".", "")) > 3):
                continue  # "Nintendo's Wii", "... in 2006. Wii": no name runs across
            raw = raw.rstrip(".")
            if raw[:1].isupper() and is_content(fold(raw)):
                key = (fold(raw), joined.lower())
                before[key] += 1
                forms[(*key, raw)] += 1
    if uses < FIXED_LEAST or not before:
        return None
    key, n = before.most_common(1)[0]
    if n < FIXED_SHARE * uses:
        return None
    # the commonest way of writing it, a dateline's capitals ("NEW YORK, March 3") last
    _, _, written = max(
        (not raw.isupper(), count, raw) for (*k, raw), count in forms.items() if tuple(k) == key
    )
    return written, key[1]


_JOINED = "|".join(sorted(CONNECTORS))
_REACH = 60  # characters looked at before a use
_BEFORE = re.compile(rf"(\w[\w&'’.-]*)(?:[ \t]+({_JOINED}))?[ \t]+$", re.IGNORECASE)
