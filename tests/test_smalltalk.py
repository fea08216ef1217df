"""Greetings, thanks and "what can you do?" get a short reply, not a refusal with three
"closest articles" picked for nothing; a greeting before a question is not searched for."""

from __future__ import annotations

from typing import Any

import pytest

from index.query.conversation import Conversation
from index.query.engine import Engine
from index.query.smalltalk import HOW_TO, REPLIES, small_talk, subjectless, without_greeting, without_preamble
from index.settings import Settings


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("hello", "greeting"),
        ("Hi there!", "greeting"),
        ("good morning, everyone", "greeting"),
        ("thanks!", "thanks"),
        ("OK, thank you so much.", "thanks"),
        ("Cheers, mate", "thanks"),
        ("help", "help"),
        ("What can you do?", "help"),
        ("Hi, who are you?", "help"),
        # questions, however they open
        ("Hello, who met Lavrov in Geneva?", None),
        ("Who said hello to Lavrov?", None),
        ("Help for Ukraine: what did NATO pledge?", None),
        ("thanks, and what did he say?", None),
        ("Hiroshima", None),
        ("How does it work?", None),  # a follow-up about what was asked before
    ],
)
def test_small_talk(text: str, kind: str | None) -> None:
    assert small_talk(text) == kind


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("Hi, who met Lavrov in Geneva?", "who met Lavrov in Geneva?"),
        ("Thanks! And what did he say?", "And what did he say?"),
        ("Hello who met Lavrov", "Hello who met Lavrov"),  # no break after it: left as typed
        ("Hiroshima?", "Hiroshima?"),
        ("Hi-tech stocks fell why?", "Hi-tech stocks fell why?"),
        ("Hey - what is new?", "what is new?"),
    ],
)
def test_without_greeting(text: str, question: str) -> None:
    assert without_greeting(text) == question


# request -> the question it wraps (no question inside: read as it is)
WRAPPED = {
    "Can you tell me how many Libyan soldiers were killed?": "how many Libyan soldiers were killed?",
    "Could you please tell me, what did he say?": "what did he say?",
    "Do you know who won the vote?": "who won the vote?",
    "I'd like to know when the plant opened.": "when the plant opened?",
    "i wonder why prices fell": "why prices fell",
    "Please tell me which banks lent the money": "which banks lent the money",
    "Tell me about OPEC": "Tell me about OPEC",
    "Do you know anything about OPEC?": "Do you know anything about OPEC?",
    "Who can tell me what happened?": "Who can tell me what happened?",
    "Can you tell me more?": "Can you tell me more?",
}


@pytest.mark.parametrize(("text", "question"), WRAPPED.items())
def test_without_preamble(text: str, question: str) -> None:
    assert without_preamble(text) == question


def test_small_talk_is_answered_plainly_and_stays_out_of_the_conversation(
    built_index: Settings, onnx_model: Any
) -> None:
    engine = Engine(built_index, embed_model=onnx_model)
    hello = engine.ask("hello")
    assert (hello.text, hello.sources, hello.abstained) == (f"Hello! {HOW_TO}", [], True)
    assert engine.ask("what can you do?").text == HOW_TO

    conversation = Conversation()
    question = "Which gas pipeline did Chancellor Scholz say could be halted?"
    first = engine.ask(question, conversation=conversation)
    thanks = engine.ask("thanks!", conversation=conversation)
    assert thanks.text == REPLIES["thanks"] and not thanks.sources
    assert [t.question for t in conversation.turns] == [question]
    # "tell me more" still goes on with the question before the thanks
    more = engine.ask("tell me more", conversation=conversation)
    assert more.standalone_question == question and not set(more.quotes) & set(first.quotes)

    # a greeting before a question: the same answer as the question alone
    greeted = engine.ask(f"Hi, {question}")
    plain = engine.ask(question)
    assert (greeted.text, [s.chunk_id for s in greeted.sources]) == (
        plain.text,
        [s.chunk_id for s in plain.sources],
    )
    assert greeted.standalone_question == question
    # and inside a request
    asked = engine.ask("Can you tell me which gas pipeline Chancellor Scholz said could be halted?")
    assert asked.standalone_question == "which gas pipeline Chancellor Scholz said could be halted?"
    assert asked.question == "Can you tell me which gas pipeline Chancellor Scholz said could be halted?"
    assert not asked.abstained and asked.quotes[0] == plain.quotes[0]  # words in another order


@pytest.mark.parametrize(
    ("text", "more_wanted", "follows", "kind"),
    [
        ("what?", False, False, "subjectless"),
        ("Who is he?", False, False, "subjectless"),
        ("why?", False, True, "subjectless"),  # the conversation left it as it was
        ("why? (blinken lavrov geneva)", False, True, None),  # resolved against the last answer
        ("Who did Blinken meet?", False, False, None),
        ("What happened in March?", False, False, None),
        ("tell me more", True, False, "nothing_before"),
        ("tell me more", True, True, None),  # the conversation says what is left
    ],
)
def test_subjectless(text: str, more_wanted: bool, follows: bool, kind: str | None) -> None:
    assert subjectless(text, more_wanted, follows) == kind


def test_a_question_with_nothing_to_look_for_says_so_unless_a_conversation_resolves_it(
    built_index: Settings, onnx_model: Any
) -> None:
    """ "what?", "who is he?" and "tell me more" asked alone were searched and refused
    with three "closest articles" picked for nothing."""
    engine = Engine(built_index, embed_model=onnx_model)
    for text in ("what?", "Who is he?", "why?"):
        alone = engine.ask(text)
        assert (alone.text, alone.sources, alone.abstained) == (REPLIES["subjectless"], [], True)
    more = engine.ask("tell me more", conversation=Conversation())
    assert (more.text, more.sources) == (REPLIES["nothing_before"], [])
    conversation = Conversation()
    first = engine.ask(
        "Which gas pipeline did Chancellor Scholz say could be halted?", conversation=conversation
    )
    assert not first.abstained
    follow = engine.ask("why?", conversation=conversation)
    assert follow.text != REPLIES["subjectless"] and follow.standalone_question != "why?"
