"""Follow-up pairs made from a question set (training/follow_ups.py), with real spaCy."""

from __future__ import annotations

from typing import Any

import pytest

from index.evaluation import EvalQuestion
from training.follow_ups import follow_up_pairs, with_pronoun
from training.news_questions import parser


@pytest.mark.parametrize(
    ("text", "name", "person", "expected"),
    [
        ("What is the name of Link's steed?", "Link", True, "What is the name of his steed?"),
        ("When did Chopin leave Warsaw?", "Chopin", True, "When did he leave Warsaw?"),
        ("Who did Sand write to about Chopin?", "Chopin", True, "Who did Sand write to about him?"),
        ("Which critic reviewed the Eiffel Tower?", "Eiffel Tower", False, "Which critic reviewed it?"),
        ("Spectre won which award?", "Spectre", False, "It won which award?"),
        ("What was the Beatles' first album?", "Beatles", False, "What was its first album?"),
    ],
)
def test_a_name_becomes_its_pronoun(text: str, name: str, person: bool, expected: str) -> None:
    start = text.index(name)
    assert with_pronoun(text, start, start + len(name), person) == expected


@pytest.fixture(scope="module")
def nlp() -> Any:
    return parser()


def test_pairs_share_a_name_on_the_same_article(nlp: Any) -> None:
    def q(id_: str, text: str, article: str, answerable: bool = True) -> EvalQuestion:
        return EvalQuestion(id_, text, [article], [["x"]], answerable)

    questions = [
        q("a", "Where was Frederic Chopin born?", "chopin"),
        q("b", "When did Frederic Chopin leave Warsaw?", "chopin"),
        q("c", "Who wrote a biography of Frederic Chopin?", "other"),  # another article
        q("d", "How old was Frederic Chopin when he married?", "chopin", answerable=False),
        q("e", "What did the Sichuan earthquake destroy?", "quake"),  # a name as a modifier
        q("f", "When did the Sichuan earthquake happen?", "quake"),
    ]
    pairs = follow_up_pairs(questions, nlp)
    # an unanswerable question is a follow-up too (refusing one is measured), never asked first
    assert [(a.id, b.id, b.question) for a, b in pairs] == [
        ("b", "a", "Where was he born?"),
        ("a", "b", "When did he leave Warsaw?"),
        ("a", "d", "How old was he when he married?"),
    ]
