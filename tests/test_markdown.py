"""Markdown articles (web clippers, note apps) read as their text: a sentence with a link
in it is quoted, an image is no sentence, and quotes carry no `**` or `- `."""

from __future__ import annotations

import pytest

from index.ingest.articles import parse_article
from index.ingest.markdown import plain_line
from index.ingest.nlp import annotate
from index.ingest.sentence_data import plan_records


@pytest.mark.parametrize(
    ("line", "text"),
    [
        (
            "The bank [raised its main rate](https://example.com/rates) by **half a point** on Thursday.",
            "The bank raised its main rate by half a point on Thursday.",
        ),
        (
            'Berg cited a [statement](https://example.com/s.pdf "PDF") from *the board*.',
            "Berg cited a statement from the board.",
        ),
        (
            "A [wiki](https://en.wikipedia.org/wiki/Foo_(bar)) link and [the report][1].",
            "A wiki link and the report.",
        ),
        # reference marks, not links
        ("As reported[12][13] by [Reuters].", "As reported[12][13] by [Reuters]."),
        ("![Governor Anna Berg at the press conference](https://example.com/berg.jpg)", ""),
        ("[![logo](logo.png)](https://example.com)", ""),
        ("- Mortgage rates are expected to rise.", "Mortgage rates are expected to rise."),
        ("2. Savers get 3 percent.", "Savers get 3 percent."),
        ('> "We will fight," she said.', '"We will fight," she said.'),
        ("| March | 4.25 |", "March | 4.25"),
        ("|---|:---:|", ""),
        ("* * *", ""),
        ("```python", ""),
        ("[1]: https://example.com/source", ""),
        (
            "_The Times_ reported ~~Monday~~ Tuesday, using `grep`.",
            "The Times reported Monday Tuesday, using grep.",
        ),
        # not Markdown: left as written
        ("5 * 3 = 15 and 2 * 4 = 8", "5 * 3 = 15 and 2 * 4 = 8"),
        (
            "The file snake_case_name.txt and a price of $5*",
            "The file snake_case_name.txt and a price of $5*",
        ),
        ("2023 was a record year.", "2023 was a record year."),
        (
            "[Update]: Unions later said the deal covers 12,000 dockworkers.",
            "[Update]: Unions later said the deal covers 12,000 dockworkers.",
        ),
        ("The union said it won`t stop.", "The union said it won`t stop."),
        ("Shares fell 3 pct - the lowest since 1985.", "Shares fell 3 pct - the lowest since 1985."),
    ],
)
def test_markdown_lines_read_as_text(line: str, text: str) -> None:
    assert plain_line(line) == text


def test_a_clipped_markdown_article_quotes_its_linked_sentences() -> None:
    raw = (
        b"---\ntitle: Central bank raises rates again\n---\n\n# Central bank raises rates again\n\n"
        b"The central bank [raised its main rate](https://example.com/rates) by **half a point** "
        b"to 4.75 percent on Thursday.\n\n![Governor Anna Berg](https://example.com/berg.jpg)\n\n"
        b"- Mortgage rates are expected to rise to 6 percent by July.\n"
    )
    article = parse_article("rates.md", raw)
    note = next(annotate([article.text]))
    records = plan_records(article.text, article.title, note, [(0, len(article.text))])
    quotes = {article.text[r.start : r.end][r.quote_start : r.quote_end]: r.kind for r in records}
    assert quotes == {
        "Central bank raises rates again": "headline",
        "The central bank raised its main rate by half a point to 4.75 percent on Thursday.": "",
        "Mortgage rates are expected to rise to 6 percent by July.": "",
    }
