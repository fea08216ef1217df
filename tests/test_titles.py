"""Titles a question gives a person ("producer Neal Purvis"), and the check that drops a
sentence giving that person another one."""

from __future__ import annotations

from typing import Any

from index.query.titles import titled_names, verdict


def test_a_title_is_a_role_written_right_before_a_name() -> None:
    (producer,) = titled_names("Producer Neal Purvis revealed that the film would provide what?")
    (chief,) = titled_names("What did Chrysler chief executive Lee Iacocca say?")
    assert producer[1] == {"neal", "purvis"} and chief[1] == {"lee", "iacocca"}
    # a role with no name after it, or a name with no role before it, is no title
    assert titled_names("Who is the chairman of Chrysler?") == ()
    assert titled_names("What did Lee Iacocca say?") == ()


def test_another_title_for_the_same_person_contradicts() -> None:
    asked = titled_names("Producer Neal Purvis revealed that the film would provide what?")
    assert verdict(asked, "Screenwriters Neal Purvis and Robert Wade revealed a retcon.") == (True, False)
    assert verdict(asked, "Producer Neal Purvis revealed a retcon.") == (False, True)
    # the same role in other words, the question's title elsewhere, or no title: let through
    asked = titled_names("What did writer Neal Purvis reveal?")
    assert verdict(asked, "Screenwriter Neal Purvis revealed a retcon.") == (False, True)
    assert not verdict(asked, "Producer Neal Purvis, a writer, revealed a retcon.")[0]
    assert verdict(asked, "Neal Purvis revealed a retcon.") == (False, False)


def test_a_sentence_about_the_producer_does_not_answer_for_the_writer(engine_over: Any) -> None:
    engine = engine_over(
        {
            "film.md": "---\ntitle: The film\n---\n\nProducer Barbara Broccoli said the film would open in "
            "October. Filming took place in Rome and Mexico City.\n",
            "pass.md": "---\ntitle: Mountain pass\n---\n\nSnow closed the mountain pass for a day.\n",
        }
    )
    right = engine.ask("What did producer Barbara Broccoli say about the film?")
    wrong = engine.ask("What did writer Barbara Broccoli say about the film?")
    assert not right.abstained and "open in October" in right.text
    assert "open in October" not in wrong.text, wrong.text
