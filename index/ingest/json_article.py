"""One article saved as a JSON object, as scrapers and extractors write them.

news-please (`maintext`, `date_publish`, `authors`, `source_domain`), trafilatura's
`--json` (`text`, `date`, `author`, `hostname`, `source`), newspaper dumps (`text`,
`publish_date`, `authors`) and most hand-rolled exports keep one article per file with
its text and metadata as fields. The fields newsdesk reads are found by the same names as
in front matter (`index.ingest.articles.FRONT_MATTER_ALIASES`); the text by the names
below. A list of articles, or an object with no text, is not one article: its reason
says so.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from index.ingest.mojibake import repair

# Where the article's text is, by the names exporters give it, most specific first.
TEXT_FIELDS = (
    "maintext", "text", "body", "content", "article", "article_text", "articlebody", "full_text",
    "fulltext", "story", "raw_text",
)  # fmt: skip


_DATE_FIELD = re.compile(r"date|publish|created|time", re.I)


def json_article(raw: str) -> tuple[dict[str, str], str]:
    """(metadata fields as written, lower-cased names; the article's text), or ValueError
    with the reason a user reads in `skipped: ...`."""
    try:
        return _article(raw)
    except RecursionError:
        raise ValueError("JSON nested too deeply to be an article") from None


def _article(raw: str) -> tuple[dict[str, str], str]:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON (line {exc.lineno}: {exc.msg})") from None
    if isinstance(data, list):
        raise ValueError(f"a JSON list of {len(data)} items; save one article per file, as a JSON object")
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    fields = {str(k).lower().replace("-", "_"): v for k, v in data.items()}
    text = next((t for name in TEXT_FIELDS if (t := _text(fields.get(name)))), "")
    if not text:
        raise ValueError(
            f"no article text in the JSON (looked for a field named {', '.join(TEXT_FIELDS[:4])}, ...)"
        )
    meta = {
        name: value
        for name, raw_value in fields.items()
        if name not in TEXT_FIELDS and (value := _scalar(raw_value, name))
    }
    return meta, text


def _text(value: Any) -> str:
    """The article's text: a string, or a list of paragraphs."""
    if isinstance(value, list):
        return "\n\n".join(p for p in (_text(item) for item in value) if p)
    return _clean(value) if isinstance(value, str) else ""


def _clean(value: str) -> str:
    """Stripped, with lone surrogates (an emoji cut in half by a scraper) as "?": they
    cannot be stored as UTF-8; and mojibake put right here too, since JSON usually writes it
    as ASCII escapes ("Russia\\u00e2\\u20ac\\u2122s") that decoding the file never sees."""
    return repair(value.encode("utf-8", "replace").decode("utf-8")).strip()


def _scalar(value: Any, name: str = "") -> str:
    """A field as text: lists joined with ", ", an object by its `name` (schema.org
    authors), a number in a date field as the UTC day of that Unix time (seconds or
    milliseconds), other numbers as written; nothing else."""
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        if _DATE_FIELD.search(name) and 1e8 <= value < 1e14:
            seconds = value / 1000 if value >= 1e11 else value
            return datetime.fromtimestamp(seconds, tz=UTC).date().isoformat()
        return str(value)
    if isinstance(value, list):
        return ", ".join(v for v in (_scalar(item) for item in value) if v)
    if isinstance(value, dict):
        return _scalar(value.get("name"))
    return ""
