""" "Which articles mention X?" is answered with the articles: how many hold the topic, the
newest listed by title and date, each cited by its first sentence that names it."""

from __future__ import annotations

from typing import Any

import pytest

from index.query.answer import NOTHING_MORE
from index.query.conversation import Conversation
from index.query.listing import listing_topic, written_phrase
from index.query.scope import Scope
from index.store.lexical import written_names


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Which articles mention Pennzoil?", "Pennzoil"),
        ("list the articles about coffee", "coffee"),
        ("How many stories are there about OPEC?", "OPEC"),
        ("Are there any articles on the Bundesbank?", "Bundesbank"),
        ("show me all the articles that mention Iran, please", "Iran"),
        ("How many articles mention Texaco in ?", "Texaco"),  # "in April" taken out as the scope
        # questions about the news, not requests for articles
        ("How many reports did the commission publish?", None),
        ("Which reports said the dollar fell?", None),
        ("What did the article say about Iran?", None),
        ("What reports on Texaco's bankruptcy did Japanese traders react to?", None),
        ("Which items on the agenda did the G7 discuss?", None),
        ("Which report on OPEC said prices would rise?", None),
        ("Which reports are about the coffee deal and when was it signed?", "coffee deal"),
        # what the keyword index can't count as written: answered as questions
        ("Which articles mention it?", None),  # a follow-up: the conversation carries its subject
        ("How many stories are about them?", None),
        ("Which articles mention McDonald's?", "McDonald's"),
        ("List stories about  's oil prices", "oil prices"),  # "this week's" taken out as the scope
        ("Which articles mention the US?", None),  # "us", to the keyword index
        ("Which articles mention oil but not gas?", None),
        ("Which articles mention Pennzoil or Getty?", None),
    ],
)
def test_listing_topic(text: str, topic: str | None) -> None:
    assert listing_topic(text) == topic


@pytest.mark.parametrize(
    ("topic", "phrase"),
    [
        ("Texaco's bankruptcy", None),  # its words are enough
        ("traders' union", None),
        ("AT&T's rates", "at&t rates"),
        ("U.S. Steel", "u.s. steel"),
        ("O'Neill", "o'neill"),  # an apostrophe inside a name stays
    ],
)
def test_written_phrase(topic: str, phrase: str | None) -> None:
    assert written_phrase(topic) == phrase


@pytest.mark.parametrize(
    ("topic", "names"),
    [
        ("Roberts", ["roberts"]),  # stored as "robert"
        ("Mars exploration", ["mars"]),  # "mar", as in "Mar 5"
        ("Texaco's bankruptcy", []),  # its stem is the word
        ("oil prices", []),  # not names: any form counts
        ("Democrats", []),  # a party's plural: "Democrat John Fetterman" is about it too
        ("Olympics", []),
    ],
)
def test_written_names(topic: str, names: list[str]) -> None:
    assert written_names(topic) == names


def _article(name: str, published: str, body: str) -> tuple[str, str]:
    return name, f"---\ntitle: {name.upper()} STORY\npublished: {published}\n---\n{body}\n"


FILES = dict(
    [
        *(
            _article(
                f"port-{i}.md",
                f"1987-06-{10 + i:02d}",
                f"Shipping news for day {i}. Dock workers in Rotterdam voted on a pay offer on day {i}.",
            )
            for i in range(7)
        ),
        _article("old.md", "1986-05-02", "Rotterdam dock workers began a strike over pay."),
        _article("other.md", "1987-06-20", "Antwerp dock workers voted on a pay offer."),
        _article(
            "att.md",
            "1987-05-05",
            "Telephone rates fell. AT&T cut its long distance rates by 5 pct. AT&T's rates rose in 1986.",
        ),
        _article("robert.md", "1987-06-02", "Robert Mayer led the union. Talks went on."),
        _article("roberts.md", "1987-06-03", "Union talks resumed. Jane Roberts chaired them in Hull."),
        (
            "gazette.md",
            "---\ntitle: Antwerp quays\npublished: 1987-06-01\noutlet: Port Gazette\n---\n"
            "The Antwerp quays reopened after repairs.\n",
        ),
    ]
)


