"""Reading articles from the corpus: decoding, front matter, boilerplate stripping.

A bad file never stops a build: it becomes a `Skipped` with a reason.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from index.dates import date_in_text, mtime_date, normalize_published
from index.ingest.furniture import is_furniture_line
from index.ingest.html_tags import closed_elements, strip_tags
from index.ingest.markdown import plain_line, table_rows
from index.ingest.mojibake import repair
from index.ingest.wrapping import unwrap

# The file types read as articles; anything else is listed as skipped ("unsupported type").
HTML_SUFFIXES = (".html", ".htm")
JSON_SUFFIXES = (".json",)
SUPPORTED_SUFFIXES = (".txt", ".md", *HTML_SUFFIXES, *JSON_SUFFIXES)
WESTERN = ("cp1252", "latin_1", "iso8859_15")
FRONT_MATTER_KEYS = ("title", "url", "published", "outlet", "author", "fetched")
YAML_BLOCK_MARKERS = (">", "|", ">-", "|-", ">+", "|+")  # the value is the indented lines below


@dataclass(frozen=True)
class Article:
    """One cleaned article and the metadata every chunk of it carries."""

    id: str
    title: str
    path: str
    text: str
    url: str = ""
    published: str = ""
    outlet: str = ""
    content_hash: str = field(default="")
    author: str = ""

    @property
    def source(self) -> str:
        """The file name users see in citations."""
        return Path(self.path).name


@dataclass(frozen=True)
class Skipped:
    """A file left out of this build. keeps_indexed: a file that is still there but turned
    unreadable keeps its previously indexed version; one that must not be indexed at all
    (a link out of the corpus) loses it."""

    path: str
    reason: str
    keeps_indexed: bool = field(default=True, compare=False)


class UndecodableError(ValueError):
    """The bytes are not text in any encoding we can name."""


_QUOTES = str.maketrans(
    {
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u2032": "'",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u200b": "",
    }
)
_SPACES = re.compile(r"[ \t\f\v]+")
# Character references left in text a CMS exported ("AT&amp;T", "company&#8217;s"); only
# whole ones, ended by ";" ("AT&T" and "R&D" are text).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def decode(data: bytes) -> str:
    """Decode bytes as UTF-8 when they are, else ask charset-normalizer; UTF-8 once
    mis-decoded as Windows-1252 ("Russiaâ€™s") is put right (`index.ingest.mojibake`).

    Raises UndecodableError for binary data or text no detector can name.
    """
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UndecodableError("binary file")
    try:
        return repair(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        raise UndecodableError("binary or undecodable file")
    best = matches[0]
    # On short texts several single-byte code pages decode with near-equal chaos
    # (seen: cp1257 ranked above cp1252 for French/English text). Legacy news text
    # is overwhelmingly Windows-1252, so it wins a near tie.
    western = [m for m in matches if m.encoding in WESTERN and m.chaos <= best.chaos + 0.1]
    text = str(western[0] if western else best)
    if _looks_binary(text):
        raise UndecodableError("binary file")
    return repair(text)


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    if not sample:
        return False
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f\v")
    return controls / len(sample) > 0.05


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split a fenced header from the body: `---` with `key: value` lines (YAML, as Jekyll,
    Hugo and most exporters write it: indented and `- item` lines continue the key above,
    `# comments`, `[a, b]` lists) or Hugo's `+++` with `key = "value"`, else unfenced
    `Title: ...` lines heading a plain file (`_header_lines`). Other tools' names
    for a field count as it (`date` is `published`, `headline` is `title`, ...), the
    canonical name winning; unknown keys are ignored. Anything else is not front matter
    and stays text."""
    lines = text.split("\n")
    fence = lines[0].strip() if lines else ""
    if fence not in ("---", "+++"):
        return _header_lines(text)
    sep = ":" if fence == "---" else "="
    found: dict[str, str] = {}
    key, block = "", False  # the key lines continue, and whether its value is a YAML block (`>`, `|`)
    for i, line in enumerate(lines[1:], start=1):
        stripped = line.strip()
        if stripped == fence or (fence == "---" and stripped == "..."):
            # A `---` rule around a heading and a list is no header: it names no field.
            return (_canonical(found), "\n".join(lines[i + 1 :])) if found else ({}, text)
        if not stripped or stripped.startswith("#"):
            continue
        if fence == "+++" and sep not in line:  # TOML tables ("[params]") and array lines
            continue
        if line[0] in " \t" or stripped.startswith("- "):  # continues `key`
            if not key:
                continue
            if stripped.startswith("- "):  # a list item
                item, joiner = _value(stripped[2:]), ", "
            elif re.match(r"^[\w-]+:\s", stripped) and not block:  # a nested field: only a name counts
                sub, _, value = stripped.partition(":")
                item, joiner = (_value(value), ", ") if sub.strip().lower() == "name" else ("", "")
            else:  # a value that goes on, or a block's line
                item, joiner = _value(stripped), " "
            if item:
                found[key] = f"{found[key]}{joiner}{item}" if found.get(key) else item
            continue
        name, has_sep, value = line.partition(sep)
        if not has_sep:
            return {}, text  # not front matter after all
        key = name.strip().lower().replace("-", "_")
        block = value.strip() in YAML_BLOCK_MARKERS
        found.setdefault(key, "" if block else _value(value))
    return {}, text


