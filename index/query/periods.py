"""The periods a text names (months, years, quarters), and the reader's check that a
quoted sentence is about the period the question asks for.

News facts are tied to a period ("surplus in March", "1986 net profit", "first-quarter
income"), and a sentence stating the same fact for another period is the typical wrong
answer: the question asks for March, the article reports February. Its words match the
question as well as the right sentence's would, so no word-overlap feature tells them
apart; `without_other_periods` sets such sentences' probability to 0 after the model has
scored them. A wire dateline ("WIESBADEN, March 26 - ...") is the publication date, not
the period the sentence reports on, so it is left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from index.dates import from_day
from index.query.agreement import without_disagreeing

if TYPE_CHECKING:
    from index.query.features import Row

_MONTHS = (
    r"Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?"
)
# Capitalised only: "may" is a verb far more often than a month.
_MONTH = re.compile(rf"\b({_MONTHS})\b")
# Questions are often typed in lower case ("surplus in march 1987"): there a month counts
# when a day or year follows it, or "in/of/since/..." comes before it.
_ASKED_MONTH = re.compile(
    r"\b(?:(january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?(?=\s+\d)"
    r"|\b(?:in|of|since|by|for|until|during|from|to)\s+(january|february|march|april|may|june|july"
    r"|august|september|october|november|december)\b)",
    re.I | re.A,
)
# A day of a month: "April 8", "Sept. 11th", "8 April", "the 8th of April"; not "April
# 1987", nor the first day of a range ("March 3-5", "3 to 5 March": which day is asked?).
_RANGE_WORD = r"\s*(?:-|–|to|and|through|or|until)\s*"
_ANY_MONTH = rf"(?:{_MONTHS})"
_NOT_A_RANGE = rf"(?!{_RANGE_WORD}(?:{_ANY_MONTH}\.?\s+)?\d)"  # "[May 3] to May 10"
_MONTH_FIRST = rf"(?P<month>{_MONTHS})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?![.,:/]\d){_NOT_A_RANGE}"
_DAY_FIRST = rf"(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?{_NOT_A_RANGE}\s+(?:of\s+)?(?P<month2>{_MONTHS})\b"
_DAY = re.compile(rf"\b(?:{_MONTH_FIRST}|{_DAY_FIRST})")
# In a question also in lower case, "on april 8", "8 april 2015"; not "20 may die", "top
# 10 march" (with no year after them "may" and "march" are verbs there)
_ASKED_DAY = re.compile(rf"\b(?:{_MONTH_FIRST}|(?!\d+\s+(?:may|march)\b(?!\s+\d)){_DAY_FIRST})", re.I)
_RANGE_BEFORE = re.compile(rf"\d{_RANGE_WORD}(?:{_ANY_MONTH}\.?\s+)?$")  # "3 to [5 May]", "May 3 to [May 10]"
_YEAR = re.compile(r"(?<![\d.,$£€¥])\b(1[89]\d\d|20\d\d)(?:s\b|\b)(?![.,]\d)(?!\s*(?:GMT|hrs|dlrs|tonnes)\b)")
# "1990s", "1990's"; "1987's" is a year's possessive, only a year ending in 0 starts a decade.
_DECADE = re.compile(r"['’]?s\b")
_QUARTER = re.compile(
    r"\b(first|second|third|fourth|1st|2nd|3rd|4th)[- ](?:quarter|qtr)\b|\b(q[1-4]|[1-4]q)\b", re.I | re.A
)
# A whole year is the other answer to "which part of the year": a question about the
# first quarter is not answered by full-year profit, nor the reverse.
_WHOLE_YEAR = re.compile(r"\b(?:full|whole|fiscal|financial)[- ]year\b|\bfor the year\b", re.I | re.A)
_QUARTER_NUMBER = {"fi": "1", "1s": "1", "q1": "1", "1q": "1", "se": "2", "2n": "2", "q2": "2", "2q": "2"}
_QUARTER_NUMBER |= {"th": "3", "3r": "3", "q3": "3", "3q": "3", "fo": "4", "4t": "4", "q4": "4", "4q": "4"}
# "LONDON, June 18 -", "LA PAZ, March 3 (Reuters) -", "SOUTHFIELD, Mich., April 3 -",
# "BEIJING/SHANGHAI -", "SÃO PAULO (AP) —", "Feb 24 (Reuters) -": a place in capitals, then
# only capitalised words, numbers and brackets, then a dash; or a date and the agency.
_DATELINE = re.compile(
    r"^\s*(?:[A-ZÀ-Þ][A-ZÀ-Þ.'’&/-]+(?:[\s,]+(?:[A-ZÀ-Þ0-9][\w.'’&/-]*|\([\w .]+\)))*"
    r"|[A-Z][a-z]{2,8}\.? \d{1,2},? \([A-Za-z .]+\))\s*,?\s*(?:-{1,2}|–|—)\s"
)


@dataclass(frozen=True)
class Periods:
    months: frozenset[str]  # "jan" ... "dec"
    years: frozenset[str]  # "1987"; a decade "1980s"
    quarters: frozenset[str]  # "1" ... "4"
    days: frozenset[str] = frozenset()  # "apr-8"

    def kinds(self) -> tuple[frozenset[str], ...]:
        return self.months, self.years, self.quarters, self.days

    def __bool__(self) -> bool:
        return bool(self.months or self.years or self.quarters or self.days)


@lru_cache(maxsize=8192)
def periods(text: str, asked: bool = False) -> Periods:
    """Months, years and quarters named in `text` (sentence-initial "May" counts too),
    after its dateline if it opens with one. asked: `text` is a question, where a month
    in lower case counts too when a day or year follows it ("in march 1987")."""
    text = _DATELINE.sub("", text, count=1)
    found = [m.group(1) for m in _MONTH.finditer(text) if not _a_name(text, m)]
    if asked:
        found += [m.group(1) or m.group(2) for m in _ASKED_MONTH.finditer(text)]
    months = frozenset(m[:3].lower() for m in found)
    years = frozenset(
        m.group(1) + ("s" if m.group(1).endswith("0") and _DECADE.match(text, m.end(1)) else "")
        for m in _YEAR.finditer(text)
    )
    quarters = frozenset(
        _QUARTER_NUMBER[(m.group(1) or m.group(2)).lower()[:2]] for m in _QUARTER.finditer(text)
    ) | ({"year"} if _WHOLE_YEAR.search(text) else set())
    days = _days(text, _DAY) | (_days(text, _ASKED_DAY) if asked else frozenset())
    return Periods(months, years, quarters, days)


def _days(text: str, pattern: re.Pattern[str]) -> frozenset[str]:
    out = set()
    for m in pattern.finditer(text):
        if _RANGE_BEFORE.search(text, max(0, m.start() - 24), m.start()):
            continue
        month, day = m.group("month") or m.group("month2"), m.group("day") or m.group("day2")
        if 1 <= int(day) <= 31:
            out.add(f"{month[:3].lower()}-{int(day)}")
    return frozenset(out)


_NAME_LIKE = frozenset({"May", "June", "April", "Jan", "August"})
_BEFORE_A_MONTH = frozenset(
    {"In", "Since", "By", "For", "Until", "During", "From", "To", "Of", "Last", "Next"}
)
_CAPITALISED_BEFORE = re.compile(r"\b([A-Z][a-z]+)\s+$")
_DAY_OR_YEAR_AFTER = re.compile(r"\.?,?\s+\d")


def _a_name(text: str, m: re.Match[str]) -> bool:
    """ "Theresa May", "Jan Smith"-like: a month word after a capitalised word that is not
    "In"/"Since"/..., with no day or year after it."""
    if m.group(1) not in _NAME_LIKE or _DAY_OR_YEAR_AFTER.match(text, m.end()):
        return False
    before = _CAPITALISED_BEFORE.search(text, 0, m.start())
    return before is not None and before.group(1) not in _BEFORE_A_MONTH


def clash(asked: Periods, stated: Periods) -> tuple[int, int]:
    """(kinds where both name periods and share none, kinds where they share one).

    "net income in the first quarter of 1987" against "fourth-quarter net income rose"
    clashes on quarters; against "1987 first-quarter" it matches twice."""
    wrong = right = 0
    for a, b in zip(asked.kinds(), stated.kinds()):
        if a and b:
            if a & b or any(_in_decade(x, y) or _in_decade(y, x) for x in a for y in b):
                right += 1
            else:
                wrong += 1
    return wrong, right


def _in_decade(year: str, decade: str) -> bool:
    """ "1995" is in the "1990s" (a decade is the year that starts it, with an "s")."""
    return decade.endswith("s") and len(year) == 4 and year[:3] == decade[:3]


# A sentence that compares with a named year ("rose to 15,873 from 13,806 in March 1986",
# "against 4 pct in 1986") and names no other year leaves the current one to its article's
# date; so does "this year". "1986 sales fell to 2.01 billion from 2.21 billion in 1985" is
# about 1986: it names the year it reports on.
_COMPARING = r"\b(?:from|against|compared with|compared to|versus|vs|than)\b(?:[^.;]|\.(?=\d)){0,100}?"
_COMPARED = re.compile(rf"{_COMPARING}\b(?:1[89]|20)\d\d(?:['’]?s)?\b", re.I)
_THIS_YEAR = re.compile(r"\b(?:this|current)(?: calendar| fiscal)? year\b", re.I)
# A bond's maturity is no period it reports on: "a 100 mln dlr eurobond due March 31, 2002"
# was issued in March 1987, "notes maturing in 1992" were sold in 1987.
_MATURING = r"due|matur(?:e|es|ing|ity)|expir(?:e|es|ing|y)|redeemable"
_DUE_DAY = rf"(?:(?:{_MONTHS})\.?\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?)?"
_MATURITY = re.compile(rf"\b(?:{_MATURING})\s+(?:in\s+|on\s+)?{_DUE_DAY}(?:19|20)\d\d\b", re.I)
# ... of a security only: "The contract expires in 1988" and "the report is due on March 31"
# name the periods they are about.
_SECURITIES = (
    r"(?:euro)?bonds?|notes?|debentures?|warrants?|securities|certificates|paper|coupon|convertibles?"
    r"|loans?|credits?|facility|issue|issuing|issued|placement|swap"
)
_SECURITY = re.compile(rf"\b(?:{_SECURITIES})\b", re.I)
# "Last year it imported 162,500 tonnes" in a 1987 article states 1986. News mostly compares
# with last year ("rose 29.3 pct over the same period last year", "up from 79 cts a share
# last year", "2 pct below the backlog in February last year"): after any word of comparing
# or change in its sentence, "last year" says nothing about the year reported on.
_LAST_YEAR = re.compile(r"\b(?:last|previous) year\b", re.I)
_CHANGING = (
    r"from|against|compared?|comparison|versus|vs|than|over|on|above|below|up|down|same|rise|rose|risen"
    r"|fall|fell|fallen|increased?|decreased?|gain(?:ed)?|drop(?:ped)?|grew|higher|lower|ahead|behind|more|less"
)
_COMPARED_LAST = re.compile(
    rf"\b(?:{_CHANGING})\b(?:[^.;]|\.(?=\d)){{0,150}}?\b(?:last|previous) (?:year|month)\b", re.I
)
# "Exports rose to a record last month" in an April article reports on March; the same words
# of comparing or change before it make it a comparison ("up from 4.5 pct last month").
_LAST_MONTH = re.compile(r"\b(?:last|previous) month\b", re.I)
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def stated(text: str, year: int | None, month: int | None = None) -> Periods:
    """The periods a sentence states. One that names years only to compare with them also
    speaks of the year its article was published (`year`; None when unknown): "rose to
    15,873 from 13,806 in March 1986" in a 1987 article is about March 1987. One that names
    a year otherwise is about that year ("She won the contest in 2004"), "last year" is the
    year before the article's (and "last month", given the article's `month`, the month
    before), and one naming no year says nothing about years (1986 results come out in
    1987). A maturity ("bonds due 1992") is left out."""
    if _SECURITY.search(text):
        text = _MATURITY.sub(" ", text)
    found = periods(text)
    if year is None:
        return found
    compared = _COMPARED.sub(" ", text)
    rest = _COMPARED_LAST.sub(" ", compared)  # "last year" or "last month" not compared with
    if month is not None and _LAST_MONTH.search(rest):
        found = replace(found, months=found.months | {_MONTH_NAMES[month - 2]})  # January: -1 is December
    last_year = _LAST_YEAR.search(rest) is not None
    years = found.years | ({str(year - 1)} if last_year else frozenset())
    if not years:
        return found
    if _THIS_YEAR.search(text) or (compared != text and not periods(compared).years and not last_year):
        years |= {str(year)}
    return replace(found, years=years)


def without_other_periods(asked: Periods, rows: list[Row], probabilities: np.ndarray) -> np.ndarray:
    """Probabilities with 0 for sentences stating another period than the one asked about
    ("surplus in February" for March, "1985 profit" for 1986's), and for the rest of an
    article whose best sentence does (`index.query.agreement`)."""
    if not asked or not len(rows):
        return probabilities
    published: dict[int, tuple[int, int] | tuple[None, None]] = {}
    verdicts = []
    for row in rows:
        key = id(row.article)
        if key not in published:
            day = row.article.published_day
            published[key] = (None, None) if day is None else (from_day(day).year, from_day(day).month)
        wrong, right = clash(asked, stated(row.sentence.stored.text, *published[key]))
        verdicts.append((wrong > 0, right > 0))
    return without_disagreeing(rows, probabilities, verdicts)