def test_articles_on_a_topic_are_counted_and_listed_newest_first(engine_over: Any) -> None:
    engine = engine_over(FILES)
    conversation = Conversation()
    answer = engine.ask("Which articles mention Rotterdam?", conversation=conversation)
    assert not answer.abstained
    assert answer.text.startswith(
        "8 articles mention Rotterdam; the newest: PORT-6.MD STORY (1987-06-16) [1]; PORT-5.MD STORY (1987-06-15) [2];"
    )
    assert [s.source for s in answer.sources] == [f"port-{i}.md" for i in (6, 5, 4, 3, 2)]
    # each cited by its first sentence that names the topic, not the article's first
    assert answer.sources[0].quote == "Dock workers in Rotterdam voted on a pay offer on day 6."

    more = engine.ask("tell me more", conversation=conversation)
    assert [s.source for s in more.sources] == ["port-1.md", "port-0.md", "old.md"]
    assert more.text.startswith("8 articles mention Rotterdam; more of them, newest first: PORT-1.MD STORY")
    assert engine.ask("tell me more", conversation=conversation).text == NOTHING_MORE

    # the dates a request names are a filter
    old = engine.ask("How many articles mention Rotterdam in 1986?")
    assert old.text == "1 article mentions Rotterdam: OLD.MD STORY (1986-05-02) [1]."
    assert old.note.startswith("Searched articles published from 1986-01-01 to 1986-12-31")
    # a month named: the articles published in it, not in the weeks after (as a question's are)
    may = engine.ask("Which articles mention dock workers in May 1986?")
    assert [s.source for s in may.sources] == ["old.md"]
    assert may.note.startswith("Searched articles published from 1986-05-01 to 1986-05-31")
    assert engine.ask("Which articles mention Antwerp in May 1987?").text == "No article mentions Antwerp."
    # every word of the topic, in any chunk of the article
    both = engine.ask("Are there any stories about Rotterdam strikes?")
    assert [s.source for s in both.sources] == ["old.md"]
    # an outlet given as an option
    assert [s.source for s in engine.ask("Which articles mention Antwerp?").sources] == [
        "other.md",
        "gazette.md",
    ]
    gazette = engine.ask("Which articles mention Antwerp?", scope=Scope(outlet="port gazette"))
    assert [s.source for s in gazette.sources] == ["gazette.md"] and gazette.text.startswith(
        "1 article mentions"
    )
    # a possessive is the name's; a topic the index has no words for is matched as written
    assert engine.ask("Which articles mention Rotterdam's dock workers?").text.startswith(
        "8 articles mention"
    )
    att = engine.ask("Do you have any articles on AT&T?")
    assert att.text == "1 article mentions AT&T: ATT.MD STORY (1987-05-05) [1]."
    assert att.sources[0].quote == "AT&T cut its long distance rates by 5 pct."
    rates = engine.ask("Which articles mention AT&T rates?")  # as written, less the possessive
    assert rates.sources[0].quote == "AT&T's rates rose in 1986."
    # a name its stem confuses with another is matched as written, as a whole word
    roberts = engine.ask("Which articles mention Roberts?")
    assert roberts.text == "1 article mentions Roberts: ROBERTS.MD STORY (1987-06-03) [1]."
    assert roberts.sources[0].quote == "Jane Roberts chaired them in Hull."
    assert [s.source for s in engine.ask("Which articles mention union talks?").sources] == [
        "roberts.md",
        "robert.md",
    ]
    none = engine.ask("Which articles mention Hamburg?")
    assert none.abstained and none.text == "No article mentions Hamburg." and not none.sources


def test_a_list_pages_by_its_own_articles_and_a_pronoun_is_a_follow_up(engine_over: Any) -> None:
    engine = engine_over(FILES)
    conversation = Conversation()
    # an earlier question quotes port-1's sentence: its article is still listed, on page two
    first = engine.ask("What did Rotterdam dock workers vote on on day 1?", conversation=conversation)
    assert first.quotes == ["Dock workers in Rotterdam voted on a pay offer on day 1."]
    listed = engine.ask("Which articles mention Rotterdam?", conversation=conversation)
    more = engine.ask("tell me more", conversation=conversation)
    names = [s.source for s in listed.sources + more.sources]
    assert names == [f"port-{i}.md" for i in (6, 5, 4, 3, 2, 1, 0)] + ["old.md"]

    conversation = Conversation()
    engine.ask("Where did dock workers begin a strike over pay?", conversation=conversation)
    them = engine.ask("Which articles mention them?", conversation=conversation)
    assert them.standalone_question != them.question  # the subject carried in, not "them" counted
    assert not them.abstained and "mention them" not in them.text
    assert {s.source for s in them.sources} & {"old.md"}
