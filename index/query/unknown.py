"""Names a question states that no article mentions: the articles cannot answer it.

"Who is lead manager of Nintendo's eurobond?" over a 1987 newswire: every other word
matches a real story (another company's eurobond), so the sentence ranker and the
abstain model see a near-perfect match and quote it. The articles never say "Nintendo",
so they cannot be about it: the reader refuses, and says which name it did not find.

A name is a word of three letters or more written with a capital inside the question
(not its first word), a word with a capital inside ("iPod"), or a word of letters and
digits ("MI66"). It counts as found when some article holds the same
term (accents and case folded, stemmed as the index stems), and also when:
- its parts are found, for a hyphenated name ("Bedford-Isuzu": the articles write
  "Bedford" and "Isuzu"), parts not written as names left out ("SDK-made", "pre-2007");
  or it is a part of a hyphenated word some article writes ("Ilan" of "Bar-Ilan",
  "Mercedes" of "Mercedes-Benz"; the index keeps such a word as one term);
- it is two found words written as one ("Superbowl" for "Super Bowl"), or one of two
  words the articles write as one ("Nord Stream" for "Nordstream");
- it is one or two letters from a found term with the same first letter, for names of 5
  or 8 letters and more ("Bayonce", "Euorpeans"): a typo is not another name;
- it is in a run of capitalised words whose initials are a found term ("International
  Monetary Fund" where the articles write "IMF"; `acronyms.asked_long_forms`), or it
  names a country another way ("Japanese" for "Japan"; `demonyms`).

Left out, as words whose absence says nothing: acronyms of up to five capitals, dotted or not ("NYC"
for "New York City", "U.S." for "US"), short codes and measures ("Q1", "G7", "100m"),
ordinals, months and weekdays (the period check's), contractions ("Aren't"), and every
capitalised word of a question written in title case or capitals (there capitals do not
mark names). A question typed in lower case has no names here.

`unstated_names` asks the same of the one article an answer would open with: "How many
died in the Kashmir earthquake?" over a collection that reports the tsunami's toll, and
Kashmir only in other stories, must not be answered with the tsunami's figures. One
article is a small sample of a name's spellings, so more counts as stating a name there:
the same letters but for vowels ("Kyiv", "Kiev"), all the consonants of a long name but
one ("Blinken", "Blincoln"), a short name that starts a word with a people's or a
word's ending ("Fed" of "Federal", "Omani"), "U.S." for "United States" or "American",
the article's outlet and author ("According to Reuters, ..."); adjectives of a people the
table of demonyms lacks ("Scottish", "European"), which an article often says otherwise
("the UK market"), are not checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from index.dates import MONTH_NAME
from index.query.acronyms import asked_long_forms
from index.query.demonyms import other_forms
from index.text import fold, is_content, joined_terms, letters_and_digits, stem, word_spans

_SKIP = re.compile(
    rf"(?:{MONTH_NAME}|monday|tuesday|wednesday|thursday|friday|saturday|sunday|\d+(?:st|nd|rd|th|s))$", re.I
)
_ACRONYM = re.compile(r"[A-Z]{2,5}s?$")
_CONTRACTION = re.compile(r"n['’]t$", re.I)
_TITLE_CASE = 0.7  # this share of the words after the first capitalised: title case
_SPLIT_MIN = 4  # each part of a word written as two ("Fox" + "conn" is no "Foxconn")
_FUZZY = ((8, 2), (5, 1))  # (name length at least, letters it may differ by)
_PEOPLE = re.compile(r"(?:ish|ese|ian|ean)$", re.I)  # "Scottish", "Lebanese", "European"
_PEOPLE_LETTERS = 7  # "Dean", "Brian", "Julian" are given names
_ENDINGS = frozenset(["i", "n", "an", "ian", "ese", "er"])  # "Omani", "Cuban", "feder(al)"
_VOWELS = frozenset("aeiouy")
_NAMED_FIRST = re.compile(r"[A-Z][\w-]*(?:['’]s\b| \()")  # "Chile's ...", "Chile (...)?"
# Stems of names an article writes short, and those of the short forms
_WRITTEN_SHORT = (
    (frozenset(["u.", "us", "usa", "u.s.a"]), frozenset(["unit", "state", "america", "american"])),
    (frozenset(["u.k", "uk"]), frozenset(["unit", "kingdom", "britain", "british"])),
)
_SHORT_NAME = 5  # letters: a name this short may be the start of the article's word
_SOUNDS = ((r"ph", "f"), (r"ck", "k"), (r"[cq]", "k"), (r"z", "s"))


def title_cased(text: str) -> bool:
    """Whether the question is written in title case (or capitals): most words after the
    first capitalised, three at least. Its capitals then mark no names."""
    after_first = [text[a:b] for a, b, _, folded in word_spans(text)[1:] if folded.isalpha()]
    capitalised = sum(raw[:1].isupper() for raw in after_first)
    return len(after_first) >= 3 and capitalised >= _TITLE_CASE * len(after_first)


def question_names(text: str) -> list[tuple[str, str]]:
    """(name as written, its term) for each name in the question, once each."""
    spans = word_spans(text)
    title_case = title_cased(text)
    out: dict[str, str] = {}
    for i, (a, b, term, folded) in enumerate(spans):
        raw = text[a:b]
        mixed = letters_and_digits(raw)
        if i == 0 or len(folded) < 3 or not is_content(folded) or folded.isdigit():
            continue
        camel = raw[:1].islower() and any(ch.isupper() for ch in raw)  # "iPod", "eBay"
        if not (mixed or camel or (raw[:1].isupper() and not title_case)):
            continue
        if _SKIP.match(folded) or _acronym(raw) or _CONTRACTION.search(raw):
            continue
        if mixed and (len(folded) <= 3 or raw[:1].isdigit()):  # "Q1", "100m", "1Q08"
            continue
        out.setdefault(re.sub(r"['’]s$", "", raw), term)  # "Nintendo's" names Nintendo
    return list(out.items())


def _acronym(word: str) -> bool:
    return bool(_ACRONYM.match(re.split(r"['’]", word, maxsplit=1)[0].replace(".", "")))


def unknown_names(
    text: str,
    frequencies: Callable[[Iterable[str]], dict[str, int]],
    near: Callable[[str, int], list[str]],
    hyphenated: Callable[[str], list[str]] | None = None,
) -> tuple[str, ...]:
    """The question's names that no article holds (as written), in question order.

    frequencies: articles holding each term (`SentenceStore.document_frequencies`);
    near: found terms with the given first letter and length within the given distance
    (`SentenceStore.terms_near`), asked only for a name not found otherwise; hyphenated:
    found terms written with a hyphen that have a part starting with the given term
    (`SentenceStore.hyphenated_with`), asked likewise: "Ilan" is a part of "Bar-Ilan",
    "Mercedes" of "Mercedes-Benz", which the index keeps as one term."""
    names = question_names(text)
    if not names:
        return ()
    parts = {name: _parts(name) for name, _ in names}
    for joined, pair in joined_terms(text):  # "Nord Stream" where the articles write "Nordstream"
        for name, term in names:
            if term in pair:
                parts[name].append((joined,))
    for initials, terms in asked_long_forms(text):  # "International Monetary Fund": "IMF"
        for name, term in names:
            if term in terms:
                parts[name].append((initials,))
    for name, term in names:  # "Japanese" where the articles write "Japan"
        parts[name] += [(form,) for form in sorted(other_forms(term))]
    wanted = {term for _, term in names} | {t for ps in parts.values() for group in ps for t in group}
    df = frequencies(wanted)
    missing = []
    for name, term in names:
        if df.get(term, 0) or any(all(df.get(t, 0) for t in group) for group in parts[name]):
            continue
        if _near_found(term, len(name), near):
            continue
        if hyphenated is not None and any(is_part(term, whole) for whole in hyphenated(term)):
            continue
        missing.append(name)
    return tuple(missing)


def is_part(term: str, whole: str) -> bool:
    """Whether a term written with hyphens or slashes holds term as one of its parts: a
    part before the last as written or stemmed ("ciba", "hart"); the last part was stemmed
    with the whole word ("allied-sign" for "Allied-Signal"), so it may be term's start."""
    parts = re.split(r"[-/]", whole)
    if len(parts) < 2:
        return False
    if any(part and (part == term or stem(part) == term) for part in parts[:-1]):
        return True
    last = parts[-1]
    return last == term or (len(last) >= 3 and term.startswith(last) and len(term) - len(last) <= 2)


