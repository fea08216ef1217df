"""Hostile article text through answers and the renderers: no foreign link, no ping, no
marker that is not a real source, no control character."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.discord_render import answer_messages, safe_url, sources_messages
from bot.render import render_answer
from index.ingest.articles import parse_article
from index.query.answer import Answer, Source
from index.query.retrieval import Passage

QUESTION = "Who did Blinken meet in Geneva on Friday?"
MASKED_LINK_ARTICLE = (
    "Blinken met Lavrov in Geneva on Friday, according to the [full statement](http://evil.example/steal). "
    "Officials said the talks in Geneva on Friday were frank [7], https://evil.example/x @everyone <@1234>."
)
HOSTILE = [
    "[full statement](http://evil.example/steal)",
    "[x](<https://evil.example/y>)",
    "https://evil.example/z",
    "<https://evil.example/w>",
    "http://user:pw@evil.example/",
    "@everyone",
    "@here",
    "<@123456>",
    "<@!42>",
    "<@&987>",
    "[7]",
    "[1]",
    "[2][3]",
    "[99]",
    "**bold**",
    "__under__",
    "`code`",
    "||spoiler||",
    "~~strike~~",
    "\x1b]8;;http://evil.example\x07click\x1b]8;;\x07",
    "\x1b[2J",
    "\u202eevil",
    "\x00",
    "\\",
    "[",
    "](",
    ")",
    "\n# Heading",
    "\n> quote",
    "\n- item",
    "\n-# subtext",
]


def _unescaped(text: str) -> str:
    """The text as Discord's markdown parser sees it, escaped characters blanked out."""
    return re.sub(r"\\(.)", "§", text, flags=re.DOTALL)


def check_plain(text: str) -> None:
    """Where Discord renders no markdown (footers): no ping, no control character."""
    assert not re.search(r"@(everyone|here)", text), f"ping in {text!r}"
    assert not re.search(r"<@[!&]?\d+>", text), f"ping in {text!r}"
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]", text)


def check_rendered(text: str, answer: Answer) -> None:
    """The invariants for one rendered string (a description, a field, a message)."""
    check_plain(text)
    allowed = {safe_url(s.url) for s in answer.sources} - {""}
    plain = _unescaped(text)
    links = re.findall(r"\[[^\[\]]*\]\(\s*<?([^()<>\s]*)>?\s*\)", plain)
    assert set(links) <= allowed, f"foreign link in {text!r}"
    without_links = re.sub(r"\[[^\[\]]*\]\(\s*<?[^()<>\s]*>?\s*\)", " ", plain)
    assert not re.search(r"(?i)\b[a-z][a-z0-9+.-]*://", without_links), f"bare URL in {text!r}"
    assert not re.search(r"@(everyone|here)", text), f"ping in {text!r}"
    assert not re.search(r"<@[!&]?\d+>", text), f"ping in {text!r}"
    numbers = {s.n for s in answer.sources}
    markers = {int(n) for n in re.findall(r"\[(\d{1,3})\]", without_links)}
    assert markers <= numbers, f"marker of no source in {text!r}"
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]", text)


def check_all(answer: Answer) -> None:
    for embeds in answer_messages(answer):
        for embed in embeds:
            for text in (embed.description, embed.title, *(x for f in embed.fields for x in f)):
                check_rendered(text, answer)
            check_plain(embed.footer)
    for message in sources_messages(answer):
        check_rendered(message, answer)
    terminal = render_answer(answer, full_sources=True)
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]", terminal)


def _passages(text: str, title: str = "Talks", url: str = "") -> list[Passage]:
    return [
        Passage(
            chunk_id="evil#0",
            text=text,
            score=1.0,
            metadata={"source": "evil.md", "title": title, "url": url},
            vector_score=0.6,
        ),
        Passage(
            chunk_id="calm#0",
            text="Blinken and Lavrov spoke for ninety minutes in Geneva on Friday.",
            score=0.9,
            metadata={"source": "calm.txt", "title": "Calm", "url": "https://example.org/calm"},
            vector_score=0.5,
        ),
    ]


