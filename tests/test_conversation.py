from __future__ import annotations

from typing import Any

import pytest

from index.query.answer import NOTHING_MORE
from index.query.conversation import Conversation, carry_subject, is_follow_up, wants_more
from index.query.engine import Engine
from index.settings import Settings
from tests.openai_server import ScriptedOpenAI


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("and what did Lavrov say?", True),
        ("when was that?", True),
        ("What about him?", True),
        ("Why?", True),
        ("What did Stoltenberg say was at stake in Ukraine?", False),
        ("Which gas pipeline did Scholz say could be halted?", False),
        # dates alone ask the last question again for then; with a topic they stand alone
        ("February 1987?", True),
        ("on 3/13/1987", True),
        ("March 3rd, 1987", True),
        ("OPEC output in May 1987", False),
        ("last week?", True),
        ("And in the past two months?", True),
        ("in the first quarter?", True),
        ("OPEC output last week", False),
    ],
)
def test_follow_up_detection(question: str, expected: bool) -> None:
    assert is_follow_up(question) is expected


def test_a_follow_up_of_dates_asks_for_its_own_period() -> None:
    previous = "What was Japan's trade surplus in March 1987?"
    assert carry_subject(previous, "February 1987?") == "February 1987 (japan trade surplus)?"
    assert carry_subject(previous, "And last week?") == "last week (japan trade surplus)?"
    # a follow-up with no dates of its own asks for the last question's
    assert carry_subject(previous, "Why?") == "Why (japan trade surplus march 1987)?"
    assert (
        carry_subject(previous, "Who said it first?") == "Who said it first (japan trade surplus march 1987)?"
    )


def test_carry_subject_keeps_the_previous_topic() -> None:
    previous = "What did Blinken say about the window for diplomacy?"
    # Lavrov in Blinken's place: the same question of another name
    assert carry_subject(previous, "and what did Lavrov say?") == "what did Lavrov say (window diplomacy)?"
    assert carry_subject(previous, "Who is Rachel Zemba?") == "Who is Rachel Zemba?"


def test_a_name_of_its_own_takes_the_place_of_the_previous_one() -> None:
    baker = "What did Baker say about the dollar?"
    assert carry_subject(baker, "And Stoltenberg?", [], ["Baker"]) == "Stoltenberg (dollar)?"
    # a chain: each name in turn, not all of them (with all three, nothing answered)
    assert carry_subject(
        "Stoltenberg (baker dollar)?", "What about Miyazawa?", [], ["Stoltenberg", "Baker"]
    ) == ("Miyazawa (dollar)?")
    assert carry_subject(
        "How much did Citicorp lose in the second quarter?", "And Chase Manhattan?", [], ["Citicorp"]
    ) == ("Chase Manhattan (lose second quarter)?")
    # after a preposition, the name after the same one
    assert carry_subject(
        "What did Blinken say about Russia?", "And about Ukraine?", [], ["Blinken", "Russia"]
    ) == ("about Ukraine (blinken)?")
    # not a swap: a word with nothing to join it on ("Source?" is no name in Baker's place)
    assert carry_subject(baker, "Source?", [], ["Baker"]) == "Source (baker dollar)?"
    # not a swap: a date, words of its own, a pronoun
    march = "What was Japan's trade surplus in March 1987?"
    assert carry_subject(march, "And in April?", [], ["Japan", "1987"]) == "in April (japan trade surplus)?"
    assert carry_subject(
        "What does the West demand?", "And what does the other side want?", [], ["West"]
    ) == ("what does the other side want (west demand)?")


def test_pronouns_carry_the_names_of_the_previous_answer() -> None:
    previous = "Who is the Russian Foreign Ministry spokesperson?"
    answer_entities = [
        ("Thursday", "DATE"),
        ("Russian", "NORP"),
        ("Maria Zakharova", "PERSON"),
        ("Ukraine", "GPE"),
    ]
    # "she" after a question that asked who: the person the answer named, with the
    # previous question's names (capitalised words, when none are given)
    assert (
        carry_subject(previous, "What did she allege?", answer_entities)
        == "What did she allege (russian foreign ministry maria zakharova)?"
    )
    # "they" asks something new of the previous question's names; the answer's are not taken
    they = carry_subject(previous, "What do they want?", answer_entities)
    assert they == "What do they want (russian foreign ministry)?"
    # No pronoun: the whole previous question, and no names of the answer.
    assert (
        carry_subject(previous, "When?", answer_entities) == "When (russian foreign ministry spokesperson)?"
    )
    # At most two names, in the answer's order; a date never. ("say" is a stop word: the
    # follow-up asks nothing new, so the previous question comes along whole.)
    many = [("Thursday", "DATE")] + [(f"Person{i}", "PERSON") for i in range(5)]
    assert carry_subject("Who spoke?", "What did he say?", many) == "What did he say (spoke person0 person1)?"


