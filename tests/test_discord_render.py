"""Discord rendering as pure functions: limits, markers, links, mentions."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.discord_render import (
    ANSWER_PART,
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FIELDS_PER_EMBED,
    MESSAGE_LIMIT,
    answer_messages,
    neutralize_mentions,
    question_text,
    sources_messages,
    split_text,
)
from index.query.answer import Answer, Source


def _source(n: int, text: str = "A passage about Geneva talks.", url: str = "") -> Source:
    return Source(
        n=n,
        source=f"{n:03d}.txt",
        title=f"Headline {n}",
        url=url,
        score=1.0,
        text=text,
        outlet="Wire",
        published="2022-01-21",
    )


def test_split_respects_limit_and_sentences() -> None:
    text = " ".join(f"Sentence number {i} says something [{i % 3 + 1}]." for i in range(200))
    parts = split_text(text, 500)
    assert all(len(p) <= 500 for p in parts)
    assert " ".join(parts) == text
    assert all(p.endswith("].") for p in parts)  # cut only after a sentence and its marker


def test_split_never_breaks_markers_links_or_urls() -> None:
    link = "[the statement](<https://example.org/a/very/long/path?with=query&and=more>)"
    words = ["word"] * 300 + [link, "https://example.org/another/long/url", "[12][13]"] * 20
    text = " ".join(words)  # one giant "sentence"
    parts = split_text(text, 300)
    assert all(len(p) <= 300 for p in parts)
    joined_tokens = " ".join(parts).split(" ")
    assert joined_tokens == text.split(" ")
    for p in parts:
        assert p.count("[the statement](") == p.count("more>)")
        assert not re.search(r"\[\d*$", p) and not re.match(r"^\d*\]", p)


def test_mentions_are_neutralised() -> None:
    text = neutralize_mentions("Hi @everyone and @here, ping <@123> and role <@&456> and <@!789>")
    assert "@everyone" not in text and "@here" not in text
    assert "<@123>" not in text and "<@&456>" not in text and "<@!789>" not in text
    assert text.replace("\u200b", "") == "Hi @everyone and @here, ping <@123> and role <@&456> and <@!789>"


def test_answer_embed_with_sources_fits_discord() -> None:
    sources = [_source(i, "x " * 2000, url=f"https://example.org/{i}") for i in range(1, 31)]
    answer = Answer(
        question="q",
        text="Short answer [1].",
        sources=sources,
        abstained=False,
        mode="extractive",
        note="fell back",
    )
    messages = answer_messages(answer)
    assert len(messages) == 1
    embed = messages[0][0]
    assert embed.description == "Short answer [1]."
    assert 1 <= len(embed.fields) <= FIELDS_PER_EMBED
    assert all(len(n) <= FIELD_NAME_LIMIT and len(v) <= FIELD_VALUE_LIMIT for n, v in embed.fields)
    assert embed.size() <= EMBED_TOTAL_LIMIT
    assert embed.fields[0][1].startswith("[Headline 1](<https://example.org/1>)")
    assert embed.footer == "fell back"


def test_long_answer_splits_and_keeps_sources_with_last_part() -> None:
    text = " ".join(f"Claim {i} is made in the reporting about the talks [1]." for i in range(300))
    answer = Answer(question="q", text=text, sources=[_source(1)], abstained=False, mode="llm")
    messages = answer_messages(answer)
    assert len(messages) > 1
    for embeds in messages:
        assert sum(e.size() for e in embeds) <= EMBED_TOTAL_LIMIT
        assert all(len(e.description) <= min(DESCRIPTION_LIMIT, ANSWER_PART) for e in embeds)
    assert all(not e.fields for embeds in messages[:-1] for e in embeds)
    assert messages[-1][0].fields


def test_abstention_reads_naturally_with_headlines() -> None:
    answer = Answer(
        question="q",
        text="I couldn't find that in the articles.",
        sources=[_source(1), _source(2)],
        abstained=True,
        mode="extractive",
    )
    ((embed,),) = answer_messages(answer)
    assert embed.description.startswith(
        "I couldn't find that in the articles.\n\nClosest headlines:\n• Headline 1"
    )
    assert not embed.fields


def test_sources_messages_under_limit() -> None:
    answer = Answer(
        question="q",
        text="a [1] b [2]",
        sources=[_source(1, "word " * 900), _source(2, "@everyone " * 10)],
        abstained=False,
        mode="extractive",
    )
    messages = sources_messages(answer)
    assert all(len(m) <= MESSAGE_LIMIT for m in messages)
    assert "@everyone" not in "".join(messages)


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=0, max_size=6000), st.integers(min_value=50, max_value=MESSAGE_LIMIT))
def test_split_property(text: str, limit: int) -> None:
    parts = split_text(text, limit)
    assert all(0 < len(p) <= limit for p in parts)
    assert "".join(" ".join(parts).split()) == "".join(text.split())  # nothing lost but whitespace


def test_the_question_in_a_message_is_its_words() -> None:
    bot = 1234
    for content, question in (
        ("<@1234> Who did Blinken meet in Geneva?", "Who did Blinken meet in Geneva?"),
        ("<@!1234> who won? <:thinking:998877665544>", "who won?"),
        ("**Who** met Lavrov in ||Geneva||? <a:party:11> <t:1642723200:R>", "Who met Lavrov in Geneva?"),
        ("<@1234> what did <@5678> and <@&42> in <#77> say about `OPEC`?", "what did and in say about OPEC?"),
        ("How many died in 2004?", "How many died in 2004?"),  # a number the question asks stays
    ):
        assert question_text(content, bot) == question
