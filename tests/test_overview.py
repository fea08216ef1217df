"""Overview requests ("Summarize the news on Lavrov") get how the articles about the topic
open, one sentence per article, instead of a refusal or a quote that repeats "news"."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from click.testing import CliRunner

from bot.cli import cli
from index.query.answer import NOT_FOUND
from index.query.engine import Engine
from index.query.overview import overview_topic
from index.settings import Settings


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Summarize the news on OPEC", "OPEC"),
        ("summarise the latest news about the Nord Stream pipeline?", "Nord Stream pipeline"),
        ("Can you summarize the coffee talks?", "coffee talks"),
        ("Give me a quick overview of Texaco's bankruptcy, please", "Texaco's bankruptcy"),
        ("Tell me about the Bundesbank", "Bundesbank"),
        ("tell me more about Lavrov", "Lavrov"),
        ("What's the latest on Texaco?", "Texaco"),
        ("What are the latest developments in Ukraine?", "Ukraine"),
        ("Any news about the Geneva talks?", "Geneva talks"),
        ("What do the articles say about NATO?", "NATO"),
        ("What's happening with the dollar?", "dollar"),
        ("what's going on in Geneva", "Geneva"),
        ("Catch me up on the sugar market", "sugar market"),
        ("Whats the latest on OPEC", "OPEC"),
        ("Latest on OPEC", "OPEC"),
        ("What's up with OPEC?", "OPEC"),
        ("Fill me in on OPEC", "OPEC"),
        ("Tell me everything about OPEC", "OPEC"),
        # a question tacked on after the topic is not part of it; "and" inside a topic is
        ("Tell me about Texaco and when it happened", "Texaco"),
        ("Summarize the news on OPEC, and what it means for prices", "OPEC"),
        ("Tell me about Smith and Wesson", "Smith and Wesson"),
        # the newest coverage asked for other ways
        ("What's new with Texaco?", "Texaco"),
        ("Any recent news on OPEC?", "OPEC"),
        ("Latest Texaco news", "Texaco"),
        ("the most recent OPEC stories", "OPEC"),
        ("Newest on Texaco?", "Texaco"),
        ("What happened to Texaco recently?", "Texaco"),
        ("What has happened with OPEC lately?", "OPEC"),
        ("What happened to the hostages?", None),  # one event asked for
        ("What is the most recent news about the Bundesbank?", "Bundesbank"),
        # questions with one answer are not overviews
        ("What did Blinken say about the talks?", None),
        ("What did the latest Ford report say?", None),
        ("Who told reporters about the summary?", None),
        ("What is the news agency of OPEC called?", None),
        ("How much did Ford's car sales rise?", None),
        ("Tell me about it", None),  # no topic words: a follow-up, not an overview
    ],
)
def test_overview_topic(text: str, topic: str | None) -> None:
    assert overview_topic(text) == topic


@pytest.mark.parametrize(
    ("text", "latest"),
    [
        ("What's new with Texaco?", True),
        ("Any recent news on OPEC?", True),
        ("Latest Texaco news", True),
        ("What happened to Texaco recently?", True),
        ("What's new?", False),  # a digest request: the newest day, not "latest" scope
        ("What has a recent inspection found about the damage?", False),  # a fact, not the newest coverage
        ("What about New York?", False),
    ],
)
def test_ways_to_ask_for_the_newest_coverage(text: str, latest: bool) -> None:
    from index.query.dates import read_dates

    assert read_dates(text, None).latest is latest


def test_an_overview_quotes_each_article_about_the_topic_once(built_index: Settings, onnx_model: Any) -> None:
    engine = Engine(built_index, embed_model=onnx_model)
    answer = engine.ask("Summarize the news on Lavrov")
    assert not answer.abstained
    assert answer.sentences == len(answer.sources) == 3  # five articles name him; three are quoted
    assert len({s.source for s in answer.sources}) == 3
    for n, source in enumerate(answer.sources, start=1):
        assert "Lavrov" in source.quote and f"{source.quote} [{n}]" in answer.text
        article = (built_index.corpus_dir / source.source).read_text(encoding="utf-8")
        assert " ".join(source.quote.split()) in " ".join(article.split())

    # A factoid question over the same articles still gets the model's answer.
    assert "Lavrov" in engine.ask("Who is the Russian Foreign Minister that Blinken met?").text


def test_an_overview_of_what_no_article_covers_is_refused(built_index: Settings, onnx_model: Any) -> None:
    engine = Engine(built_index, embed_model=onnx_model)
    absent = engine.ask("Tell me about Nintendo")
    assert absent.abstained and absent.text == f"{NOT_FOUND} None of them mentions “Nintendo”."
    # every word is in some article, but no article holds them all
    partial = engine.ask("Summarize the news on Lavrov's tennis career")
    assert partial.abstained and partial.text == NOT_FOUND
    assert partial.sources  # the closest articles are offered


def test_the_latest_on_a_topic_is_its_newest_coverage(engine_over: Any) -> None:
    def article(published: str, title: str, body: str) -> str:
        return f"---\ntitle: {title}\npublished: {published}\n---\n{body}\n"

    engine = engine_over({
        "port-mar.md": article("1987-03-02", "Port strike", "Rotterdam dock workers began a strike over pay."),
        "port-apr.md": article("1987-04-20", "Port talks", "Rotterdam dock workers resumed talks on a new pay offer."),
        "port-jun.md": article("1987-06-11", "Port deal", "Rotterdam dock workers accepted a two-year pay deal."),
        "grain.md": article("1987-06-12", "Grain", "Wheat prices rose in Chicago on dry weather."),
    })  # fmt: skip
    latest = engine.ask("What's the latest on the Rotterdam dock workers?")
    assert not latest.abstained
    assert [s.source for s in latest.sources] == ["port-jun.md"]
    assert latest.text == "Rotterdam dock workers accepted a two-year pay deal. [1]"
    assert "the latest article quoted is from 1987-06-11" in latest.note

    overview = engine.ask("Give me an overview of the Rotterdam dock workers")
    assert [s.source for s in overview.sources] == [
        "port-mar.md",
        "port-apr.md",
        "port-jun.md",
    ]  # oldest first
    assert overview.sentences == 3

    # its dates are a filter, not topic words the articles must hold
    march = engine.ask("Summarize the news on the Rotterdam dock workers in March 1987")
    assert not march.abstained and [s.source for s in march.sources] == ["port-mar.md", "port-apr.md"]
    assert march.note.startswith(
        "Searched articles published from 1987-03-01 to 1987-05-"
    )  # reports after it


def plain(text: str) -> str:
    """Whitespace and quotation marks as answers print them."""
    return " ".join(text.translate(str.maketrans("“”‘’", "\"\"''")).split())


def test_cli_json_overview(built_index: Settings) -> None:
    args = ["--corpus-dir", str(built_index.corpus_dir), "--index-dir", str(built_index.index_dir)]
    result = CliRunner().invoke(cli, [*args, "ask", "--json", "Any news about Stoltenberg?"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["abstained"] is False
    assert all("Stoltenberg" in s["quote"] for s in data["sources"])
    # One article names him: its first three sentences from there, in article order.
    assert len(data["sources"]) == 1
    assert [int(n) for n in re.findall(r"\[(\d+)\]", data["answer"])] == [1, 1, 1]
    quotes = [q.strip() for q in re.split(r"\s*\[1\]\s*", data["answer"]) if q.strip()]
    article = plain((built_index.corpus_dir / data["sources"][0]["source"]).read_text(encoding="utf-8"))
    at = [article.find(plain(q)) for q in quotes]
    assert -1 not in at and at == sorted(at) and "Stoltenberg" in quotes[0]


def test_the_latest_on_a_topic_is_an_overview(built_index: Settings, onnx_model: Any) -> None:
    """ "latest" sets the scope's phrase; the request is still read as an overview."""
    engine = Engine(built_index, embed_model=onnx_model)
    answer = engine.ask("What's the latest on Lavrov?")
    assert answer.sentences == len(answer.sources) == 3  # one opening from each of three articles
    assert all("Lavrov" in s.quote for s in answer.sources)


