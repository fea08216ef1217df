"""A question that asks who holds a role, and whether the articles about its subject ever
name that role: if none does, they cannot say who holds it.

"Who is the chairman of Viacom?" over a newswire whose one Viacom story is about a bid:
every sentence of it matches "Viacom", the abstain model sees the topic and the sentence
ranker quotes the lead, though no Viacom article says "chairman" at all. Here the role
is the noun the question asks about after "who is/was the ..." or "who is/was X's ..."
("Who was Truman Capote's father?" -> father, "Who was the second Phagmodru ruler?" ->
ruler). The articles can answer only when one of the candidate articles that state the
question's names also states the role word (stemmed as the index stems, anywhere in the
article); an acronym role counts as stated by its spelled-out form and back ("CEO",
"chief executive"). Words that say nothing about a role ("person", "one", "head") are
left alone, as is every question not in these two shapes, and so is a role no candidate
sentence writes as a title beside a person's name ("Chrysler chairman Lee Iacocca"):
"beneficiaries" or "overseer" are said in other words ("the proceeds went to"), and
checking them refused 3 of the 77 answerable role questions of the SQuAD training pool
(none with this condition; docs/answer-quality.md: "A role no article about the subject names").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from index.text import is_content, stem

if TYPE_CHECKING:
    from index.query.candidates import Article
    from index.query.question import Question

_WHO = re.compile(
    r"\s*who(?:['’]s|\s+(?:is|was|are|were|will\s+be|would\s+be|has\s+been|had\s+been|became|becomes|remains|remained))"
    r"\s+(?P<rest>.+)",
    re.I,
)
_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
_BESIDE = 2  # characters between a title and the name it goes with: a space, ", "
_DETERMINER = frozenset(["the", "a", "an"])
_POSSESSIVE = re.compile(r"['’]s?$")
# The phrase ends at a word that starts what follows the role ("of Viacom", "to notice").
_ENDS = frozenset([
    "of", "at", "for", "in", "on", "to", "with", "from", "that", "who", "whom", "which", "whose", "behind",
    "during", "when", "after", "before", "by", "under", "as", "and", "or", "but", "than", "since", "while",
    "where", "about", "against", "between", "into", "over",
])  # fmt: skip
# Nouns that name no role an article would state: "Who was the first person to ...".
_GENERIC = frozenset([
    "person", "people", "one", "ones", "man", "men", "woman", "women", "individual", "someone", "somebody",
    "guy", "figure", "name", "head", "leader", "boss", "member", "group",
])  # fmt: skip
# Roles written both ways: an acronym and its spelled-out form (stems, in order).
_SPELLED = {
    "ceo": (("chief", "execut"), ("ceo",)),
    "cfo": (("chief", "financi"), ("cfo",)),
    "coo": (("chief", "oper"), ("coo",)),
}


def asked_role(text: str) -> tuple[str, tuple[tuple[str, ...], ...]] | None:
    """(the role as written, the ways an article may state it, each a tuple of stems),
    or None when the question does not ask who holds a role."""
    match = _WHO.match(text)
    if not match:
        return None
    words = _WORD.findall(match.group("rest"))
    if not words:
        return None
    owner = next((i for i, w in enumerate(words[:6]) if _POSSESSIVE.search(w) and w[:1].isupper()), None)
    if owner is not None:  # "Who was Truman Capote's father?"
        phrase = words[owner + 1 :]
    elif words[0].lower() in _DETERMINER:  # "Who is the chairman of ...?"
        phrase = words[1:]
    else:
        return None
    role: list[str] = []
    for word in phrase[:5]:
        low = word.lower().rstrip(".")
        if low in _ENDS or (low.endswith(("ed", "ing")) and len(low) > 4):
            break
        role.append(word)
    if not role:
        return None
    last = role[-1]
    low = last.lower()
    spelled = _SPELLED.get(low)
    if spelled:
        return last, spelled
    if not last.islower() or not is_content(low) or low in _GENERIC:
        return None  # a name, a function word or no role at all
    if len(role) >= 2 and role[-2].lower() == "chief" and low in ("executive", "executives"):
        return "chief executive", (("chief", "execut"), ("ceo",))
    return last, ((stem(low),),)


def unstated_role(question: Question, articles: Iterable[Article]) -> str:
    """The role the question asks about when no candidate article about its subject
    states it ("" when it asks no role, the candidates never write it as a person's
    title, or some article about the subject states it). The subject's articles are
    those stating every name of the question (all of them when none does, or the
    question has no names)."""
    asked = asked_role(question.as_read)
    if asked is None:
        return ""
    role, ways = asked
    articles = list(articles)
    names = question.keys - {s for way in ways for s in way}
    about = [a for a in articles if names <= a.terms] or articles
    if any(all(s in a.terms for s in way) for a in about for way in ways):
        return ""
    if not any(_titles(a, ways) for a in articles):
        return ""  # not a title here: "beneficiaries", "overseer" are said in other words
    return role


def _titles(article: Article, ways: tuple[tuple[str, ...], ...]) -> bool:
    """Whether a candidate sentence of the article writes the role right beside a
    person's name, as a title is written ("Chrysler chairman Lee Iacocca", "Paul
    Volcker, chairman of ...")."""
    for sentence in article.sentences:
        for way in ways:
            if not all(s in sentence.term_set for s in way):
                continue
            persons = [(a, b) for a, b, label in sentence.entities if label == "PERSON"]
            if not persons:
                continue
            last = way[-1]
            for start, end, term, _ in sentence.tokens:
                if term == last and any(
                    0 <= a - end <= _BESIDE or 0 <= start - b <= _BESIDE for a, b in persons
                ):
                    return True
    return False
