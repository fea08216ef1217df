"""The news detail-question generator (training data), with the real spaCy pipeline."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from training import news_questions as nq

ARTICLE = """\
---
title: CHAD SAYS 1,269 LIBYANS KILLED AT OUADI DOUM
published: 1987-03-24
outlet: Reuters
---

N'DJAMENA, March 24 - Chad's military high command said troops killed Libyan soldiers in \
routing a strong force to capture the Ouadi Doum air base in northern Chad.

The high command said 438 Libyans were taken prisoner in the battle for the base.

The army also captured 11 Czechoslovak-made L-39 bombers and three Soviet helicopters.

A spokesman in Paris said France would keep 1,400 troops in the country until June.
"""


@pytest.fixture(scope="module")
def nlp() -> Any:
    return nq.parser()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GM would have a 60 pct stake in the venture.", ("60 pct", "PERCENT", "stake")),
        ("Troops killed 1,269 Libyan soldiers in the battle.", ("1,269", "CARDINAL", "soldiers")),
        ("The missile has a range of 40 miles.", ("40 miles", "QUANTITY", "range")),
        ("The sugar was sold at 160 dlrs a tonne.", ("160 dlrs", "MONEY", "")),
    ],
)
def test_an_amount_takes_its_unit_and_the_noun_it_belongs_to(
    nlp: Any, text: str, expected: tuple[str, str, str]
) -> None:
    doc = nlp(text)
    found = [(s.text, s.label_, nq._focus_noun(s)) for s in (nq._with_unit(e) for e in doc.ents)]
    assert expected in found


def test_questions_ask_about_a_sentence_of_the_article_and_name_its_topic(nlp: Any, tmp_path: Path) -> None:
    (tmp_path / "4711.md").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "short.md").write_text("---\ntitle: T\n---\n\nOne sentence only. And a second.\n")
    articles = nq.read_articles(tmp_path, exclude=set())
    assert [a.stem for a in articles] == ["4711", "short"]
    assert articles[0].title == "CHAD SAYS 1,269 LIBYANS KILLED AT OUADI DOUM"
    body = articles[0].body.split(" - ", 1)[1].lower()
    topic = {"chad", "ouadi", "doum", "military", "command", "air", "base", "libyans", "killed", "high"}
    asked = []
    for seed in range(12):
        for q in nq.generate(articles, random.Random(seed), nlp=nlp):
            assert q.gold_sources == ["4711"]  # the two-sentence article has nothing to ask
            assert q.answerable and q.question.endswith("?")
            answer = q.answer_keywords[0][0]
            assert answer in body and answer not in ("march 24", "n'djamena")  # never the dateline
            assert answer not in q.question.lower()
            assert q.question.split()[0] in ("Who", "Which", "Where", "When", "How", "What", "By")
            words = {w.strip("?").lower() for w in q.question.split()}
            assert words & topic, q.question
            asked.append(answer)
    assert len(set(asked)) >= 3  # answers come from more than one sentence and entity


def test_rounds_are_generate_per_seed_without_asking_twice(nlp: Any, tmp_path: Path) -> None:
    """`generate_rounds` parses once and gives each seed's questions as `generate` would,
    less any question an earlier round already asked."""
    (tmp_path / "4711.md").write_text(ARTICLE, encoding="utf-8")
    articles = nq.read_articles(tmp_path, exclude=set())
    seeds = list(range(10))
    rounds = nq.generate_rounds(articles, [random.Random(s) for s in seeds], nlp=nlp)
    assert len(rounds) == len(seeds)
    asked: set[str] = set()
    for seed, got in zip(seeds, rounds):
        alone = [q.question for q in nq.generate(articles, random.Random(seed), nlp=nlp)]
        assert [q.question for q in got] == [q for q in alone if q not in asked]
        asked.update(alone)
    flat = [q.question for r in rounds for q in r]
    assert len(flat) == len(set(flat)) >= 3


def test_excluded_stems_are_the_dev_questions_articles_and_those_their_notes_name(tmp_path: Path) -> None:
    rows = [
        {"id": "a", "question": "Q?", "gold_sources": ["1544"], "answer_keywords": [], "answerable": True},
        {
            "id": "b",
            "question": "Q?",
            "gold_sources": ["12922"],
            "note": "Late-February sales (1544) and 9749.",
        },
    ]
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    assert nq.excluded_stems(path) == {"1544", "12922", "9749"}


def test_the_held_out_set_is_the_first_round_of_the_articles_the_first_ranker_does_not_train_on(
    nlp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`python -m training.held_out_news` writes what training holds out as "news dev":
    round one's questions, only of articles on the other side of the hash, never of an
    article a dev question is about; `newsdesk eval` reads the file back."""
    from index.evaluation import load_questions
    from training import held_out_news
    from training.train_answerer import SEED, _first_side

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    stems = [str(4700 + i) for i in range(12)]
    for stem in stems:
        (corpus / f"{stem}.md").write_text(ARTICLE, encoding="utf-8")
    dev = {
        "id": "d1",
        "question": "Q?",
        "gold_sources": [stems[0]],
        "answer_keywords": [],
        "answerable": True,
    }
    (tmp_path / "questions.jsonl").write_text(json.dumps(dev) + "\n", encoding="utf-8")
    held = held_out_news.held_out_questions(tmp_path, nlp=nlp)
    other_side = {s for s in stems[1:] if not _first_side(f"news-{s}")}
    assert other_side and other_side != set(stems[1:])  # the hash splits these twelve both ways
    assert {q.gold_sources[0] for q in held} == other_side
    articles = nq.read_articles(corpus, exclude={stems[0]})
    (first_round,) = nq.generate_rounds(articles, [random.Random(SEED)], nlp=nlp)
    assert [q.question for q in held] == [q.question for q in first_round if q.gold_sources[0] in other_side]
    out = tmp_path / "held.jsonl"
    monkeypatch.setattr(held_out_news, "held_out_questions", lambda news_dir: held)  # no second parse
    assert held_out_news.main([str(out), "--news-dir", str(tmp_path)]) == 0
    assert [q.question for q in load_questions(out)] == [q.question for q in held]