def _parts(name: str) -> list[tuple[str, ...]]:
    """Ways the name may be written in parts: at its hyphens and slashes (parts that
    could not be names left out: "SDK-made", "pre-2007"), or as two words."""
    spaced = name.replace("-", " ").replace("/", " ")
    spans = word_spans(spaced)
    groups: list[tuple[str, ...]] = []
    if len(spans) > 1:
        named = [(spaced[a:b], term, w) for a, b, term, w in spans]
        groups.append(
            tuple(
                term
                for raw, term, w in named
                if is_content(w)
                and (raw[:1].isupper() or letters_and_digits(raw))
                and not w.isdigit()
                and not _acronym(raw)
            )
        )
    word = "".join(w for _, _, _, w in spans)
    if word.isalpha():
        groups += [(stem(word[:k]), stem(word[k:])) for k in range(_SPLIT_MIN, len(word) - _SPLIT_MIN + 1)]
    return groups


def _near_found(term: str, letters: int, near: Callable[[str, int], list[str]]) -> bool:
    allowed = next((d for length, d in _FUZZY if letters >= length), 0)
    if not allowed:
        return False
    return any(distance(term, other, allowed) <= allowed for other in near(term, allowed))


def distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of a and b, or limit + 1 once it is sure to exceed limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def unstated_names(text: str, terms: set[str], source: str = "") -> tuple[str, ...]:
    """The question's names (as `unknown_names` reads them) that one article never states:
    terms are the article's own, its title's included; source: its outlet and author, which
    a question may name ("According to Reuters, ..."). A term written with hyphens holds its
    parts too ("Ciba" and "Geigy" in "Ciba-Geigy", "Iraq" in "Iran-Iraq"), as in the
    collection's (`is_part`). The first word is a name here when it is written as one:
    "Chile's earthquake ...", or a follow-up's "Chile (people died earthquake)?"."""
    hyphenated = [term for term in terms if "-" in term or "/" in term]
    split = [re.split(r"[-/]", term) for term in hyphenated]
    terms = terms | {form for parts in split for part in parts[:-1] if part for form in (part, stem(part))}
    terms |= {term for _, _, term, _ in word_spans(source)}
    for written, forms in _WRITTEN_SHORT:  # "United States" and "American" where it writes "U.S."
        if terms & written:
            terms |= forms

    def frequencies(wanted: Iterable[str]) -> dict[str, int]:
        return {t: int(t in terms or any(is_part(t, whole) for whole in hyphenated)) for t in wanted}

    def near(term: str, within: int) -> list[str]:
        return [t for t in terms if t[:1] == term[:1] and abs(len(t) - len(term)) <= within]

    if _NAMED_FIRST.match(text):
        text = f"and {text}"  # `question_names` skips the first word: a capital says nothing there
    return tuple(
        name
        for name in unknown_names(text, frequencies, near)
        if not _of_a_people(name) and not _spelt_otherwise(name, terms) and not _shortened(name, terms)
    )


