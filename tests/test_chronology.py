"""Quotes from articles of different dates come in date order."""

from __future__ import annotations

from typing import Any

from index.query.chronology import in_date_order
from index.query.retrieval import Passage


def passage(article_id: str, published: str) -> Passage:
    return Passage(f"{article_id}#h#0000", "text", 1.0, {"article_id": article_id, "published": published})


def test_quotes_in_date_order_only_when_dates_differ() -> None:
    passages = [
        passage("june.md", "1987-06-19"),
        passage("march.md", "1987-03-04"),
        passage("undated.md", ""),
    ]
    quotes = [("june.md", "q1"), ("undated.md", "q2"), ("march.md", "q3")]
    ordered = in_date_order(quotes, lambda q: q[0], passages)
    assert [q[1] for q in ordered] == ["q3", "q1", "q2"]  # oldest first, undated after the dated
    same_day = [("june.md", "a"), ("undated.md", "b")]
    assert in_date_order(same_day, lambda q: q[0], passages) == same_day  # one date: answerer's order kept


def test_the_answer_goes_first_and_the_rest_in_date_order(engine_over: Any) -> None:
    """The quote the answerer chose goes first, whatever its date; the date order is for
    what is quoted beside it (it used to put the first report's toll before the final one)."""
    engine = engine_over({
        "march.md": "---\ntitle: Quake hits Valdoria\npublished: 1987-03-04\n---\n"
        "An earthquake struck the Valdoria region on Tuesday, killing at least 12 people, officials said.\n",
        "june.md": "---\ntitle: Valdoria rebuilds\npublished: 1987-06-19\n---\n"
        "The March earthquake in Valdoria killed 30 people, the government said in a final count.\n",
    })  # fmt: skip
    answer = engine.ask("How many people did the earthquake in Valdoria kill?")
    assert answer.quotes[0].startswith("The March earthquake in Valdoria killed 30 people")
    assert answer.sources[0].source == "june.md"
    assert answer.quotes[1].startswith("An earthquake struck")  # the first report, after it