def test_an_article_holding_the_topic_only_outside_its_sentences_is_not_quoted(engine_over: Any) -> None:
    engine = engine_over({
        "saab.md": "STOCKHOLM, Mar 3 - Saab signed an agreement to sell five aircraft to a U.S. airline.\n",
        "mine.md": "The copper mine in Chile cut its output after a strike.\n",
    })  # fmt: skip
    answer = engine.ask("Tell me about Mars")  # "Mars" stems to "mar", which only the dateline holds
    assert answer.abstained and answer.text == NOT_FOUND


def test_a_topic_is_not_mistaken_for_another_language(built_index: Settings, onnx_model: Any) -> None:
    """Read alone, "U.S. Senate" looks Romanian ("u", "s"); the language is the request's."""
    answer = Engine(built_index, embed_model=onnx_model).ask("Summarize the news on the U.S. Senate")
    assert "answers questions in English" not in answer.text


def test_a_name_its_stem_confuses_is_quoted_as_written(engine_over: Any) -> None:
    engine = engine_over({
        "robert.md": "Robert Mayer led the dock union through the long strike at the port.\n",
        "roberts.md": "Jane Roberts chaired the port board meeting that ended the strike.\n",
        "both.md": "Tom Williams opened the talks on Monday morning.\nJane Roberts closed them on Friday.\n",
    })  # fmt: skip
    answer = engine.ask("Tell me about Roberts")  # both hold the stem "robert"
    assert sorted(s.source for s in answer.sources) == ["both.md", "roberts.md"]
    assert all("Roberts" in s.quote for s in answer.sources)
    # two such names in one topic: each in some sentence of the article, not both in one
    both = engine.ask("Tell me about Roberts and Williams")
    assert [s.source for s in both.sources] == ["both.md"] and both.sources[0].quote.startswith(
        "Tom Williams"
    )


