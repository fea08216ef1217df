"""A question asking who holds a role that no article about its subject names is refused."""

from __future__ import annotations

from typing import Any

import pytest

from index.query.roles import asked_role


@pytest.mark.parametrize(
    ("question", "role"),
    [
        ("Who is the chairman of Viacom?", "chairman"),
        ("who's the prime minister of Japan", "minister"),  # the last word of the title
        ("Who was Truman Capote's father?", "father"),  # after a possessive
        ("Who was the second Phagmodru ruler?", "ruler"),  # a name inside the phrase
        ("Who is the CEO of Apple?", "CEO"),
        ("Who is the chief executive of Chemlawn?", "chief executive"),
        ("Who was the first person to notice her voice?", None),  # says nothing of a role
        ("Who is the head of the agency?", None),
        ("Who was named to succeed Giuliani?", None),  # a verb, not a role
        ("Who is lead manager of the eurobond?", None),  # no "the": not read
        ("Who are these women?", None),
        ("What is the chairman's name?", None),  # not a who-question
        ("Who is the new Apple?", None),  # a name, not a role
    ],
)
def test_the_role_a_question_asks_about(question: str, role: str | None) -> None:
    asked = asked_role(question)
    assert (asked[0] if asked else None) == role


def test_an_acronym_role_is_found_spelled_out_and_back() -> None:
    assert asked_role("Who is the CEO of Apple?") == ("CEO", (("chief", "execut"), ("ceo",)))
    assert asked_role("Who is the chief executive of Apple?") == (
        "chief executive",
        (("chief", "execut"), ("ceo",)),
    )


ARTICLES = {
    "bid.md": "---\ntitle: Amusements raises its Viacom bid\n---\n"
    "National Amusements raised the value of its offer for Viacom's publicly held stock on Tuesday. "
    "A special committee of the Viacom board would meet later today to consider the offer.\n",
    "chrysler.md": "---\ntitle: Chrysler to buy American Motors\n---\n"
    "Chrysler agreed to buy American Motors for about 1.5 billion dlrs. "
    "Chrysler chairman Lee Iacocca cited the Jeep division as the major attraction.\n",
    "acme.md": "---\ntitle: Acme names a new chief executive\n---\n"
    "Acme Corp said its board named Dana Whitfield chief executive on Monday, succeeding the founder. "
    "Acme shares rose 4 pct on the news.\n",
}


def test_a_role_no_article_about_the_subject_names_is_refused(engine_over: Any) -> None:
    engine = engine_over(ARTICLES)
    answer = engine.ask("Who is the chairman of Viacom?")
    assert answer.abstained
    assert (
        answer.text
        == "I couldn't find that in the articles. None of the articles about it mentions a “chairman”."
    )
    assert answer.sources  # the closest articles are still offered
    assert engine.ask("who is the chairman of viacom").abstained  # typed in lower case

    # Where an article about the subject names the role, the question is answered.
    answer = engine.ask("Who is the chairman of Chrysler?")
    assert not answer.abstained and "Iacocca" in answer.text
    answer = engine.ask("Who is the CEO of Acme?")  # the article writes it out
    assert not answer.abstained and "Whitfield" in answer.text


def test_a_role_never_written_as_a_title_is_not_checked(engine_over: Any) -> None:
    """ "Beneficiaries" or "overseer" are said in other words ("the proceeds went to"): a role
    the candidates never write beside a person's name is left to the abstain model."""
    engine = engine_over({
        "concert.md": "---\ntitle: A last concert in London\n---\n"
        "Frederic Chopin gave his last public concert in London in November 1848. "
        "The proceeds went to Polish emigres living in the city.\n",
        "other.md": "---\ntitle: Rain in Oslo\n---\nIt rained in Oslo on Monday, forecasters said.\n",
    })  # fmt: skip
    answer = engine.ask("Who were the beneficiaries of Chopin's last public concert?")
    assert "mentions a" not in answer.text
