"""Questions typed in lower case get their names back from the candidate articles."""

from __future__ import annotations

from index.query.question import analyze
from index.query.truecase import never_lower, truecase, uncased, unshouted
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


def test_a_question_in_capitals_is_read_lower_cased() -> None:
    assert unshouted("WHO DID BLINKEN MEET IN GENEVA?") == "who did blinken meet in geneva?"
    assert unshouted("HOW MUCH DID OPEC'S OUTPUT FALL IN 1987?") == "how much did opec's output fall in 1987?"
    # a capital word or two, or one word alone, is written so on purpose
    for kept in ("What did OPEC say?", "Who met LAVROV in Geneva?", "OPEC?", "NATO", "¿QUÉ?", "Кто?"):
        assert unshouted(kept) == kept
    assert unshouted("КТО ВСТРЕТИЛСЯ С ЛАВРОВЫМ?") == "кто встретился с лавровым?"


def test_a_question_in_capitals_gets_the_answer_of_its_lower_cased_twin(built_index: Settings) -> None:
    """Every word of it would be a name the evidence must hold; read lower-cased, the
    articles' capitals say which ones are."""
    from index.query.engine import Engine

    engine = Engine(built_index)
    for question in (
        "Who is the Russian Foreign Minister that Blinken met?",
        "What did Secretary-General Stoltenberg say was at stake?",
    ):
        lower = engine.ask(question.lower())
        shouted = engine.ask(question.upper())
        assert not lower.abstained and shouted.text == lower.text
        assert shouted.question == question.upper()  # shown as typed
        assert shouted.sources == lower.sources
    # the date words it was scoped by are quoted as typed
    dated = engine.ask("WHAT DID STOLTENBERG SAY IN JANUARY 2022?")
    assert '"JANUARY 2022"' in dated.note and "january" not in dated.note, dated.note


def test_the_note_quotes_the_date_words_as_typed() -> None:
    from index.query.engine import note_as_typed

    note = 'Searched articles published from 1987-03-01 to 1987-05-15 (read from "march 1987").'
    assert note_as_typed(note, "WHAT DID OPEC DECIDE IN MARCH 1987?") == note.replace(
        "march 1987", "MARCH 1987"
    )
    assert note_as_typed(note, "what did opec decide in march 1987?") == note
    assert note_as_typed(note, "What did they decide then?") == note  # a follow-up's dates: left as read
    assert note_as_typed("", "WHAT IN MARCH 1987?") == ""


def test_never_lower_keeps_the_words_always_capitalised() -> None:
    sentences = [
        "Output in Chile rose, and exports from Chile fell.",
        "A Soft Drink maker and a soft landing.",  # written both ways
        "Sales in Peru rose.",  # once is not enough
        "Chile said so.",  # a sentence's first word says nothing
    ]
    assert never_lower("did chile, peru or soft drinks grow?", sentences) == frozenset({"chile"})
