"""Owners a question names ("Japan's trade surplus"), and the check that drops a sentence
giving another owner's."""

from __future__ import annotations

from typing import Any

from index.query.owners import asked_owners, verdict


def test_an_owner_owns_the_content_words_after_it() -> None:
    assert asked_owners("What was Japan's customs-cleared trade surplus in April?") == (
        ("japan", frozenset({"custom", "clear", "trade", "surplus"})),
    )
    assert asked_owners("Who is Chrysler's chairman?") == (("chrysler", frozenset({"chairman"})),)
    # contractions, pronouns and lower-case words own nothing
    assert asked_owners("What's the trade surplus?") == ()
    assert asked_owners("How big is the country's trade surplus?") == ()
    assert asked_owners("What did Japan say about it?") == ()


def test_another_owner_of_the_same_thing_contradicts() -> None:
    asked = asked_owners("What was Japan's trade surplus in April?")
    assert verdict(asked, "Taiwan's trade surplus rose to 3.6 billion dlrs.", frozenset()) == (True, False)
    assert verdict(asked, "Japan's trade surplus rose to 9.6 billion dlrs.", frozenset()) == (False, True)
    # a sentence that states the question's owner too, or another owner's other thing,
    # or no owner at all, is let through; only the owner with the thing takes the question's side
    assert verdict(asked, "Taiwan's trade surplus with Japan rose.", frozenset()) == (False, True)
    assert verdict(asked, "Taiwan's trade minister met officials.", frozenset()) == (False, False)
    assert not verdict(asked, "Taiwan's reserves rose to a new high.", frozenset())[0]
    assert not verdict(asked, "The trade surplus rose to 9.6 billion dlrs.", frozenset())[0]


def test_another_name_of_the_same_owner_is_no_contradiction() -> None:
    asked = asked_owners("What harmed Frédéric's health that winter?")
    sentence = "The weather harmed Chopin's health that winter."
    assert verdict(asked, sentence, frozenset())[0]
    assert not verdict(asked, sentence, frozenset({("frederic", "chopin")}))[0]
    # one spelling apart, as the names check reads it: the article's slip, not another man
    asked = asked_owners("What was the purpose of Blinken's visit?")
    assert not verdict(asked, "The purpose of Secretary Blincoln's visit is to help.", frozenset())[0]
    assert verdict(asked, "The purpose of Secretary Lavrov's visit is to help.", frozenset())[0]


def test_a_sentence_about_another_country_does_not_answer(engine_over: Any) -> None:
    """The Taiwan article names Japan (so the names check lets it through); the Japan
    article answers for Japan, and a question about Korea is refused."""
    taiwan = (
        "Taiwan's trade surplus rose to a record 13.6 billion U.S. Dlrs last year, officials said. "
        "Speculative funds came mainly from Hong Kong, Japan and the U.S., they said."
    )
    japan = "Japan's trade surplus rose to 9.6 billion dlrs in March, the Finance Ministry said."
    engine = engine_over(
        {
            name: f"---\ntitle: {title}\npublished: 1987-04-0{day}\n---\n\n{body}\n"
            for name, title, day, body in [
                ("taiwan.md", "Taiwan reserves rise", 2, taiwan),
                ("japan.md", "Japan surplus", 3, japan),
                ("pass.md", "Mountain pass", 4, "Snow closed the mountain pass for a day."),
                ("singer.md", "Beyoncé", 5, "Her debut single was named VH1's Greatest Song of the 2000s."),
            ]
        }
    )
    answers = {
        place: engine.ask(f"How large was {place}'s trade surplus last year?")
        for place in ("Taiwan", "Japan")
    }
    assert "13.6 billion" in answers["Taiwan"].text
    assert not answers["Japan"].abstained and "9.6 billion" in answers["Japan"].text
    assert "13.6 billion" not in answers["Japan"].text.split("[")[0]
    # in the article about its owner, another owner's words are no contradiction
    song = engine.ask("Which of Beyoncé's songs was named Greatest Song of the 2000s?")
    assert not song.abstained and "VH1's Greatest Song" in song.text
