"""Saved web pages in the corpus: the article without the page, and the page's metadata."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from index.ingest.articles import parse_article
from index.ingest.corpus_walk import load_corpus
from index.settings import Settings
from tests.news_server import STORIES, page

BASE = "https://herald.example"


def saved_page(path: str = "/news/ferry-strike") -> bytes:
    return page(path).replace("{base}", BASE).encode("utf-8")


def test_page_metadata_and_main_text() -> None:
    article = parse_article("web/ferry.html", saved_page())
    assert article.title == "Ferry workers strike over pay"
    assert article.published == "2024-03-11"
    assert article.outlet == "Harbour Herald"
    assert article.author == "Mara Lindqvist"
    assert article.url == BASE + "/news/ferry-strike"  # the canonical link
    assert "240 deckhands" in article.text and "replacement boats" in article.text
    for furniture in ("cookies", "Most read", "Subscribe", "Weather", "First! Great piece", "Privacy policy"):
        assert furniture not in article.text, furniture
    assert not article.text.startswith(article.title)  # the <h1> is the title, not the first paragraph


def test_front_matter_wins_over_the_page() -> None:
    data = (
        b"---\ntitle: Strike! (our headline)\npublished: 2024-03-12\noutlet: Island Wire\n---\n"
        + saved_page()
    )
    article = parse_article("ferry.htm", data)
    assert (article.title, article.published, article.outlet) == (
        "Strike! (our headline)",
        "2024-03-12",
        "Island Wire",
    )
    assert article.author == "Mara Lindqvist"  # what front matter does not say still comes from the page


def test_pages_are_read_from_the_corpus_and_empty_ones_skipped(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "bridge.html").write_bytes(saved_page("/news/bridge-vote"))
    (corpus / "login.html").write_text("<html><body><form>Log in</form></body></html>")
    articles, skipped = load_corpus(corpus, 2_000_000)
    assert [a.id for a in articles] == ["bridge.html"]
    assert articles[0].title == STORIES["/news/bridge-vote"][0]
    assert [(s.path, s.reason) for s in skipped] == [("login.html", "no article text found in the page")]


def test_indexed_page_answers_with_its_outlet_and_date(
    tmp_path: Path, make_settings: Callable[..., Settings], onnx_model: Any
) -> None:
    from index.ingest.indexer import run_index
    from index.query.engine import Engine

    corpus = tmp_path / "pages"
    corpus.mkdir()
    (corpus / "ferry.html").write_bytes(saved_page())
    (corpus / "bridge.html").write_bytes(saved_page("/news/bridge-vote"))
    settings = make_settings(corpus_dir=corpus)
    report = run_index(settings, embed_model=onnx_model)
    assert report.skipped == [] and len(report.added) == 2
    answer = Engine(settings, embed_model=onnx_model).ask("How many deckhands joined the ferry strike?")
    source = answer.sources[0]
    assert (source.source, source.outlet, source.published) == ("ferry.html", "Harbour Herald", "2024-03-11")
    assert source.url == BASE + "/news/ferry-strike"


RESULTS_PAGE = """<html><head><title>Labour holds the council</title></head><body><article>
<h1>Labour holds the council</h1>
<p>Labour kept control of the town council on Thursday, winning most of the seats after a
long campaign over bus routes and the closure of the swimming pool.</p>
<table><caption>Results</caption>
<tr><th>Party</th><th>Seats</th><th>Change</th></tr>
<tr><td>Labour</td><td>32</td><td>+5</td></tr>
<tr><td>Conservative</td><td>12</td><td>-4</td></tr></table>
<p>Turnout was 34 per cent, down from 38 per cent at the previous election, the council said.</p>
<table><tr><td>Ward</td><td>Riverside</td></tr><tr><td>Recount</td><td>Yes</td></tr></table>
</article></body></html>"""


def test_a_pages_tables_are_read_row_by_row_under_their_header() -> None:
    article = parse_article("results.html", RESULTS_PAGE.encode("utf-8"))
    paragraphs = article.text.split("\n\n")
    assert "Party: Labour; Seats: 32; Change: +5." in paragraphs
    assert "Party: Conservative; Seats: 12; Change: -4." in paragraphs
    assert "Party | Seats | Change" not in article.text and "---" not in article.text
    # a table without a header row names no columns: its rows stay as written
    assert "Ward | Riverside" in paragraphs and "Ward: Riverside" not in article.text
    assert paragraphs[0].startswith("Labour kept control") and paragraphs[4].startswith("Turnout was 34")


def test_a_fact_box_with_a_label_per_row_is_not_read_as_a_header() -> None:
    box = (
        "<table><tr><th>Born</th><td>4 August 1961</td></tr>"
        "<tr><th>Party</th><td>Democratic</td></tr><tr><th>Spouse</th><td>Michelle Robinson</td></tr></table>"
    )
    page = RESULTS_PAGE.replace("<table><tr><td>Ward</td>", box + "<table><tr><td>Ward</td>")
    paragraphs = parse_article("profile.html", page.encode("utf-8")).text.split("\n\n")
    assert "Born | 4 August 1961" in paragraphs and "Spouse | Michelle Robinson" in paragraphs
    assert not any(p.startswith("Born:") for p in paragraphs)
    assert "Party: Labour; Seats: 32; Change: +5." in paragraphs  # a header row of <th> only still names


def test_a_caption_or_title_row_is_a_paragraph_and_a_table_of_links_is_dropped() -> None:
    titled_box = (
        "<table><caption>Maria Lopez</caption><tr><th colspan='2'>Mayor of Northtown</th></tr>"
        "<tr><th>Born</th><td>4 August 1971</td></tr><tr><th>Party</th><td>Independent</td></tr></table>"
    )
    related = (
        "<div><p>The count went on late into the night at the leisure centre, where hundreds of"
        " supporters of every party had gathered.</p><table class='related'><tr><th>Related stories</th></tr>"
        "<tr><td><a href='/a'>Council approves new bus routes for the town centre</a></td></tr>"
        "<tr><td><a href='/b'>Swimming pool to reopen after flood repairs</a></td></tr></table>"
        "A recount is expected on Monday morning, the returning officer told reporters outside the hall.</div>"
    )
    page = RESULTS_PAGE.replace("<table><tr><td>Ward</td>", titled_box + related + "<table><tr><td>Ward</td>")
    paragraphs = parse_article("profile.html", page.encode("utf-8")).text.split("\n\n")
    assert "Maria Lopez" in paragraphs and "Mayor of Northtown" in paragraphs
    assert "Born | 4 August 1971" in paragraphs and not any(
        p.startswith(("Maria", "Mayor")) and ":" in p for p in paragraphs
    )
    assert "Results" in paragraphs and "Party: Labour; Seats: 32; Change: +5." in paragraphs  # the caption
    assert not any("Council approves" in p or "Related stories" in p for p in paragraphs)
    assert any("A recount is expected" in p for p in paragraphs)  # the text after the dropped table stays
