"""Follow-up questions made from a question set: a name becomes "he", "his", "it" or "its".

A chat user asks "Who directed Spectre?", then "Who composed its theme song?": the second
question leans on the first for its subject. The seed follow-up set has 8 such pairs,
written over the 5 seed articles. This makes many more from a real set, without writing
any: for each question B, answerable or not, a name spaCy finds in it (a person,
organisation, place, work, event, facility or product; not one that only modifies a noun,
as in "the Sichuan earthquake") that another, answerable question A on the same article
also names is replaced by a pronoun: "his"/"its" for a possessive, "he" or "him" for a
person (by the word before it), else "it" ("the Eiffel Tower" -> "it"). A is asked first,
B as its follow-up (`follows`); `newsdesk eval --follow-ups` scores the B questions alone:

    python -m training.follow_ups ../shared/eval/squad/questions.jsonl OUT.jsonl
    newsdesk --corpus-dir ../shared/eval/squad/corpus --index-dir DIR eval OUT.jsonl --follow-ups

The pronoun always stands for a name the earlier question gave, so the set measures that
pattern (the topic carried on); a pronoun for the name an answer gave ("Who is the press
secretary?", "What did she say?") is the seed set's. spaCy's small model mislabels some
names (Chopin as an organisation), so a few pronouns are the wrong kind; a chat user's
are not always right either.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from index.evaluation import EvalQuestion, load_questions

NAMES = frozenset(["PERSON", "ORG", "GPE", "WORK_OF_ART", "EVENT", "FAC", "PRODUCT", "LOC"])
_AUXILIARY = re.compile(r"\b(?:did|does|do|was|is|were|are|has|had|have|can|could|would|will)\s+$", re.I)


def with_pronoun(text: str, start: int, end: int, person: bool) -> str:
    """The question with text[start:end], a name, replaced by the pronoun for it."""
    if text[end : end + 2] in ("'s", "’s") or text[end : end + 1] in ("'", "’"):  # "Ushers'" too
        pronoun = "his" if person else "its"
        end += 2 if text[end + 1 : end + 2] == "s" else 1
    elif person:
        pronoun = "he" if start == 0 or _AUXILIARY.search(text[:start]) else "him"
    else:
        pronoun = "it"
    if text[:start].lower().endswith("the "):
        start -= 4
    if start == 0:
        pronoun = pronoun.capitalize()
    return text[:start] + pronoun + text[end:]


def follow_up_pairs(questions: list[EvalQuestion], nlp: Any) -> list[tuple[EvalQuestion, EvalQuestion]]:
    """(A, B as its follow-up) for each B that shares a name with an answerable A on the
    same article (the first such A in the set's order). B may be unanswerable: refusing a
    follow-up is measured too."""
    answerable = [q for q in questions if q.answerable]
    pairs = []
    for b in questions:
        for ent in nlp(b.question).ents:
            if ent.label_ not in NAMES or ent.root.dep_ in ("compound", "amod", "nmod"):
                continue
            named = re.compile(rf"\b{re.escape(ent.text)}\b")
            first = next(
                (
                    a
                    for a in answerable
                    if a is not b and a.gold_sources == b.gold_sources and named.search(a.question)
                ),
                None,
            )
            if first is None:
                continue
            asked = with_pronoun(b.question, ent.start_char, ent.end_char, ent.label_ == "PERSON")
            pairs.append((first, replace(b, question=asked)))
            break
    return pairs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "questions", type=Path, help="a question set (JSONL) whose questions name their article"
    )
    parser.add_argument("out", type=Path, help="where to write the pairs (JSONL)")
    args = parser.parse_args(argv)
    from training.news_questions import parser

    pairs = follow_up_pairs(load_questions(args.questions), parser())  # it says which names modify nouns
    with args.out.open("w", encoding="utf-8") as out:
        for n, (a, b) in enumerate(pairs):
            for q, follows in ((a, ""), (b, f"fu{n}a")):
                row = {
                    "id": f"fu{n}{'b' if follows else 'a'}",
                    "question": q.question,
                    "gold_sources": q.gold_sources,
                    "answer_keywords": q.answer_keywords,
                    "answerable": q.answerable,
                    "follows": follows,
                }
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(pairs)} follow-up pairs from {args.questions} written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
