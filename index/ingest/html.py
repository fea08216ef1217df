"""Saved web pages (`.html`, `.htm`): the article in them, without the page around it.

trafilatura (the maintained standard for news main-text extraction) finds the body and
drops navigation, cookie banners, footers and comments; its metadata pass (htmldate,
JSON-LD, OpenGraph, `<time datetime>`) gives title, published date, author, site name
and canonical URL. Imported only when a page is read: it is slow to import and never
needed to answer a question.

Tables are kept (results, scores, prices are often the answer): trafilatura writes them
as Markdown rows, which `index.ingest.markdown.table_rows` reads row by row under their
header, so a table's lines stay one block here while every other line is a paragraph.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from index.dates import normalize_published


@dataclass(frozen=True)
class Page:
    """One page's main text and what its metadata says (empty strings when nothing)."""

    text: str
    title: str = ""
    published: str = ""
    author: str = ""
    outlet: str = ""
    url: str = ""

    def metadata(self) -> dict[str, str]:
        """Front-matter-shaped metadata; front matter in the same file overrides it."""
        fields = {
            "title": self.title,
            "published": self.published,
            "author": self.author,
            "outlet": self.outlet,
            "url": self.url,
        }
        return {k: v for k, v in fields.items() if v}


def extract_page(html: str, url: str | None = None) -> Page:
    """The article in an HTML document. Raises ValueError when the page holds no article
    text (a login wall, an index page)."""
    import trafilatura
    from trafilatura.utils import load_html

    tree = load_html(html)
    if tree is None:
        raise ValueError("no article text found in the page")
    _prepare_tables(tree)
    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_precision=True,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    fields: dict[str, Any] = doc if isinstance(doc, dict) else (doc.as_dict() if doc is not None else {})
    text = str(fields.get("text") or "").strip()
    if not text:
        raise ValueError("no article text found in the page")

    def field(name: str) -> str:
        return str(fields.get(name) or "").strip()

    title = field("title")
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if title and len(lines) > 1 and lines[0] == title:  # the page's <h1> repeats the title
        lines = lines[1:]
    return Page(
        text=_paragraphs(lines),
        title=title,
        published=normalize_published(field("date")),
        author=field("author"),
        outlet=field("sitename"),
        url=field("url") or (url or "").strip(),
    )


def _prepare_tables(tree: Any) -> None:
    """Tables as trafilatura should read them. It takes a table's first row holding any
    `<th>` for the header, and a `<caption>` or a title row spanning the table for a header
    row of its own, so:

    - a row's `<th>` becomes a `<td>` unless the whole row is headers: a fact box ("Born |
      4 August 1961", "Party | Democratic", each label a `<th>`) named every later row after
      the first ("Born: Party; 4 August 1961: Democratic.");
    - a caption, or a first row of one cell spanning several columns ("Mayor of
      Northtown"), becomes a paragraph above the table ("Maria Lopez: Born; ...");
    - a table of links only ("Related stories", a list of other headlines) is dropped: it
      is the page around the article, and its rows were quoted as this article's facts."""
    for table in list(tree.iter("table")):
        data = [cell for cell in table.iter("td") if _words(cell)]
        if data and all(_only_links(cell) for cell in data):
            _remove(table)
            continue
        captions = table.findall("caption")  # its own, not a nested table's
        titles = [_words(caption) for caption in captions]
        for caption in captions:
            _remove(caption)
        rows = list(table.iter("tr"))
        first = [cell for cell in rows[0] if cell.tag in ("td", "th")] if rows else []
        if len(first) == 1 and len(rows) > 1 and str(first[0].get("colspan", "1")).strip() not in ("", "1"):
            titles.append(_words(first[0]))
            _remove(rows[0])
        for title in filter(None, titles):
            paragraph = table.makeelement("p", {})
            paragraph.text = title
            table.addprevious(paragraph)
        for row in table.iter("tr"):
            row_cells = [cell for cell in row if cell.tag in ("td", "th")]
            if any(cell.tag == "td" for cell in row_cells):
                for cell in row_cells:
                    cell.tag = "td"


def _words(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def _only_links(cell: Any) -> bool:
    """Whether all the cell says is the text of its links."""
    linked = " ".join(_words(link) for link in cell.iter("a"))
    return bool(linked) and linked.replace(" ", "") == _words(cell).replace(" ", "")


def _remove(element: Any) -> None:
    """Take the element out of the tree, keeping the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _paragraphs(lines: list[str]) -> str:
    """One paragraph per line, but a table's rows (lines starting with "|") one block."""
    out: list[str] = []
    for i, line in enumerate(lines):
        if i:
            out.append("\n" if line.startswith("|") and lines[i - 1].startswith("|") else "\n\n")
        out.append(line)
    return "".join(out)
