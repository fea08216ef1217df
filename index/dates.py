"""Publication dates as both ends of newsdesk see them: ISO text and an integer day number.

Ingest normalises whatever a file says (`2022-01-21`, `Jan 21, 2022`, an RFC 2822 feed
date, a dateline) to ISO `YYYY-MM-DD`; chunks also carry `published_day`, the days since
1970-01-01, because Chroma's `where` compares numbers, not dates. Query code reads the
same functions, so this module imports nothing from ingest or query, and nothing slow:
it is on the path of a cold `newsdesk ask`.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

EPOCH = date(1970, 1, 1)
MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
MONTH_NAME = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})")
_SLASHED = re.compile(r"^\s*(\d{4})/(\d{1,2})/(\d{1,2})\b")
# Day and month in numbers: "14/03/2023" (day first: 14 > 12), "3/13/2023" (month first),
# "14.03.2023" (dots: day first). "03/04/2023" says neither: not read.
_NUMERIC = re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?![\d/.-]*\d)")
_ISO_IN_TEXT = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?=T\d|[^\w-]|$)")
_MONTH_DAY_YEAR = re.compile(rf"\b({MONTH_NAME})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
_DAY_MONTH_YEAR = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({MONTH_NAME})\.?,?\s+(\d{{4}})\b", re.I
)
# A wire dateline: "WASHINGTON, Jan 21 (Reuters) -", "DETROIT, March 5, 1987 -".
_DATELINE = re.compile(
    rf"^[A-Z][A-Z.'&-]*(?:[ ,]+[A-Z][A-Za-z.'&-]*){{0,4}},?\s+({MONTH_NAME})\.?\s+(\d{{1,2}})(?:,?\s+(\d{{4}}))?,?\s*"
    r"(?:\((?:Reuters|AP|AFP|UPI|dpa|Bloomberg)\)\s*)?[-–—]+\s",
    re.I,
)
_STAMP_LINE = re.compile(r"^(?:published|posted|updated|date|first published|last updated)\b", re.I)
# Besides its date, a line that states when the page appeared holds names ("By A. Writer"),
# a time, reading time, desk and these words, and at most two others; a line with a verb
# is reporting ("Dock workers will return to work on 3 April 2023, the union said.",
# "Nurses will strike on 3 May 2023").
_STAMP_WORDS = frozenset([
    "published", "posted", "updated", "modified", "date", "first", "last", "on", "at", "by", "and", "of",
    "the", "am", "pm", "a.m", "p.m", "gmt", "bst", "utc", "est", "edt", "cst", "cdt", "pst", "pdt", "et",
    "cet", "cest", "ist", "jst", "aest", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday", "mon", "tue", "tues", "wed", "thu", "thurs", "fri", "sat", "sun", "min", "mins", "minute",
    "minutes", "read", "hour", "hours", "ago", "in", "from", "with", "our", "wire", "reports", "staff",
    "reporter", "writer", "correspondent", "editor", "bureau", "chief", "senior",
])  # fmt: skip
_REPORTING = frozenset([
    "will", "would", "could", "should", "can", "may", "might", "said", "says", "say", "told", "has", "have",
    "had", "is", "are", "was", "were", "be", "been", "did", "does", "do",
])  # fmt: skip
_OTHER_WORDS = 2
FIRST_LINES_CHARS = 600  # where a date "in the first lines" is looked for


def day_number(d: date) -> int:
    return (d - EPOCH).days


def from_day(n: int) -> date:
    return EPOCH + timedelta(days=n)


def month_number(name: str) -> int:
    return MONTHS[name.lower()[:3]]


def _make(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def parse_date(text: str) -> date | None:
    """The calendar date a metadata string names, or None: ISO (with or without a time),
    `2022/01/21`, `Jan 21, 2022`, `21 January 2022`, RFC 2822 (`Fri, 21 Jan 2022 ...`)."""
    text = (text or "").strip()
    if not text:
        return None
    for pattern in (_ISO, _SLASHED):
        m = pattern.match(text)
        if m:
            return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _NUMERIC.match(text.strip())
    if m:
        return _numeric(m)
    m = _MONTH_DAY_YEAR.search(text)
    if m:
        return _make(int(m.group(3)), month_number(m.group(1)), int(m.group(2)))
    m = _DAY_MONTH_YEAR.search(text)
    if m:
        return _make(int(m.group(3)), month_number(m.group(2)), int(m.group(1)))
    try:
        from email.utils import parsedate_to_datetime

        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        return None


def normalize_published(text: str) -> str:
    """ISO `YYYY-MM-DD` when the text names a date; else the text as written (kept, unfiltered)."""
    parsed = parse_date(text)
    return parsed.isoformat() if parsed else (text or "").strip()


def published_day(published: str) -> int | None:
    """The day number of a stored `published` value (ISO, or anything parse_date reads)."""
    if not published:
        return None
    try:
        return day_number(date.fromisoformat(published[:10]))
    except ValueError:
        parsed = parse_date(published)
        return day_number(parsed) if parsed else None


def outlet_key(outlet: str) -> str:
    """How an outlet is matched: case and spacing do not matter ("the  guardian" = "The Guardian")."""
    return " ".join((outlet or "").lower().split())


def date_metadata(published: str, outlet: str) -> dict[str, int | str]:
    """The filterable fields every chunk carries next to `published` and `outlet`.
    `published_day` is left out when there is no date, so a date filter never matches it."""
    out: dict[str, int | str] = {"outlet_key": outlet_key(outlet)}
    day = published_day(published)
    if day is not None:
        out["published_day"] = day
    return out


def date_in_text(text: str, around: date | None = None) -> date | None:
    """A publication date read from an article's first lines, or None.

    Only places where pages and wires state when they were published count: a dateline
    opening the article ("DETROIT, March 5 -", its year from `around`, the file's
    modification time, the last day it can have been published), or a short line of
    its own among the first few ("January 21, 2022", "By J. Doe | Published 21 Jan
    2022"). A date inside a sentence ("born September 4, 1981") is what the article is
    about, not when it appeared.
    """
    lines = [line.strip() for line in text[:FIRST_LINES_CHARS].split("\n") if line.strip()]
    if not lines:
        return None
    m = _DATELINE.match(lines[0]) or (_DATELINE.match(lines[1]) if len(lines) > 1 else None)
    if m:
        month, day = month_number(m.group(1)), int(m.group(2))
        if m.group(3):
            return _make(int(m.group(3)), month, day)
        if around is not None:
            for year in (around.year, around.year - 1):
                d = _make(year, month, day)
                if d and d <= around + timedelta(days=1):
                    return d
        return None
    for line in lines[:5]:
        if (len(line) <= 80 and _only_a_stamp(line)) or _STAMP_LINE.match(line):
            found = _full_date(line)
            if found:
                return found
    return None


def _only_a_stamp(line: str) -> bool:
    """Whether a line is a date with names, a time, stamp words and at most two other words
    around it, and no verb ("By A. Writer | Published 3 March 2021 10:02", "By Jane Doe,
    chief political correspondent | March 14, 2023 | 3 min read")."""
    rest = _MONTH_DAY_YEAR.sub(" ", _DAY_MONTH_YEAR.sub(" ", line))
    lower = [w.rstrip(".") for w in re.findall(r"[^\W\d_][\w.'’-]*", rest) if w[:1].islower()]
    if any(w in _REPORTING for w in lower):
        return False
    return sum(w not in _STAMP_WORDS for w in lower) <= _OTHER_WORDS


def numeric_date(text: str) -> tuple[str, date] | None:
    """The first date written in numbers inside a text that reads one way only ("on
    14/03/2023", "3/13/2023", "14.03.2023"), with the words that wrote it; "03/04/2023"
    is March 4 or 3 April, and is not guessed."""
    for m in _NUMERIC.finditer(text):
        found = _numeric(m)
        if found:
            return m.group(0), found
    return None


def _numeric(m: re.Match[str]) -> date | None:
    first, sep, second, year = int(m.group(1)), m.group(2), int(m.group(3)), int(m.group(4))
    if sep == "." or first > 12:
        return _make(year, second, first)
    if second > 12:
        return _make(year, first, second)
    return None


def _full_date(text: str) -> date | None:
    """The first date with day, month and year written in text."""
    hits: list[tuple[int, date]] = []
    for m in _MONTH_DAY_YEAR.finditer(text):
        d = _make(int(m.group(3)), month_number(m.group(1)), int(m.group(2)))
        if d:
            hits.append((m.start(), d))
    for m in _DAY_MONTH_YEAR.finditer(text):
        d = _make(int(m.group(3)), month_number(m.group(2)), int(m.group(1)))
        if d:
            hits.append((m.start(), d))
    iso = _ISO_IN_TEXT.search(text)  # also "2023-03-14T09:30:00Z"
    if iso:
        d = _make(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        if d:
            hits.append((iso.start(), d))
    numeric = _NUMERIC.search(text)
    if numeric:
        d = _numeric(numeric)
        if d:
            hits.append((numeric.start(), d))
    return min(hits)[1] if hits else None


def mtime_date(mtime: float | None) -> date | None:
    return datetime.fromtimestamp(mtime).date() if mtime else None
