"""A question naming something no article mentions is refused, and says which name."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from bot.cli import cli
from index.query.engine import Engine
from index.query.unknown import distance, is_part, question_names, unknown_names, unstated_names
from index.settings import Settings
from index.text import stem, word_spans


def names(question: str) -> list[str]:
    return [name for name, _ in question_names(question)]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Who is lead manager of Nintendo's eurobond?", ["Nintendo"]),  # possessive off
        ("Nintendo said what?", []),  # the first word is capitalised whatever it is
        ("Which MI66 agent met Lavrov?", ["MI66", "Lavrov"]),  # letters and digits
        ("What did NYC and the U.S. say in March on Monday?", []),  # acronyms, months, days
        ("What share of Q1 sales came from 100m runs by the 3rd?", []),  # codes, measures, ordinals
        ("Why Aren't the talks over?", []),  # title case: capitals mark no names
        ("What Did The Minister Say About Tariffs?", []),
        ("who did lavrov meet in geneva?", []),  # typed in lower case
        ("How much is the U.S. Army paying Red Nose Day?", ["Army", "Red", "Nose", "Day"]),
        ("What did Al say?", []),  # two letters
        ("Which iPods did eBay sell?", ["iPods", "eBay"]),  # a capital inside
    ],
)
def test_question_names(question: str, expected: list[str]) -> None:
    assert names(question) == expected


CORPUS_TERMS = {
    stem(w)
    for w in [
        "bedford",
        "isuzu",
        "super",
        "bowl",
        "beyonce",
        "lavrov",
        "geneva",
        "minister",
        "nordstream",
        "imf",
        "japan",
        "spain",
    ]
}


def missing(question: str) -> tuple[str, ...]:
    def frequencies(terms: Any) -> dict[str, int]:
        return {t: int(t in CORPUS_TERMS) for t in terms}

    def near(term: str, within: int) -> list[str]:
        return [t for t in CORPUS_TERMS if t[:1] == term[:1] and abs(len(t) - len(term)) <= within]

    return unknown_names(question, frequencies, near)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What did Lavrov say in Geneva?", ()),
        ("What did Lavrov tell Nintendo and Foxconn?", ("Nintendo", "Foxconn")),
        ("What stake has GM in the Bedford-Isuzu venture?", ()),  # the parts are found
        ("Who sang at the Superbowl?", ()),  # two words written as one
        ("What is Nord Stream 2?", ()),  # one word written as two
        ("Who did Bayonce meet?", ()),  # one letter off, long enough to be a typo
        ("What did Lavrof say?", ()),  # one letter off
        ("What did Lavr say in Genf?", ("Lavr", "Genf")),  # too short to call a typo
        ("Who did Foxconn-Isuzu hire?", ("Foxconn-Isuzu",)),  # a part not found
        # written out where the articles write the acronym
        ("What did the International Monetary Fund tell Lavrov?", ()),
        ("What did the International Energy Agency tell Lavrov?", ("International", "Energy", "Agency")),
        ("What did the Japanese minister tell Lavrov?", ()),  # a country named another way
        ("What did the Spanish minister tell Lavrov?", ()),  # (beyond a typo's reach)
    ],
)
def test_unknown_names(question: str, expected: tuple[str, ...]) -> None:
    assert missing(question) == expected


def test_distance_stops_past_its_limit() -> None:
    assert distance("beyonc", "bayonc", 1) == 1
    assert distance("european", "euorpean", 2) == 2
    assert distance("nintendo", "netanyahu", 2) == 3  # limit + 1, not the full distance


def test_a_name_no_article_mentions_is_refused_with_the_name(built_index: Settings, onnx_model: Any) -> None:
    engine = Engine(built_index, embed_model=onnx_model)
    answer = engine.ask("What did Lavrov tell Nintendo's chairman in Geneva?")
    assert answer.abstained
    assert answer.text == "I couldn't find that in the articles. None of them mentions “Nintendo”."
    assert answer.sources  # the closest articles are still offered

    # The same question without the unknown name, and with a misspelt known name, is answered.
    for question in (
        "Who is the Russian Foreign Minister that Blinken met?",
        "Who is the Russian Foreign Minister that Blinkenn met?",
    ):
        answer = engine.ask(question)
        assert not answer.abstained and "Lavrov" in answer.text


def test_cli_prints_the_refusal_with_the_names(built_index: Settings) -> None:
    args = ["--corpus-dir", str(built_index.corpus_dir), "--index-dir", str(built_index.index_dir)]
    result = CliRunner().invoke(cli, [*args, "ask", "What did Obama and Foxconn agree with Lavrov?"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        "I couldn't find that in the articles. None of them mentions “Obama” or “Foxconn”."
    )


def test_a_name_only_the_title_holds_is_found(engine_over: Any) -> None:
    """A front-matter title is not in the text the terms come from; it still names what
    the article is about."""
    engine = engine_over({
        "derby.md": "---\ntitle: Arsenal edge Chelsea to settle north London derby\n---\n"
        "Bukayo Saka scored the winner in the 78th minute as Arsenal beat Chelsea 2-1 on Sunday.\n",
        "other.md": "---\ntitle: Rain in Oslo\n---\nIt rained in Oslo on Monday, forecasters said.\n",
        "floods.md": "---\ntitle: Floods hit Zürich old town\n---\nFirefighters pumped out 300 cellars overnight.\n",
    })  # fmt: skip
    answer = engine.ask("Who scored the winner in the north London derby?")
    assert "mentions" not in answer.text  # London is not a name no article holds
    assert (
        "mentions" not in engine.ask("How many cellars did firefighters pump out in Zurich?").text
    )  # folded
    assert engine.ask("Who scored the winner in the north Leeds derby?").text.endswith(
        "None of them mentions “Leeds”."
    )


def article_terms(text: str) -> set[str]:
    return {term for _, _, term, _ in word_spans(text)}


@pytest.mark.parametrize(
    ("question", "article", "expected"),
    [
        (
            "How many people died in the Chile earthquake?",
            "The Red Cross says 300 people died in the earthquake in Ecuador.",
            ("Chile",),
        ),
        ("How many people died in the Ecuador earthquake?", "300 died in Ecuador's earthquake.", ()),
        ("Is Iran buying the oil?", "Iraq is buying the oil.", ("Iran",)),  # one letter, another country
        ("What did Blinken say?", "Tony Blincoln said so.", ()),  # the consonants of a name the article has
        ("What did Lavrov tell Kyiv?", "Lavrov spoke to a cave diver.", ("Kyiv",)),  # another first letter
        ("What did Lavrov tell Kyiv?", "Lavrov spoke to Kiev.", ()),  # two consonants, the same length
        ("What did Lavrov tell Kyiv?", "Lavrov's keynote.", ("Kyiv",)),
        ("What did the Scottish market bring in?", "The film took 41 mln pounds in the UK.", ()),
        ("What did Bedford-Isuzu make?", "Bedford and Isuzu will make vans.", ()),  # in parts
        ("Why did the Fed add reserves?", "The Federal Reserve added reserves.", ()),  # a short name's start
        ("What did Oman sell?", "Omani crude was sold.", ()),
        ("Why did Chrysler add jobs?", "Chryslerville added jobs.", ("Chrysler",)),  # only short names
        ("What did Niger sell?", "Nigeria sold oil.", ("Niger",)),  # not a people's ending
        ("What did Bush say?", "Business leaders spoke.", ("Bush",)),  # "busi": not only vowels differ
        ("What did Kohl say?", "Troops kill.", ("Kohl",)),
        ("What did Reagan say?", "The region spoke.", ("Reagan",)),
        ("What did Manila say?", "A one-man show.", ("Manila",)),  # a hyphen's last part is no prefix
        ("What did Dean say?", "Jones said so.", ("Dean",)),  # a given name, not a people's adjective
        ("How many cars did Nissan sell in the United States?", "Nissan sold 3,358 U.S. cars.", ()),
        ("What did American farmers sell?", "U.S. farmers sold wheat.", ()),
        ("Chile's earthquake killed how many?", "The earthquake in Ecuador killed 300.", ("Chile",)),
        ("Chile (people died earthquake)?", "300 people died in Ecuador's earthquake.", ("Chile",)),
        ("Who asked the Kremlin?", "Ask the Kremlin.", ()),  # an ordinary first word is no name
    ],
)
def test_unstated_names(question: str, article: str, expected: tuple[str, ...]) -> None:
    assert unstated_names(question, article_terms(article)) == expected


def test_an_answer_from_an_article_that_never_names_the_subject_is_refused(engine_over: Any) -> None:
    """Another story's facts are not an answer: the Chile earthquake is not Ecuador's,
    though Chile is in the collection (a copper story) and every other word matches."""
    engine = engine_over({
        "quake.md": "---\ntitle: Ecuador counts the cost of the earthquake\n---\n"
        "QUITO, March 11 - The Red Cross says that at least 300 people died and 4,000 are missing "
        "after the earthquake. The quake destroyed a stretch of the oil pipeline.\n",
        "copper.md": "---\ntitle: Chile copper output rises\n---\n"
        "SANTIAGO, March 12 - Copper output in Chile rose 4 pct in February, and exports from Chile rose "
        "too, the mining ministry said.\n",
    })  # fmt: skip
    for question in (
        "How many people died in the Chile earthquake?",
        "how many people died in the chile earthquake?",
    ):
        answer = engine.ask(question)  # typed in lower case: "chile" is always capitalised in the candidates
        assert answer.abstained
        assert answer.text == (
            "I couldn't find that in the articles. The articles that match it best never mention “Chile”."
        )
    answer = engine.ask("How many people died in the Ecuador earthquake?")
    assert not answer.abstained and "300 people died" in answer.text


def test_the_outlet_a_question_names_is_stated() -> None:
    terms = article_terms("Chad said 1,269 Libyan soldiers were killed at Ouadi Doum.")
    question = "According to Reuters, how many Libyan soldiers were killed at Ouadi Doum?"
    assert unstated_names(question, terms) == ("Reuters",)
    assert unstated_names(question, terms, "Reuters") == ()


def test_a_name_inside_a_hyphenated_word_is_stated() -> None:
    terms = article_terms("Ciba-Geigy AG said it would form a venture in Wilkes-Barre with Allied-Signal.")
    assert unstated_names("Who did Phillips and Ciba tell in Barre about Signal?", terms) == ("Phillips",)


def test_a_part_of_a_hyphenated_name_is_in_the_collection(engine_over: Any) -> None:
    """The index keeps "Bar-Ilan" and "Mercedes-Benz" as one term each; a reader names a
    part ("Ilan University", "Mercedes"). Before, the answer was "None of them mentions
    “Ilan”" over an article that does."""
    engine = engine_over({
        "aids.md": "---\ntitle: AIDS drug trial\n---\nA compound invented by Bar-Ilan University doctors "
        "will be tried on AIDS patients, the company said.\n",
        "cars.md": "---\ntitle: Car sales\n---\nMercedes-Benz sold 12,400 cars in Britain in March, "
        "the importers said.\n",
        "phones.md": "---\ntitle: Phone sales\n---\nSony-Ericsson sold 20 million phones and Allied-Signal "
        "bought a stake in the venture, the companies said.\n",
    })  # fmt: skip
    answer = engine.ask("What did Ilan University doctors invent?")
    assert not answer.abstained and "compound invented by Bar-Ilan" in answer.text
    assert engine.read("How many cars did Mercedes sell in Britain in March?").unknown == ()
    assert engine.read("How many cars did Daimler sell in Britain in March?").unknown == ("Daimler",)
    assert engine.read("What did Bar University doctors invent?").unknown == ()  # a first part
    # a part stemmed otherwise than the word alone ("soni" for Sony), and a last part
    # stemmed with the whole word ("allied-sign" for Allied-Signal)
    assert engine.read("How many phones did Sony sell in the venture?").unknown == ()
    assert engine.read("What stake did Signal buy in the venture?").unknown == ()


