"""Hard-wrapped text (wire archives, mailing lists) read as paragraphs, so a sentence cut
at a line end is one sentence again; a paragraph per line is left as it is."""

from __future__ import annotations

import textwrap

from index.ingest.articles import parse_article
from index.ingest.nlp import annotate
from index.ingest.wrapping import unwrap

PARAGRAPHS = [
    "NEW YORK, March 3 - Viacom International Inc said <National Amusements Inc> has again raised "
    "the value of its offer for Viacom's publicly held stock.",
    "The company said the special committee of its board plans to meet later today to consider "
    "this offer and the one submitted March one by <MCV Holdings Inc>.",
    "A spokeswoman was unable to say if the committee met as planned yesterday.",
    "Viacom said the well-known Arsenal Holdings Inc subsidiary has raised the amount of cash it is "
    "offering for each Viacom share by 75 cts to 42.75 dlrs.",
]


def test_wrapped_paragraphs_are_joined_with_or_without_blank_lines() -> None:
    for gap in ("\n\n", "\n"):
        wrapped = "VIACOM BID RAISED" + gap + gap.join(textwrap.fill(p, 72) for p in PARAGRAPHS)
        assert max(len(line) for line in wrapped.split("\n")) <= 72 and wrapped.count("\n") > 8
        assert unwrap(wrapped) == "VIACOM BID RAISED" + gap + gap.join(PARAGRAPHS)


def test_a_word_split_at_the_margin_is_one_word() -> None:
    wrapped = (
        "Viacom said its board met on Tuesday with the advisers of the long-\n"
        "standing bidder, and that talks with the other suitors would go on\n"
        "through the week, a spokeswoman for the company told reporters here.\n"
        "\n" + "\n\n".join(textwrap.fill(p, 72) for p in PARAGRAPHS)
    )
    assert unwrap(wrapped).split("\n")[0] == (
        "Viacom said its board met on Tuesday with the advisers of the long-standing bidder, and "
        "that talks with the other suitors would go on through the week, a spokeswoman for the "
        "company told reporters here."
    )


def test_a_paragraph_per_line_and_lists_are_left_alone() -> None:
    per_line = "\n".join(PARAGRAPHS)  # lines longer than any wrap margin
    assert unwrap(per_line) == per_line
    short = (
        "Talks end\nBlinken met Lavrov.\nThey spoke for 90 minutes.\nNo deal was made.\nMore talks next week."
    )
    assert unwrap(short) == short  # lines stop anywhere: no margin
    bullets = "\n".join(f"- {p[:60].strip()}" for p in PARAGRAPHS)
    assert unwrap(bullets) == bullets


def test_a_wrapped_file_gives_whole_sentences() -> None:
    wrapped = "VIACOM BID RAISED\n\n" + "\n\n".join(textwrap.fill(p, 70) for p in PARAGRAPHS)
    article = parse_article("viacom.txt", wrapped.encode())
    note = next(annotate([article.text]))
    sentences = [article.text[a:b] for a, b in note.sentences]
    assert sentences[:3] == ["VIACOM BID RAISED", PARAGRAPHS[0], PARAGRAPHS[1]]