# Other tools' names for the fields newsdesk reads (Jekyll/Hugo `date`, schema.org
# `datePublished`, `headline`, `byline`, ...), lower-cased with "-" as "_".
FRONT_MATTER_ALIASES = {
    **dict.fromkeys(
        ["date", "pubdate", "pub_date", "publishdate", "publish_date", "published_at", "publishedat",
         "published_date", "datepublished", "date_published", "date_publish", "created", "created_at"], "published"),
    **dict.fromkeys(["headline"], "title"),
    **dict.fromkeys(["byline", "authors", "creator", "by", "writer"], "author"),
    **dict.fromkeys(["source", "publisher", "publication", "site", "site_name", "sitename", "outlet_name",
                     "source_domain", "hostname", "source_hostname"], "outlet"),
    **dict.fromkeys(["link", "canonical", "canonical_url", "source_url", "permalink", "original_url"], "url"),
}  # fmt: skip


_HEADER_LINE = re.compile(r"^([A-Za-z][A-Za-z _-]{0,24}):\s*(\S.*)$")
MAX_HEADER_LINES = 12


def _header_lines(text: str) -> tuple[dict[str, str], str]:
    """Unfenced `Title: ...` / `Date: ...` lines opening a file, as plain-text exports
    write metadata: read when every line before the first blank one is a field newsdesk
    knows (by any of its names) and there are at least two; else none."""
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    found: dict[str, str] = {}
    end = start
    while end < len(lines) and lines[end].strip():
        match = _HEADER_LINE.match(lines[end].strip())
        key = match.group(1).strip().lower().replace(" ", "_").replace("-", "_") if match else ""
        if (
            not match
            or end - start >= MAX_HEADER_LINES
            or not (key in FRONT_MATTER_KEYS or key in FRONT_MATTER_ALIASES)
        ):
            return {}, text
        found.setdefault(key, _value(match.group(2)))
        end += 1
    if len(found) < 2:
        return {}, text
    return _canonical(found), "\n".join(lines[end:])


_WWW = re.compile(r"^www\.(?=[\w-]+\.[\w.-]+$)", re.I)


def _canonical(found: dict[str, str]) -> dict[str, str]:
    """The fields newsdesk reads, each from its own name first, else from an alias (a
    `source` that is a web address is the url, not the outlet)."""
    meta = {k: v for k, v in found.items() if k in FRONT_MATTER_KEYS and v}
    for name, value in found.items():
        field_name = FRONT_MATTER_ALIASES.get(name)
        if field_name == "outlet" and value.startswith(("http://", "https://")):
            field_name = "url"
        elif field_name == "outlet":  # a host name as the outlet: "www.reuters.com" is reuters.com
            value = _WWW.sub("", value)
        if field_name and value:
            meta.setdefault(field_name, value)
    return meta


def _value(raw: str) -> str:
    """A scalar as written: its enclosing quotes (`unquoted`) and an inline list's
    brackets removed."""
    value = raw.strip()
    if value.startswith("[") and value.endswith("]"):
        return ", ".join(_value(v) for v in value[1:-1].split(",") if v.strip())
    return unquoted(value)


