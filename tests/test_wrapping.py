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


def test_paragraphs_of_similar_length_one_per_line_stay_apart() -> None:
    """A headline and one-sentence paragraphs under 100 columns, no blank lines: each line
    ends a sentence, so this is no wrapping (it was read as one paragraph)."""
    text = (
        "Strike ends at Antwerp port after three weeks of talks with the unions\n"
        "Dockworkers at the port of Antwerp returned to work on Monday morning today.\n"
        "The unions accepted a pay rise of 4.5 percent after weeks of tough talks.\n"
        "More than forty container ships had been waiting at anchor in the river.\n"
        "The port authority said traffic would be back to normal by Friday night."
    )
    assert unwrap(text) == text


def test_a_wrapped_line_that_opens_with_a_dash_goes_on() -> None:
    paragraph = (
        "ANTWERP (Reuters) - Dockworkers ended a strike on Monday, and the port -- the largest in "
        "Belgium -- said ships would move again by Friday after the long delays that hit exporters."
    )
    wrapped = textwrap.fill(paragraph, 72)
    assert "\n-- the largest" in wrapped
    assert unwrap("\n\n".join([wrapped] * 3)) == "\n\n".join([paragraph] * 3)
