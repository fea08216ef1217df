"""Overview requests made from a corpus ("Summarize the news on Texaco", "Tell me about
the Bundesbank"), the way chat users ask a news bot: how often does newsdesk refuse them,
and does what it quotes name the topic?

    python -m benchmarks.overview_requests CORPUS OUT_DIR --other OTHER_CORPUS

For a seeded sample of CORPUS's articles, the first organisation or person spaCy finds in
the article's opening (past the dateline) is the topic, put in one of a few request
templates in turn; the topic in lower case is the answer keyword (keyword recall: the
answer names it; first sentence: its first quote does). `about.jsonl` holds these
(answerable). `absent.jsonl` holds the same templates over organisations and people
OTHER_CORPUS names that no CORPUS article mentions (unanswerable). Then:

    newsdesk --corpus-dir CORPUS --index-dir IDX eval OUT_DIR/about.jsonl

Drawn with a fixed seed, without looking at what newsdesk answers.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path
from typing import Any

from index.ingest.corpus_walk import load_corpus

TEMPLATES = (
    "Summarize the news on {}",
    "Tell me about {}",
    "What's the latest on {}?",
    "Give me an overview of {}",
    "Any news about {}?",
)
LABELS = ("ORG", "PERSON")
SEED = 11
OPENING_CHARS = 400
OTHER_CHARS = 20_000  # of each OTHER_CORPUS article, where absent topics are looked for


def topics(nlp: Any, texts: list[str]) -> list[str | None]:
    """The first ORG or PERSON of each text's opening, past a dateline ("NEW YORK, March 3 -")."""
    out: list[str | None] = []
    for doc in nlp.pipe(t[:OPENING_CHARS] for t in texts):
        dash = doc.text.find(" - ", 0, 60)
        start = dash + 3 if dash >= 0 else 0
        found = [clean(e.text) for e in doc.ents if e.label_ in LABELS and e.start_char >= start]
        out.append(next((t for t in found if len(t) >= 3), None))
    return out


def clean(name: str) -> str:
    """ "Chrysler Corp's" -> "Chrysler Corp", "Board of Investments (BOI" -> "Board of Investments"."""
    name = name.split("(", 1)[0].strip(" <>\"'.,;:-")
    return re.sub(r"['’]s$", "", name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--other", type=Path, required=True, help="a corpus the absent topics come from")
    parser.add_argument("-n", type=int, default=100, help="requests in each file")
    args = parser.parse_args(argv)

    import spacy

    from index.ingest.nlp import model_path

    nlp = spacy.load(model_path(), disable=["parser", "lemmatizer", "tagger", "attribute_ruler"])
    rng = random.Random(SEED)
    articles, _ = load_corpus(args.corpus, 10_000_000)
    corpus_text = " ".join(a.text.lower() for a in articles)
    sample = rng.sample(articles, min(len(articles), args.n * 2))
    args.out.mkdir(parents=True, exist_ok=True)
    about = [
        (a.id.rsplit(".", 1)[0], topic)
        for a, topic in zip(sample, topics(nlp, [a.text for a in sample]))
        if topic is not None
    ][: args.n]
    others, _ = load_corpus(args.other, 10_000_000)
    names = {
        clean(e.text)
        for doc in nlp.pipe(a.text[:OTHER_CHARS] for a in others)
        for e in doc.ents
        if e.label_ in LABELS
    }
    absent = sorted(t for t in names if len(t) >= 3 and t.lower() not in corpus_text)
    absent = rng.sample(absent, min(len(absent), args.n))
    for name, rows in (("about", about), ("absent", [("", t) for t in absent])):
        with (args.out / f"{name}.jsonl").open("w", encoding="utf-8") as out:
            for i, (stem, topic) in enumerate(rows):
                row = {
                    "id": f"{name}-{i}",
                    "question": TEMPLATES[i % len(TEMPLATES)].format(topic),
                    "gold_sources": [stem] if stem else [],
                    "answer_keywords": [[topic.lower()]] if stem else [],
                    "answerable": bool(stem),
                }
                out.write(json.dumps(row) + "\n")
        print(f"{args.out / f'{name}.jsonl'}: {len(rows)} requests")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
