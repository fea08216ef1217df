"""A bounded conversation that turns follow-ups into standalone questions.

In `llm` mode the LLM's condense prompt rewrites the follow-up; in `extractive` mode the
previous question's subject is carried into a follow-up that leans on it (`carry_subject`):
its names alone for a new question of "he" or "it", its words but the replaced name for
"And Stoltenberg?", all its words for more of the same event ("When was that?"), and the
names the pronouns most likely point at in the previous answer (entities spaCy found at
index time). A refused follow-up can be asked of each name alone (`one_name_each`).

"Tell me more" (or "more", "go on", "what else?") asks the previous question again for
what has not been quoted yet: `more_of` gives that question and every sentence the
conversation has quoted for it since.
"""

from __future__ import annotations

import re
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from index.dates import MONTH_NAME
from index.query.answer import quoted_sentences
from index.query.question import WH_WORDS, question_class
from index.text import is_content, words

if TYPE_CHECKING:
    from index.query.answer import Answer

_LEADING = re.compile(r"^(and|but|so|also|then|ok(ay)?|what about|how about)\b[\s,]*", re.IGNORECASE)
REFERRING = frozenset(
    [
        "it",
        "its",
        "he",
        "him",
        "his",
        "she",
        "her",
        "they",
        "them",
        "their",
        "this",
        "that",
        "these",
        "those",
        "there",
        "then",
    ]
)
_MORE = re.compile(
    r"^(?:(?:and|ok(?:ay)?|so|well)[\s,]+)?(?:(?:please\s+)?(?:(?:can|could|would)\s+you\s+)?"
    r"(?:(?:tell|give|show)\s+me\s+(?:some\s+)?more(?:\s+(?:details|about|on)(?:\s+(?:it|that|this|him|her|them))?)?"
    r"|(?:say|tell)\s+more|more(?:\s+(?:details|on\s+(?:it|that|this)|about\s+(?:it|that|this|him|her|them)))?"
    r"|go\s+on|continue|keep\s+going|(?:is\s+there\s+)?any(?:thing)?\s+(?:else|more)|what\s+else|and\s+then))"
    r"(?:,?\s+please)?[\s?.!]*$",
    re.IGNORECASE,
)
# A word that names a period by itself ("February", "1987", "3/13/1987", "week"): a follow-up
# with one asks for its own period, not the last question's.
_PERIOD = (
    rf"{MONTH_NAME}|\d{{4}}|\d{{1,4}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}"
    r"|days?|weeks?|weekend|months?|years?|quarter|today|yesterday|tonight"
)
_PERIOD_WORD = re.compile(rf"(?:{_PERIOD})", re.I)
# A word of a date: those, a day ("3rd"), or a word that counts a period from the news ("last
# week", "the past two months", "the first quarter"; alone, "first" or "two" may be anything).
_DATE_WORD = re.compile(
    rf"(?:{_PERIOD}|\d{{1,2}}(?:st|nd|rd|th)?"
    r"|last|past|previous|next|coming|recent|latest|early|late|first|second|third|fourth|two|three|four"
    r"|few|half)",
    re.I,
)
# Which entity labels a pronoun (or phrase) of a follow-up may stand for.
_POINTS_AT: list[tuple[frozenset[str], frozenset[str]]] = [
    (frozenset(["he", "him", "his", "she", "her", "hers"]), frozenset(["PERSON"])),
    (frozenset(["they", "them", "their", "side"]), frozenset(["ORG", "NORP", "GPE", "PERSON"])),
    (frozenset(["it", "its"]), frozenset(["ORG", "PRODUCT", "FAC", "EVENT", "LAW", "WORK_OF_ART"])),
    (frozenset(["there"]), frozenset(["GPE", "LOC", "FAC"])),
]
MAX_CARRIED_NAMES = 2
MAX_RETRIED_NAMES = 3  # a refused follow-up is asked again of at most this many names alone


class Condenser(Protocol):
    def condense(self, history: list[tuple[str, str]], question: str) -> str: ...


@dataclass
class Turn:
    question: str
    standalone: str
    answer: str
    entities: list[tuple[str, str]] = field(default_factory=list)  # (name, label) in the answer
    quoted: frozenset[str] = frozenset()  # sentences quoted for `standalone` so far, this turn's included
    names: list[str] = field(default_factory=list)  # the names `standalone` was read with


def wants_more(question: str) -> bool:
    """Is this "tell me more" about the previous question, not a question of its own?"""
    return bool(_MORE.match(question.strip()))


