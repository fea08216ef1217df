"""Questions typed in lower case get their names back from the candidate articles."""

from __future__ import annotations

from index.query.question import analyze
from index.query.truecase import truecase, uncased
from index.settings import Settings

SENTENCES = [
    "Antony Blinken met Sergei Lavrov in Geneva on Friday.",
    "Ministers said OPEC and the U.S. would be consulted.",
    "Officials may meet again in May, and talks in Geneva may be longer.",
    "OPEC's president said the president of Ukraine spoke.",
    "Geneva talks were the first since the may crisis.",  # a sentence's first word: not counted
]


def test_names_get_the_articles_spelling() -> None:
    assert truecase("who did blinken meet in geneva?", SENTENCES) == "who did Blinken meet in Geneva?"
    assert truecase("what did opec tell the u.s. about talks?", SENTENCES) == (
        "what did OPEC tell the U.S. about talks?"
    )
    # "may" is written lower case as often as capitalised: not a name
    assert truecase("what may happen in geneva", SENTENCES) == "what may happen in Geneva"
    # "OPEC" opens a sentence (not counted) and is capitalised mid-sentence once
    assert truecase("what did the president of opec say", SENTENCES) == "what did the president of OPEC say"
    assert truecase("who met lavrov", []) == "who met lavrov"  # nothing to go by


def test_only_questions_without_capitals_are_recased() -> None:
    assert uncased("who did blinken meet?") and uncased("Who did blinken meet?")
    assert not uncased("Who did Blinken meet?") and not uncased("who did blinken meet in the EU?")


def test_a_lower_case_question_is_read_as_its_capitalised_twin(built_index: Settings) -> None:
    """Its names are keys the evidence must hold, as when the question is typed with capitals."""
    from training.train_answerer import open_reader

    reader = open_reader(built_index.corpus_dir, built_index.index_dir)  # as serving opens it
    for cased in (
        "Who is the Russian Foreign Minister that Blinken met?",
        "What did Secretary-General Stoltenberg say was at stake?",
    ):
        typed = reader.gather(cased.lower()).question
        assert analyze(cased.lower()).keys == frozenset()
        assert typed.keys == analyze(cased).keys and len(typed.keys) >= 2
        assert typed.text == cased.lower() and typed.as_read != typed.text
