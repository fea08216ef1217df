"""Names a question frames, and the check that drops a sentence with another name there."""

from __future__ import annotations

from typing import Any

from index.query.names import framed_names, verdict


def test_a_name_is_framed_by_the_words_either_side() -> None:
    assert framed_names("An explosion filmed in Mexico holds the record for what?") == {
        ("in", "mexico", "holds")
    }
    assert framed_names("Who is taken to the old MI66 building?") == {("old", "mi66", "building")}
    # The first word is capitalised whatever it is; numbers and months are other checks'.
    assert framed_names("Mexico hosted what in 1987?") == frozenset()
    assert framed_names("What did he say on March 3 about the deal?") == frozenset()
    assert framed_names("Where is it?") == frozenset()


def test_another_name_in_the_same_place_contradicts() -> None:
    asked = framed_names("An explosion filmed in Mexico holds the record for what?")
    assert verdict(asked, "An explosion filmed in Morocco holds the record for size.") == (True, False)
    assert verdict(asked, "An explosion filmed in Mexico holds the record for size.") == (False, True)
    assert verdict(
        framed_names("Who is taken to the old MI66 building?"), "Bond is taken to the old MI6 building."
    )[0]
    # Another frame, or a lower-case word in it, is no contradiction.
    assert verdict(asked, "Morocco holds the record for size.") == (False, False)
    assert verdict(asked, "An explosion filmed in secret holds the record.") == (False, False)


def test_the_same_thing_named_otherwise_is_no_contradiction() -> None:
    # one spelling apart
    asked = framed_names("Near what square was the African Burial Ground found?")
    assert not verdict(asked, "The African Burying Ground was found near Foley Square.")[0]
    # the article names the question's man elsewhere: "Chopin" is likely "Frédéric" too
    asked = framed_names("What harmed Frédéric's health that winter?")
    sentence = "The weather harmed Chopin's health that winter."
    assert verdict(asked, sentence)[0]
    assert verdict(asked, sentence, elsewhere=frozenset({"frederic"})) == (False, True)
    # ... but a place is no other name for a place the article mentions elsewhere
    asked = framed_names("An explosion filmed in Mexico holds the record for what?")
    sentence = "An explosion filmed in Morocco holds the record for size."
    assert not verdict(asked, sentence, elsewhere=frozenset({"mexico"}))[0]
    assert verdict(asked, sentence, elsewhere=frozenset({"mexico"}), places=frozenset({"morocco"}))[0]


def test_a_sentence_about_another_place_does_not_answer(engine_over: Any) -> None:
    record = (
        "An explosion filmed in Morocco holds the record for the largest film stunt explosion, "
        "the producers said on Friday. It used 8,418 litres of kerosene."
    )
    engine = engine_over(
        {
            name: f"---\ntitle: {title}\npublished: 2015-10-0{day}\n---\n\n{body}\n"
            for name, title, day, body in [
                ("record.md", "Stunt record", 2, record),
                ("pass.md", "Mountain pass", 3, "Snow closed the mountain pass for a day."),
            ]
        }
    )
    answers = [
        engine.ask(f"An explosion filmed in {place} holds the record for what?")
        for place in ("Morocco", "Mexico")
    ]
    assert not answers[0].abstained and "largest film stunt" in answers[0].text
    assert answers[1].abstained, answers[1].text


def test_a_lower_case_question_is_checked_with_the_capitals_it_was_read_with(engine_over: Any) -> None:
    """ "mexico" is a name because the articles write it so (index.query.truecase); the
    check then drops the sentence that films in Morocco, as for the capitalised question."""
    from index.query.model import load_model
    from training.train_answerer import open_reader

    files = {
        "record.md": "An explosion filmed in Morocco holds the record for the largest film stunt explosion.",
        "fair.md": "A book fair in Mexico drew 800,000 visitors this week, organisers said.",
    }
    engine = engine_over({name: f"---\ntitle: {name}\n---\n\n{body}\n" for name, body in files.items()})
    reader = open_reader(engine.settings.corpus_dir, engine.settings.index_dir)
    reader.model = load_model()
    reading = reader.read("an explosion filmed in mexico holds the record for what")
    assert reading.question.as_read == "an explosion filmed in Mexico holds the record for what"
    (swapped,) = [i for i, row in enumerate(reading.rows) if "Morocco" in row.sentence.stored.text]
    assert reading.probabilities[swapped] == 0.0


def test_a_place_is_not_taken_for_another_name_of_a_place_its_article_mentions(engine_over: Any) -> None:
    """The article mentions Mexico elsewhere, which lets an alias through ("Chopin" for
    "Frédéric"); Morocco is a place spaCy reads as one, so it is no alias for Mexico."""
    record = (
        "An explosion filmed in Morocco holds the record for the largest film stunt explosion, "
        "the producers said on Friday. Later scenes were shot in Mexico City and Rome."
    )
    engine = engine_over(
        {
            "record.md": f"---\ntitle: Stunt record\n---\n\n{record}\n",
            "pass.md": "---\ntitle: Mountain pass\n---\n\nSnow closed the mountain pass for a day.\n",
        }
    )
    assert not engine.ask("An explosion filmed in Morocco holds the record for what?").abstained
    answer = engine.ask("An explosion filmed in Mexico holds the record for what?")
    assert "largest film stunt" not in answer.text, answer.text
