from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from index.errors import NewsdeskError
from index.ingest.articles import Article, Skipped, clean_text, decode, parse_article
from index.ingest.corpus_walk import load_corpus

SEEDS = Path(__file__).resolve().parent.parent / "corpus"


def _seed(name: str) -> Article:
    return parse_article(name, (SEEDS / name).read_bytes())


def test_seed_boilerplate_is_stripped_and_reporting_kept() -> None:
    a000 = _seed("000_88c9dd3b0d3a2e93.txt")
    assert "Newsletter" not in a000.text
    assert "loading=" not in a000.text and ".webp" not in a000.text
    assert a000.text.startswith("US Secretary of State Meets with Russian Foreign Minister")
    assert "Tony Blincoln (left) smiles" in a000.text
    assert not a000.text.rstrip().endswith("\n.")

    a001 = _seed("001_6590fbfd3e993fb7.txt")
    assert "Must read" not in a001.text
    assert "More articles" not in a001.text and "Latest article" not in a001.text
    assert a001.text.rstrip().endswith("will continue to stand with Ukraine.")

    a002 = _seed("002_9c3714a4b76aa959.txt")
    assert "cookies" not in a002.text
    assert "I believe in Putin" in a002.text

    a003 = _seed("003_96b30b9797db3545.txt")
    assert "leave a reply" not in a003.text.lower()
    assert a003.text.rstrip().endswith("came from the Associated Press.")


def test_quotes_and_whitespace_are_normalised() -> None:
    text = clean_text(
        "He said \u201cno\u201d \u2014 it\u2019s\u00a0done.\r\n\r\n\r\n  Next   paragraph\t here.  "
    )
    assert text == 'He said "no" \u2014 it\'s done.\n\nNext paragraph here.'


def test_title_is_first_line_and_metadata_is_kept() -> None:
    article = _seed("003_96b30b9797db3545.txt")
    assert article.id == "003_96b30b9797db3545.txt"
    assert article.title == "Blinken, Lavrov, Expect No Breakthroughs on Ukraine"
    assert article.path == "003_96b30b9797db3545.txt"
    assert len(article.content_hash) == 64


def test_front_matter_sets_metadata() -> None:
    raw = b"---\ntitle: Talks in Geneva\nurl: https://example.org/a\npublished: 2022-01-21\noutlet: Example News\nauthor: ignored\n---\nBody text here.\n"
    article = parse_article("sub/a.md", raw)
    assert (article.title, article.url, article.published, article.outlet) == (
        "Talks in Geneva",
        "https://example.org/a",
        "2022-01-21",
        "Example News",
    )
    assert article.text == "Body text here."
    assert article.id == "sub/a.md"
    assert article.source == "a.md"


def test_front_matter_as_other_tools_write_it() -> None:
    """Hugo/Jekyll headers: list values, comments, other names for the same fields. Such a
    header used to be read as article text (its title a line of YAML, no date)."""
    hugo = (
        b'---\ntitle: "Dockworkers end strike at Antwerp"\ndate: 2023-06-14T09:30:00+02:00\n'
        b"# exported by hand\nauthors:\n  - Lena Peeters\n  - Tom Maes\nsource: Flanders Daily\n"
        b"tags:\n  - labour\n  - shipping\n---\n\nDockworkers ended a three-day strike on Wednesday.\n"
    )
    article = parse_article("port.md", hugo)
    expected = ("Dockworkers end strike at Antwerp", "2023-06-14", "Lena Peeters, Tom Maes", "Flanders Daily")
    assert (article.title, article.published, article.author, article.outlet) == expected
    assert article.text == "Dockworkers ended a three-day strike on Wednesday."
    aliases = b"---\nheadline: Rail order\npublishDate: 2022-03-02\nbyline: [Tom Maes, Ann Dries]\nsource: https://example.org/rail\n---\nSNCB ordered 200 carriages."
    article = parse_article("rail.md", aliases)
    assert (article.title, article.published, article.author, article.url) == (
        "Rail order", "2022-03-02", "Tom Maes, Ann Dries", "https://example.org/rail",
    )  # fmt: skip
    # The canonical name wins over an alias, whichever comes first; TOML front matter too.
    both = b"---\ndate: 2020-01-01\npublished: 2022-03-02\n---\nBody."
    assert parse_article("b.md", both).published == "2022-03-02"
    toml = b'+++\ntitle = "Rail order"\ndate = 2022-03-02\n+++\nSNCB ordered 200 carriages.'
    toml_article = parse_article("t.md", toml)
    assert (toml_article.title, toml_article.published) == ("Rail order", "2022-03-02")


