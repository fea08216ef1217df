"""The title a question gives a person ("producer Neal Purvis"), and the reader's check that
a quoted sentence does not give that person another one.

"Producer Neal Purvis revealed that the film would provide what?" is not answered by
"screenwriters Neal Purvis and Robert Wade revealed that the film would provide ...":
every word but the title matches, and SQuAD 2.0 writes unanswerable questions so. A
title here is a word of a short table of roles people are named with in news and
encyclopaedias (jobs in film and music, offices), written right before a capitalised
name; words for the same role are one entry ("writer", "screenwriter", "author"; "chief
executive", "CEO"). Ranks and nobility ("General", "Prince", "Queen") are left out: they
begin names as often ("General Motors", "Twilight Princess", "Queens"). A sentence gets
probability 0 in `without_other_titles` when it writes one of the question's names right
after another title and never writes the question's title. The limit: a person with two
titles ("Chrysler chairman Lee Iacocca", asked about as its president) is answered only
from sentences that write the title asked for.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from index.query.agreement import without_contradicting
from index.query.names import name_tokens

if TYPE_CHECKING:
    from index.query.features import Row

# One line per role; the words on a line name the same role.
_ROLES = """
writer screenwriter author novelist scriptwriter playwright
producer
director filmmaker
designer
composer songwriter
actor actress
editor
singer vocalist
drummer
guitarist
photographer cinematographer
supervisor
chairman chairwoman chairperson
president
ceo executive
spokesman spokeswoman spokesperson
secretary
minister
governor
senator
ambassador
treasurer
economist
analyst
manager
coach
captain
judge
lawyer attorney
professor
commander
"""


def _table() -> dict[str, int]:
    """Each role word and its plural, to its line: whole words, as "produce" is no producer."""
    out: dict[str, int] = {}
    for group, line in enumerate(_ROLES.strip().splitlines()):
        for word in line.split():
            out[word] = out[word + "s"] = group
    return out


_ROLE = _table()


def _role(word: str) -> int | None:
    return _ROLE.get(word)


def is_role(word: str) -> bool:
    """Whether the (lower-case) word is a role people are named with ("ambassador")."""
    return word in _ROLE


@lru_cache(maxsize=4096)
def titled_names(question: str) -> tuple[tuple[int, frozenset[str]], ...]:
    """(role, the words of the name) for each title the question writes before a name."""
    words, named = name_tokens(question)
    out = []
    for i in range(len(words) - 1):
        role = _role(words[i])
        if role is None or not named[i + 1] or _role(words[i + 1]) is not None:
            continue
        end = i + 1
        while end < len(words) and named[end]:
            end += 1
        out.append((role, frozenset(words[i + 1 : end])))
    return tuple(out)


def verdict(asked: tuple[tuple[int, frozenset[str]], ...], sentence: str) -> tuple[bool, bool]:
    """(the sentence titles one of the question's names otherwise and never writes the
    question's title, it writes the question's title before the name)."""
    words, named = name_tokens(sentence)
    roles = [_role(w) for w in words]
    wrong = right = False
    for role, name in asked:
        for j in range(1, len(words)):
            if not named[j] or words[j] not in name or (named[j - 1] and roles[j - 1] is None):
                continue  # inside a name: look from its first word
            before = roles[j - 1]
            if before == role:
                right = True
            elif before is not None and role not in roles:
                wrong = True
    return wrong, right


def without_other_titles(question: str, rows: list[Row], probabilities: np.ndarray) -> np.ndarray:
    """Probabilities with 0 for sentences that give the question's person another title,
    and for the rest of an article whose best sentence does (`index.query.agreement`)."""
    asked = titled_names(question)
    return without_contradicting(asked, rows, probabilities, lambda text: verdict(asked, text))