def test_the_latest_on_a_topic_reaches_its_newest_article(engine_over: Any) -> None:
    # Twelve February stories say "Acme Mining" over and over; October's says it in its
    # title and once in its text. The reader goes on with the six likeliest articles, and
    # the newest story about it must not be cut.
    events = [
        "filed for bankruptcy protection", "closed its Nevada copper pit", "missed a bond payment",
        "hired restructuring advisers", "lost its chief executive", "sold its smelter in Utah",
        "laid off 300 miners", "was sued by its lenders", "delayed its annual report",
        "cut its dividend to zero", "warned of more losses", "was delisted in Toronto",
    ]  # fmt: skip
    files = {
        f"feb-{day}.md": (
            f"---\ntitle: ACME MINING {event.upper()}\npublished: 1990-02-{day:02d}\n---\n"
            f"Acme Mining {event}, Acme Mining said on Friday. Analysts said Acme Mining {event} "
            f"because of falling metal prices.\n"
        )
        for day, event in enumerate(events, start=1)
    }
    files["passing.md"] = (  # newer still, but Acme Mining is not what it is about
        "---\ntitle: Copper prices rise\npublished: 1990-11-02\n---\n"
        "Copper rose on the London Metal Exchange; traders cited supply worries after Acme Mining's troubles.\n"
    )
    files["oct.md"] = (
        "---\ntitle: Acme Mining case gets a hearing\npublished: 1990-10-20\n---\n"
        "A judge in Denver set a hearing for March in the long-running dispute over the "
        "company's old debts. Lawyers for Acme Mining asked for more time, the court clerk said.\n"
    )
    engine = engine_over(files)
    answer = engine.ask("What is the latest on Acme Mining?")
    assert answer.sources[0].source == "oct.md"
    assert "the latest article quoted is from 1990-10-20" in answer.note
    # within dates asked for, the newest coverage of those dates
    february = engine.ask("What is the latest on Acme Mining in February 1990?")
    assert {s.published[:7] for s in february.sources} == {"1990-02"}


def test_the_latest_on_a_topic_finds_a_newest_story_retrieval_misses(engine_over: Any) -> None:
    # 24 stories from March name Orca Shipping in every sentence, more than retrieval
    # returns from either side (20); November's names it in its title and once in passing.
    # Its day comes from the titles the keyword index holds, and the topic is read again
    # within that newest coverage.
    files = {
        f"mar-{day}.md": (
            f"---\ntitle: ORCA SHIPPING UPDATE {day}\npublished: 1991-03-{day:02d}\n---\n"
            f"Orca Shipping said on day {day} that Orca Shipping tankers were running. Orca "
            f"Shipping shares and Orca Shipping bonds were steady, an Orca Shipping spokesman said.\n"
        )
        for day in range(1, 25)
    }
    files["nov.md"] = (
        "---\ntitle: Orca Shipping names a new chairman\npublished: 1991-11-12\n---\n"
        "The board appointed Helen Marsh, a former port authority director, as chairman on "
        "Tuesday. She replaces a founder who retired in the summer, according to Orca Shipping.\n"
    )
    engine = engine_over(files)
    candidates = engine.retriever().candidates("Orca Shipping")
    assert "nov.md" not in {p.metadata.get("source") for p in candidates}  # what the test is about
    answer = engine.ask("What is the latest on Orca Shipping?")
    assert answer.sources[0].source == "nov.md"
    assert "the latest article quoted is from 1991-11-12" in answer.note