def unquoted(value: str) -> str:
    """A front-matter value without its enclosing quotes: one pair, as YAML reads it
    ("'We ran out of water by noon': an interview" keeps its inner ones), or a stray
    quote at either end."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        inner = value[1:-1]
        return (inner.replace("''", "'") if value[0] == "'" else inner.replace('\\"', '"')).strip()
    return value.strip("'\"").strip()


# Reference marks copied from web pages ("as shown in [7]", "[citation needed]"): in an
# answer "[7]" would read as a citation of source 7. Wikipedia's notes ("[n 5]", "[note
# 1]", a letter after the punctuation: "mirrored.[p]") and editors' tags ("As of 2016
# [update]", "[not in citation given]") are marks too; an editor's word inside a quote
# ("depression [and] the fears") is text.
_REFERENCE_MARKS = re.compile(
    r"\s*\[(?:\d{1,3}(?:\s*[,–-]\s*\d{1,3})*|(?:note|nb|n) ?\d{1,3}|"
    r"(?:citation|clarification|verification|page|year|better source|full citation|additional citations?|"
    r"non-primary source|third-party source|attribution|quotation) needed|"
    r"update|needs update|dated info|not in citation given|failed verification|original research\??|"
    r"unreliable source\??|vague|specify|which\?|where\?|how\?|why\?|when\?|who\?|according to whom\?|"
    r"by whom\?|dubious[^\]]{0,30}|disputed[^\]]{0,30})\]"
    r"|(?<=[.,;:)\"”])\[[a-z]\](?=\s|$)",
    re.I,
)


# A pronunciation guide in a Wikipedia lead: an IPA transcription between slashes or
# square brackets, with its language and a respelling ("(/ˈʃoʊpæn/; French
# pronunciation: [fʁe.de.ʁik ...]; 22 February 1810 - ...)", "(/biːˈjɒnseɪ/ bee-YON-say)").
# It is no text to quote or match; the dates beside it are. Only slashes and brackets
# holding IPA letters count, so "(km/h)" and "[sic]" stay.
_IPA = "ˈˌːɪʊʃʒθðŋɑɒɔəɛɜʌæɐɨʉɯɲɾʁʀχʎɕʑʔ̃"
_PRONUNCIATION = re.compile(
    rf"(?:[A-Z][a-z]+(?: [A-Za-z]+)? pronunciation: )?(?:/[^/()\n]*[{_IPA}][^/()\n]*/|\[[^\[\]()\n]*[{_IPA}][^\[\]()\n]*\])"
    r"(?: \w+(?:-\w+)+)*"  # the respelling: "bee-YON-say", "AN-ə SIL-və"
)
_GUIDE = re.compile(r" ?\(([^()\n]*)\)")


def without_pronunciations(line: str) -> str:
    """A line with the pronunciation guides inside its brackets dropped: a bracket left
    empty goes too ("Chopin (/ˈʃoʊpæn/; ...; 22 February 1810 - ...)" -> "Chopin (22
    February 1810 - ...)")."""
    if "/" not in line and "[" not in line:
        return line

    def bracket(match: re.Match[str]) -> str:
        parts = [part.strip() for part in match.group(1).split(";")]
        kept = [part for part in parts if not _PRONUNCIATION.fullmatch(part)]
        if len(kept) == len(parts):
            return match.group()
        return f" ({'; '.join(kept)})" if kept else ""

    return _GUIDE.sub(bracket, line)


def decoded(text: str) -> str:
    """Text with its character references decoded ("AT&amp;T" -> "AT&T")."""
    if "&" not in text:
        return text
    # what a reference spells is normalised as the text around it was: "&#8217;" is "'",
    # "&#13;" and other control characters are spaces; the rest of the text is left as is
    return _ENTITY.sub(lambda m: _CONTROL.sub(" ", html.unescape(m.group()).translate(_QUOTES)), text)


