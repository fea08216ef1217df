"""Time in questions: "in January 2005", "on 2 March 1987", "last week", "the latest".

`read_dates(question, reference)` turns the question's time words into a `Scope`.
Absolute dates are read here with regular expressions; relative ones ("since Monday",
"3 days ago") count from `reference`, the newest article in the index unless the caller
gives one (an archive's "last week" is its own last week, not the calendar's), and the
answer's note says which was used. dateparser is imported only for the few phrasings
these patterns do not cover, and only when the question has a date-like word at all:
a cold `newsdesk ask` must stay fast.

News reports an event on the day or in the weeks after it: "sales in March" are
published in April, "1986 profit" in early 1987. So a date read from a question covers
the period plus a reporting allowance (`GRACE_DAYS`); options (`--since/--until`) are
taken exactly.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from index.dates import MONTH_NAME, month_number, numeric_date
from index.query.scope import Scope

# Days after the period's end still searched, by how precisely the question dates it.
GRACE_DAYS = {"on-day": 1, "day": 10, "part": 10, "month": 45, "year": 120, "relative": 0}

_ANY_TIME = re.compile(
    rf"\b(?:{MONTH_NAME}|(?:19|20)\d\d|yesterday|today|tonight|week|month|year|latest|"
    r"most recent|newest|recently|recent|since|ago|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|weekend)\b",
    re.I,
)
_YEAR = r"((?:19|20)\d\d)"
_ON_DAY = re.compile(
    rf"\bon\s+(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
    rf"(?:({MONTH_NAME})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+{_YEAR})?|"
    rf"(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({MONTH_NAME})\.?(?:,?\s+{_YEAR})?)\b",
    re.I,
)
_ISO_DAY = re.compile(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b")
_DAY_RANGE = re.compile(
    rf"\b({MONTH_NAME})\.?\s+(\d{{1,2}})\s*(?:-|–|to|through)\s*(\d{{1,2}})(?:,?\s+{_YEAR})?\b", re.I
)
_PART = re.compile(rf"\b(early|mid|middle of|late|end of)[\s-]+({MONTH_NAME})\.?(?:,?\s+{_YEAR})?\b", re.I)
_DAY = re.compile(
    rf"\b(?:({MONTH_NAME})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+{_YEAR})?|"
    rf"(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({MONTH_NAME})\.?(?:,?\s+{_YEAR})?)\b",
    re.I,
)
_MONTH = re.compile(rf"\b({MONTH_NAME})\.?(?:,?\s+(?:of\s+)?{_YEAR})?\b", re.I)
_YEAR_ONLY = re.compile(rf"\b{_YEAR}\b")
_COUNTED = re.compile(r"\s+[a-z]+s\b")  # a lowercase plural after it
# "What happened to Texaco recently?": a request for the newest coverage only with
# "recently"/"lately" after the topic (a plain "What happened to ...?" asks for one event)
HAPPENED = r"what\s+(?:has\s+)?happened\s+(?:to|with|at|in)\s+"
LATELY = r"\s+(?:recently|lately)[\s?.!]*$"
# "What's new with Texaco?" and "recent news on OPEC" ask for the newest coverage too; a
# question about "a recent inspection" is not asked to be answered from the newest day.
_LATEST = re.compile(
    r"\b(?:the\s+)?(?:latest|most recent|newest|most recently)\b"
    r"|\brecent\s+(?:news|stories|developments|updates?|coverage|headlines)\b"
    r"|\bwhat(?:'s|’s|s|\s+is)\s+new\s+(?:with|on|about|at|in|from)\b"
    rf"|\b{HAPPENED}.+?{LATELY}",
    re.I,
)
_RELATIVE = re.compile(
    r"\b(yesterday|today|tonight|this week|last week|past week|this month|last month|past month|"
    r"this year|last year|past year|this weekend|last weekend)\b",
    re.I,
)
_AGO = re.compile(
    r"\b(\d+|a|an|one|two|three|four|five|six|seven|ten)\s+(day|week|month|year)s?\s+ago\b", re.I
)
_PAST_N = re.compile(
    r"\b(?:in\s+)?(?:the\s+)?(?:past|last)\s+(\d+|two|three|four|five|six|seven|ten)\s+(day|week|month|year)s?\b",
    re.I,
)
# "up to" is a date's limit only right before one ("up to March 14, 1987", not "up to 5 pct")
_SINCE = re.compile(
    rf"\b(since|after|before|until|till|up to(?=\s+(?:{MONTH_NAME}|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH_NAME}|(?:19|20)\d\d\b)))"
    r"\s+([^,;?!.]{2,40}(?:,\s*(?:19|20)\d\d\b)?)",
    re.I,
)


def _end(n: str) -> str:
    """One end of a range of days: "March 1", "1 March", "1st" (the other end's month),
    with or without a year; the groups are numbered by `n`."""
    return (
        rf"(?:(?P<m{n}>{MONTH_NAME})\.?\s+(?P<d{n}>\d{{1,2}})(?:st|nd|rd|th)?"
        rf"|(?P<e{n}>\d{{1,2}})(?:st|nd|rd|th)?(?:\s+(?:of\s+)?(?P<n{n}>{MONTH_NAME})\.?)?)"
        rf"(?:,?\s+(?P<y{n}>(?:19|20)\d\d))?"
    )


# "between 1 and 5 March 1987", "from March 10 to March 14, 1987", "from April 30 to May 1"
_BETWEEN = re.compile(
    rf"\b(?:between|from)\s+{_end('1')}\s*(?:and|to|until|till|through|-|–)\s*{_end('2')}(?!\s*[:/.]?\d)",
    re.I,
)
_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "ten": 10,
}
# "May" is a month only next to a day or a year ("in May 1987", "May 5"), never "may say".
_MAY_ALONE = re.compile(r"^may$", re.I)
_VERB_MONTHS = frozenset(["may", "march"])  # as typed: "20 may die", "10 march on"


@dataclass(frozen=True)
class _Span:
    start: date
    end: date
    kind: str  # a GRACE_DAYS key
    phrase: str
    relative: bool = False


def mentions_time(question: str) -> bool:
    """Cheap test run on every question: is there any word that can date it, or a way of
    asking for the newest coverage ("What's new with ...")?"""
    return bool(_ANY_TIME.search(question) or _LATEST.search(question))


def read_dates(question: str, reference: date | None) -> Scope:
    """The scope the question's time words ask for (an empty Scope when none, and when
    they count back or on past the calendar: "2000 years ago" from 1987 is no date)."""
    if not mentions_time(question):
        return Scope()
    try:
        return _read_dates(question, reference)
    except (OverflowError, ValueError):  # past year 9999, or before year 1 ("last year" of year 1)
        return Scope()


def _read_dates(question: str, reference: date | None) -> Scope:
    latest = _LATEST.search(question)
    ref = reference or date.today()
    scope = _since_until(question, ref)
    if scope is None:
        span = _absolute(question, ref) or _relative(question, ref)
        if span is not None:
            end = span.end + timedelta(days=GRACE_DAYS[span.kind])
            scope = Scope(
                since=span.start,
                until=min(end, ref) if span.relative else end,
                phrase=span.phrase,
                reference=ref,
                relative=span.relative,
                from_question=True,
                period_end=span.end,
            )
    if latest:
        scope = replace(scope or Scope(from_question=True), latest=True)
        if not scope.phrase:
            scope = replace(scope, phrase=latest.group(0))
    return scope or Scope()


def _year_for(month: int, day: int, ref: date) -> int:
    """The year of a day named without one: the latest not after the reference."""
    return ref.year if (month, day) <= (ref.month, ref.day) else ref.year - 1


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _one_day(m: re.Match[str], ref: date, kind: str) -> _Span | None:
    """A day written "March 5[, 1987]" (groups 1-3) or "5 March [1987]" (groups 4-6)."""
    if m.group(1):
        month, day, year = month_number(m.group(1)), int(m.group(2)), m.group(3)
    else:
        month, day, year = month_number(m.group(5)), int(m.group(4)), m.group(6)
    d = _safe(int(year) if year else _year_for(month, day, ref), month, day)
    return _Span(d, d, kind, m.group(0).strip(), relative=not year) if d else None


def _between(q: str, ref: date) -> _Span | None:
    """Days from one to another, both ends written ("between 1 and 5 March 1987"): the
    month and year written once hold for both."""
    for m in _BETWEEN.finditer(q):
        month2 = m.group("m2") or m.group("n2")
        if not month2:
            continue  # "from 3 to 5": no month, no days
        if m.group("n2") in _VERB_MONTHS and not (m.group("y2") or m.group("y1")):
            continue  # "between 20 and 30 may lose their jobs", typed in lower case
        day1, day2 = int(m.group("d1") or m.group("e1")), int(m.group("d2") or m.group("e2"))
        m2 = month_number(month2)
        own = m.group("m1") or m.group("n1")
        if not own and day1 > day2:
            continue  # "from 5 to 1 March": no days in that order
        m1 = month_number(own or month2)
        in_order = (m1, day1) <= (m2, day2)  # else the range crosses a year's end
        if m.group("y2"):
            y2 = int(m.group("y2"))
            y1 = int(m.group("y1")) if m.group("y1") else y2 if in_order else y2 - 1
        elif m.group("y1"):
            y1 = int(m.group("y1"))
            y2 = y1 if in_order else y1 + 1
        else:
            y2 = _year_for(m2, day2, ref)
            y1 = y2 if in_order else y2 - 1
        first, last = _safe(y1, m1, day1), _safe(y2, m2, day2)
        if first and last and first <= last:
            return _Span(first, last, "day", m.group(0), relative=not (m.group("y1") or m.group("y2")))
    return None


def _absolute(q: str, ref: date) -> _Span | None:
    """The most specific date written out in the question."""
    span = _between(q, ref)
    if span:
        return span
    m = _ON_DAY.search(q)
    if m:
        span = _one_day(m, ref, "on-day")
        if span:
            return span
    m = _ISO_DAY.search(q)
    if m:
        d = _safe(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d:
            return _Span(d, d, "on-day", m.group(0))
    numeric = numeric_date(q)  # "on 3/13/1987"; "on 4/8/1987" says no one day, its year does
    if numeric:
        return _Span(numeric[1], numeric[1], "on-day", numeric[0])
    m = _DAY_RANGE.search(q)
    if m:
        month, year = month_number(m.group(1)), m.group(4)
        y = int(year) if year else _year_for(month, int(m.group(2)), ref)
        a, b = _safe(y, month, int(m.group(2))), _safe(y, month, int(m.group(3)))
        if a and b and a <= b:
            return _Span(a, b, "day", m.group(0), relative=not year)
    m = _PART.search(q)
    if m:
        part, month, year = m.group(1).lower(), month_number(m.group(2)), m.group(3)
        y = int(year) if year else _year_for(month, 1, ref)
        last = calendar.monthrange(y, month)[1]
        days = {"early": (1, 10), "mid": (11, 20), "middle of": (11, 20)}.get(part, (21, last))
        return _Span(date(y, month, days[0]), date(y, month, days[1]), "part", m.group(0), not year)
    for m in _DAY.finditer(q):
        if m.group(5) in _VERB_MONTHS and not m.group(6):
            continue  # "why 20 may die", "the top 10 march on": verbs, typed in lower case
        span = _one_day(m, ref, "day")
        if span:
            return span
    for m in _MONTH.finditer(q):
        if _MAY_ALONE.match(m.group(1)) and not m.group(2):
            continue
        month, year = month_number(m.group(1)), m.group(2)
        if not year and not re.search(
            rf"\b(?:in|of|during|for|since|last|this)\s+{re.escape(m.group(1))}\b", q, re.I
        ):
            continue  # a bare month name may be a name ("Mar", "Jan Smith"): only "in March" counts
        y = int(year) if year else (ref.year if month <= ref.month else ref.year - 1)
        return _Span(date(y, month, 1), _month_end(y, month), "month", m.group(0), relative=not year)
    for m in _YEAR_ONLY.finditer(q):
        if _COUNTED.match(q, m.end()):
            continue  # "the 2000 workers": a number, not a year
        y = int(m.group(1))
        return _Span(date(y, 1, 1), date(y, 12, 31), "year", m.group(0))
    return None


def _relative(q: str, ref: date) -> _Span | None:
    m = _RELATIVE.search(q)
    if m:
        word = m.group(1).lower()
        monday = ref - timedelta(days=ref.weekday())
        first = ref.replace(day=1)
        prev_month_end = first - timedelta(days=1)
        spans = {
            "yesterday": (ref - timedelta(days=1), ref),
            "today": (ref, ref),
            "tonight": (ref, ref),
            "this week": (monday, ref),
            "last week": (ref - timedelta(days=7), ref),
            "past week": (ref - timedelta(days=7), ref),
            # before Saturday, the weekend just past (the coming one has no news yet)
            "this weekend": (monday + timedelta(days=5), ref)
            if ref.weekday() >= 5
            else (monday - timedelta(days=2), monday - timedelta(days=1)),
            "last weekend": (monday - timedelta(days=2), monday - timedelta(days=1)),
            "this month": (first, ref),
            "last month": (prev_month_end.replace(day=1), prev_month_end),
            "past month": (ref - timedelta(days=30), ref),
            "this year": (date(ref.year, 1, 1), ref),
            "last year": (date(ref.year - 1, 1, 1), date(ref.year - 1, 12, 31)),
            "past year": (ref - timedelta(days=365), ref),
        }
        start, end = spans[word]
        return _Span(start, end, "relative", m.group(0), relative=True)
    m = _AGO.search(q) or _PAST_N.search(q)
    if m:
        n = int(m.group(1)) if m.group(1).isdigit() else _WORDS[m.group(1).lower()]
        days = n * {"day": 1, "week": 7, "month": 30, "year": 365}[m.group(2).lower()]
        if m.re is _AGO:
            d = ref - timedelta(days=days)
            return _Span(d, d + timedelta(days=max(1, days // 7)), "relative", m.group(0), relative=True)
        return _Span(ref - timedelta(days=days), ref, "relative", m.group(0), relative=True)
    return None


def _since_until(q: str, ref: date) -> Scope | None:
    """One open end: "since March 1987", "before 3 March", "since Monday". Dates the
    patterns above read are used as read; other phrasings ("since Monday") go to
    dateparser, imported only then."""
    m = _SINCE.search(q)
    if not m or not _ANY_TIME.search(m.group(2)) or _between(q, ref):  # "from March 10 until March 14"
        return None
    word = m.group(1).lower()
    span = _absolute(m.group(2), ref)
    if span is not None:
        first, last, relative = span.start, span.end, span.relative
    else:
        import dateparser

        when = dateparser.parse(
            m.group(2),
            settings={
                "RELATIVE_BASE": _midday(ref),
                "PREFER_DATES_FROM": "past",
                "PREFER_DAY_OF_MONTH": "first",
            },
            languages=["en"],
        )
        if when is None:
            return None
        first = last = when.date()
        relative = True
    phrase = f"{m.group(1)} {m.group(2).strip()}"
    common = {"phrase": phrase, "reference": ref, "relative": relative, "from_question": True}
    if word == "since":
        return Scope(since=first, **common)  # type: ignore[arg-type]
    if word == "after":
        return Scope(since=last + timedelta(days=1), **common)  # type: ignore[arg-type]
    if word == "before":
        return Scope(until=first - timedelta(days=1), **common)  # type: ignore[arg-type]
    return Scope(until=last, **common)  # type: ignore[arg-type]


def _midday(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, 12)


# a day written in digits only: parse_date reads every real one it can tell (`31/12/1987`),
# not one with no such day (`1987-13-45`) nor one that could be either (`2/3/1987`)
_ALL_DIGITS_DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}")


def option_date(text: str, reference: date | None, end: bool = False) -> date:
    """A date given as an option (`--since 2022-01-21`, `--until "March 1987"`,
    `--since "last week"`): its first day, or with end=True its last. ValueError if none."""
    from index.dates import parse_date

    parsed = parse_date(text)
    if parsed:
        return parsed
    if _ALL_DIGITS_DATE.fullmatch(text.strip()):  # read as its year, "1987-13-45" was 1 January
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text.strip()):
            raise ValueError(f"{text!r} is not a date: there is no such day")
        raise ValueError(f"{text!r} is not a date newsdesk can read for sure: write it as YYYY-MM-DD")
    ref = reference or date.today()
    try:
        span = _absolute(text, ref) or _relative(text, ref)
    except (OverflowError, ValueError):
        raise ValueError(f"{text!r} counts past the calendar from {ref.isoformat()}") from None
    if span is None:
        raise ValueError(f'{text!r} is not a date (try 2022-01-21, "March 2022" or "last week")')
    return span.end if end else span.start


def options_scope(
    since: str | None,
    until: str | None,
    outlet: str | None,
    as_of: str | None = None,
    newest: Callable[[], date | None] | None = None,
) -> Scope:
    """The scope given as options (CLI `--since/--until/--outlet/--as-of`, Discord `/ask`
    arguments), taken exactly. newest: the newest article's date, asked only when a
    relative option ("last week") needs a reference. Raises NewsdeskError (a user error)."""
    from index.errors import NewsdeskError

    try:
        reference = option_date(as_of, None) if as_of else None
        if (since or until) and reference is None and newest is not None:
            reference = newest()
        first = option_date(since, reference) if since else None
        last = option_date(until, reference, end=True) if until else None
    except ValueError as exc:
        raise NewsdeskError(str(exc)) from None
    if first and last and first > last:
        raise NewsdeskError(f"the start date {first.isoformat()} is after the end date {last.isoformat()}")
    if outlet is not None and not outlet.strip():
        raise NewsdeskError("the outlet is empty: name one, e.g. Reuters")
    return Scope(since=first, until=last, outlet=(outlet or "").strip(), reference=reference)


def without_dates(question: str, scope: Scope) -> str:
    """The question as the reader should weigh it once its dates became a filter. A
    report does not write its own day as "on April 8, 1987" (it says "today"), nor "late
    February 1987" with the year: those words only dilute the match, so a day phrase is
    taken out and a month's year dropped. Month names stay ("in March" is written), and
    so does a year standing alone ("1986 profit" is written too)."""
    phrase = scope.phrase
    if not scope.from_question or not (scope.since or scope.until) or not phrase or phrase not in question:
        return question
    numeric = numeric_date(phrase)
    if _ON_DAY.fullmatch(phrase) or _ISO_DAY.fullmatch(phrase) or (numeric and numeric[0] == phrase):
        # "on 1987-04-02" goes whole: "What did he say on?" is no question
        out = re.sub(rf"(?i)\bon\s+{re.escape(phrase)}|{re.escape(phrase)}", "", question, count=1)
        return re.sub(r"\s+([,?.!])", r"\1", " ".join(out.split()))
    elif _YEAR_ONLY.fullmatch(phrase.strip()):
        return question
    else:
        kept = _YEAR_ONLY.sub("", phrase).strip().rstrip(",")
    out = question.replace(phrase, kept, 1)
    return re.sub(r"\s+([,?.!])", r"\1", " ".join(out.split()))
