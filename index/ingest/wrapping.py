"""Hard-wrapped text put back into paragraphs.

Wire archives, mailing lists and plain-text exports wrap every line at 70-80 columns.
Each line then read as a paragraph of its own, and a sentence cut at a line end became
two fragments: "...said <National Amusements" and "Inc> has again raised ...", neither
a sentence to quote. A file is taken as wrapped when its lines stop at one margin (at
most 100 columns) and most lines that another follows were cut there mid-sentence; then
each such line goes on in the next one. Files that keep a paragraph per line (each
ending a sentence) are left alone.
"""

from __future__ import annotations

import re

MAX_WIDTH = 100  # a margin wider than this is not hard wrapping
MIN_WIDTH = 40
_STARTS_BLOCK = re.compile(
    r"^\s*(?:[-*+>]\s|\||#{1,6}\s|\d{1,3}[.)]\s)"
)  # a list item, quote, table, heading
_ENDS_SENTENCE = re.compile(r"[.!?:;][\"'’”)\]]*$")


def unwrap(text: str) -> str:
    """The text with wrapped lines joined (paragraphs stay apart), or as it was.

    A line was cut at the margin when the next line's first word would not have fitted on
    it. The file counts as wrapped when most lines that another line follows were cut so
    and end mid-sentence (a paragraph per line ends each with a full stop)."""
    lines = [line.rstrip() for line in text.split("\n")]
    filled = [line for line in lines if line.strip()]
    if len(filled) < 4:
        return text
    width = max(len(line) for line in filled)
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        return text
    cut = [_cut(line, after, width) for line, after in zip(lines, lines[1:] + [""])]
    followed = [i for i, line in enumerate(lines[:-1]) if line.strip() and lines[i + 1].strip()]
    if len(followed) < 3:
        return text
    open_ended = sum(1 for i in followed if not _ENDS_SENTENCE.search(lines[i]))
    if sum(1 for i in followed if cut[i]) < 0.6 * len(followed) or open_ended < 0.5 * len(followed):
        return text
    out: list[str] = []
    current = ""
    for line, joins in zip(lines, cut):
        stripped = line.strip()
        if not stripped:
            if current:
                out.append(current)
                current = ""
            out.append("")
            continue
        if not current:
            current = stripped
        elif current.endswith("-") and current[-2:-1].isalpha():
            current += stripped  # "well-" + "known"
        else:
            current += " " + stripped
        if not joins:
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return "\n".join(out)


def _cut(line: str, after: str, width: int) -> bool:
    """Whether `line` goes on in `after`: the next word would not have fitted beside it."""
    if not line.strip() or not after.strip() or _STARTS_BLOCK.match(after):
        return False
    return len(line) + 1 + len(after.split(None, 1)[0]) > width
