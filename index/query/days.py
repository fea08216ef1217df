"""Days a quoted sentence names relative to its article's date, counted from that date.

News says when by the day of the week: "the high command said on Sunday", "Sunday's
battle", "the council meets on Tuesday", "yesterday". To "When ...?" such a sentence is
the answer, but the reader would have to count back from the article's date. The answer
says the dates in a note (`days_note`); the quotes stay as the article wrote them.

A weekday is counted forward when its clause speaks of the future before it ("will meet
on Tuesday", "is due to sign on Friday", "ahead of Sunday's vote", "next Friday"), else
back to its last occurrence on or before the article's date (the same day when they
match: "said on Tuesday" in a Tuesday story) when a verb in the past is near and none of
the future follows in its clause ("said on Monday", "Sunday's battle, officers said",
"last Friday"). Not counted: a weekday with neither ("talks resume Tuesday") or with both
("said on Monday it will ..."), a deadline ("by Wednesday"), a future weekday that is the
article's own (today or in a week; "next Tuesday" in a Tuesday story is a week on), every
such day ("the first Wednesday of the month"), a day in a name ("Black Monday",
"expiration Friday", "the Sunday Times", "USA Today") and a weekday written with its date
("Tuesday, March 3"). Clauses end at commas, colons, dashes and sentence ends.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING

from index.dates import MONTH_NAME, from_day, published_day

if TYPE_CHECKING:
    from index.query.answer import Answer
    from index.query.question import Question

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_OFFSETS = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}
_DAY = re.compile(rf"\b(?:(last|next|this)\s+)?({'|'.join(WEEKDAYS)}|{'|'.join(_OFFSETS)})(['’]s)?\b", re.I)
# A weekday with its date, which needs no counting: "Tuesday, March 3", "Tuesday 3 March", "Tuesday the 3rd"
_WITH_DATE = re.compile(
    rf",?\s+(?:(?:{MONTH_NAME})\.?\s+\d|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{MONTH_NAME})|the\s+\d{{1,2}}(?:st|nd|rd|th)?\b)",
    re.I,
)
# "Black Monday", "Good Friday", "expiration Friday": names, not days of the article's week
_HOLIDAYS = frozenset([
    "expiration", "witching", "black", "good", "super", "ash", "cyber", "holy", "easter", "palm",
    "bloody", "maundy", "shrove", "fat", "blue",
])  # fmt: skip
# Words of the future ("due", but not "due to" a cause: "due to remarks on Sunday")
_FUTURE = re.compile(
    r"\b(?:will|shall|would|should|might|(?-i:may)|'ll|scheduled|expected|expects?\s+to|(?:plans?|planned)\s+to|set\s+to|"
    r"(?:is|are|be)\s+to|due(?!\s+to\s+(?:the|a|an|his|her|its|their|this|that|these|those|\w+(?:s|ing|ed|ion)\b)))\b",
    re.I,
)
# Verbs of a timetable, whose present speaks of the future just before a day ("The dispute
# goes to the Commission on Monday")
_TIMETABLE = re.compile(
    r"\b(?:goes|meets|opens|closes|begins|resumes|arrives|leaves|visits|holds|expires|convenes|reconvenes)\b",
    re.I,
)
# Right before a day: "ahead of Sunday's vote", "the upcoming Friday session"
_SOON = re.compile(r"\b(?:ahead|upcoming|coming|next)\b", re.I)
_SOON_WORDS = 3
# "the first and third Wednesday of the month", "every Friday", "Monday to Friday": no one day
_EVERY = frozenset(["every", "each", "first", "second", "third", "fourth", "fifth"])
_SPAN = frozenset(["to", "through", "thru", "-"])
_POSSESSIVE = re.compile(r"['’]s$")
# Verbs in the past: "-ed" forms (not these words that only end so) and the irregular ones news uses
_PAST_IRREGULAR = frozenset([
    "said", "told", "was", "were", "had", "did", "made", "took", "came", "went", "won", "lost",
    "rose", "fell", "began", "met", "left", "gave", "sold", "bought", "held", "saw", "paid", "shut",
    "spent", "struck", "broke", "fled", "led", "sent", "thought", "brought", "ran", "wrote",
    "spoke", "became", "chose", "fought", "drew", "grew", "knew", "threw", "flew", "quit",
])  # fmt: skip
_NOT_PAST = frozenset([
    "need", "speed", "feed", "seed", "hundred", "indeed", "bed", "red", "united", "proceed",
    "exceed", "succeed", "breed", "shed", "weed", "embed",
])  # fmt: skip
_NEAR_WORDS = 6  # words either side of the day where a verb in the past is looked for
# The clause before the day is where words of the future are looked for ("Asked if Reagan
# would discuss it before leaving for the summit on Wednesday"). A sentence ends a clause
# too; not "U.S." or "Mr." ("U.S. Trade Representative ... would meet").
_SENTENCE_END = r"(?<![A-Z])(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bSt)(?<!\bCo)(?<!\bInc)(?<!\bLtd)[.?!]"
_CLAUSES = re.compile(rf"[,;:—–…]|\s-\s|(?<={_SENTENCE_END})\s+(?=[\"“A-Z])")
_ENDS = re.compile(r"[.?!:\"“\-–—]$")  # after such a word, a capital starts a sentence ("NEW YORK - Today's")
_WINDOW = 300  # characters either side of a day that are read
_CLAUSE_WORDS = 15
_DEADLINES = frozenset(["by", "until", "till", "before"])  # a deadline says neither past nor future
# "a Sunday paper", "the Sunday Times", "Monday Night Football": no day of the article's week
_NAMED_AFTER = frozenset(["paper", "papers", "newspaper", "newspapers", "edition", "editions"])
_DATED = re.compile(rf"\b(?:{MONTH_NAME})\.?\s+\d", re.I)  # "March 20, the next expiration Friday"
_SHOWN = 3  # days named in one note
_ASKS_DAY = frozenset(["when", "what:day", "what:date", "which:day", "which:date"])


def days_named(text: str, published: date) -> list[tuple[str, date]]:
    """(the words as written, the day they name) for each day of the text relative to
    `published`; what cannot be counted for sure is left out (and a day before the first
    or after the last date Python has: an article dated 0001-01-01, a placeholder)."""
    found = []
    for m in _DAY.finditer(text):
        try:
            day = _day_named(text, m, published)
        except OverflowError:
            continue
        if day is not None:
            found.append((m.group(0), day))
    return found


def _day_named(text: str, m: re.Match[str], published: date) -> date | None:
    # the words around the day: enough for the clause before it and the verbs near it
    before = text[max(0, m.start() - _WINDOW) : m.start()].split()
    after = text[m.end() : m.end() + _WINDOW].split()
    if before and before[-1].lower().strip("\"'“(") in _HOLIDAYS:
        return None
    named = after and (
        after[0][:1].isupper() and not m.group(3) or after[0].lower().strip(".,;:") in _NAMED_AFTER
    )
    which, word = (m.group(1) or "").lower(), m.group(2).lower()
    if named or (word in _OFFSETS and m.group(2)[:1].isupper() and before and not _ENDS.search(before[-1])):
        return None  # "the Sunday Times"; "USA Today", "the Today programme"
    if word in _OFFSETS:  # "this today" is no phrase; "last tonight" neither
        return None if which else published + timedelta(days=_OFFSETS[word])
    if _DATED.search(" ".join(before[-_NEAR_WORDS:])) or _WITH_DATE.match(text, m.end()):
        return None
    if _no_one_day(before, after[:2]):
        return None
    weekday = WEEKDAYS.index(word)
    clause = _CLAUSES.split(" ".join(before))[-1].split()[-_CLAUSE_WORDS:]
    future = which == "next" or (
        which != "last"
        and (
            _FUTURE.search(" ".join(clause)) is not None
            or _TIMETABLE.search(" ".join(clause[-_NEAR_WORDS:])) is not None
            or _SOON.search(" ".join(clause[-_SOON_WORDS:])) is not None
        )
    )
    if not future and before and before[-1].lower() in _DEADLINES:  # "by Wednesday, the
        return None  # dollar climbed"; "settled by Thursday, there will be a strike"
    to_come = _FUTURE.search(" ".join(_CLAUSES.split(" ".join(after))[0].split()[:_CLAUSE_WORDS]))
    past = any(_past(w) for w in before[-_NEAR_WORDS:] + after[:_NEAR_WORDS]) and to_come is None
    if not future and which != "last" and not past:  # "said on Monday it will": which?
        return None
    if future:
        ahead = (weekday - published.weekday()) % 7
        if ahead == 0 and which != "next":
            return None
        return published + timedelta(days=ahead or 7)
    back = (published.weekday() - weekday) % 7
    return published - timedelta(days=back or (7 if which == "last" else 0))


def _no_one_day(before: list[str], after: list[str]) -> bool:
    """A weekday that is every such day or one end of a span of them."""
    if before and before[-1].lower() in _EVERY or after[:1] == ["of"]:
        return True
    spans = [(before[-2:-1], before[-1:]), (after[1:2], after[:1])]
    return any(
        link
        and other
        and link[0].lower() in _SPAN
        and _POSSESSIVE.sub("", other[0].lower().strip(".,;:")) in WEEKDAYS
        for other, link in spans
    )


def _past(word: str) -> bool:
    word = word.lower().strip(".,;:\"'“”()")
    return word in _PAST_IRREGULAR or (word.endswith("ed") and len(word) > 3 and word not in _NOT_PAST)


def asks_for_a_day(question: Question) -> bool:
    """The question a day of the article's week answers: "When did ...?", "On what day ...?"."""
    return question.head in _ASKS_DAY


def days_note(answer: Answer) -> str:
    """The dates the days named in the answer's quotes stand for, counted from each quoted
    article's date ("" when none names one, or its article is undated)."""
    parts: list[str] = []
    for source in answer.sources:
        day = published_day(source.published)
        if day is None or not source.quote:
            continue
        for words, when in days_named(source.quote, from_day(day)):
            part = f'"{words}" [{source.n}] is {when.isoformat()}'
            if part not in parts:
                parts.append(part)
    if not parts:
        return ""
    return "Days counted from each article's date: " + "; ".join(parts[:_SHOWN]) + "."
