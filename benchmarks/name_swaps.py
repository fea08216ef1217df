"""Unanswerable questions made from answerable ones by swapping one name, the way a
reader asks about a story the collection does not have ("What will the Xbox 360 cost?"
over articles about the PSP): how often does newsdesk refuse them?

    python -m benchmarks.name_swaps QUESTIONS CORPUS OUT_DIR --names SET [SET ...]

QUESTIONS: a question set (its answerable questions are swapped); CORPUS: the articles;
--names: question sets the new names come from (spaCy's PERSON, ORG, GPE and NORP
entities of their questions). Two files are written, one question per answerable question with
a name and a swap to make: `in_corpus.jsonl` (the new name is one some article mentions,
another story's) and `absent.jsonl` (the new name appears in no article). Then:

    newsdesk --corpus-dir CORPUS --index-dir IDX eval OUT_DIR/absent.jsonl

The swaps are drawn with a fixed seed, without looking at what newsdesk answers.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from index.evaluation import load_questions

LABELS = ("PERSON", "ORG", "GPE", "NORP")
SEED = 5


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("questions", type=Path)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--names", type=Path, nargs="+", required=True)
    args = parser.parse_args(argv)

    import spacy

    from index.ingest.nlp import model_path

    nlp = spacy.load(model_path())
    questions = [q for q in load_questions(args.questions) if q.answerable]
    pool: dict[str, set[str]] = {label: set() for label in LABELS}
    for q in (q for path in args.names for q in load_questions(path)):
        for ent in nlp(q.question).ents:
            if ent.label_ in LABELS:
                pool[ent.label_].add(ent.text)
    text = " ".join(p.read_text(encoding="utf-8", errors="replace").lower() for p in args.corpus.iterdir())
    args.out.mkdir(parents=True, exist_ok=True)
    for name, absent in (("in_corpus", False), ("absent", True)):
        rng = random.Random(SEED)
        written = 0
        with (args.out / f"{name}.jsonl").open("w", encoding="utf-8") as out:
            for q in questions:
                ents = [e for e in nlp(q.question).ents if e.label_ in LABELS]
                if not ents:
                    continue
                ent = rng.choice(ents)
                other = [n for n in sorted(pool[ent.label_]) if n.lower() not in q.question.lower()]
                other = [n for n in other if (n.lower() in text) != absent]
                if not other:
                    continue
                swapped = q.question[: ent.start_char] + rng.choice(other) + q.question[ent.end_char :]
                row = {"id": f"{q.id}-swap", "question": swapped, "answer_keywords": [], "answerable": False}
                out.write(json.dumps(row) + "\n")
                written += 1
        print(f"{args.out / f'{name}.jsonl'}: {written} questions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
