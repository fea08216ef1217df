"""Markdown syntax read as the text it marks up, one line at a time.

Articles saved by web clippers and note apps are Markdown: links on every other
sentence, emphasis, bullets, images. Left in, a sentence holding `[rates](https://...)`
counts as a link and is never quoted, an image's alt text becomes a sentence, and quotes
carry `**` and `- `. Only unambiguous syntax is read: `*` or `_` must enclose a word
without spaces inside its ends (`5 * 3`, `snake_case` stay).
"""

from __future__ import annotations

import re

_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_URL = r"<?[^()\s>]*(?:\([^()\s]*\)[^()\s>]*)*>?"  # one level of brackets: wiki/Foo_(bar)
_LINK = re.compile(rf"\[([^\[\]\n]*)\]\(\s*{_URL}(?:\s+[\"'(][^\"')\n]*[\"')])?\s*\)")
_REFERENCE_LINK = re.compile(
    r"\[([^\[\]\n]*[^\W\d_][^\[\]\n]*)\]\[[^\[\]\n]*\]"
)  # "[12][13]" are reference marks
# "[1]: https://... "Title"" defines a link; "[Update]: Unions later said ..." is text.
_REFERENCE_DEFINITION = re.compile(
    r"^\s{0,3}\[[^\]\n]+\]:\s*(?:<[^>\s]+>|\S*/\S*|www\.\S+)(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^)\n]*\)))?\s*$"
)
# Spans are bounded (300 characters): an unclosed `**` in a long line costs no quadratic scan.
_STRONG = re.compile(
    r"(?<![\w*])\*\*(?=\S)(.{1,300}?)(?<=\S)\*\*(?![\w*])|(?<![\w_/])__(?=\S)(.{1,300}?)(?<=\S)__(?![\w_/])"
)
_EMPHASIS = re.compile(
    r"(?<![\w*])\*(?=[^\s*])([^*\n]{1,300}?)(?<=[^\s*])\*(?![\w*])"
    r"|(?<![\w_/])_(?=[^\s_])([^_\n]{1,300}?)(?<=[^\s_])_(?![\w_/])"
)
_STRIKE = re.compile(r"~~(?=\S)(.{1,300}?)(?<=\S)~~")
_CODE = re.compile(r"(?<![\w`])`([^`\n]{1,300})`(?![\w`])")  # "don`t" is no code
_BULLET = re.compile(r"^\s*(?:[-*+•·▪‣◦●○■►▶➢]|\d{1,3}[.)])\s+(?=\S)")  # "• Key point" too
_QUOTE = re.compile(r"^\s*(?:>\s?)+")
_RULE = re.compile(r"^\s*(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")
_FENCE = re.compile(r"^\s*(?:`{3,}|~{3,})")
_MARKS = re.compile(r"[\[*_`~>|]")  # a character every rule below needs, bullets aside
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")


def plain_line(line: str) -> str:
    """The line's text without Markdown syntax; "" for a line that is only markup (an
    image, a rule, a code fence, a table's rule, a link reference's definition)."""
    if (
        _RULE.match(line)
        or _FENCE.match(line)
        or _TABLE_RULE.match(line)
        or _REFERENCE_DEFINITION.match(line)
    ):
        return ""
    if not _MARKS.search(line) and not _BULLET.match(line):  # most news lines: nothing to read
        return line.strip()
    line = _QUOTE.sub("", line)
    line = _BULLET.sub("", line)
    line = _IMAGE.sub("", line)
    for _ in range(2):  # a linked image leaves "[](url)" behind
        line = _LINK.sub(lambda m: m.group(1), line)
    line = _REFERENCE_LINK.sub(lambda m: m.group(1), line)
    line = _CODE.sub(lambda m: m.group(1), line)
    line = _STRIKE.sub(lambda m: m.group(1), line)
    line = _STRONG.sub(lambda m: m.group(1) or m.group(2), line)
    line = _EMPHASIS.sub(lambda m: m.group(1) or m.group(2), line)
    stripped = line.strip()
    if stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1:
        stripped = " | ".join(cell.strip() for cell in stripped[1:-1].split("|"))
    return stripped


# A table's rule under its header: cells of dashes (colons for alignment) between pipes,
# "|---|:-:|" or "--- | ---"; a line of dashes alone is a heading's underline or a rule.
_PIPED_RULE = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)+\|?\s*$|^\s*\|\s*:?-+:?\s*\|\s*$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def table_rows(lines: list[str]) -> list[str]:
    """The lines with each Markdown table's rows read as sentences that name their
    columns ("| S&P 500 | 5,018.39 | -1.57% |" under "| Index | Close | Change |" is
    "Index: S&P 500; Close: 5,018.39; Change: -1.57%."), the header and rule dropped.
    Quoted as they were, a row was three bare numbers and the header a sentence of its
    own. A header is a line with as many cells as the rule under it; a row's cells past
    the header's are kept, unnamed."""
    out: list[str] = []
    header: list[str] = []
    for i, line in enumerate(lines):
        piped = "|" in line
        rule = i + 1 < len(lines) and _PIPED_RULE.match(lines[i + 1])
        if piped and rule and not _PIPED_RULE.match(line) and len(_cells(line)) == len(_cells(lines[i + 1])):
            header = _cells(line)
            out.append("")
        elif header and _PIPED_RULE.match(line):
            out.append("")
        elif header and piped:
            cells = _cells(line)
            names = header + [""] * (len(cells) - len(header))
            parts = [f"{name}: {cell}" if name else cell for name, cell in zip(names, cells) if cell]
            out.append("; ".join(parts) + ("." if parts and not parts[-1].endswith((".", "!", "?")) else ""))
        else:
            header = []
            out.append(line)
    return out


def _cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return [cell.strip().replace("\\|", "|") for cell in _CELL_SPLIT.split(inner)]