class Conversation:
    """History of one chat (a CLI session, a Discord thread); oldest turns drop off."""

    def __init__(self, max_turns: int = 6) -> None:
        self.turns: deque[Turn] = deque(maxlen=max(1, max_turns))
        self.last_answer: Answer | None = None
        self.touched = time.monotonic()

    def reset(self) -> None:
        self.turns.clear()
        self.last_answer = None

    def record(self, question: str, standalone: str, answer: Answer) -> None:
        quoted = quoted_sentences(answer)
        if self.turns and self.turns[-1].standalone == standalone:  # "tell me more": one chain
            quoted |= self.turns[-1].quoted
        entities = list(getattr(answer, "entities", []))
        names = list(getattr(answer, "names", []))
        if self.turns and standalone != question:  # carried in lower case, maybe not read as names
            asked = set(words(standalone))
            names += [n for n in self.turns[-1].names if set(words(n)) <= asked and n not in names]
        self.turns.append(Turn(question, standalone, answer.text, entities, frozenset(quoted), names))
        self.last_answer = answer
        self.touched = time.monotonic()

    def more_of(self) -> tuple[str, frozenset[str], frozenset[str]] | None:
        """(the previous question as asked standalone, every sentence the conversation
        has quoted: for it, and for the questions before it, which the reader has seen
        too; and those quoted for it alone), for a "tell me more"; None before any
        question. A list of articles pages by its own: an article an earlier question
        quoted has not been listed."""
        if not self.turns:
            return None
        last = self.turns[-1]
        return last.standalone, frozenset().union(*(t.quoted for t in self.turns)), last.quoted

    def standalone(self, question: str, condenser: Condenser | None = None) -> str:
        """The question as it would be asked without the conversation."""
        if not self.turns:
            return question
        if condenser is not None:
            history = [(t.question, t.answer) for t in self.turns]
            try:
                rewritten = condenser.condense(history, question).strip()
            except Exception:  # a dead LLM must not stop the conversation
                rewritten = ""
            if rewritten:
                return rewritten
        last = self.turns[-1]
        return carry_subject(last.standalone, question, last.entities, last.names)

    def one_name_each(self, question: str) -> list[str]:
        """The follow-up asked of each of the previous question's names alone, when it asks
        something new of "he" or "it" and that question gave several ("What percentage of
        the population of it ...?" after "The NASDAQ is located on what street in NYC?"):
        which one "it" is, the articles may say by answering one. [] otherwise."""
        if not self.turns:
            return []
        last = self.turns[-1]
        subject = last.names or _capitalised(last.standalone)
        core = _LEADING.sub("", question.strip()).strip()
        if not subject or not _asks_anew(core):
            return []
        runs = _name_runs(last.standalone, subject)[:MAX_RETRIED_NAMES]
        if len(runs) < 2:
            return []
        have = set(_subject_terms(core))
        carried = [[w for name in run for w in _subject_terms(name) if w not in have] for run in runs]
        return [_with_carried(core, run_words) for run_words in carried if run_words]


def _name_runs(text: str, subject: list[str]) -> list[list[str]]:
    """The runs of consecutive words of `text` that are among the names ("Yongle Emperor",
    "Tibet"), each once, in order; a name carried in (the brackets at the end, where
    carried words stand side by side) one by one."""
    named = {w for name in subject for w in words(name)}
    asked, _, carried = text.partition(" (")
    runs: list[list[str]] = []
    current: list[str] = []
    for token in [*_TOKEN.findall(asked), ""]:
        if token and set(words(token)) & named:
            current.append(token)
            continue
        if current and current not in runs:
            runs.append(current)
        current = []
    seen = {w for run in runs for token in run for w in words(token)}
    runs += [[w] for w in words(carried) if w in named and w not in seen]
    return runs


def _subject_terms(text: str) -> list[str]:
    return [w for w in words(text) if is_content(w) and w not in WH_WORDS]


def is_follow_up(question: str) -> bool:
    """Does the question lean on what came before ("and what did Lavrov say?", "when was that?")?"""
    tokens = words(question)
    if _LEADING.match(question.strip()):
        return True
    if any(t in REFERRING for t in tokens):
        return True
    terms = _subject_terms(question)  # "April 1987?": the last question's, then
    return len(terms) <= 1 or all(_DATE_WORD.fullmatch(t) for t in terms)


_PERSONAL = REFERRING - {"this", "that", "these", "those", "then", "there"}
_HE_SHE = frozenset(["he", "him", "his", "she", "her", "hers"])
# "that" of an event: at the end ("When was that?"), or after a verb or preposition
# ("after that", "was that ...", "did that"); not "the piano that arrived"
_EVENT = re.compile(
    r"\b(?:then|(?:this|that|these|those)(?=\W*$)|"
    r"(?:was|is|were|are|did|does|do|about|after|before|of|for|with|by|since|from)\s+(?:this|that|these|those))\b",
    re.I,
)


def _asks_anew(core: str) -> bool:
    """Whether a follow-up asks something new (words of its own besides its pronouns and
    dates) of a name it calls "he", "she", "it" or "they" ("Who took his heart to
    Poland?"), not more of the same event ("When was that?")."""
    if _EVENT.search(core) or not set(words(core)) & _PERSONAL:
        return False
    return any(not _DATE_WORD.fullmatch(t) for t in _subject_terms(core))


