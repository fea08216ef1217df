"""What a question asks, read without a model, and the language check in front of it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from index.query.engine import Engine
from index.query.question import analyze, foreign_language, plain_question, with_question_mark
from index.settings import Settings


@pytest.mark.parametrize(
    ("question", "head"),
    [
        ("How many Russian troops are massed near the border?", "how_many"),
        ("How much did the pipeline cost?", "how_much"),
        ("How long did the meeting last?", "how_long"),
        ("In what year was the campaign launched?", "year"),
        ("When did Blinken meet Lavrov?", "when"),
        ("Whose deputy met Ryabkov?", "who"),
        ("Where did the ministers meet?", "where"),
        ("What price did OPEC set?", "what:price"),
        ("Which company bought Allegheny?", "which:compani"),
        ("What kind of pipeline is Nord Stream 2?", "what:pipelin"),
        ("Which Boeing planes did the airline lease?", "which:plane"),  # the noun, not the name
        ("What did Blinken say?", "what"),
        ("Tell me about the talks.", "other"),
        # The wh-word that opens the question decides, not one in a clause after it.
        ("What did the company own when the strike began?", "what"),
        ("How many workers were laid off where the plant closed?", "how_many"),
        ("What was the name of the minister who resigned?", "what"),
        # A question asked in place is decided by its last wh-phrase.
        ("The terminal which was demolished was built in what year?", "year"),
        ("The new issue was priced at what level?", "what:level"),
    ],
)
def test_answer_type_key(question: str, head: str) -> None:
    assert analyze(question).head == head


def test_names_and_numbers_are_the_keys() -> None:
    q = analyze("What price did OPEC set in March 1987 for Saudi crude?")
    assert q.numbers == {"1987"}
    assert {"opec", "march", "1987", "saudi"} <= q.keys
    assert "price" not in q.keys and "price" in q.terms and "what" not in q.terms
    assert ("saudi", "crude") in q.bigrams
    assert analyze("What did Ögedei Khan order?").keys == analyze("What did Ogedei Khan order?").keys


@pytest.mark.parametrize(
    ("question", "why"),
    [
        ("Wer hat den Eurovision Song Contest 2005 in Kiew gewonnen?", "looks like German"),
        ("Qui a gagné le concours Eurovision de la chanson en 2005 ?", "looks like French"),
        ("¿Quién ganó el festival de Eurovisión en 2005 y dónde fue?", "looks like Spanish"),
        ("Kto wygrał wybory w Kijowie?", "looks like Polish"),
        # letters English does not write count as the language's words
        ("Rusya dışişleri bakanı kim?", "looks like Turkish"),
        ("Ai là bộ trưởng ngoại giao Nga?", "looks like Vietnamese"),
        ("Vem är Rysslands utrikesminister?", "looks like Swedish"),
        # languages too close to tell apart in a few words are not named
        ("Kdo je ruský ministr zahraničí?", "does not look like English"),
        ("Ki az orosz külügyminiszter?", "does not look like English"),
        ("Was hat der Präsident über die Pipeline gesagt?", "looks like German"),
        ("Qui a gagné l'élection à Kiev ?", "looks like French"),
        ("Кто выиграл Евровидение в 2005 году?", "not in the Latin alphabet"),
        ("谁赢得了2005年的欧洲歌唱大赛？", "not in the Latin alphabet"),
        ("من فاز بمسابقة يوروفيجن عام 2005؟", "not in the Latin alphabet"),
    ],
)
def test_questions_in_other_languages_are_recognised(question: str, why: str) -> None:
    assert foreign_language(question) == why


@pytest.mark.parametrize(
    "question",
    [
        "Who won Eurovision in Kiev in 2005?",
        "What did Macron say about la francophonie and the Académie française?",
        "Who is the Bundesbank president Karl Otto Pöhl?",
        "What did the Tokyo Stock Exchange (東京証券取引所) do on Monday?",
        "Was the Banco de España involved?",
        "who did erdoğan meet in łódź after the vote?",  # typed in lower case
        "2005?",
        # typed as keywords: no English stop word to outnumber the foreign ones
        "U.S. Army paying General Dynamics build M-1A tanks",  # "u", "s", "m": Romanian stop words
        "rating U.S. bank regulators lower Brazil's creditworthiness",
        "Philips chairman Cor van der Klugt European Community's trade deficit 1984",
        "EFI Banca savings shares warrant Banca Nazionale del Lavoro bond",
        "percent reduction greenhouse gases Mayor de Blasio want 2050",
        "high ''Deja Vu'' climb Billboard chart",
    ],
)
def test_english_questions_with_foreign_names_are_english(question: str) -> None:
    assert foreign_language(question) is None


def test_a_foreign_question_gets_a_clear_message_not_a_quote(built_index: Settings, onnx_model: Any) -> None:
    answer = Engine(built_index, embed_model=onnx_model).ask(
        "Wer hat Lawrow in Genf getroffen und was hat er gesagt?"
    )
    assert answer.abstained and not answer.sources
    assert answer.text == (
        "newsdesk answers questions in English, and this one looks like German. Please ask it in English."
    )


@pytest.mark.parametrize(
    ("typed", "embedded"),
    [
        ("who did blinken meet in geneva", "who did blinken meet in geneva?"),
        ("Who won?  ", "Who won?"),
        ("誰が勝った？", "誰が勝った？"),  # a full-width question mark is one
        ("sugar prices\n", "sugar prices?"),
    ],
)
def test_a_question_is_embedded_with_its_question_mark(typed: str, embedded: str) -> None:
    assert with_question_mark(typed) == embedded


def test_a_question_typed_without_its_mark_is_read_as_with_it(built_index: Settings, onnx_model: Any) -> None:
    """The answerer learned from questions that end in "?": without it the question's
    vector, and every feature read from it, moved (docs/answer-quality.md: "Typed without a question mark")."""
    engine = Engine(built_index, embed_model=onnx_model)
    typed = engine.read("who did blinken meet in geneva")
    asked = engine.read("who did blinken meet in geneva?")
    assert typed.X.shape == asked.X.shape and typed.X.size
    assert np.array_equal(typed.X, asked.X)
    assert typed.answerable == asked.answerable


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("Who met Lavrov? 🤔", "Who met Lavrov?"),
        ("What did the 👍🏽 mean?", "What did the mean?"),
        ("Who\u00a0met\u00a0Lavrov in\tGeneva?\n", "Who met Lavrov in Geneva?"),
        ("Who won\u200b the vote?\ufe0f", "Who won the vote?"),
        (
            "Was it 5°C, and did the £5m prize go to Beyoncé?",
            "Was it 5°C, and did the £5m prize go to Beyoncé?",
        ),
        ("🤔🤔?", "🤔🤔?"),  # nothing else: as typed
    ],
)
def test_a_question_is_read_without_emoji_or_odd_spaces(typed: str, read: str) -> None:
    assert plain_question(typed) == read


def test_emoji_and_pasted_spaces_do_not_change_the_answer(built_index: Settings, onnx_model: Any) -> None:
    engine = Engine(built_index, embed_model=onnx_model)
    question = "Which gas pipeline did Chancellor Scholz say could be halted?"
    plain = engine.ask(question)
    for typed in (question + " 🤔", question.replace(" ", "\u00a0"), question.replace(" ", " \u200b")):
        answer = engine.ask(typed)
        assert (answer.text, answer.sources, answer.question) == (plain.text, plain.sources, typed)