def test_unfenced_header_lines_of_a_plain_export() -> None:
    raw = b"Title: Dockworkers end strike\nDate: June 14, 2023\nSource: Flanders Daily\nBy: Lena Peeters\n\nDockworkers ended a strike."
    article = parse_article("port.txt", raw)
    assert (article.title, article.published, article.outlet, article.author, article.text) == (
        "Dockworkers end strike", "2023-06-14", "Flanders Daily", "Lena Peeters", "Dockworkers ended a strike.",
    )  # fmt: skip
    # One field alone, or a line that is no field newsdesk knows, is text as written.
    for raw in (
        b"Update: the strike is over\n\nShips move.",
        b"Title: Strike over\nNote: short\n\nShips move.",
    ):
        assert parse_article("t.txt", raw).text == raw.decode().replace("\n\n", "\n\n").replace(
            "\nNote", "\n\nNote"
        )


def test_front_matter_values_over_several_lines_and_toml_tables() -> None:
    yaml = (
        b"---\ntitle: >-\n  Dockworkers end three-week strike\n  at Antwerp port\nauthor:\n"
        b"  name: Lena Peeters\n  email: lp@example.com\n---\nShips move again."
    )
    article = parse_article("y.md", yaml)
    assert (article.title, article.author) == (
        "Dockworkers end three-week strike at Antwerp port",
        "Lena Peeters",
    )
    toml = b'+++\ntitle = "Strike over"\ntags = [\n  "ports",\n]\n[params]\n  x = 1\n+++\nShips move again.'
    toml_article = parse_article("t.md", toml)
    assert (toml_article.title, toml_article.text) == ("Strike over", "Ships move again.")


def test_rules_around_a_heading_and_a_list_are_text_not_front_matter() -> None:
    raw = b"---\n## Key points\n\n- Strike ends after three weeks\n- Port reopens on Monday\n\n---\n\nShips move."
    assert parse_article("k.md", raw).text == (
        "Key points\n\nStrike ends after three weeks\n\nPort reopens on Monday\n\nShips move."
    )
    assert parse_article("n.md", b"#1 in Europe, the port said.\n\nShips move.").text.startswith(
        "#1 in Europe"
    )


def test_a_rule_that_opens_prose_is_not_front_matter() -> None:
    raw = b"---\nThe strike is over. Ships are moving again.\n---\nMore text."
    article = parse_article("rule.txt", raw)
    assert article.text == "The strike is over. Ships are moving again.\n\nMore text."  # rules dropped


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-16", "utf-8-sig"])
def test_legacy_encodings_decode_correctly(encoding: str) -> None:
    text = "Le président a déclaré à Genève que la sécurité de l'Europe était en jeu. Zürich, façade, naïve."
    if encoding != "latin-1":
        text += " \u201cQuoted\u201d \u2014 done."
    assert decode(text.encode(encoding)) == text


