"""Articles saved as JSON objects (news-please, trafilatura --json, newspaper dumps): their
text and metadata read by the names those tools give them; what is not one article is
skipped with its reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from index.ingest.articles import Skipped, parse_article, read_article

NEWS_PLEASE = {
    "title": "Dockworkers end strike at Antwerp",
    "maintext": "Dockworkers at the Port of Antwerp ended a three-day strike on Wednesday after unions "
    "accepted a 4.5 percent pay rise.\nMore than 40 container ships had waited at anchor.",
    "date_publish": "2023-06-14 09:30:00",
    "authors": ["Lena Peeters", "Tom Maes"],
    "source_domain": "www.flanders-daily.example",
    "url": "https://www.flanders-daily.example/port-strike",
    "description": "A short summary that is not the text.",
    "image_url": None,
    "language": "en",
}
TRAFILATURA = {
    "title": "Belgian rail operator orders new trains",
    "author": "Tom Maes",
    "hostname": "rail-news.example",
    "date": "2022-03-02",
    "source": "https://rail-news.example/sncb-order",
    "text": "Belgian rail operator SNCB ordered 200 double-deck carriages from Alstom on Tuesday.",
    "tags": ["rail", "industry"],
}


def test_news_please_and_trafilatura_objects_are_articles() -> None:
    a = parse_article("port.json", json.dumps(NEWS_PLEASE).encode())
    assert (a.title, a.published, a.author, a.outlet, a.url) == (
        "Dockworkers end strike at Antwerp",
        "2023-06-14",
        "Lena Peeters, Tom Maes",
        "flanders-daily.example",  # the host name less its "www."
        "https://www.flanders-daily.example/port-strike",
    )
    assert a.text.split("\n\n") == [line for line in NEWS_PLEASE["maintext"].split("\n")]
    b = parse_article("rail.json", json.dumps(TRAFILATURA).encode())
    assert (b.title, b.published, b.author, b.outlet, b.url) == (
        "Belgian rail operator orders new trains", "2022-03-02", "Tom Maes", "rail-news.example",
        "https://rail-news.example/sncb-order",
    )  # fmt: skip
    paragraphs = {"headline": "Rail order", "body": ["SNCB ordered 200 carriages.", "Alstom builds them."]}
    assert parse_article("p.json", json.dumps(paragraphs).encode()).text == (
        "SNCB ordered 200 carriages.\n\nAlstom builds them."
    )


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (
            '[{"text": "one"}, {"text": "two"}]',
            "a JSON list of 2 items; save one article per file, as a JSON object",
        ),
        ('{"title": "No text here", "url": "https://x.example"}', "no article text in the JSON"),
        ('{"text": "unclosed', "not valid JSON (line 1: Unterminated string"),
        ('"just a string"', "not a JSON object"),
    ],
)
def test_what_is_not_one_article_is_skipped_with_its_reason(
    tmp_path: Path, content: str, reason: str
) -> None:
    path = tmp_path / "items.json"
    path.write_text(content, encoding="utf-8")
    skipped = read_article(tmp_path, path, 1_000_000)
    assert isinstance(skipped, Skipped) and skipped.reason.startswith(reason), skipped


def test_unix_times_cut_emoji_and_deep_nesting() -> None:
    epoch = {
        "maintext": "Ships move again \ud83d on Monday.",
        "date_publish": 1700000000,
        "wordcount": 1700000000,
    }
    article = parse_article("e.json", json.dumps(epoch).encode())
    assert (article.published, article.text) == ("2023-11-14", "Ships move again ? on Monday.")
    assert parse_article(
        "m.json", json.dumps({"text": "Ships.", "publishedAt": 1700000000123}).encode()
    ).published == ("2023-11-14")
    with pytest.raises(ValueError, match="nested too deeply"):
        parse_article("deep.json", b"[" * 100_000 + b"]" * 100_000)


@pytest.mark.parametrize("ascii_only", [True, False])
def test_mojibake_is_put_right_in_escaped_and_plain_json(ascii_only: bool) -> None:
    """json.dump writes "Russiaâ€™s" as \\u00e2\\u20ac\\u2122 escapes by default: the file's
    bytes are plain ASCII, so the fields are repaired once parsed, not only at decode."""
    text = "Russia’s envoy called the talks “useful”."
    garbled = text.encode().decode("cp1252", errors="replace")
    fields = {"title": "Russia’s envoy".encode().decode("cp1252"), "text": garbled}
    article = parse_article("m.json", json.dumps(fields, ensure_ascii=ascii_only).encode())
    assert article.title == "Russia’s envoy"
    assert (
        article.text == parse_article("c.md", f"---\ntitle: T\n---\n{text}".encode()).text
    )  # as a file reads it


def test_a_json_article_is_indexed_and_answers(engine_over: Any) -> None:
    engine = engine_over({"port.json": json.dumps(NEWS_PLEASE), "rail.json": json.dumps(TRAFILATURA)})
    answer = engine.ask("What pay rise did the unions accept in Antwerp?")
    assert not answer.abstained and "4.5 percent" in answer.text
    assert [(s.source, s.published) for s in answer.sources] == [("port.json", "2023-06-14")]