def clean_text(text: str) -> str:
    """Normalise quotes and whitespace, join hard-wrapped lines (`index.ingest.wrapping`),
    decode character references and drop page boilerplate, Markdown syntax
    (`index.ingest.markdown`) and reference marks, keeping paragraphs."""
    text = unwrap(text.replace("\r\n", "\n").replace("\r", "\n").translate(_QUOTES))
    closed = closed_elements(text)
    paragraphs: list[str] = []
    for raw in table_rows(text.split("\n")):
        line = _SPACES.sub(
            " ",
            without_pronunciations(_REFERENCE_MARKS.sub("", decoded(plain_line(strip_tags(raw, closed))))),
        ).strip()
        if re.match(r"#{1,6}(?:\s|$)", line):  # a heading; "#1 in Europe" is text
            line = line.lstrip("#").strip()
        if not line or is_furniture_line(line):
            continue
        paragraphs.append(_SPACES.sub(" ", line))
    return "\n\n".join(paragraphs)


_SENTENCE_END = re.compile(r"[.:;,][\"'’”)\]]*$")
HEADLINE_WORDS = 30


def reads_as_headline(line: str) -> bool:
    """Whether a title-less file's first line is its headline, not its lead: a headline
    does not end as a sentence does ("Dockworkers end strike at Antwerp", "Is the Pope
    a Catholic?"); a lead does ("SNCB ordered 200 carriages on Tuesday."), and it is the
    story's first fact, to be quoted like any other sentence."""
    return len(line.split()) <= HEADLINE_WORDS and not _SENTENCE_END.search(line.strip())


def id_for_path(rel_path: str) -> str:
    """The article id of a corpus file: its path relative to the corpus, suffix included,
    so `story.txt` and `story.md` are two articles (see index/ingest/id_migration.py)."""
    return rel_path.replace("\\", "/")


def parse_article(rel_path: str, data: bytes, mtime: float | None = None) -> Article:
    """Turn one file's bytes into an Article; raises ValueError with a user-facing reason.

    `published` is ISO when a date can be found: front matter, the page's metadata (HTML),
    else a date or dateline in the first lines (a dateline's year from mtime)."""
    if not data.strip():
        raise ValueError("empty file")
    if rel_path.lower().endswith(JSON_SUFFIXES):
        from index.ingest.json_article import json_article

        fields, body = json_article(decode(data))
        meta = _canonical(fields)
    else:
        meta, body = split_front_matter(decode(data))
    if rel_path.lower().endswith(HTML_SUFFIXES):
        from index.ingest.html import extract_page

        page = extract_page(body)
        meta = {**page.metadata(), **{k: v for k, v in meta.items() if v}}  # front matter wins
        body = page.text
    text = clean_text(body)
    if not text:
        raise ValueError("no text left after removing boilerplate")
    title = decoded(meta.get("title", "")) or text.split("\n", 1)[0]
    if len(title) > 200:
        title = title[:197].rsplit(" ", 1)[0] + "..."
    article_id = id_for_path(rel_path)
    published = normalize_published(meta.get("published", ""))
    if not published:
        found = date_in_text(text, mtime_date(mtime))
        published = found.isoformat() if found else ""
    digest = hashlib.sha256()
    for part in (text, title, meta.get("url", ""), published, meta.get("outlet", "")):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    if meta.get("author"):  # hashed only when present: older articles keep their hash
        digest.update(meta["author"].encode("utf-8"))
    return Article(
        id=article_id,
        title=title,
        path=rel_path,
        text=text,
        url=meta.get("url", ""),
        published=published,
        outlet=meta.get("outlet", ""),
        content_hash=digest.hexdigest(),
        author=meta.get("author", ""),
    )


def read_article(corpus_dir: Path, path: Path, max_bytes: int) -> Article | Skipped:
    """One corpus file as an Article, or a Skipped that says why not."""
    rel = path.relative_to(corpus_dir).as_posix()
    try:
        stat = path.stat()
        size = stat.st_size
        if size > max_bytes:
            return Skipped(rel, f"larger than the {max_bytes:,}-byte limit ({size:,} bytes)")
        data = path.read_bytes()
    except OSError as exc:
        return Skipped(rel, f"unreadable: {exc.strerror or exc}")
    try:
        return parse_article(rel, data, stat.st_mtime)
    except ValueError as exc:
        return Skipped(rel, str(exc))
