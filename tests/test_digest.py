""" "What's the latest news?" is answered from the newest articles, one lead per story,
not from whatever sentence says "news"."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from index.errors import NewsdeskError
from index.query.answer import NOTHING_MORE
from index.query.conversation import Conversation
from index.query.digest import NO_DATES, NO_SENTENCE, NOTHING_DATED, Opening, digest_answer, digest_request
from index.query.engine import Engine
from index.query.retrieval import Passage
from index.query.scope import Scope
from index.settings import Settings


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What's the latest news?", True),
        ("What's new?", True),
        ("news", True),
        ("Any updates?", True),
        ("What are today's top stories?", True),
        ("top stories this week", True),
        ("What happened?", True),
        ("What is the news agency of OPEC called?", False),  # a question with a topic
        ("What's new in Geneva?", False),
        ("What happened to the pipeline?", False),
        ("What did Lavrov say?", False),
    ],
)
def test_digest_request(text: str, expected: bool) -> None:
    assert digest_request(text) is expected


def _article(published: str, title: str, body: str) -> str:
    return f"---\ntitle: {title}\npublished: {published}\n---\n{body}\n"


FILES = {
    "lyng-1.md": _article(
        "1987-06-11", "Lyng visits India", "Agriculture Secretary Richard Lyng arrived in New Delhi for talks."
    ),
    "lyng-2.md": _article(
        "1987-06-12",
        "Lyng says India aid not ready",
        "The United States and India have not agreed on a food aid package, Agriculture Secretary Richard Lyng said.",
    ),
    "port.md": "---\ntitle: Rotterdam port strike ends\npublished: 1987-06-12\noutlet: Rotterdam Daily\n---\n"
    "Dock workers in Rotterdam accepted a new pay deal on Friday.\n",
    "results.md": _article("1987-06-12", "Acme Corp 2nd qtr net", "Shr 42 cts vs 1.53 dlrs"),  # a table: no lead
    "march.md": _article("1987-03-02", "Sugar tender", "The European Community sold 60,000 tonnes of sugar at its tender."),
    # older articles, so that a name two of the newest headlines share is rare in the corpus
    **{
        f"filler-{i}.md": _article(f"1987-01-{1 + i % 28:02d}", f"Market report {i}", f"Prices moved in quiet trade, dealers said on day {i}.")
        for i in range(110)
    },
}  # fmt: skip


def test_the_latest_news_is_one_lead_per_story_from_the_newest_articles(engine_over: Any) -> None:
    engine = engine_over(FILES)
    answer = engine.ask("What's the latest news?")
    assert not answer.abstained
    # the Lyng story first (two of the newest headlines name him), told once; the table skipped
    assert [s.source for s in answer.sources] == ["lyng-2.md", "port.md"]
    assert answer.text == (
        "The United States and India have not agreed on a food aid package, Agriculture Secretary Richard "
        "Lyng said. [1] Dock workers in Rotterdam accepted a new pay deal on Friday. [2]"
    )
    assert answer.note.startswith("From the 4 newest articles (1987-06-11 to 1987-06-12)")

    # "tell me more": the stories not told yet (here none: the other Lyng article is the same story)
    conversation = Conversation()
    engine.ask("What's the latest news?", conversation=conversation)
    more = engine.ask("tell me more", conversation=conversation)
    assert more.abstained and more.text == NOTHING_MORE

    # the dates a request names choose the articles, and an outlet asked for
    march = engine.ask("What happened in March 1987?")
    assert [s.source for s in march.sources] == ["march.md"]
    # a question of dates alone asks for the news of then: it has no words to search
    for dates in ("March 1987?", "in march 1987"):
        alone = engine.ask(dates)
        assert [s.source for s in alone.sources] == ["march.md"] and alone.text == march.text, dates
    # ... but in a conversation, the last question again for then
    conversation = Conversation()
    engine.ask("What did dock workers in Rotterdam accept?", conversation=conversation)
    then = engine.ask("June 1987?", conversation=conversation)
    assert [s.source for s in then.sources][:1] == ["port.md"], then.text
    assert then.standalone_question == "June 1987 (dock workers rotterdam accept)?"
    none = engine.ask("What happened in 1990?")
    assert (
        none.abstained and none.text == NOTHING_DATED and none.note.startswith("Searched articles published")
    )
    daily = engine.ask("What's the latest news?", scope=Scope(outlet="rotterdam daily"))
    assert [s.source for s in daily.sources] == ["port.md"]
    named = engine.ask("Any headlines from the Rotterdam Daily today?")  # the outlet named in the request
    assert [s.source for s in named.sources] == ["port.md"]
    assert named.note.startswith(
        'Searched articles published on 1987-06-12 from Rotterdam Daily (read from "today"'
    )
    assert "From the 1 newest article (1987-06-12 to 1987-06-12)" in named.note


def test_in_a_small_corpus_two_headlines_naming_one_man_are_one_story(engine_over: Any) -> None:
    engine = engine_over({name: text for name, text in FILES.items() if not name.startswith("filler")})
    answer = engine.ask("What's new?")
    assert [s.source for s in answer.sources] == ["lyng-2.md", "port.md"]


def test_undated_articles_have_no_latest_news(built_index: Settings, onnx_model: Any) -> None:
    answer = Engine(built_index, embed_model=onnx_model).ask("What's new?")
    assert answer.abstained and not answer.sources
    assert answer.text == NO_DATES


class _Store:
    """The two reads digest_answer makes of the sentence store, over fixed data."""

    def document_frequencies(self, terms: set[str]) -> tuple[dict[str, int], int]:
        return dict.fromkeys(terms, 1), 1000

    def sentences(self, article_id: str, content_hash: str, chunks: list[int]) -> list[Any]:
        return [SimpleNamespace(kind="", quote="Shr 42 cts vs 1.53 dlrs")]


def test_openings_that_are_no_sentences_are_not_quoted() -> None:
    openings = [
        Opening(Passage(f"r{i}.md#0", "Shr 42 cts vs 1.53 dlrs", 0.0, {"title": f"Acme {i} qtr net"}), 6500)
        for i in range(3)
    ]
    answer = digest_answer("What's new?", openings, _Store())
    assert answer.abstained and not answer.sources
    assert answer.text == NO_SENTENCE


def test_a_damaged_sentence_store_is_an_error_not_a_traceback(engine_over: Any) -> None:
    engine = engine_over({name: text for name, text in FILES.items() if not name.startswith("filler")})
    path = engine.settings.index_dir / "text.sqlite"
    path.write_bytes(b"not a database" * 1000)
    with pytest.raises(NewsdeskError):
        engine.ask("What's the latest news?")
