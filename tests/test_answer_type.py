"""Questions that ask for a number, a year or a duration need a sentence that states one."""

from __future__ import annotations

from typing import Any

import pytest

from index.query.answer_type import expected_kind, states
from index.query.engine import Engine
from index.settings import Settings


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How long did the meeting last?", "duration"),
        ("For how long will sanctions stay?", "duration"),
        ("In what year was the campaign launched?", "year"),
        ("Which year did Crimea change hands?", "year"),
        ("How old is Lavrov?", "age"),
        ("How much did the pipeline cost?", "money"),
        ("How much gas does Europe import?", "quantity"),
        ("How many troops are massed at the border?", "quantity"),
        ("Who met in Geneva?", None),
        ("Why did the talks stall? How many were there?", None),  # only the opening counts
        ("What did Blinken say about how long talks take?", None),
    ],
)
def test_expected_kind(question: str, kind: str | None) -> None:
    assert expected_kind(question) == kind


@pytest.mark.parametrize(
    ("kind", "sentence", "stated"),
    [
        ("duration", "The ministers talked for about 90 minutes.", True),
        ("duration", "The talks lasted an hour and a half.", True),
        ("duration", "It was his last trip to Europe this week before the 21st.", False),
        ("year", "A campaign launched in 2020 to undermine Ukraine.", True),
        ("year", "Officials met 4 times and 100,000 troops massed.", False),
        ("age", "Lavrov, 71, said nothing.", True),
        ("age", "Troops massed on January 18, 2022.", False),
        ("age", "Sergei Lavrov (71) said nothing.", True),
        ("age", "The 71-year-old minister said nothing.", True),
        ("money", "The pipeline cost $11 billion.", True),
        ("money", "Scholz joined the pressure on the 18th.", False),
        ("quantity", "Russia massed 100,000 troops.", True),
        ("quantity", "the fourth time in a week", True),
        ("quantity", "Blinken warned Moscow.", False),
    ],
)
def test_states(kind: str, sentence: str, stated: bool) -> None:
    assert states(kind, sentence) is stated


def test_typed_questions_the_articles_cannot_answer_abstain(built_index: Settings, onnx_model: Any) -> None:
    engine = Engine(built_index, embed_model=onnx_model)
    for question in (
        "How long did the meeting last?",
        "How old is Lavrov?",
        "How much did the Nord Stream 2 pipeline cost?",
    ):
        assert engine.ask(question).abstained, question
    # ... while the same kinds of question the articles do answer are answered.
    troops = engine.ask("How many Russian troops are massed near Ukraine's border?")
    assert not troops.abstained and "100,000" in troops.text
    year = engine.ask("In what year was the Kremlin campaign to undermine Ukraine launched?")
    assert not year.abstained and "2020" in year.text
