"""Questions typed with a slip are read as the word one edit away that the articles hold."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from index.query.spelling import edits, english_words, months_as_written, respelt
from index.settings import Settings
from index.text import content_terms, stem

ARTICLES = [
    "Philips chairman Cor van der Klugt said the deficit widened.",
    "The lawyer for the company said the budget would be cut in Manhattan.",
    "Sciarra told the court the budget was approved.",
]


def held(texts: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for text in texts:
        for term in set(content_terms(text)):
            counts[term] = counts.get(term, 0) + 1
    return counts


def frequencies(terms: Iterable[str]) -> dict[str, int]:
    df = held(ARTICLES)
    return {t: df.get(t, 0) for t in terms}


def test_edits_are_one_slip_that_keeps_the_first_letter() -> None:
    found = edits("laywer")
    assert "lawyer" in found and "layer" in found  # swapped, dropped
    assert "laywers" in found and "lbywer" in found  # added, replaced
    assert "alywer" in found  # the first two letters swapped
    assert not any(e[:1] not in "la" for e in found)
    assert "laywer" not in found


def test_a_misspelt_word_is_respelt_as_the_articles_hold_it() -> None:
    assert respelt("What did the laywer say about the buget?", frequencies) == (
        "What did the lawyer say about the budget?"
    )
    assert respelt("Who chairs Philpis?", frequencies) == "Who chairs Philips?"  # a name: its case kept
    assert respelt("What did Scciarra's team say?", frequencies) == "What did Sciarra's team say?"
    assert respelt("WHAT DID THE LAYWER SAY?", frequencies) == "WHAT DID THE LAWYER SAY?"
    assert (
        respelt("And whre is Manhatten?", frequencies) == "And were is Manhattan?"
    )  # a stop word one slip away
    assert respelt("Waht did the lawyer say?", frequencies) == "What did the lawyer say?"  # first two swapped


def test_words_that_are_english_short_or_held_stay_as_typed() -> None:
    for question in (
        "What did the lawyer say?",  # held
        "What did the airplane carry?",  # English, though no article holds it
        "Who is Bsh?",  # too short to tell a slip from another name
        "Who is Mark?",  # a name of four letters
        "What did Zyxwvut say?",  # nothing one slip away
        "What did Petro-Canada say?",  # hyphenated
        "What did Pétrus say?",  # accented
        "What fell in 1987?",
    ):
        assert respelt(question, frequencies) == question, question


def test_a_candidate_must_be_an_english_word_or_a_name() -> None:
    # "hectores" is one slip from "hectares" and its term, "hector", is held: no word, no name
    df = {"hector": 3}
    assert respelt("How many hectares?", lambda ts: {t: df.get(t, 0) for t in ts}) == "How many hectares?"
    assert respelt("How many hecatres?", lambda ts: {t: df.get(t, 0) for t in ts}) == "How many hecatres?"
    assert stem("hectores") == "hector" and "hectores" not in english_words()
    assert {"lawyer", "budget", "airplane", "through"} <= english_words()


def test_a_question_with_a_slip_gets_the_answer_of_the_one_without(built_index: Settings) -> None:
    from index.query.engine import Engine

    engine = Engine(built_index)
    right = engine.ask("Who is the Russian Foreign Minister that Blinken met in Geneva?")
    slip = engine.ask("Who is the Russian Foriegn Minister that Blinken met in Genvea?")
    assert not right.abstained and slip.text == right.text and slip.sources == right.sources
    assert slip.question == "Who is the Russian Foriegn Minister that Blinken met in Genvea?"


def test_abbreviated_months_are_written_as_the_articles_write_them() -> None:
    written_out = {"march": 1249, "mar": 1, "februari": 174, "feb": 35, "septemb": 83, "sept": 10}
    abbreviating = {"februari": 20, "feb": 300}  # AP style: "Feb. 5"

    def of(df: dict[str, int]) -> Callable[[Iterable[str]], dict[str, int]]:
        return lambda terms: {t: df.get(t, 0) for t in terms}

    assert months_as_written("How much did sales fall in Mar. 1987?", of(written_out)) == (
        "How much did sales fall in March 1987?"
    )
    assert months_as_written("What rose in late Feb 1987 and Sept. 3?", of(written_out)) == (
        "What rose in late February 1987 and September 3?"
    )
    assert months_as_written("What happened on Feb. 5?", of(abbreviating)) == "What happened on Feb. 5?"
    for kept in ("Who is Jan Smith?", "Did prices mar the deal?", "What did Dec say?", "What is due in May?"):
        assert months_as_written(kept, of(written_out)) == kept


def test_the_reader_writes_out_a_month_the_articles_write_out(built_index: Settings) -> None:
    from index.query.engine import Engine

    engine = Engine(built_index)
    abbreviated = engine.read("What did Blinken say in Geneva on Jan. 21?")
    assert abbreviated.question.text == "What did Blinken say in Geneva on January 21?"
    assert np.array_equal(abbreviated.X, engine.read("What did Blinken say in Geneva on January 21?").X)


def test_a_long_question_of_unknown_words_is_looked_at_a_few_words_at_most() -> None:
    asked: list[int] = []

    def counting(terms: Iterable[str]) -> dict[str, int]:
        terms = list(terms)
        asked.append(len(terms))
        return frequencies(terms)

    question = " ".join(f"zqxw{chr(97 + i % 26)}{chr(97 + i // 26)}k" for i in range(300))
    assert respelt(question, counting) == question
    assert len(asked) == 2 and asked[1] <= 6 * 60 * 8  # the words, then one batch of spellings


def test_a_word_only_a_title_holds_is_no_slip() -> None:
    titles = ["REAGAN'S STRENGTH IN U.S. CONGRESS APPEARS SAPPED"]

    def titled(word: str) -> bool:
        return any(word in t.lower().split() for t in titles)

    df = {"swap": 4}
    assert respelt("Who sapped it?", lambda ts: {t: df.get(t, 0) for t in ts}) == "Who swapped it?"
    assert respelt("Who sapped it?", lambda ts: {t: df.get(t, 0) for t in ts}, titled) == "Who sapped it?"