def test_is_part() -> None:
    assert (
        is_part("ilan", "bar-ilan") and is_part("hart", "hart-carter") and is_part("merced", "mercedes-benz")
    )
    assert is_part("signal", "allied-sign")  # the last part stemmed with the whole word
    assert is_part("sun", "sun/times")
    assert (
        not is_part("bar", "barcelona-fc")
        and not is_part("ilan", "bar-ilandia")
        and not is_part("ilan", "ilan")
    )


def test_a_name_most_articles_hold_is_not_checked_in_the_one_quoted(
    engine_over: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wire writes "domestic sales" where the question says "Britain's sales": a name in
    one article in twenty says little by its absence from one more."""
    import index.query.reader as reader

    monkeypatch.setattr(reader, "COMMON_NAME_ARTICLES", 2)
    others = {
        f"{n}.md": f"---\ntitle: Britain story {n}\n---\nBritain's {topic} rose in March, officials said.\n"
        for n, topic in enumerate(["exports", "imports", "output"])
    }
    engine = engine_over({
        "cars.md": "---\ntitle: Car sales fall\n---\nDomestic car sales fell 9.2 pct in March to 7,654 cars, "
        "the motor trade association said. Dealers blamed higher prices for the fall in car sales.\n",
        "chile.md": "---\ntitle: Chile copper\n---\nChile's copper output rose in March, the ministry said.\n",
        **others,
    })  # fmt: skip
    answer = engine.ask("By how much did Britain's domestic car sales fall in March?")
    assert not answer.abstained and "9.2 pct" in answer.text
    assert (
        "never mention “Chile”"
        in engine.ask("By how much did Chile's domestic car sales fall in March?").text
    )


def test_the_outlet_of_the_quoted_article_counts_as_stated(engine_over: Any) -> None:
    """ "According to Reuters, ..." over a Reuters story that never writes "Reuters"."""
    engine = engine_over({
        "chad.md": "---\ntitle: Chad says Libyans killed\noutlet: Reuters\n---\nN'DJAMENA, March 25 - Chad "
        "said 1,269 Libyan soldiers were killed in the battle for the Ouadi Doum air base.\n",
        "wire.md": "---\ntitle: Reuters opens office\n---\nReuters opened an office in Lagos on Monday.\n",
    })  # fmt: skip
    answer = engine.ask("According to Reuters, how many Libyan soldiers were killed at Ouadi Doum?")
    assert not answer.abstained and "1,269" in answer.text
