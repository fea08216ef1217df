"""Detail questions generated from news articles: training data in the news pattern.

SQuAD teaches the ranker that the sentence sharing most of the question's words holds the
answer: its writers copied the answer sentence. A reader of the news words a question
differently: the topic comes from the headline and the lead ("Chad's military high
command", "the Ouadi Doum air base"), the detail from a later sentence ("1,269 Libyan
soldiers"), so the lead shares more words with the question than the sentence that
answers it. This module writes such questions from articles, without a model:

- the answer is a named entity (a number, amount, date, name) of one sentence, a
  sentence of the lead as often as a later one;
- the wh-phrase follows the entity's label and the noun it belongs to ("how many
  soldiers", "what stake", "when", "who");
- the rest of the question is a few words of the answer sentence near the entity, and
  a few topic words from the title and the lead.

The questions are word lists more than English, but the ranker reads words, names,
numbers, the focus word and embeddings, and it is the mix of words that matters: how
much of the question the lead holds against the answer sentence. Labels come from where
the answer's words sit, as for SQuAD.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.evaluation import EvalQuestion
from index.ingest.articles import split_front_matter
from index.ingest.nlp import DATELINE

ANSWER_LABELS = ("PERSON", "ORG", "GPE", "DATE", "MONEY", "PERCENT", "CARDINAL", "QUANTITY")
LEAD_SHARE = 0.35  # share of questions answered by the lead, the rest by one of the next sentences
LATER = 8  # later sentences an answer may come from
SENTENCE_WORDS = (1, 3)  # words of the answer sentence in a question, besides the wh-phrase
TOPIC_WORDS = (2, 6)  # words from the title and the lead
_WORD = re.compile(r"[A-Za-z][\w'-]*|\d[\d.,/-]*")
# Units and scale words: "27.5 mln" asks how much, not "how many mln".
_UNITS = frozenset([
    "mln", "billion", "million", "thousand", "trillion", "dlrs", "dlr", "dollars", "cts", "cents",
    "pct", "percent", "stg", "yen", "marks", "francs", "guilders", "lire", "pounds", "points", "pence",
])  # fmt: skip
_MONTHS = re.compile(
    r"\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday",
    re.I,
)
_NOT_ANSWERS = frozenset(["reuters", "gmt", "est", "edt"])


@dataclass(frozen=True)
class Article:
    stem: str
    title: str
    body: str


def read_articles(folder: Path, exclude: set[str]) -> list[Article]:
    """Articles of a corpus folder (front matter + paragraphs), less the excluded stems."""
    out = []
    for path in sorted(folder.glob("*.md")):
        if path.stem in exclude:
            continue
        meta, body = split_front_matter(path.read_text(encoding="utf-8"))
        out.append(Article(path.stem, meta.get("title", ""), body.strip()))
    return out


def parser() -> Any:
    """The full en_core_web_sm pipeline: the parser finds the noun an answer belongs to."""
    import spacy

    from index.ingest.nlp import model_path

    return spacy.load(model_path())


def generate(articles: list[Article], rng: random.Random, nlp: Any = None) -> list[EvalQuestion]:
    """A detail question from each article that has one to ask."""
    return generate_rounds(articles, [rng], nlp)[0]


def generate_rounds(
    articles: list[Article], rngs: list[random.Random], nlp: Any = None
) -> list[list[EvalQuestion]]:
    """One round of `generate` per random generator, the articles parsed once: round r
    asks each article the question its own draws give (a question asked in an earlier
    round is left out of the later ones)."""
    nlp = nlp or parser()
    bodies = (DATELINE.sub("", a.body[:4000], count=1) for a in articles)
    docs = list(nlp.pipe(bodies, batch_size=32))
    rounds: list[list[EvalQuestion]] = []
    asked: set[str] = set()
    for rng in rngs:
        made = (_question(article, doc, rng) for article, doc in zip(articles, docs))
        fresh = [q for q in made if q is not None and q.question not in asked]
        asked.update(q.question for q in fresh)
        rounds.append(fresh)
    return rounds


def _question(article: Article, doc: Any, rng: random.Random) -> EvalQuestion | None:
    sents = [s for s in doc.sents if len(s) > 4]
    if len(sents) < 3:
        return None
    title_words = {w.lower() for w in _WORD.findall(article.title)}
    lead = sents[0]
    later = sents[1 : 1 + LATER]
    for _ in range(6):  # a few draws of sentence and entity before giving the article up
        sent = lead if rng.random() < LEAD_SHARE else rng.choice(later)
        ents = [
            e
            for e in sent.ents
            if e.label_ in ANSWER_LABELS
            and len(e) <= 6
            and not ({w.lower() for w in _WORD.findall(e.text)} <= title_words)
            and e.text.lower().strip("<> .,") not in _NOT_ANSWERS
            and (e.label_ != "DATE" or _MONTHS.search(e.text))
        ]
        if not ents:
            continue
        ent = _with_unit(rng.choice(ents))
        wh = _wh_phrase(ent, rng)
        if wh is None:
            continue
        words = _sentence_words(sent, ent, wh, rng)
        topic = _topic_words(article.title, lead, ent, rng)
        if not words or len(words) + len(topic) < 4:
            continue
        text = " ".join([wh[0], *topic, *words]) + "?"
        answer = ent.text.lower().strip("<> .,")
        if len(answer) < 2:
            continue
        return EvalQuestion(f"news-{article.stem}-{ent.start}", text, [article.stem], [[answer]], True)
    return None


def _with_unit(ent: Any) -> Any:
    """A bare number with its unit after it ("60" of "60 pct", "27.5" of "27.5 mln dlrs"),
    as the amount it is: wire copy writes amounts so, and spaCy calls the number CARDINAL."""
    from spacy.tokens import Span

    end = ent.end
    while end < len(ent.doc) and end - ent.end < 2 and ent.doc[end].lower_ in _UNITS:
        end += 1
    if ent.label_ != "CARDINAL" or end == ent.end:
        return ent
    unit = ent.doc[end - 1].lower_
    label = "PERCENT" if unit in ("pct", "percent", "points") else "MONEY"
    return Span(ent.doc, ent.start, end, label=label)


def _wh_phrase(ent: Any, rng: random.Random) -> tuple[str, str] | None:
    """(wh-phrase, its focus word or "") for an answer entity, or None when none fits."""
    label = ent.label_
    focus = _focus_noun(ent)
    if label == "PERSON":
        return ("Who did", "")
    if label == "ORG":
        return ("Which company did", "company") if rng.random() < 0.5 else ("Who did", "")
    if label == "GPE":
        return ("Where did", "")
    if label == "DATE":
        return ("When did", "")
    if label == "CARDINAL":
        return (f"How many {focus} did", focus) if focus else None
    if focus:
        return (f"What {focus} did", focus)
    if label in ("MONEY", "QUANTITY"):
        return ("How much did", "")
    return ("By how much did", "")


def _focus_noun(ent: Any) -> str:
    """The noun an amount belongs to: "60 pct stake" -> stake, "range of 40 miles" ->
    range, "1,269 Libyan soldiers" -> soldiers; "" when it hangs off a verb."""
    root = ent.root
    head = root.head
    if head is root:
        return ""
    found = ""
    if root.dep_ == "nummod" or (ent.label_ == "CARDINAL" and root.pos_ == "NUM"):
        if head.pos_ in ("NOUN", "PROPN") and head.i >= ent.end:
            found = head.lower_
    elif head.pos_ == "NOUN" and head.i >= ent.end and root.dep_ in ("compound", "nmod", "amod"):
        found = head.lower_
    elif head.dep_ == "prep" and head.lower_ == "of" and head.head.pos_ == "NOUN":
        found = head.head.lower_
    return "" if found in _UNITS or not found.isalpha() else str(found)


def _content(token: Any) -> bool:
    return bool(token.is_alpha or token.like_num) and not token.is_stop and not token.is_punct


def _sentence_words(sent: Any, ent: Any, wh: tuple[str, str], rng: random.Random) -> list[str]:
    """A few content words of the answer sentence, nearest the answer first, in order."""
    skip = set(range(ent.start, ent.end))
    focus = wh[1]
    near = sorted(
        (t for t in sent if t.i not in skip and _content(t) and t.lower_ != focus),
        key=lambda t: min(abs(t.i - ent.start), abs(t.i - ent.end)),
    )
    chosen = near[: rng.randint(SENTENCE_WORDS[0], SENTENCE_WORDS[1])]
    return [t.text for t in sorted(chosen, key=lambda t: t.i)]


def _topic_words(title: str, lead: Any, ent: Any, rng: random.Random) -> list[str]:
    """A few words naming the story, from the lead's entities and the title."""
    answer = {w.lower() for w in _WORD.findall(ent.text)}
    pool: list[str] = []
    for e in lead.ents:
        if e.label_ in ("ORG", "PERSON", "GPE", "NORP", "PRODUCT", "EVENT", "FAC", "LOC"):
            pool += [w for w in _WORD.findall(e.text) if w.lower() not in answer]
    pool += [t.text for t in lead if t.pos_ in ("NOUN", "PROPN") and not t.is_stop and t.is_alpha]
    named = {t.text.lower(): t.text for t in lead.doc if t.text[:1].isupper() and t.i > t.sent.start}
    pool += [named.get(w.lower(), w.lower()) for w in _WORD.findall(title) if len(w) > 3 and not w.isdigit()]
    seen: dict[str, str] = {}
    for w in pool:
        if w.lower() not in answer:
            seen.setdefault(w.lower(), w)
    words = list(seen.values())
    if not words:
        return []
    return rng.sample(words, min(len(words), rng.randint(TOPIC_WORDS[0], TOPIC_WORDS[1])))


def excluded_stems(questions_file: Path) -> set[str]:
    """Articles the dev questions are about (gold sources and the ids their notes name)."""
    import json

    stems: set[str] = set()
    for line in questions_file.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        stems.update(row.get("gold_sources", []))
        stems.update(re.findall(r"\b\d{3,6}\b", row.get("note", "")))
    return stems