def test_a_follow_up_that_asks_anew_takes_the_subject_alone() -> None:
    # "its" after "Who directed Spectre?" is Spectre: the previous question's other words
    # ("directed") asked it again, and the films the answer named are not "it"
    films = [("Skyfall", "PRODUCT"), ("Sam Mendes", "PERSON"), ("Spectre", "PERSON")]
    assert (
        carry_subject("Who directed Spectre?", "Who composed its theme song?", films, ["Spectre"])
        == "Who composed its theme song (spectre)?"
    )
    # a person asked about by name: "he" is that person, not one the answer names
    chopin = [("Franz Liszt", "PERSON"), ("Chopin", "ORG")]
    assert carry_subject("When was Chopin born?", "Where did he die?", chopin, ["Chopin"]) == (
        "Where did he die (chopin)?"
    )
    # with a name of its own and a pronoun, still a new question of the same subject
    assert carry_subject("When was Chopin born?", "Who took his heart to Poland?", chopin, ["Chopin"]) == (
        "Who took his heart to Poland (chopin)?"
    )
    # no names read (an overview): the words the previous request wrote with a capital
    assert carry_subject("Tell me about Lavrov", "What did he say about Ukraine?", [], []) == (
        "What did he say about Ukraine (lavrov)?"
    )
    # more of the same event: all of the previous question
    assert carry_subject("When was Chopin born?", "Who wrote about that?", chopin, ["Chopin"]) == (
        "Who wrote about that (chopin born)?"
    )
    # "that" of a clause is no event: "the piano that arrived" asks anew of "he"
    assert carry_subject(
        "When was Chopin born?", "What did he say of the piano that arrived?", chopin, ["Chopin"]
    ) == ("What did he say of the piano that arrived (chopin)?")


def test_the_names_a_question_was_read_with() -> None:
    from index.query.question import analyze, question_names

    awards = analyze("How many awards was Beyonce nominated for at the 52nd Grammy Awards?")
    assert question_names(awards) == ["Beyonce", "Grammy", "Awards"]  # not "awards", not "52nd"
    assert question_names(analyze("In 1842 where did Chopin and Sand move?")) == ["1842", "Chopin", "Sand"]
    assert question_names(analyze("What did Apple say about iPod sales?")) == ["Apple", "iPod"]


def test_a_conversation_remembers_the_answer_names() -> None:
    from index.query.answer import Answer

    conv = Conversation()
    answer = Answer("Who is the spokesperson?", "Maria Zakharova said so. [1]", [], False, "extractive",
                    entities=[("Maria Zakharova", "PERSON")])  # fmt: skip
    conv.record("Who is the spokesperson?", "Who is the spokesperson?", answer)
    # a question that names nobody: its words are its subject
    assert conv.standalone("What did she allege?") == "What did she allege (spokesperson maria zakharova)?"
    named = Answer("Who directed Spectre?", "Sam Mendes. [1]", [], False, "extractive",
                   entities=[("Sam Mendes", "PERSON")], names=["Spectre"])  # fmt: skip
    conv.record("Who directed Spectre?", "Who directed Spectre?", named)
    assert conv.standalone("When was it released?") == "When was it released (spectre)?"


def test_a_follow_up_asked_of_each_name_alone() -> None:
    from index.query.answer import Answer

    conv = Conversation()
    answer = Answer("q", "The NASDAQ is located on Broadway. [1]", [], False, "extractive",
                    names=["NASDAQ", "NYC"])  # fmt: skip
    conv.record(
        "The NASDAQ is located on what street in NYC?", "The NASDAQ is located on what street in NYC?", answer
    )
    assert conv.one_name_each("What is the population of it?") == [
        "What is the population of it (nasdaq)?",
        "What is the population of it (nyc)?",
    ]
    assert conv.one_name_each("When was that?") == []  # the same event: no name to choose
    one = Conversation()
    one.record(
        "Who directed Spectre?",
        "Who directed Spectre?",
        Answer("q", "x", [], False, "extractive", names=["Spectre"]),
    )
    assert one.one_name_each("Who composed its theme song?") == []  # one name: nothing to choose


