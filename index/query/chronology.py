"""Quotes from articles of different dates, in the order things were reported.

Beside the answer (which goes first, `index.query.answer`), quotes from a March story
and a June story read as a timeline only if the March quote comes first; the answerer's
own order (most probable first) is kept when the quoted articles share a date or are
undated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from index.dates import published_day

T = TypeVar("T")


def in_date_order(items: Sequence[T], article_of: Callable[[T], str], passages: Sequence[Any]) -> list[T]:
    """items (each quoting one article, `article_of` gives its id) oldest first when
    their articles' dates differ; undated ones keep their place after the dated ones."""
    days: dict[str, int] = {}
    for p in passages:
        day = published_day(str(p.metadata.get("published", "")))
        if day is not None:
            days.setdefault(str(p.metadata.get("article_id", "")), day)
    dated = {days[a] for a in map(article_of, items) if a in days}
    if len(dated) < 2:
        return list(items)
    last = max(dated) + 1
    return sorted(items, key=lambda item: days.get(article_of(item), last))
