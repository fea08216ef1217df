"""Days a quoted sentence names relative to its article's date (index/query/days.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from index.query.days import days_named

WEDNESDAY = date(1987, 3, 25)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Following Sunday's battle, French officers said the base fell.", [("Sunday's", "1987-03-22")]),
        ("He said on Wednesday that talks had failed.", [("Wednesday", "1987-03-25")]),  # the article's day
        ("Prices fell on Black Monday, traders said yesterday.", [("yesterday", "1987-03-24")]),
        ("The council will meet on Friday to decide.", [("Friday", "1987-03-27")]),
        ("The OPEC meeting is due to start on Thursday.", [("Thursday", "1987-03-26")]),
        ("It was signed last Wednesday.", [("last Wednesday", "1987-03-18")]),
        ("The talks end next Wednesday.", [("next Wednesday", "1987-04-01")]),
        ("He said on Monday that 300 jobs were cut.", [("Monday", "1987-03-23")]),
        ("On Thursday and Friday the deputy trade representative would meet Kuroda.", []),  # both
        ("The meeting will be held on Tuesday.", [("Tuesday", "1987-03-31")]),
        ("Dealers sold sterling ahead of next Tuesday's U.K. budget.", [("next Tuesday's", "1987-03-31")]),
        (
            "The accord is expected to be signed today or tomorrow.",
            [("today", "1987-03-25"), ("tomorrow", "1987-03-26")],
        ),
        (
            "Under the new law, passed yesterday, 51 pct of shares go to the state.",
            [("yesterday", "1987-03-24")],
        ),
        # not counted: no tense to go by, a date given, names, the article's own weekday to come
        ("Talks resume Tuesday.", []),
        ("Talks resume Tuesday, March 31, officials said.", []),
        ("He said on Tuesday 31 March that he would stay.", []),
        ("Options expire on March 20, the next expiration Friday.", []),
        ("The British Sunday paper said the missile was Chinese.", []),
        ("The Sunday Times reported the deal.", []),
        ("The board will meet on Wednesday.", []),
        ("Banks were shut Saturday to Sunday, officials said.", []),
        ("He told USA Today that prices fell.", []),
        # a sentence ends a clause: "will" in the one before is not this one's future
        ("Prices will rise. The minister said on Sunday that talks failed.", [("Sunday", "1987-03-22")]),
        # "U.S." ends no sentence: "would" is still in Thursday's clause, beside "said": which?
        ("The spokesman said that on Thursday the U.S. trade envoy would meet Kuroda.", []),
        ("Bills are due on the first and third Wednesday of the month.", []),
        ("The dollar climbed by Wednesday, dealers said.", []),
    ],
)
def test_days_are_counted_from_the_article_date(text: str, named: list[tuple[str, str]]) -> None:
    assert [(words, day.isoformat()) for words, day in days_named(text, WEDNESDAY)] == named


def test_a_when_answer_says_the_dates_its_days_stand_for(engine_over: Any) -> None:
    engine = engine_over(
        {
            "kalo.md": (
                "---\ntitle: Rebels take Kalo\npublished: 1990-03-07\n---\n"
                "Rebels captured the northern town of Kalo on Sunday, the army said. "
                "Government troops withdrew to the coast after two days of fighting.\n"
            ),
            "undated.md": (
                "---\ntitle: Port strike ends\n---\n"
                "Dock workers in Varna ended their strike on Monday, the union said.\n"
            ),
        }
    )
    answer = engine.ask("When did the rebels capture Kalo?")
    assert answer.sources[0].source == "kalo.md"
    assert answer.note == 'Days counted from each article\'s date: "Sunday" [1] is 1990-03-04.'
    assert "Sunday" in answer.text  # the quote stays as the article wrote it
    assert engine.ask("Which town did the rebels capture?").note == ""  # only "when" asks for a day
    strike = engine.ask("When did the dock workers in Varna end their strike?")
    assert strike.sources[0].source == "undated.md" and strike.note == ""  # no date to count from


def test_a_day_past_the_calendar_is_left_out() -> None:
    # a placeholder date ("0001-01-01", Hugo's zero date) has no yesterday
    assert days_named("The board resigned yesterday, it said.", date(1, 1, 1)) == []
    assert days_named("It will open tomorrow.", date(9999, 12, 31)) == []
