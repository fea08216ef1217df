"""Which articles a question may be answered from: a date range, an outlet, "latest".

A `Scope` comes from the CLI (`--since/--until/--outlet`), Discord `/ask` options, or
the question's own words (`index.query.dates`). Retrieval applies it on both sides:
a Chroma `where` on the chunks' integer `published_day` and `outlet_key`, and the same
test on the lexical candidates' metadata (a post-filter, kept apart in `admits` so the
lexical engine can change under it).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from index.dates import day_number, from_day, outlet_key, published_day

LATEST_DAYS = 3  # "latest": the newest relevant article's day and this many before it
LATEST_MARGIN = 0.08  # fused-score distance from the best candidate that still counts as relevant


@dataclass(frozen=True)
class Scope:
    since: date | None = None  # inclusive
    until: date | None = None  # inclusive
    outlet: str = ""  # as the user wrote it; matched case- and space-insensitively
    latest: bool = False  # rank the newest relevant articles first
    phrase: str = ""  # the words of the question that set the dates, for the note
    reference: date | None = None  # what relative dates were counted from
    relative: bool = False  # the dates depend on `reference` ("last week")
    from_question: bool = False  # read from the question, not given as options
    # The end of the period the question names, when `until` adds the weeks news takes to
    # report on it ("sales in March" are reported in April); a list of the articles
    # published in it ("What happened in March?") ends here (`period_only`).
    period_end: date | None = None

    def period_only(self) -> Scope:
        """The scope with the named period's own end, not the reporting allowance after it."""
        if self.period_end is None or self.until is None:
            return self
        return replace(self, until=min(self.until, self.period_end), period_end=None)

    @property
    def filters(self) -> bool:
        return bool(self.since or self.until or self.outlet)

    @property
    def empty(self) -> bool:
        return not self.filters and not self.latest

    def where(self) -> dict[str, Any] | None:
        """The Chroma metadata filter, or None for no filter."""
        conditions: list[dict[str, Any]] = []
        if self.since:
            conditions.append({"published_day": {"$gte": day_number(self.since)}})
        if self.until:
            conditions.append({"published_day": {"$lte": day_number(self.until)}})
        if self.outlet:
            conditions.append({"outlet_key": outlet_key(self.outlet)})
        if not conditions:
            return None
        return conditions[0] if len(conditions) == 1 else {"$and": conditions}

    def admits(self, metadata: dict[str, Any]) -> bool:
        """The same test as `where`, on a chunk's metadata (for lexical candidates)."""
        if self.outlet and outlet_key(str(metadata.get("outlet", ""))) != outlet_key(self.outlet):
            return False
        if self.since or self.until:
            day = metadata.get("published_day")
            if not isinstance(day, int):
                day = published_day(str(metadata.get("published", "")))
            if day is None:
                return False
            if self.since and day < day_number(self.since):
                return False
            if self.until and day > day_number(self.until):
                return False
        return True

    def without_dates(self) -> Scope:
        return replace(self, since=None, until=None, phrase="", relative=False)

    def describe(self) -> str:
        """One sentence for the answer's note: what was searched, and from which reference."""
        parts = []
        if self.since and self.until:
            span = (
                f"on {self.since.isoformat()}"
                if self.since == self.until
                else f"from {self.since.isoformat()} to {self.until.isoformat()}"
            )
            parts.append(f"articles published {span}")
        elif self.since:
            parts.append(f"articles published since {self.since.isoformat()}")
        elif self.until:
            parts.append(f"articles published until {self.until.isoformat()}")
        if self.outlet:
            parts.append(f"{'from' if parts else 'articles from'} {self.outlet}")
        if not parts:
            return ""
        text = "Searched " + " ".join(parts)
        if self.phrase:
            text += f' (read from "{self.phrase}"'
            if self.relative and self.reference:
                text += f", counted from the newest article, {self.reference.isoformat()}"
            text += ")"
        return text + "."


def latest_first(passages: list[Any], margin: float = LATEST_MARGIN, days: int = LATEST_DAYS) -> list[Any]:
    """For "the latest on X": of the dated candidates about as relevant as the best dated
    one (fused cosine + BM25 within `margin`), keep those from the newest day they reach
    and the few days before it, so the answer comes from the newest coverage. A pool with
    nothing dated is left as it is (nothing to order by)."""
    dated = [
        (d, p) for p in passages if (d := published_day(str(p.metadata.get("published", "")))) is not None
    ]
    if not dated:
        return passages
    top_bm25 = max((p.bm25_score or 0.0 for p in passages), default=0.0) or 1.0

    def relevance(p: Any) -> float:
        return float(p.vector_score or 0.0) + 0.5 * float(p.bm25_score or 0.0) / top_bm25

    best = max(relevance(p) for _, p in dated)
    newest = max(d for d, p in dated if relevance(p) >= best - margin)
    return [p for d, p in dated if d >= newest - days]


def newest_date(passages: list[Any]) -> str:
    """The newest `published` among passages ("" when none is dated)."""
    days = [d for p in passages if (d := published_day(str(p.metadata.get("published", "")))) is not None]
    return from_day(max(days)).isoformat() if days else ""


def with_scope_note(answer: Any, scope: Scope, note: str) -> Any:
    """Say in the answer's note what was searched and, for "latest", how recent the
    newest quoted article is (before any note the answerer left)."""
    parts = [note] if note else []
    if scope.latest and not answer.abstained:
        dates = sorted(
            (s.published for s in answer.sources if published_day(s.published) is not None), reverse=True
        )
        if dates:
            parts.append(f"Newest first: the latest article quoted is from {dates[0]}.")
    if answer.note:
        parts.append(answer.note)
    answer.note = " ".join(parts)
    return answer