def _of_a_people(name: str) -> bool:
    """An adjective of a people the demonym table lacks ("Scottish", "European"); not a
    short given name ("Dean", "Brian", "Julian")."""
    return len(name) >= _PEOPLE_LETTERS and _PEOPLE.search(name) is not None


def _shortened(name: str, terms: set[str]) -> bool:
    """A short name as the start of one of the article's words, with an ending that makes
    one: "Fed" of "Federal", "Cuba" of "Cuban", "Oman" of "Omani" (not "Niger" of
    "Nigeria", "Bush" of "bushels")."""
    term = stem(fold(name))
    if not 3 <= len(term) <= _SHORT_NAME:
        return False
    return any(t.startswith(term) and t[len(term) :] in _ENDINGS for t in terms)


def _consonants(word: str) -> str:
    """The word's first letter and the consonants after it, each run once, letters that
    sound alike made one ("Blinken" and "Blincoln": "blnkn", "blnkln")."""
    word = fold(word)
    for pattern, plain in _SOUNDS:
        word = re.sub(pattern, plain, word)
    rest = re.sub(r"[^a-z]|[aeiouyhw]", "", word[1:])
    return re.sub(r"(.)\1+", r"\1", word[:1] + rest)


def _spelt_otherwise(name: str, terms: set[str]) -> bool:
    """Whether the article writes the name another way: the same letters but for vowels
    ("Kyiv", "Kiev"; not "Bush" for "busi", the stem of "business"), or, for a name of five
    consonants or more, all of them but one ("Blinken", "Blincoln")."""
    own = stem(fold(name))
    skeleton = _consonants(own)
    for term in terms:
        if term[:1] != own[:1]:
            continue
        if len(term) == len(own) and all(
            a == b or (a in _VOWELS and b in _VOWELS) for a, b in zip(own, term)
        ):
            return True
        if len(skeleton) >= 5 and abs(len(term) - len(own)) <= 3:
            other = _consonants(term)
            if abs(len(other) - len(skeleton)) <= 1 and distance(skeleton, other, 1) <= 1:
                return True
    return False
