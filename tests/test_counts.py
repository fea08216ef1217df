"""Counts named in questions and sentences, and the check that drops another count."""

from __future__ import annotations

from typing import Any

from index.query.counts import counts, verdict


def test_a_count_is_a_number_and_the_thing_it_counts() -> None:
    assert counts("Who signed on for three more films?") == {("3", "film")}
    assert counts("It sold 1,269 tanks and 5.5 pct of its shares.") == {("1269", "tank"), ("5.5", "pct")}
    # Years are periods, not counts; a number followed by another number counts nothing.
    assert counts("In 2015 the film was shot.") == frozenset()
    assert counts("On March 5, 1987 it said so.") == frozenset()
    assert counts("Between 200 300 films.") == {("300", "film")}


def test_number_words_and_ordinals_state_their_values() -> None:
    assert counts("It runs sixty-five trucks and fifteen vans.") == {("65", "truck"), ("15", "van")}
    # an ordinal, written in words or in digits, agrees with its number written bare
    assert counts("Spectre is the twenty-fourth James Bond film.") == {("24th", "jame")}
    assert counts("He made his 24th film and his eighth appearance.") == {("24th", "film"), ("8th", "appear")}
    asked = counts("What is the thirty-fourth James Bond film?")
    assert verdict(asked, counts("Spectre is the twenty-fourth James Bond film."))[0]
    assert verdict(asked, counts("Its 34th James Bond film is due in 2027.")) == (False, True)
    assert verdict(
        counts("Who won at the 43 Annual Grammy Awards?"), counts("At the 43rd Annual Grammy Awards ...")
    ) == (False, True)
    # "first" to "third" are said loosely; a day of a month is the period check's
    assert counts("The first Dalai Lama, the second busiest airport, the third time.") == frozenset()
    assert counts("On the 4th of July and the 21st of March.") == frozenset()


def test_a_day_or_the_number_of_a_name_counts_nothing() -> None:
    # "the May 27 aftershocks" is a day, not 27 aftershocks: read as a count, it ruled out
    # the sentence that answers ("On May 27, two aftershocks ... 420,000 homes").
    assert counts("How many homes were destroyed because of the May 27 aftershocks?") == frozenset()
    assert counts("How many died in the Sept. 11 attacks or the 7 July bombings?") == frozenset()
    assert counts("On May 27, two aftershocks hit.") == {("2", "aftershock")}
    asked = counts("How many Boeing 737 jets did Ryanair order after Flight 370 and the Chapter 11 filing?")
    assert asked == frozenset()
    assert counts("Who wrote Op. 10, No. 12 for piano?") == frozenset()
    # a possessive, the first word, a weekday, a word in capitals or a stop word before the
    # number, or a comma between, leaves it a count
    assert counts("How many of OPEC's 13 members agreed?") == {("13", "member")}
    assert counts("About 300 people died.") == {("300", "peopl")}
    assert counts("THE ARMY SENT 300 TROOPS.") == {("300", "troop")}
    assert counts("The company said Tuesday 300 workers quit.") == {("300", "worker")}
    assert counts("WASHINGTON, March 3 - Some 300 workers quit.") == {("300", "worker")}
    assert counts("In January, 12 people were killed; in Texas, 9 people died.") == {
        ("12", "peopl"),
        ("9", "peopl"),
    }
    # before an amount a name is the receiver, not a label: "give Greece 86 billion euros"
    assert counts("They agreed to give Greece 86 billion euros.") == {("86", "billion")}
    assert counts("Who shot the film on Kodak 45 mm film stock?") == {("45", "mm")}
    # a date stays a date, whatever word follows it ("marks" is a verb too)
    assert counts("Next Tuesday, July 4 marks the anniversary; Windows 10 marks a break.") == frozenset()
    assert counts("Officials said 300 may die.") == {("300", "die")}  # "may" the verb is no month


def test_another_count_of_the_same_thing_contradicts() -> None:
    asked = counts("Who has signed on for three more films in the series?")
    assert verdict(asked, counts("Waltz has signed on for two more films in the series.")) == (True, False)
    assert verdict(asked, counts("Waltz has signed on for three more films.")) == (False, True)
    assert verdict(asked, counts("He has signed on for 3 more films, not two more films.")) == (False, True)
    # Counting something else, or nothing, is no contradiction.
    assert verdict(asked, counts("Waltz has two children.")) == (False, False)
    assert verdict(asked, counts("Waltz has signed on for more films.")) == (False, False)


_FERRIES = (
    "---\ntitle: Ferry order\npublished: 2024-02-12\n---\n\n"
    "Harbour Lines has ordered two more ferries from the Ulstein yard, the company said on Monday. "
    "The new ships will enter service on the Bergen route next year.\n"
)
_OTHER = "---\ntitle: Weather\npublished: 2024-02-13\n---\n\nSnow closed the mountain pass for a day.\n"


def test_a_sentence_counting_something_else_does_not_answer(engine_over: Any) -> None:
    engine = engine_over({"ferries.md": _FERRIES, "weather.md": _OTHER})
    right = engine.ask("Which company has ordered two more ferries from the Ulstein yard?")
    assert not right.abstained and "Harbour Lines" in right.text
    wrong = engine.ask("Which company has ordered five more ferries from the Ulstein yard?")
    assert wrong.abstained, wrong.text
