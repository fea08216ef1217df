"""The periods a text names: months, years and quarters.

News facts are tied to a period ("surplus in March", "1986 net profit", "first-quarter
income"), and a sentence stating the same fact for another period is the typical wrong
answer: the question asks for March, the article reports February. `clash` tells the
answerer when a sentence names periods of the kind the question names, but not the
question's own. A wire dateline ("WIESBADEN, March 26 - ...") is the publication date,
not the period the sentence reports on, so it is left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Capitalised only: "may" is a verb far more often than a month.
_MONTH = re.compile(
    r"\b(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b"
)
_YEAR = re.compile(r"(?<![\d.,$])\b(1[89]\d\d|20\d\d)(?:s\b|\b)(?![.,]\d)")
_QUARTER = re.compile(r"\b(first|second|third|fourth|1st|2nd|3rd|4th)[- ]quarter\b|\b([Qq][1-4])\b", re.I)
_QUARTER_NUMBER = {
    "fi": "1",
    "1s": "1",
    "q1": "1",
    "se": "2",
    "2n": "2",
    "q2": "2",
    "th": "3",
    "3r": "3",
    "q3": "3",
}
_QUARTER_NUMBER |= {"fo": "4", "4t": "4", "q4": "4"}
# "LONDON, June 18 -", "SOUTHFIELD, Mich., April 3 -", "PARIS (AP) —": a place in capitals,
# then only capitalised words, numbers and brackets, then a dash.
_DATELINE = re.compile(
    r"^\s*[A-Z][A-Z.'’&-]{2,}(?:[\s,]+(?:[A-Z0-9][\w.'’&-]*|\([\w .]+\)))*\s*(?:-{1,2}|–|—)\s"
)


@dataclass(frozen=True)
class Periods:
    months: frozenset[str]  # "jan" ... "dec"
    years: frozenset[str]  # "1987"
    quarters: frozenset[str]  # "1" ... "4"

    def kinds(self) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        return self.months, self.years, self.quarters

    def __bool__(self) -> bool:
        return bool(self.months or self.years or self.quarters)


@lru_cache(maxsize=8192)
def periods(text: str) -> Periods:
    """Months, years and quarters named in `text` (sentence-initial "May" counts too),
    after its dateline if it opens with one."""
    text = _DATELINE.sub("", text, count=1)
    months = frozenset(m.group(1)[:3].lower() for m in _MONTH.finditer(text))
    years = frozenset(_YEAR.findall(text))
    quarters = frozenset(
        _QUARTER_NUMBER[(m.group(1) or m.group(2)).lower()[:2]] for m in _QUARTER.finditer(text)
    )
    return Periods(months, years, quarters)


def clash(asked: Periods, stated: Periods) -> tuple[int, int]:
    """(kinds where both name periods and share none, kinds where they share one).

    "net income in the first quarter of 1987" against "fourth-quarter net income rose"
    clashes on quarters; against "1987 first-quarter" it matches twice."""
    wrong = right = 0
    for a, b in zip(asked.kinds(), stated.kinds()):
        if a and b:
            if a & b:
                right += 1
            else:
                wrong += 1
    return wrong, right