_PREPOSITIONS = frozenset(["about", "in", "for", "on", "at", "from", "to", "with", "of", "by", "against"])
_TOKEN = re.compile(r"[\w'’.-]*\w")


def _swapped(core: str, previous: str, subject: list[str], connected: bool = True) -> str | None:
    """The previous question without the name a follow-up asks the same of instead: its
    first names ("And Stoltenberg?", "And what did Lavrov say?" after "What did Baker say
    about the dollar?"), or those after the follow-up's preposition ("And about Ukraine?"
    after "What did Blinken say about Russia?"). None when the follow-up is not that: it
    has a pronoun, a date, words other than names, neither a wh-word nor a word that joins
    it on (`connected`: "and", "what about"), or the previous question no such name."""
    tokens = _TOKEN.findall(core)
    if not tokens or set(words(core)) & REFERRING or any(_DATE_WORD.fullmatch(t) for t in tokens):
        return None
    if not connected and not set(words(core)) & WH_WORDS:  # "Source?" is no name in place of Baker
        return None
    content = [t for t in tokens if is_content(t.lower()) and t.lower() not in WH_WORDS]
    if not content or not all(any(ch.isupper() for ch in t) for t in content):
        return None
    named = {w for name in subject for w in words(name)}
    before = _TOKEN.findall(previous)
    is_name = [bool(set(words(t)) & named) for t in before]
    preposition = tokens[0].lower() if tokens[0].lower() in _PREPOSITIONS else ""
    starts = [
        i
        for i, name in enumerate(is_name)
        if name and (not preposition or (i > 0 and before[i - 1].lower() == preposition))
    ]
    if not starts:
        return None
    end = starts[0]
    while end < len(before) and is_name[end]:
        end += 1
    return " ".join(before[: starts[0]] + before[end:])


def _capitalised(text: str) -> list[str]:
    """The words a question writes with a capital, its first word aside."""
    return [t for t in _TOKEN.findall(text)[1:] if t[:1].isupper()]


def _names_pointed_at(
    question: str, entities: list[tuple[str, str]], subject: list[str], asked_who: bool
) -> list[str]:
    """Names from the previous answer that the follow-up's pronouns may stand for. When
    the previous question named its subject, only a person it asked for ("she" after "Who
    is the Russian Foreign Ministry spokesperson?"); "its" after "Who directed Spectre?"
    is Spectre, not a film the answer names."""
    tokens = set(words(question))
    labels: set[str] = set()
    for pronouns, kinds in _POINTS_AT:
        if tokens & pronouns:
            labels |= kinds
    if subject and not (asked_who and tokens & _HE_SHE):
        return []
    names = [name for name, label in entities if label in labels]
    return list(dict.fromkeys(names))[:MAX_CARRIED_NAMES]


def carry_subject(
    previous: str,
    question: str,
    entities: list[tuple[str, str]] | None = None,
    names: list[str] | None = None,
) -> str:
    """Extractive-mode rewrite: keep the follow-up, append the previous question's subject
    and the names from the previous answer its pronouns may stand for.

    A follow-up that asks something new of a name it calls "he" or "it" ("Who composed its
    theme song?" after "Who directed Spectre?") takes the previous question's names alone
    (`names`, as that question was read; its capitalised words when none were): with
    its other words ("directed"), it was asked the previous question again. One that asks
    the same of another name ("And Stoltenberg?", "What about Miyazawa?", "And what did
    Lavrov say?") takes its words but the name it replaces (`_swapped`); one that asks more
    of the same event ("When was that?", "Why?", "And in April?"), all of them."""
    if not is_follow_up(question):
        return question
    core = _LEADING.sub("", question.strip()).strip()
    have = set(_subject_terms(core))
    subject = names or _capitalised(previous)  # none read: an overview, a list of articles
    anew = bool(subject) and _asks_anew(core)  # a question naming nobody: its words are its subject
    if anew:
        carried = [w for name in subject for w in _subject_terms(name) if w not in have]
    else:
        swapped = _swapped(core, previous, subject, _LEADING.match(question.strip()) is not None)
        carried = [w for w in _subject_terms(swapped or previous) if w not in have]
    if any(_PERIOD_WORD.fullmatch(w) for w in have):  # "February 1987?" after "... in March 1987?"
        carried = [w for w in carried if not _DATE_WORD.fullmatch(w)]
    asked_who = question_class(previous) == "who"
    for name in _names_pointed_at(core, entities or [], subject if anew else [], asked_who):
        carried.extend(w for w in _subject_terms(name) if w not in have)
    if not carried:
        return core or question
    return _with_carried(core, carried)


def _with_carried(core: str, carried: list[str]) -> str:
    """The follow-up with the words it carries in brackets ("Who founded it (nyc)?")."""
    return f"{core.rstrip('?').strip()} ({' '.join(dict.fromkeys(carried))})?"