def test_carried_names_stay_names_through_a_chain() -> None:
    from index.query.answer import Answer

    conv = Conversation()
    first = "The NASDAQ is located on what street in NYC?"
    conv.record(first, first, Answer("q", "x", [], False, "extractive", names=["NASDAQ", "NYC"]))
    # the next reading found no names in "(nyc)" (lower case): they are the previous turn's
    conv.record("What percentage of the population of it?", "What percentage of the population of it (nyc)?",
                Answer("q", "x", [], False, "extractive", names=[]))  # fmt: skip
    assert conv.turns[-1].names == ["NYC"]
    assert conv.standalone("Who founded it?") == "Who founded it (nyc)?"
    # names carried side by side in the brackets are tried one by one
    two = Conversation()
    two.record("Who directed Spectre?", "Who directed Spectre?", Answer("q", "x", [], False, "extractive",
               names=["Spectre", "Mendes"]))  # fmt: skip
    two.record(
        "What did he say?", "What did he say (spectre mendes)?", Answer("q", "x", [], False, "extractive")
    )
    assert two.one_name_each("Who composed its theme song?") == [
        "Who composed its theme song (spectre)?",
        "Who composed its theme song (mendes)?",
    ]


def test_a_refused_follow_up_is_asked_of_each_name(engine_over: Any) -> None:
    engine = engine_over(
        {
            "nyc.md": "---\ntitle: New York grows\npublished: 2020-01-05\n---\nNYC now has a population of "
            "8.4 million people, the census office said. The city added 200,000 residents in ten years.\n",
            "nasdaq.md": "---\ntitle: Exchange moves\npublished: 2020-01-06\n---\nThe NASDAQ is located on "
            "Broadway, its owners said. The NASDAQ opened in 1971 as the first electronic exchange.\n",
            "rain.md": "---\ntitle: Rain\npublished: 2020-01-07\n---\nHeavy rain fell over Boston on Monday.\n",
        }
    )
    conv = Conversation()
    engine.ask("The NASDAQ is located on what street in NYC?", conversation=conv)
    # with both names it was refused; of NASDAQ alone it opens with what was quoted already
    answer = engine.ask("What is the population of it?", conversation=conv)
    assert answer.standalone_question == "What is the population of it (nyc)?"
    assert not answer.abstained and "8.4 million" in answer.text


def test_history_is_bounded() -> None:
    conv = Conversation(max_turns=2)

    class A:
        text = "x"

    for i in range(5):
        conv.record(f"q{i}", f"q{i}", A())  # type: ignore[arg-type]
    assert [t.question for t in conv.turns] == ["q3", "q4"]
    conv.reset()
    assert not conv.turns and conv.last_answer is None


def test_extractive_follow_up_is_understood_in_context(built_index: Settings, onnx_model: Any) -> None:
    engine = Engine(built_index, embed_model=onnx_model)
    conv = Conversation()
    first = engine.ask("Which gas pipeline did Chancellor Scholz say could be halted?", conversation=conv)
    assert "Nordstream" in first.text or "Northstream" in first.text
    follow = engine.ask("which stage of construction is it in?", conversation=conv)
    assert follow.standalone_question != follow.question
    assert "final stage" in follow.text
    assert follow.question == "which stage of construction is it in?"


def test_a_name_typed_in_lower_case_takes_the_place_of_the_previous_one(
    built_index: Settings, onnx_model: Any
) -> None:
    """Chat users type "and stoltenberg?": the articles' capitals say it is a name, so it
    asks the previous question of Stoltenberg instead of Lavrov, as "And Stoltenberg?" does."""
    engine = Engine(built_index, embed_model=onnx_model)
    for first in ("What did Lavrov demand?", "what did lavrov demand?"):
        conv = Conversation()
        engine.ask(first, conversation=conv)
        follow = engine.ask("and stoltenberg?", conversation=conv)
        assert follow.standalone_question == "Stoltenberg (demand)?"
        assert "Stoltenberg" in follow.text.split("\n")[0]
    conv = Conversation()
    engine.ask("What did Lavrov demand?", conversation=conv)  # not a name: the subject is carried
    assert (
        engine.ask("and the dollar?", conversation=conv).standalone_question == "the dollar (lavrov demand)?"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tell me more", True),
        ("tell me more about it?", True),
        ("more", True),
        ("More, please.", True),
        ("What else?", True),
        ("go on", True),
        ("and anything else?", True),
        ("Tell me more about Lavrov", False),  # a topic of its own: an overview request
        ("What else did Lavrov say?", False),  # a question of its own
        ("more sanctions?", False),
        ("Can you tell me more?", True),
        ("Any more?", True),
        ("Is there anything else?", True),
        ("more details please", True),
        ("Tell me more about him", True),
        ("anything else about Lavrov?", False),
    ],
)
def test_wants_more(text: str, expected: bool) -> None:
    assert wants_more(text) is expected


