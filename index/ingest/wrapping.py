"""Hard-wrapped text put back into paragraphs.

Wire archives, mailing lists and plain-text exports wrap every line at 70-80 columns.
Each line then read as a paragraph of its own, and a sentence cut at a line end became
two fragments: "...said <National Amusements" and "Inc> has again raised ...", neither
a sentence to quote. A file is taken as wrapped when its lines stop at one margin (at
most 100 columns, and most lines within a few columns of it); then a line that reaches
the margin goes on in the next one. Files that keep a paragraph per line are left alone.
"""

from __future__ import annotations

import re

MAX_WIDTH = 100  # a margin wider than this is not hard wrapping
MIN_WIDTH = 40
SLACK = 15  # a line this close to the margin was cut there
_STARTS_BLOCK = re.compile(r"^\s*(?:[-*+>|#]|\d{1,3}[.)]\s)")


def unwrap(text: str) -> str:
    """The text with wrapped lines joined (paragraphs stay apart), or as it was."""
    lines = text.split("\n")
    filled = [line.rstrip() for line in lines if line.strip()]
    if len(filled) < 4:
        return text
    width = max(len(line) for line in filled)
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        return text
    follow = [
        line.rstrip() for line, after in zip(lines, lines[1:]) if line.strip() and after.strip()
    ]  # lines that another line follows: in a wrapped text these reach the margin
    if len(follow) < 3 or sum(1 for line in follow if len(line) >= width - SLACK) < 0.6 * len(follow):
        return text
    out: list[str] = []
    current = ""
    for line in lines:
        stripped = line.strip()
        if current and (not stripped or _STARTS_BLOCK.match(line)):
            out.append(current)
            current = ""
        if not stripped:
            out.append("")
            continue
        if not current:
            current = stripped
        elif current.endswith("-") and current[-2:-1].isalpha():
            current += stripped  # "well-" + "known"
        else:
            current += " " + stripped
        if len(line.rstrip()) < width - SLACK:  # stopped short of the margin: the paragraph ends
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return "\n".join(out)
