"""Acronyms a question writes, and articles that spell them out."""

from __future__ import annotations

from index.query.acronyms import acronyms, spelled_out


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
