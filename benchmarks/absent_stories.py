"""Unanswerable questions about a story the collection does not have, with its neighbours
left in: each answerable question asked of the corpus without the articles that answer it.

    python -m benchmarks.absent_stories QUESTIONS CORPUS OUT_DIR
    newsdesk --corpus-dir OUT_DIR/corpus --index-dir IDX index
    newsdesk --corpus-dir OUT_DIR/corpus --index-dir IDX eval OUT_DIR/questions.jsonl

A reader asks about a story they read elsewhere; the collection has the company, the
minister, the week, often the same story's follow-ups, but not the article with the fact.
`name_swaps` makes that case by changing the question; this makes it by changing the
corpus, so the question stays as a person wrote it. OUT_DIR/corpus holds every article
file of CORPUS but the `gold_sources` of the answerable questions (hard links where the
file system allows, else copies; a file matches a `gold_sources` entry as `newsdesk eval`
matches a cited one: its name, less a .txt or .md suffix); OUT_DIR/questions.jsonl holds
those questions marked unanswerable (`kind: absent-story`). The unanswerable questions'
`gold_sources` name a topic article, not an answer, so those articles stay.

An article that answers a question but is not among its `gold_sources` (a wire story's
second version) stays too: read the answers of a run's misses before counting one as a
failure.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
from pathlib import Path

from index.evaluation import load_questions, source_stem


def write_absent_stories(questions_path: Path, corpus: Path, out: Path) -> tuple[int, int]:
    """(articles kept, questions written)."""
    questions = [q for q in load_questions(questions_path) if q.answerable]
    answering = {stem for q in questions for stem in q.gold_sources}
    target = out / "corpus"
    if target.exists():
        shutil.rmtree(target)
    kept = 0
    for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
        rel = path.relative_to(corpus)
        if source_stem(path.name) in answering:  # as `newsdesk eval` matches a cited file
            continue
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target / rel)
        except OSError:  # another file system, or one without hard links
            shutil.copy2(path, target / rel)
        kept += 1
    with (out / "questions.jsonl").open("w", encoding="utf-8") as f:
        for q in questions:
            row = {
                "id": f"{q.id}-absent",
                "question": q.question,
                "gold_sources": q.gold_sources,
                "answer_keywords": [],
                "answerable": False,
                "kind": "absent-story",
            }
            f.write(json.dumps(row) + "\n")
    return kept, len(questions)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("questions", type=Path)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    kept, written = write_absent_stories(args.questions, args.corpus, args.out)
    print(f"{args.out / 'corpus'}: {kept} articles; {args.out / 'questions.jsonl'}: {written} questions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