def test_bad_files_are_skipped_with_reasons(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("A headline\n\nSome reporting.", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_bytes(b"  \n\n \t")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 10)
    (tmp_path / "huge.txt").write_text("x " * 3000, encoding="utf-8")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")  # not an article type: listed as skipped
    nested = tmp_path / "more" / "deeper"
    nested.mkdir(parents=True)
    (nested / "inner.md").write_text("# Inner title\n\nInner body.", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("secret", encoding="utf-8")

    articles, skipped = load_corpus(tmp_path, max_bytes=5000)
    assert sorted(a.path for a in articles) == ["good.txt", "more/deeper/inner.md"]
    assert [a.title for a in articles if a.path.endswith("inner.md")] == ["Inner title"]
    reasons = {s.path: s.reason for s in skipped}
    assert reasons["empty.txt"] == "empty file"
    assert reasons["blank.md"] == "empty file"
    assert reasons["binary.txt"].startswith("binary")
    assert "5,000-byte limit" in reasons["huge.txt"]
    assert reasons["notes.pdf"] == "unsupported type"
    assert set(reasons) == {"empty.txt", "blank.md", "binary.txt", "huge.txt", "notes.pdf"}
    assert all(isinstance(s, Skipped) for s in skipped)


def test_missing_corpus_dir_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(NewsdeskError, match="does not exist"):
        load_corpus(tmp_path / "nope", max_bytes=1000)


def test_boilerplate_only_file_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "furniture.txt").write_text(
        "Newsletter\n\nMore articles\n\nLatest article\n", encoding="utf-8"
    )
    articles, skipped = load_corpus(tmp_path, max_bytes=10_000)
    assert articles == []
    assert skipped == [Skipped("furniture.txt", "no text left after removing boilerplate")]


# Reuters-21578 (1987) marks companies and tickers in angle brackets.
REUTERS = b"""---
title: NATIONAL AMUSEMENTS AGAIN UPS VIACOM <VIA> BID
published: 1987-03-03
outlet: Reuters
---

NEW YORK, March 3 - Viacom International Inc said <National Amusements Inc> has again raised the value of its offer for Viacom's publicly held stock.

The company said the special committee of its board plans to meet later today to consider this offer and the one submitted March one by <MCV Holdings Inc>.

Shares of Du Pont <DD>, Sears <S> and Entertainment Marketing Inc <em> were quoted by <Li Ka-shing Foundations Ltd>.
"""


def test_bracketed_company_names_and_tickers_are_kept() -> None:
    article = parse_article("reuters/1000.md", REUTERS)
    for name in ("<National Amusements Inc>", "<MCV Holdings Inc>", "<DD>", "<S>", "<em>", "<Li Ka-shing"):
        assert name in article.text
    assert article.title == "NATIONAL AMUSEMENTS AGAIN UPS VIACOM <VIA> BID"


def test_real_html_tags_are_still_stripped() -> None:
    text = clean_text(
        '<p class="lead">Talks <a href="https://example.org/x" target=_blank>resumed</a> in '
        '<b>Geneva</b>.<br> <img src="a.webp" loading="lazy" /> <!-- ad --> <p>Next\n'
        "<DIV>Kept as a ticker? no: </DIV> closed <em>here</em>"
    )
    assert text == "Talks resumed in Geneva . Next\n\nKept as a ticker? no: closed here"


def test_a_question_about_a_bracketed_company_is_answered(
    tmp_path: Path, make_settings: Any, onnx_model: Any
) -> None:
    from index.ingest.indexer import run_index
    from index.query.engine import Engine

    corpus = tmp_path / "reuters"
    corpus.mkdir()
    (corpus / "1000.md").write_bytes(REUTERS)
    settings = make_settings(corpus_dir=corpus)
    run_index(settings, embed_model=onnx_model)
    answer = Engine(settings, embed_model=onnx_model).ask("Who raised its offer for Viacom's stock?")
    assert not answer.abstained and "National Amusements Inc" in answer.text


def test_reference_marks_are_dropped_so_they_never_read_as_citations() -> None:
    article = parse_article(
        "wiki.md",
        b"The talks failed [7] in Geneva [citation needed], as reported[12][13] by [Reuters] [1-3].\n",
    )
    assert article.text == "The talks failed in Geneva, as reported by [Reuters]."


def test_wikipedia_notes_and_editors_tags_are_dropped_and_an_editors_word_stays() -> None:
    article = parse_article(
        "wiki.md",
        b"He was born in Warsaw,[n 1] and left it in 1830.[n 6] Here his parents stayed.[N 2] "
        b"As of March 2011[update], 5.8 million copies were sold.[b] The map was mirrored.[p]\n\n"
        b'Reviews praised the horses[better source needed] and the "aggressive [and] sassy" score'
        b"[not in citation given]. Sales rose as reports came in.[dated info]\n",
    )
    assert article.text == (
        "He was born in Warsaw, and left it in 1830. Here his parents stayed. "
        "As of March 2011, 5.8 million copies were sold. The map was mirrored.\n\n"
        'Reviews praised the horses and the "aggressive [and] sassy" score. Sales rose as reports came in.'
    )


def test_a_leads_pronunciation_guide_is_dropped_and_its_dates_stay() -> None:
    article = parse_article(
        "wiki.md",
        "Jean Martin (/ʒɑ̃ maʁtɛ̃/; French pronunciation: [ʒɑ̃ maʁtɛ̃]; 3 May 1901 – 9 June 1970) was a "
        "French chemist. Ana Silva (/ˈænə ˈsɪlvə/ AN-ə SIL-və) (born 2 March 1980) is a singer. "
        "Trains ran at 300 (km/h) on the /north/ line [sic].\n".encode(),
    )
    assert article.text == (
        "Jean Martin (3 May 1901 – 9 June 1970) was a French chemist. Ana Silva (born 2 March 1980) "
        "is a singer. Trains ran at 300 (km/h) on the /north/ line [sic]."
    )


def test_page_and_wire_furniture_lines_are_dropped() -> None:
    text = clean_text(
        "Media playback is not supported on this device\n\n"
        "A planned rail strike has been called off.\n\n"
        "Image copyright PA\nImage caption Commuters faced delays last month\n\n"
        "The union said 78% of members backed the deal.\n\n"
        "E-mail to a friend\n\nOur Standards: The Thomson Reuters Trust Principles.\n\n"
        "Related: Water firms could face unlimited fines for polluting rivers\n\n"
        "Read more: Why is TikTok being banned?\n\nSign up to our free weekly environment newsletter\n\n"
        "Skip past newsletter promotion\n\nStory continues below advertisement\n\n"
        "Follow Zoe on Twitter @zsk\n\nThis article was amended on 18 February 2023 to correct a date.\n\n"
        "Copyright 2022 The Associated Press. All rights reserved. This material may not be published.\n\n"
        "Image captions in the archive were later corrected, the union said.\n\n"
        "More than 200 members signed up for the newsletter, the union said.\n\n"
        "The estate said all rights reserved under the 1998 contract would revert to the family.\n\n"
        "Follow-up tests on Instagram influencers found high levels of lead.\n\n"
        "Related Topics\n\nMore on this story\n\nTop stories\n\nMost read\n\nYou may also like\n\n"
        "Related topics in the talks included fishing rights, the minister said."
    )
    assert text == (
        "A planned rail strike has been called off.\n\n"
        "The union said 78% of members backed the deal.\n\n"
        "Image captions in the archive were later corrected, the union said.\n\n"
        "More than 200 members signed up for the newsletter, the union said.\n\n"
        "The estate said all rights reserved under the 1998 contract would revert to the family.\n\n"
        "Follow-up tests on Instagram influencers found high levels of lead.\n\n"
        "Related topics in the talks included fishing rights, the minister said."
    )


def test_character_references_and_bullets_are_read_as_text() -> None:
    article = parse_article(
        "fine.md",
        b"---\ntitle: AT&amp;T agrees to pay a fine\n---\n"
        b"The company&#8217;s fine of&nbsp;$23m was agreed. R&D was not affected.\n\n"
        b"\xe2\x80\xa2 Nurses will strike on 3 May 2023\n",
    )
    assert article.title == "AT&T agrees to pay a fine"
    assert article.text == (
        "The company's fine of $23m was agreed. R&D was not affected.\n\nNurses will strike on 3 May 2023"
    )
    assert article.published == ""  # a bullet of reporting states no publication date
    assert clean_text("results&#13; were") == "results were"  # no control character from a reference
    quoted = parse_article(
        "q.md", b"---\ntitle: \"'We ran out of water by noon': an interview\"\n---\nText here.\n"
    )
    assert quoted.title == "'We ran out of water by noon': an interview"  # one pair of quotes removed


def test_a_markdown_table_is_read_row_by_row_with_its_columns() -> None:
    text = clean_text(
        "Stocks fell on Friday.\n\n| Index | Close | Change |\n|---|---:|---|\n"
        "| S&P 500 | 5,018.39 | -1.57% |\n| Nasdaq | 15,605.48 | |\n\nTraders said A | B was no table."
    )
    assert text == (
        "Stocks fell on Friday.\n\nIndex: S&P 500; Close: 5,018.39; Change: -1.57%.\n\n"
        "Index: Nasdaq; Close: 15,605.48.\n\nTraders said A | B was no table."
    )


def test_only_a_real_table_is_read_as_one() -> None:
    # a pipe in a sentence or a heading above a line of dashes is no table header
    assert clean_text("Groups said the rise was unjustified | and promised protests.\n---\nMore.") == (
        "Groups said the rise was unjustified | and promised protests.\n\nMore."
    )
    assert clean_text(
        "Dock strike enters third day | Port at a standstill\n----------\nWorkers stayed out."
    ) == ("Dock strike enters third day | Port at a standstill\n\nWorkers stayed out.")
    # an escaped pipe is text; cells past the header's are kept, unnamed
    assert (
        clean_text("| Operator | Meaning |\n|-|-|\n| a \\| b | either |")
        == "Operator: a | b; Meaning: either."
    )
    assert clean_text("| Party | Seats |\n| :- | -: |\n| Green Union | 48 | +12 |") == (
        "Party: Green Union; Seats: 48; +12."
    )
