"""The training run's held-out news questions as a `newsdesk eval` question set.

`make train` generates detail questions from the Reuters dev corpus's articles
(`training.news_questions`) and holds out the first round's questions of the articles the
first-sentence ranker does not train on ("news dev" in training/report.md). This writes
those 889 questions as JSONL, so a change that needs no retrain (what is quoted first,
how an answer is composed) can be measured on news-shaped questions with `newsdesk eval`
on the Reuters dev index, beside the hand-written dev sets:

    python -m training.held_out_news OUT.jsonl
    newsdesk --corpus-dir ../shared/eval/reuters/corpus --index-dir DIR eval OUT.jsonl

The questions are generated word lists more than English, and all answerable: a check on
which sentence answers, not on refusals.
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import asdict
from pathlib import Path
from typing import Any

from index.evaluation import EvalQuestion
from training import news_questions
from training.train_answerer import SEED, SHARED, trains_first_ranker


def held_out_questions(news_dir: Path = SHARED / "reuters", nlp: Any = None) -> list[EvalQuestion]:
    """news_dir: a `corpus/` of articles and the `questions.jsonl` whose articles are left out."""
    articles = news_questions.read_articles(
        news_dir / "corpus", news_questions.excluded_stems(news_dir / "questions.jsonl")
    )
    (drawn,) = news_questions.generate_rounds(articles, [random.Random(SEED)], nlp=nlp)
    return [q for q in drawn if not trains_first_ranker(q)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the JSONL file to write")
    parser.add_argument(
        "--news-dir", type=Path, default=SHARED / "reuters", help="corpus/ and questions.jsonl"
    )
    args = parser.parse_args(argv)
    questions = held_out_questions(args.news_dir)
    args.out.write_text("".join(json.dumps(asdict(q)) + "\n" for q in questions), encoding="utf-8")
    print(f"{len(questions)} questions -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
