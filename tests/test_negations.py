"""The check that a quoted sentence does not state what the question denies."""

from __future__ import annotations

from typing import Any

import pytest

from index.query.negations import negated_word, verdict
from index.text import stem


@pytest.mark.parametrize(
    ("question", "denied"),
    [
        ("Who was not trending on Twitter the day the song was released?", "trending"),
        ("Profanity wasn't muted in which country?", "muted"),
        ("Who would not be reprising his role as Mr. White?", "reprising"),
        ("What was not used in the final release?", "used"),  # a word spaCy lists as a stop word
        ("Who was the teacher that was not an amateur?", "amateur"),
        ("Which rebels could never be defeated?", "defeated"),
        # the auxiliary before the subject: the question's own negation, nothing to match
        ("Why didn't Yonten Gyatso make it to Beijing?", None),
        ("Who didn't attend the summit?", None),  # read the same way: a limit
        ("Who won't attend the summit?", None),
        ("The delegates won't attend which summit?", "attend"),
        ("If Link is not moving, where will he put the rock?", None),  # a condition
        ("Poles did not only seek solace in what?", None),  # "not only ... but"
        ("Where is the radiation not reflected back absorbed?", None),  # no auxiliary: a relative clause
        # the subject between the auxiliary and "not": not read (a relative clause reads the same)
        ("In which country was profanity not muted?", None),
        ("Who won the race?", None),
    ],
)
def test_the_word_a_question_denies(question: str, denied: str | None) -> None:
    assert negated_word(question) == (stem(denied) if denied else None)


def test_a_sentence_that_states_the_denied_word_says_the_opposite() -> None:
    term = negated_word("Profanity was not muted in which country?")
    assert term is not None
    assert verdict(term, "They also muted all profanity.") == (True, False)
    # negated within a few words: it takes the question's side
    assert verdict(term, "Profanity was not muted in the German release.") == (False, True)
    assert verdict(term, "Profanity wasn't muted in Germany.") == (False, True)
    assert verdict(term, "The studio refused to have the profanity muted.") == (False, True)
    # a sentence without the word says nothing either way
    assert verdict(term, "The game was released in Germany.") == (False, False)


def test_a_question_that_denies_what_the_article_states_is_refused(engine_over: Any) -> None:
    game = (
        "The game was released in Germany in a censored version. "
        "They also muted all profanity in the German release, the studio said. "
        "Sales in Germany reached 200,000 copies in the first month."
    )
    engine = engine_over(
        {
            "game.md": f"---\ntitle: Game censored in Germany\npublished: 2016-03-02\n---\n\n{game}\n",
            "pass.md": "---\ntitle: Mountain pass\npublished: 2016-03-03\n---\n\nSnow closed the mountain pass.\n",
        }
    )
    asked = engine.ask("In which country was profanity muted?")
    assert not asked.abstained and "muted all profanity" in asked.text
    assert engine.ask("Profanity was not muted in which country?").abstained
