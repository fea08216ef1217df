"""Acronyms a question writes, and articles that spell them out."""

from __future__ import annotations

from typing import Any

from index.query.acronyms import acronyms, asked_long_forms, long_forms, spelled_out
from index.query.bridge import Bridge
from index.query.question import analyze
from index.store.sentences import StoredSentence
from index.text import content_terms, stem


def test_acronyms_are_words_in_capitals_of_three_to_six_letters() -> None:
    assert acronyms("What GDP growth does OPEC expect for the EC in 1987?") == {"gdp", "opec"}
    assert acronyms("What gdp growth is expected?") == frozenset()


def test_an_acronym_is_spelled_out_by_its_words_in_a_row() -> None:
    assert spelled_out("gdp", ["Thailand's gross domestic product will expand five pct this year."])
    # the small words an acronym skips
    assert spelled_out("opec", ["Ministers of the Organization of Petroleum Exporting Countries met."])
    # the letters scattered over the sentence are no spelling
    assert not spelled_out("gdp", ["Growth in Thailand's domestic economy will pick up."])
    assert not spelled_out("gdp", [])


def test_long_forms_are_the_initials_of_runs_of_capitalised_words() -> None:
    # small words inside a name are read past, with and without their letter
    assert "opec" in long_forms("VIENNA - The Organization of the Petroleum Exporting Countries agreed.")
    assert "boe" in long_forms("The Bank of England held rates.")
    assert "ecb" in long_forms("The European Central Bank acted.")  # a sentence's "The" is no word of it
    # two words make no acronym (too often another one by chance), nor do codes
    assert "cd" not in long_forms("Children's Day is on June 1.")
    assert "mam" not in long_forms("The merged MI55 and MI66 agencies.")
    # a run of three or more inside a longer one
    assert "imf" in long_forms(
        "Officials said International Monetary Fund Managing Director Kristalina Georgieva"
    )
    # two capitalised words inside a longer run are too often an acronym by chance
    assert "md" not in long_forms(
        "Officials said International Monetary Fund Managing Director Kristalina Georgieva"
    )
    # lower-case words, a word in capitals, scattered capitals: no long form
    assert "imf" not in long_forms("Inflation rose in May from April.")
    assert "ecbp" not in long_forms("ECB President Christine Lagarde spoke.")
    assert asked_long_forms("What did the International Monetary Fund forecast?") == (
        ("imf", frozenset({stem("international"), stem("monetary"), stem("fund")})),
    )


def _bridge(question: str) -> Bridge:
    return Bridge.of(question, analyze(question).terms)


def _stated(bridge: Bridge, sentence: str) -> frozenset[str]:
    return bridge.stated(sentence, frozenset(content_terms(sentence)))


def test_a_sentence_states_the_question_terms_it_writes_in_the_other_form() -> None:
    imf = _bridge("What growth did the International Monetary Fund forecast?")
    assert _stated(imf, "The IMF cut its forecast for global growth.") == {
        stem("international"),
        stem("monetary"),
        stem("fund"),
    }
    assert _stated(imf, "The IMF's forecast") == _stated(imf, "The IMF cut its forecast")  # possessive
    assert not _stated(imf, "The IMFA cut its forecast.")  # another acronym
    assert not _stated(imf, "Inflation in May fell.")
    opec = _bridge("What did OPEC agree to?")
    assert _stated(opec, "The Organization of the Petroleum Exporting Countries agreed.") == {"opec"}
    assert not _stated(opec, "Oil producers agreed.")
    assert not _bridge("What did the fund forecast?")  # nothing to bridge: no copies made


def test_features_read_a_name_written_in_the_other_form_as_the_name() -> None:
    """The term coverage and the MaxSim of a sentence that writes "IMF" for a question's
    "International Monetary Fund" are those of one that writes it out."""
    from index.query.candidates import Sentence, _bridged

    stored = StoredSentence(
        "a", "h", 0, 0, 0, 40, 0, 40, "", "The IMF cut its forecast for growth.", [], b"", b""
    )
    plain = Sentence(stored, ("imf", "cut", "forecast", "growth"), frozenset(), [])
    bridged = _bridged(plain, _bridge("What growth did the International Monetary Fund forecast?"))
    assert bridged is not plain and plain.term_set == {"imf", "cut", "forecast", "growth"}  # the cache's copy
    assert {stem("monetary"), "forecast"} <= bridged.term_set
    assert _bridged(plain, _bridge("What did the fund forecast?")) is plain


def test_a_name_and_its_acronym_answer_each_other(engine_over: Any) -> None:
    """The articles write "IMF" and the question "International Monetary Fund" (it was
    refused as naming something no article mentions), or the other way round (refused as
    unlikely: nothing matched "OPEC")."""
    bodies = {
        "opec.md": (
            "Oil producers agree output cut",
            "VIENNA, April 3 - The Organization of the Petroleum Exporting Countries agreed on Sunday "
            "to cut its combined output by 1.16 million barrels a day from May.\n\n"
            "Oil prices jumped more than 6 percent in early trading in Asia after the announcement.",
        ),
        "imf.md": (
            "Fund trims world growth forecast",
            "WASHINGTON, April 11 - The IMF cut its forecast for global growth this year to 2.8 percent, "
            "citing turmoil in the banking sector.\n\n"
            "Its chief economist said risks to the outlook were tilted firmly to the downside.",
        ),
        "pass.md": ("Mountain pass", "Snow closed the mountain pass for a day."),
    }
    engine = engine_over(
        {
            name: f"---\ntitle: {title}\npublished: 2023-04-03\n---\n\n{body}\n"
            for name, (title, body) in bodies.items()
        }
    )
    imf = engine.ask("What growth did the International Monetary Fund forecast for this year?")
    assert not imf.abstained and "2.8 percent" in imf.text
    # the keyword search looks for the acronym too: the article is found by its words, not
    # only by its vector (what finds it in a corpus of thousands)
    gathered = engine._reader.gather("What did the International Monetary Fund say?")
    assert any(p.bm25_score and "imf" in str(p.metadata.get("article_id", "")) for p in gathered.pool)
    opec = engine.ask("What did OPEC agree to?")
    assert not opec.abstained and "1.16 million barrels" in opec.text
    # another organisation's initials are no stand-in
    assert engine.ask("What growth did the International Energy Agency forecast for this year?").abstained


def test_a_country_and_its_people_are_the_same_name() -> None:
    japanese = _bridge("What did the Japanese finance minister say?")
    assert _stated(japanese, "Japan's Finance Minister Kiichi Miyazawa said the yen was stable.") == {
        stem("japanese")
    }
    assert not _stated(japanese, "Taiwan's finance minister said the dollar was stable.")
    assert _stated(_bridge("What did Spain's prime minister say?"), "The Spanish prime minister said.") == {
        "spain"
    }
    assert not _bridge("What did American Motors say?")  # continents and their adjectives are left out