def test_tell_me_more_quotes_what_was_not_quoted_yet(built_index: Settings, onnx_model: Any) -> None:
    engine = Engine(built_index, embed_model=onnx_model)
    conv = Conversation()
    first = engine.ask("Summarize the news on Lavrov", conversation=conv)
    more = engine.ask("tell me more", conversation=conv)
    assert more.standalone_question == "Summarize the news on Lavrov" and more.question == "tell me more"
    assert not more.abstained
    # five seed articles name Lavrov: three were quoted, the other two now
    assert len(first.sources) == 3 and len(more.sources) == 2
    assert not {s.source for s in first.sources} & {s.source for s in more.sources}
    assert all("Lavrov" in s.quote for s in more.sources)
    # every article about him quoted: what follows in them, none of it said before
    said = set(first.quotes) | set(more.quotes)
    for _ in range(2):
        further = engine.ask("more", conversation=conv)
        assert not further.abstained and further.quotes and not set(further.quotes) & said
        assert {s.source for s in further.sources} <= {s.source for s in first.sources + more.sources}
        said |= set(further.quotes)

    # a question with one answer: the next likeliest sentences, none quoted before
    conv = Conversation()
    answer = engine.ask("Who is the Russian Foreign Minister that Blinken met?", conversation=conv)
    further = engine.ask("What else?", conversation=conv)
    assert further.standalone_question == answer.question
    assert further.quotes and not set(further.quotes) & set(answer.quotes)
    for _ in range(10):  # a chain of "more" runs out rather than repeating itself
        further = engine.ask("go on", conversation=conv)
        if further.abstained:
            break
        assert not set(further.quotes) & set(answer.quotes)
    assert further.text == NOTHING_MORE

    # after a follow-up, "more" does not repeat what the question before it quoted either
    conv = Conversation()
    before = engine.ask("Who did Blinken meet in Geneva?", conversation=conv)
    follow = engine.ask("what did they discuss?", conversation=conv)
    further = engine.ask("tell me more", conversation=conv)
    assert further.standalone_question == follow.standalone_question
    assert further.quotes and not set(further.quotes) & (set(before.quotes) | set(follow.quotes))


def test_llm_condenses_the_follow_up(make_settings: Any, onnx_model: Any) -> None:
    from index.ingest.indexer import run_index

    with ScriptedOpenAI() as server:
        settings = make_settings(llm_mode="llm", llm_base_url=server.base_url, llm_model="m")
        run_index(settings, embed_model=onnx_model)
        engine = Engine(settings, embed_model=onnx_model)
        conv = Conversation()
        server.script.append({"content": "Blinken met Sergey Lavrov [1]."})
        engine.ask("Who did Blinken meet in Geneva?", conversation=conv)
        server.script.append(
            {"content": "What did Sergey Lavrov hope the United States would bring to Geneva?"}
        )
        server.script.append({"content": "Lavrov hoped for concrete answers to Russian concerns [1]."})
        answer = engine.ask("and what did he hope for?", conversation=conv)
    condense_prompt = server.requests[1]["body"]["messages"][-1]["content"]
    assert (
        "Who did Blinken meet in Geneva?" in condense_prompt
        and "and what did he hope for?" in condense_prompt
    )
    assert (
        answer.standalone_question == "What did Sergey Lavrov hope the United States would bring to Geneva?"
    )
    assert "concrete answers" in answer.text and answer.mode == "llm"


def test_an_overview_or_news_request_does_not_carry_the_previous_subject(
    built_index: Settings, onnx_model: Any
) -> None:
    engine = Engine(built_index, embed_model=onnx_model)
    conv = Conversation()
    engine.ask("Which gas pipeline did Chancellor Scholz say could be halted?", conversation=conv)
    answer = engine.ask("Tell me about Stoltenberg", conversation=conv)
    assert answer.standalone_question == "Tell me about Stoltenberg"
    assert all("Stoltenberg" in s.quote for s in answer.sources) and answer.sources
    news = engine.ask("What's new?", conversation=conv)
    assert news.standalone_question == "What's new?" and news.abstained  # the seed articles are undated
