"""Words a question asks about, and the check that drops a sentence saying the opposite
in their place."""

from __future__ import annotations

from typing import Any

from index.query.opposites import asked_words, opposites, verdict


def test_opposites_come_from_the_table_and_from_negating_prefixes() -> None:
    assert "oldest" in opposites("youngest") and "youngest" in opposites("oldest")
    assert "deficit" in opposites("surplus")
    assert "unofficial" in opposites("official") and "official" in opposites("unofficial")
    assert "inexperienced" in opposites("experienced")
    # a prefix that does not negate: too short a word without it
    assert "imprison" not in opposites("prison") and "display" not in opposites("play")
    assert "income" not in opposites("come")
    # numbers and "before"/"after" are other checks' or no contradiction
    assert not {"last", "second", "third"} & opposites("first") and "after" not in opposites("before")
    # a hyphenated name is no prefixed word: "ir" + "an-contra"
    assert "an-contra" not in opposites("iran-contra")


def test_a_question_that_names_both_sides_asks_which() -> None:
    assert not [a for a in asked_words("Was the school for male or female pupils?") if a.marked]
    # "how long" asks for the length: a sentence saying "a short strike" may well answer
    assert not [a for a in asked_words("How long did the dock strike last?") if a.marked]
    youngest = [a for a in asked_words("Who was the youngest minister in the cabinet?") if a.marked]
    assert [(a.term, a.around) for a in youngest] == [("youngest", {"minister"})]
    assert "oldest" in youngest[0].opposite


def test_the_opposite_in_the_question_words_place_contradicts() -> None:
    asked = asked_words("Who was the youngest minister in the cabinet?")
    assert verdict(asked, "At 71, Mr Tan became the oldest minister in the cabinet.") == (True, False)
    assert verdict(asked, "At 31, Ms Lee became the youngest minister in the cabinet.") == (False, True)
    # the opposite elsewhere in the sentence, away from the question word's place
    assert verdict(asked, "The oldest party named a new minister in the spring.") == (False, False)
    # a sentence holding both answers: it states the question's word
    assert verdict(asked, "The youngest minister is 31 and the oldest minister 71.") == (False, True)
    asked = asked_words("When will the unofficial count be published?")
    assert verdict(asked, "The official count will be published on Monday.")[0]
    asked = asked_words("Who was cast as a hero for scenes in Rome?")
    assert verdict(asked, "Detlef Bothe was cast as a villain for scenes shot in Rome.")[0]
    asked = asked_words("Later filming took place at which studio?")
    assert verdict(asked, "Early filming took place at Pinewood Studios.")[0]
    asked = asked_words("How large was the trade surplus in the second quarter?")
    assert verdict(asked, "The trade deficit in the second quarter was 2.1 billion dlrs.")[0]


def test_a_sentence_saying_the_opposite_does_not_answer(engine_over: Any) -> None:
    engine = engine_over(
        {
            "cabinet.md": (
                "---\ntitle: New cabinet sworn in\npublished: 2024-05-02\n---\n\n"
                "The new cabinet was sworn in on Thursday. At 71, Tan Wei became the oldest "
                "minister in the cabinet, taking the finance portfolio.\n"
            ),
            "pass.md": "---\ntitle: Mountain pass\npublished: 2024-05-03\n---\n\nSnow closed the mountain pass.\n",
        }
    )
    answers = [engine.ask(f"Who became the {age} minister in the cabinet?") for age in ("oldest", "youngest")]
    assert not answers[0].abstained and "Tan Wei" in answers[0].text
    assert answers[1].abstained, answers[1].text