def _quoting(text: str, title: str = "Talks", url: str = "") -> Answer:
    """An answer quoting the hostile text from source 1, as a quote of it would carry it."""
    sources = [Source.from_passage(n, p, quote=p.text) for n, p in enumerate(_passages(text, title, url), 1)]
    return Answer(
        question=QUESTION,
        text=f"{text} [1] The talks were frank. [2]",
        sources=sources,
        abstained=False,
        mode="extractive",
    )


def test_masked_links_and_fake_urls_are_not_links() -> None:
    raw = (
        b"---\ntitle: Official **NATO** [statement](http://evil.example/t)\n"
        b"url: https://evil.example/a>)[Official NATO site](https://evil.example/phish\n---\n"
        + MASKED_LINK_ARTICLE.encode()
    )
    article = parse_article("evil.md", raw)
    # Reading Markdown keeps a masked link's text only (index.ingest.markdown); the answer
    # below quotes the raw sentence, as an LLM or an older index might carry it.
    assert article.text.startswith("Blinken met Lavrov in Geneva on Friday, according to the full statement.")
    answer = _quoting(MASKED_LINK_ARTICLE.split(". ")[0] + ".", article.title, article.url)
    assert "[full statement](http://evil.example/steal)" in answer.text
    check_all(answer)
    ((embed,),) = answer_messages(answer)
    assert "\\[full statement\\]\\(http:\u200b//evil.example/steal\\)" in embed.description
    evil = next(v for n, v in embed.fields if "evil.md" in v)
    assert not evil.startswith("[")  # the fake url is no link: the title is plain text
    calm = next(v for n, v in embed.fields if "calm.txt" in v)
    assert calm.startswith("[Calm](<https://example.org/calm>)")  # a good url still links


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(min_size=1, max_size=10)), min_size=1, max_size=40),
    st.sampled_from(HOSTILE + ["A plain title"]),
    st.sampled_from(
        HOSTILE + ["https://example.org/ok", "https://evil.example/a>)[x](https://evil.example/p"]
    ),
)
def test_hostile_article_text_never_renders_links_pings_or_fake_markers(
    fragments: list[str], title: str, url: str
) -> None:
    text = (
        "Blinken met Lavrov in Geneva on Friday " + " ".join(fragments) + ". The talks in Geneva were frank."
    )
    answer = _quoting(text, title, url)
    check_all(answer)
    check_all(_llm_style(answer, text))


def _llm_style(answer: Answer, text: str) -> Answer:
    """The same sources with the hostile text as the answer itself (what an LLM might echo)."""
    return Answer(
        question=QUESTION,
        text=f"{text} [1] [2]",
        sources=answer.sources or [],
        abstained=False,
        mode="llm",
        note="the LLM at http://***@127.0.0.1:9/v1?*** failed (timed out); @everyone \x1b[2J",
    )


def test_the_bot_answer_embed_has_no_foreign_link(tmp_path: Any, make_settings: Any, onnx_model: Any) -> None:
    """Real indexing and answering: a masked link is read as its text, a sentence with a
    bare link inside is never quoted, and the fake url is no link."""
    from index.ingest.indexer import run_index
    from index.query.engine import Engine

    corpus = tmp_path / "hostile"
    corpus.mkdir()
    (corpus / "evil.md").write_text(
        "---\ntitle: Geneva talks\nurl: https://evil.example/a>)[Official NATO site](https://evil.example/phish\n"
        "---\n" + MASKED_LINK_ARTICLE,
        encoding="utf-8",
    )
    settings = make_settings(corpus_dir=corpus)
    run_index(settings, embed_model=onnx_model)
    answer = Engine(settings, embed_model=onnx_model).ask(QUESTION)
    assert not answer.abstained and "according to the full statement." in answer.text
    assert "evil.example" not in answer.text and "@everyone" not in answer.text
    check_all(answer)
