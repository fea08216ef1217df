"""What kind of answer a question asks for, when the wording says so ("how many", "what year").

Term overlap alone is fooled by a word in another sense: "How long did the meeting
last?" matched "the meeting ... as the last trip" and got a confident non-answer. When a
question asks for a quantity, a duration or a year and no sentence that retrieval ranks
near the top states one, the articles don't answer it.
"""

from __future__ import annotations

import re

_COUNT_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|"
    r"fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|millions?|billions?|dozens?|several|"
    r"half|once|twice|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth"
)
_NUMBER = rf"(?:\d[\d,.]*|{_COUNT_WORDS}|an?|a few|few)"
_UNITS = r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centur(?:y|ies))"

_KINDS: list[tuple[str, re.Pattern[str], re.Pattern[str]]] = [
    (
        "duration",
        re.compile(r"^\s*(?:for\s+)?how long\b", re.I),
        re.compile(
            rf"\b{_NUMBER}[\s-]+(?:and a half\s+)?{_UNITS}\b|\b(?:hours|days|weeks|months|years)\b", re.I
        ),
    ),
    (
        "year",
        re.compile(r"^\s*(?:in\s+)?(?:what|which) year\b", re.I),
        re.compile(r"\b(?:1[5-9]|20)\d\d\b"),
    ),
    (
        "age",
        re.compile(r"^\s*how old\b", re.I),
        re.compile(
            r"\b\d+[\s-]*years?[\s-]*old\b|\baged?\s+\d+|\bage of \d+|\(\s*\d{1,3}\s*\)|\w,\s*\d{1,3}\s*,",
            re.I,
        ),
    ),
    (
        "money",
        re.compile(
            r"^\s*how much\b.*\b(?:cost|costs|costing|spend|spent|pay|paid|worth|price|priced|fund|funding|"
            r"aid|budget|fine|fined)\b",
            re.I,
        ),
        re.compile(
            r"[$€£¥₽]\s?\d|\b\d[\d,.]*\s*(?:dollars|euros|pounds|rubles|roubles|yuan)\b|"
            r"\b(?:millions?|billions?|trillions?)\b|\b(?:USD|EUR|GBP|RUB)\b",
            re.I,
        ),
    ),
    (
        "quantity",
        re.compile(r"^\s*how (?:many|much)\b", re.I),
        re.compile(rf"\d|\b(?:{_COUNT_WORDS})\b", re.I),
    ),
]


def expected_kind(question: str) -> str | None:
    """'duration', 'year', 'age', 'money' or 'quantity' when the question's wording asks for one."""
    for kind, asks, _ in _KINDS:
        if asks.search(question):
            return kind
    return None


def states(kind: str, sentence: str) -> bool:
    """Whether a sentence states something of that kind (a number, a year, a duration)."""
    for name, _, pattern in _KINDS:
        if name == kind:
            return bool(pattern.search(sentence))
    return True
