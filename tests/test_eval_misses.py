"""`eval --misses`: which questions a run got wrong, and why (pure parts; the CLI run is in
test_cli.py)."""

from __future__ import annotations

from typing import Any

from bot.render import render_misses
from index.evaluation import misses


def row(
    qid: str, answerable: bool, abstained: bool, keywords_ok: bool, first_ok: bool, **kw: Any
) -> dict[str, Any]:
    return {
        "id": qid,
        "question": kw.get("question", f"question {qid}?"),
        "first": kw.get("first", "" if abstained else f"quote of {qid}."),
        "answerable": answerable,
        "abstained": abstained,
        "keywords_ok": keywords_ok,
        "first_ok": first_ok,
        "rank": kw.get("rank", 1 if answerable else None),
    }


def test_each_way_of_getting_a_question_wrong_is_named_and_the_right_ones_left_out() -> None:
    rows = [
        row("right", True, False, True, True),
        row("second", True, False, True, False, rank=2),
        row("wrong", True, False, False, False, rank=None),
        row("refused", True, True, False, False),
        row("refused-right", False, True, False, False),
        row("answered", False, False, False, False),
    ]
    assert [(m["id"], m["why"], m["rank"]) for m in misses(rows)] == [
        ("second", "first sentence lacks the keywords", 2),
        ("wrong", "answer lacks the keywords", None),
        ("refused", "refused", 1),
        ("answered", "answered, should have refused", None),
    ]


def test_misses_render_one_line_each_with_the_first_quote_shortened() -> None:
    rows = [
        row("a1", True, False, True, False, rank=3, first="word " * 100),
        row("a2", True, True, False, False, question="Who\nwas \x1b[2Jthere?"),
        row("u1", False, False, False, False, first="It was \x1b]8;;http://x\x07there."),
        row("a3", True, False, False, False, rank=None),
    ]
    text = render_misses(misses(rows), total=9)
    lines = text.splitlines()
    assert lines[0] == "Misses (4 of 9):"
    assert lines[1] == "a1: first sentence lacks the keywords (answer passage ranked 3)"
    assert lines[3].startswith("  A: word word") and lines[3].endswith(" …") and len(lines[3]) <= 6 + 220
    assert lines[4:7] == [
        "a2: refused (answer passage ranked 1)",
        "  Q: Who\\nwas [2Jthere?",
        "u1: answered, should have refused",
    ]
    assert lines[8] == "  A: It was ]8;;http://xthere."
    assert lines[9] == "a3: answer lacks the keywords (answer passage not retrieved)"
    assert "\x1b" not in text and "\x07" not in text


def test_no_misses_says_so() -> None:
    assert render_misses([], total=3) == "Misses: none of 3."
