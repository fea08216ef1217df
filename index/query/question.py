"""What a question asks, read without a model: its terms, the names and numbers it turns
on, its focus word, the kind of answer it wants, and whether it is English at all.

The wh-word and the word after "what/which" give the answer type; the model file maps
that key to entity labels with probabilities learned from the training questions
(training/train_answerer.py), e.g. "which:compani" -> ORG, "how_many" -> CARDINAL, backing
off to the wh-word alone. spaCy is not loaded here: a cold `ask` would pay 1.3 s for it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from index.text import content_terms, fold, is_content, spacy_stop_words, stem

WH_WORDS = frozenset(["who", "whom", "whose", "what", "when", "where", "why", "how", "which"])
_YEAR = re.compile(r"1[89]\d\d|20\d\d")
QUESTION_CLASSES: list[tuple[str, re.Pattern[str]]] = [
    (name, re.compile(pattern, re.I))
    for name, pattern in [
        ("how_many", r"\bhow many\b"),
        ("how_much", r"\bhow much\b"),
        ("how_long", r"\bhow long\b"),
        ("how_old", r"\bhow old\b"),
        ("year", r"\b(?:what|which) year\b"),
        ("when", r"\bwhen\b"),
        ("who", r"\bwho(?:m|se)?\b"),
        ("where", r"\bwhere\b"),
        ("why", r"\bwhy\b"),
        ("how", r"\bhow\b"),
        ("which", r"\bwhich\b"),
        ("what", r"\bwhat\b"),
    ]
]
CLASSES = [name for name, _ in QUESTION_CLASSES] + ["other"]
# Symbols other than currency and maths (emoji, pictographs, dingbats; the degree sign is
# kept), modifier symbols, format characters (zero-width spaces and joiners), private use,
# and the variation selectors and enclosing marks that dress emoji.
_NOT_WORDS = frozenset(["So", "Sk", "Cf", "Co", "Me"])
_AFTER_WH = re.compile(r"\b(?:what|which|how many|how much)\s+(.*)", re.I)
_FILLER = frozenset(["kind", "type", "sort", "name", "of", "the", "a", "an"])
# Languages whose stop words tell a question is not English (spaCy's lists).
_OTHER_LANGUAGES = (
    "de", "fr", "es", "it", "pt", "nl", "sv", "da", "nb", "pl", "ro", "cs", "sk", "hr", "sl",
    "tr", "id", "tl", "vi", "fi", "et", "hu", "ca",
)  # fmt: skip
# Letters no English word has, by the language that writes them: a word with one counts as
# that language's word ("dışişleri", "trưởng"), whether or not it is a stop word.
_LETTERS = {
    "vi": "ơưđạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ",
    "tr": "ışğçöü",
    "pl": "łąęśźżń",
    "cs": "řěů",
    "sk": "ľĺŕ",
    "ro": "șțş",
    "hu": "őűöü",
    "de": "ßäöü",
    "sv": "äöå",
    "fi": "äö",
    "et": "äöõü",
    "da": "øæ",
    "nb": "øæ",
    "es": "ñ¿¡",  # "¿" and "¡" are not word characters: a question with one gets a word of it
    "pt": "ãõ",
}


@dataclass(frozen=True)
class Question:
    text: str
    terms: tuple[str, ...]  # stemmed content words, in order, once each
    keys: frozenset[str]  # stems of names and numbers the question turns on
    numbers: frozenset[str]  # the numbers themselves ("1987", "29.3")
    focus: frozenset[str]  # stem of the word the wh-phrase asks about ("what price" -> price)
    qclass: str
    head: str  # answer-type key: qclass, or qclass:focus for what/which
    bigrams: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    cased: str = ""  # the text with the capitals it was read with (index.query.truecase)

    @property
    def as_read(self) -> str:
        return self.cased or self.text


def with_question_mark(text: str) -> str:
    """The text ending in a question mark, as every question the answerer learned from did."""
    stripped = text.rstrip()
    return stripped if stripped.endswith(("?", "？")) else f"{stripped}?"


def plain_question(text: str) -> str:
    """The question's words alone: emoji and other pictographs, zero-width and other
    format characters out, every run of whitespace (no-break spaces pasted from a web
    page, tabs, line breaks) one space. What the reader's word frames, checks and
    MiniLM expect; a question of nothing else stays as it is."""
    kept = "".join(
        ch
        for ch in text
        if ch == "°" or not (unicodedata.category(ch) in _NOT_WORDS or "\ufe00" <= ch <= "\ufe0f")
    )
    plain = " ".join(kept.split())
    return plain if plain.strip(" ?!.") else text


def question_class(text: str) -> str:
    return _wh(text)[0]


def _wh(text: str) -> tuple[str, int]:
    """(class, where its wh-phrase starts). A wh-word in first or second place opens the
    question ("What did she own when she was a child?" asks what, not when); without
    one, the question asks in place, at its last wh-phrase ("... built in what year?")."""
    found = [
        (m.start(), rank, name)
        for rank, (name, pattern) in enumerate(QUESTION_CLASSES)
        for m in pattern.finditer(text)
    ]
    if not found:
        return "other", 0
    start, _, name = min(found)
    if len(text[:start].split()) > 1:  # nothing opens the question: take the last wh-phrase
        start, _, name = min(found, key=lambda f: (-f[0], f[1]))
    return name, start


def _focus(text: str, start: int = 0) -> str:
    match = _AFTER_WH.match(text, start) or _AFTER_WH.search(text, start)
    if not match:
        return ""
    phrase = re.findall(r"[\w'’-]+", match.group(1))[:4]
    content: list[tuple[str, str]] = []
    for token in phrase:
        word = fold(token).split("'", 1)[0]
        if word in _FILLER and not content:
            continue
        if not is_content(word):
            break
        content.append((token, word))
    # A name before the noun says which one, the noun says what ("which Boeing planes")
    common = [word for token, word in content if not token[0].isupper()]
    chosen = common[0] if common else content[0][1] if content else ""
    return stem(chosen) if chosen else ""


def analyze(text: str) -> Question:
    terms = tuple(dict.fromkeys(content_terms(text)))
    keys, numbers = set(), set()
    tokens = re.findall(r"\w+(?:[.,'’\-/]\w+)*", text)
    for i, token in enumerate(tokens):
        word = fold(token).strip(".,").split("'", 1)[0]
        if not word or not is_content(word):
            continue
        if any(ch.isdigit() for ch in token):
            keys.add(stem(word))
            numbers.add(word)
        elif token[0].isupper() and i > 0:
            keys.add(stem(word))
    qclass, wh_start = _wh(text)
    focus = _focus(text, wh_start) if qclass in ("what", "which", "how_many", "how_much") else ""
    head = f"{qclass}:{focus}" if focus and qclass in ("what", "which") else qclass
    ordered = content_terms(text)
    return Question(
        text=text,
        terms=terms,
        keys=frozenset(keys),
        numbers=frozenset(numbers),
        focus=frozenset({focus} if focus else ()),
        qclass=qclass,
        head=head,
        bigrams=frozenset(zip(ordered, ordered[1:])),
    )


def question_names(question: Question) -> list[str]:
    """The names the question turns on, and its years, as it was read (capitals restored
    when it was typed without them): what a follow-up with a pronoun is still about."""
    names: list[str] = []
    for token in re.findall(r"\w+(?:[.,'’\-/]\w+)*", question.as_read):
        word = fold(token).strip(".,").split("'", 1)[0]
        if not word or not is_content(word) or word in WH_WORDS or token in names:
            continue
        if any(ch.isdigit() for ch in token):  # a year says which; "52nd", "3.5" are details
            named = _YEAR.fullmatch(word) is not None
        else:  # "iPod"; the first word too ("Beyonce portrayed ..."), which `keys` leaves out
            named = any(ch.isupper() for ch in token)
        if named:
            names.append(token)
    return names


def foreign_language(text: str) -> str | None:
    """Why a question is not English ("written in Cyrillic script", "looks German"), or None.

    A question mostly in a non-Latin script is not English; one in Latin letters is when
    another language's words (its stop words, and words with letters English does not
    write: "dışişleri", "trưởng") clearly outnumber English stop words ("Wer hat ...
    gewonnen?").
    """
    letters = [ch for ch in text if ch.isalpha()]
    if letters:
        latin = sum(1 for ch in letters if ch.isascii() or "\u00c0" <= ch <= "\u024f")
        if latin / len(letters) < 0.5:
            return "not in the Latin alphabet"
    # "U.S.", "M-1A" and "Brazil's" are one word each: split at their dots, hyphens and
    # apostrophes they were "u", "s", "m", which Romanian and Czech list as stop words.
    # Nor do the parts of a name count ("Cor van der Klugt", "Banca Nazionale del Lavoro",
    # "Mayor de Blasio", "Deja Vu"): words written with a capital after the first, and one or
    # two words between two such.
    raw = _TOKEN.findall(text)
    named = [i > 0 and t[:1].isupper() for i, t in enumerate(raw)]
    for i in range(len(raw)):
        for width in (1, 2):
            between = i > 0 and i + width < len(raw) and named[i - 1] and named[i + width]
            if between and not any(named[i : i + width]):
                named[i : i + width] = [True] * width
    tokens = [re.split(r"['’]", t.lower(), maxsplit=1)[0] for t, n in zip(raw, named) if not n]
    tokens += [ch for ch in text if ch in "¿¡"]
    english = sum(1 for t in tokens if t in spacy_stop_words("en"))
    speakers = [[lang for lang in _OTHER_LANGUAGES if _is_word_of(t, lang)] for t in tokens]
    hits = {lang: sum(1 for langs in speakers if lang in langs) for lang in _OTHER_LANGUAGES}
    best = max(hits.values())
    if best < 2 or best < 2 * english + 1:
        return None
    # Which language: each word counts less the more languages share it ("de" is in nine
    # lists, "gagné" in none, "qui" in three), and one is named only when it clearly leads:
    # short questions in related languages share their words ("Hvem er ...": Danish or
    # Norwegian), and a wrong name is worse than none.
    weight = {lang: sum(1 / len(langs) for langs in speakers if lang in langs) for lang in _OTHER_LANGUAGES}
    (first, lang), (second, _) = sorted(((w, lang) for lang, w in weight.items()), reverse=True)[:2]
    return f"looks like {_NAMES[lang]}" if first >= _NAMED_LEAD * second else "does not look like English"


def _is_word_of(token: str, lang: str) -> bool:
    return token in spacy_stop_words(lang) or _written_in(token, lang)


def _written_in(token: str, lang: str) -> bool:
    letters = _LETTERS.get(lang, "")
    return any(ch in letters for ch in token)


_TOKEN = re.compile(r"\w+(?:[.'’\-]\w+)*")
# How far the likeliest language must lead the next (in words weighed by how many languages
# share them) to be named; closer, the message only says the question is not English.
_NAMED_LEAD = 1.2
_NAMES = {
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "sv": "Swedish",
    "da": "Danish",
    "nb": "Norwegian",
    "pl": "Polish",
    "ro": "Romanian",
    "cs": "Czech",
    "tr": "Turkish",
    "id": "Indonesian",
    "fi": "Finnish",
    "hu": "Hungarian",
    "sk": "Slovak",
    "hr": "Croatian",
    "sl": "Slovenian",
    "tl": "Tagalog",
    "vi": "Vietnamese",
    "et": "Estonian",
    "ca": "Catalan",
}
