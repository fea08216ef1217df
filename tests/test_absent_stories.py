"""benchmarks/absent_stories.py: the corpus without the answering articles, and the
answerable questions asked of it as unanswerable ones."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.absent_stories import main
from index.evaluation import load_questions


def _question(qid: str, gold: str, answerable: bool = True) -> dict[str, object]:
    keywords = [["x"]] if answerable else []
    return {
        "id": qid,
        "question": f"What about {qid}?",
        "gold_sources": [gold],
        "answer_keywords": keywords,
        "answerable": answerable,
    }


def test_the_answering_articles_are_left_out_and_the_rest_kept(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "2024").mkdir(parents=True)
    for rel in ("a.md", "b.md", "topic.md", "2024/c.txt", "other.md", "page.html", "page.txt"):
        (corpus / rel).write_text(f"title: {rel}\n\nText of {rel}.\n", encoding="utf-8")
    questions = tmp_path / "questions.jsonl"
    rows = [
        _question("q1", "a"),
        _question("q2", "c"),  # a cited file is named without its folder
        _question("q3", "page.html"),  # and keeps a suffix other than .txt or .md
        _question("u1", "topic", answerable=False),
    ]
    questions.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")

    assert main([str(questions), str(corpus), str(tmp_path / "out")]) == 0

    kept = sorted(
        p.relative_to(tmp_path / "out" / "corpus").as_posix()
        for p in (tmp_path / "out" / "corpus").rglob("*.*")
    )
    assert kept == ["b.md", "other.md", "page.txt", "topic.md"]  # an unanswerable question's topic stays
    assert (tmp_path / "out" / "corpus" / "b.md").read_text(
        encoding="utf-8"
    ) == "title: b.md\n\nText of b.md.\n"
    asked = load_questions(tmp_path / "out" / "questions.jsonl")
    assert [(q.id, q.question, q.answerable, q.kind) for q in asked] == [
        ("q1-absent", "What about q1?", False, "absent-story"),
        ("q2-absent", "What about q2?", False, "absent-story"),
        ("q3-absent", "What about q3?", False, "absent-story"),
    ]
    # a second run over the same folder starts the corpus afresh
    (corpus / "b.md").unlink()
    assert main([str(questions), str(corpus), str(tmp_path / "out")]) == 0
    assert not (tmp_path / "out" / "corpus" / "b.md").exists()
