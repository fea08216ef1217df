"""A question that writes a fixed name otherwise than every article ("Radar Princess" for
"Twilight Princess") is refused, and says how the articles write it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.cli import cli
from index.query.misnamed import Misnamed, misnamed
from index.store import lexical

TEXTS = [
    "The Legend of Zelda: Twilight Princess was released for the Wii in November 2006.",
    "Twilight Princess sold 5.82 million copies, and critics praised Twilight Princess's dungeons.",
    "Reviewers called Twilight Princess the best game of its year. Princess Zelda returns too.",
    "Link meets Midna in the Twilight Realm, a parallel dimension of Hyrule.",
    "Senator Lugar objected. Senator Lugar voted no, and Senator Lugar left.",
    "Ocarina of Time came first. Fans still play Ocarina of Time; Ocarina of Time sold well.",
    "Trade Representative Clayton Yeutter said Japan must open its markets.",
    "U.S. Trade Representative Clayton Yeutter spoke in Tokyo. Clayton Yeutter left on Friday.",
    "Trade Representative Clayton Yeutter flew home.",
    "Talks in Geneva went on; Lavrov said Geneva was the right place. Blinken flew from Geneva.",
]


@pytest.fixture
def keywords(tmp_path: Path) -> lexical.LexicalIndex:
    index = lexical.LexicalIndex(tmp_path / "k.sqlite", create=True)
    ids = [f"a{i}#1#0" for i in range(len(TEXTS))]
    metas = [
        {"article_id": f"a{i}", "content_hash": "1", "n_chunks": 1, "path": f"a{i}.txt"}
        for i in range(len(TEXTS))
    ]
    index.add(ids, TEXTS, metas)
    return index


def test_the_keyword_index_says_which_order_the_articles_write_words_in(
    keywords: lexical.LexicalIndex,
) -> None:
    assert keywords.written_near("Twilight", "Princess", 0)
    assert not keywords.written_near("Princess", "Twilight", 2)  # near, but the other way round
    assert not keywords.written_near("Representative", "Yeutter", 0)
    assert keywords.written_near("Representative", "Yeutter", 2)  # "Representative Clayton Yeutter"
    assert keywords.written_near("U.S.", "Army", 0)  # no terms to look up: cannot tell, so written
    assert len(keywords.texts_holding("Princesses", 10)) == 3  # by stem
    assert keywords.texts_holding("the", 10) == []  # a stop word has no term


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What accolade did Radar Princess receive?", Misnamed("Radar Princess", "Twilight Princess")),
        ("How many copies did the Radar Princess sell?", Misnamed("Radar Princess", "Twilight Princess")),
        ("Radar Princess sold how many copies?", None),  # the first word is capitalised whatever it is
        ("Describe Yeutter's demands on Japan.", None),
        ("What did Mr. Yeutter say?", None),  # a title or an honorific before a surname
        ("What did Ambassador Yeutter say?", None),
        ("What did Richard Lugar say?", None),  # the articles always title him: no fixed name
        ("What accolade did Twilight Princess receive?", None),  # as the articles write it
        ("What did Trade Representative Yeutter say?", None),  # the first name left out
        ("What did Lavrov tell Geneva reporters?", None),  # never written so, but no fixed name
        ("Where did Nintendo's Princess go?", None),  # a possessive ends the name
        ("Is Twilight the game that Radar Princess is part of?", None),  # the partner is asked too
        ("What Did Radar Princess Win?", None),  # title case: capitals mark no names
        ("what did radar princess win?", None),  # lower case: no names
        ("Which Princess won?", None),  # "Which" opens the question, it names nothing
        ("What did Twiligth Princess sell?", None),  # a slip in the name the articles write
    ],
)
def test_misnamed(keywords: lexical.LexicalIndex, question: str, expected: Misnamed | None) -> None:
    assert misnamed(question, keywords.written_near, keywords.texts_holding) == expected


def test_a_connector_is_part_of_the_name(keywords: lexical.LexicalIndex) -> None:
    """ "Ocarina of Time": "Time" always comes after "Ocarina of" here."""
    found = misnamed("Who is the hero of Midna of Time?", keywords.written_near, keywords.texts_holding)
    assert found == Misnamed("Midna of Time", "Ocarina of Time")


def test_only_the_end_of_a_fixed_name_is_checked(keywords: lexical.LexicalIndex) -> None:
    """ "Trade" is always "Trade Representative" here, but a title before a name the article
    writes otherwise ("Trade Minister Tamura") names no other thing."""
    assert (
        misnamed("What did Trade Minister Tamura say?", keywords.written_near, keywords.texts_holding) is None
    )


GAMES = {
    "zelda.md": "---\ntitle: Twilight Princess review\n---\n"
    "Twilight Princess is the best Zelda game in years, reviewers said. Twilight Princess was "
    "released for the Wii and the GameCube.\n\nTwilight Princess sold 5.82 million copies on the Wii.\n",
    "radar.md": "---\ntitle: Radar upgrade\n---\nThe navy said its new radar tracks aircraft at 400 km. "
    "Radar makers in Europe expect more orders.\n",
}  # fmt: skip


def test_the_refusal_says_how_the_articles_write_the_name(engine_over: Any, tmp_path: Path) -> None:
    engine = engine_over(GAMES)
    refusal = "I couldn't find that in the articles. They write “Twilight Princess”, never “Radar Princess”."
    answer = engine.ask("How many copies did Radar Princess sell?")
    assert (answer.abstained, answer.text, bool(answer.sources)) == (True, refusal, True)  # sources offered
    answer = engine.ask("How many copies did Twilight Princess sell?")
    assert not answer.abstained and "5.82 million" in answer.text

    args = ["--corpus-dir", str(tmp_path / "texts"), "--index-dir", str(tmp_path / "texts-index")]
    result = CliRunner().invoke(cli, [*args, "ask", "How many copies did Radar Princess sell?"])
    assert (result.exit_code, result.stdout.splitlines()[0]) == (0, refusal)
