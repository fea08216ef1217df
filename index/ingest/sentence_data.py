"""What the answerer keeps per sentence, made from spaCy's annotation and the chunks'
embedding pass: where the sentence is, what of it may be quoted, its entities, its own
vector (the mean of its tokens' states in the chunk) and its content words' token states.

Quoting rules live here, at index time: the headline is metadata and is never a
candidate, nor is a credit or time stamp ("Reporting by ...; Editing by ...", "Updated
10:10 EST"; `index.ingest.furniture`); a wire dateline ("LONDON, March 3 -") and trailing tweet furniture
("— Name (@handle) January 20, 2022", pic.twitter.com and t.co links) are left out of the
quoted span; a sentence that still holds a bare link, or is too short to say anything,
is never quoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from index.embedding.onnx import Encoded
from index.embedding.token_states import content_rows, project, quantize
from index.ingest.articles import reads_as_headline
from index.ingest.furniture import is_credit, is_promotion
from index.ingest.nlp import Annotation
from index.text import words

_LINK = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/|\bt\.co/)\S*", re.I)
# How to reach the newsroom, not reporting: "Contact the reporter at jsmith@example.com",
# "For more information visit www.example.com" (its quote would end "... visit"), "Send
# your story ideas to yorkslincs.news@bbc.co.uk".
_CONTACT = re.compile(
    r"^(?:(?:(?:media|press|investor|news)\s+)?(?:contacts?|enquiries|inquiries)\s*:|"
    r"(?:contact|e-?mail|write to|reach|call)\s+(?:the\s+|our\s+)?(?:reporters?|writers?|authors?|us|me|him|her|"
    r"them|newsroom|news desk|desk|editors?|press office)\b|for more information\b|(?:visit|see)\s+(?=www\.|https?://)|"
    r"(?:send|e-?mail|share)\s+(?:us\s+(?:your\s+)?|your\s+)(?:story ideas|stories|news tips|tips|pictures|photos|"
    r"videos|views|experiences?)\b)"
    r".{0,160}(?:\b[\w.+-]+@[\w-]+\.\w|https?://|www\.)",
    re.I,
)
_TWEET_TAIL = re.compile(
    r"\s*[—–-]{1,2}\s*[^()\n]{1,80}\(@\w{1,15}\)\s*"  # — Name (@handle)
    r"(?:(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\s+\d{1,2},\s+\d{4})?\s*$"
)
_TWEET_HEAD = re.compile(
    r"\s*[—–-]{1,2}\s*[^()\n]{1,80}\(@\w{1,15}\)\s*"
    r"(?:(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\s+\d{1,2},\s+\d{4}\s*)?"
)
MIN_QUOTE_WORDS = 3
# Bump when the rules above change what is stored: `newsdesk index` then rebuilds the
# sentence data of every article from the chunks (no re-embedding of the vectors).
# 3: sentences joined across an open bracket (nlp.mend_brackets); 4: credits and time
# stamps are furniture (furniture.is_credit), any agency's dateline ("(CNN) --") is found;
# 5: a first line that ends as a sentence is the lead, quotable, not a headline; 6: more
# credits (roles, "Photograph: ..."), a dateline after a byline, a headline spaCy splits
# ("Will rates rise again? Economists are split"); 7: how to contact the newsroom
# (not every sentence with an e-mail address); 8: relative time stamps ("Published 3 hours
# ago"), prompts to follow the outlet and to send it story ideas.
SENTENCE_DATA_VERSION = 8


@dataclass
class SentenceRecord:
    idx: int  # position in the article
    chunk: int  # position of the chunk that holds its start
    start: int  # article character offsets
    end: int
    quote_start: int  # the quotable part, relative to start
    quote_end: int
    kind: str  # "" (a candidate), "headline" or "furniture" (never quoted)
    entities: list[tuple[int, int, str]]  # relative to the sentence
    text: str = ""  # the sentence itself
    vector: bytes = b""  # float16 unit vector (384)
    tokens: bytes = b""  # int8 (n, TOKEN_DIM) content-word token states
    _states: list[np.ndarray] = field(default_factory=list, repr=False)
    _positions: set[int] = field(default_factory=set, repr=False)
    _all: list[np.ndarray] = field(default_factory=list, repr=False)


def quote_span(text: str, dateline: int = 0) -> tuple[int, int]:
    """The part of a sentence worth quoting: no dateline before, no furniture or links after."""
    end = len(text)
    while True:  # peel trailing links and tweet signatures
        head = text[:end].rstrip(" .)")
        links = list(_LINK.finditer(head))
        last = links[-1] if links else None
        tail = _TWEET_TAIL.search(text[:end])
        if last is not None and last.end() == len(head):
            end = len(text[: last.start()].rstrip().rstrip("(<"))  # "[text](url)" keeps "[text]"
        elif tail is not None:
            end = tail.start()
        else:
            break
    lead = _TWEET_HEAD.match(text, dateline)  # a signature the sentence split left in front
    start = lead.end() if lead and lead.end() < end else dateline
    return start, max(start, len(text[:end].rstrip()))


def _same(a: str, b: str) -> bool:
    return words(a) == words(b)


def plan_records(
    text: str, title: str, annotation: Annotation, chunks: list[tuple[int, int]]
) -> list[SentenceRecord]:
    """Records without vectors yet: offsets, chunk, quotable span, kind, entities."""
    records = []
    starts = [a for a, _ in chunks]
    ents = annotation.entities
    # The text's first line is the headline: every sentence spaCy made of it is too
    first_line = text.find("\n") if "\n" in text else len(text)
    headline_line = bool(title) and _same(text[:first_line], title) and reads_as_headline(title)
    for idx, (a, b) in enumerate(annotation.sentences):
        chunk = next((k for k in range(len(chunks) - 1, -1, -1) if starts[k] <= a), 0)
        sentence = text[a:b]
        qa, qb = quote_span(sentence, annotation.dateline if idx == annotation.dateline_sentence else 0)
        quotable = sentence[qa:qb]
        kind = ""
        if (idx <= 1 and title and _same(sentence, title) and reads_as_headline(title)) or (
            headline_line and b <= first_line
        ):
            kind = "headline"
        elif (
            _LINK.search(quotable)
            or len(quotable.split()) < MIN_QUOTE_WORDS
            or is_credit(quotable)
            or is_promotion(quotable)
            or _CONTACT.match(sentence[qa:])
        ):
            kind = "furniture"
        inside = [(s - a, e - a, label) for s, e, label in ents if s >= a and e <= b]
        records.append(SentenceRecord(idx, chunk, a, b, qa, qb, kind, inside))
    return records


def add_chunk_states(
    records: list[SentenceRecord], chunk_start: int, chunk_text: str, encoded: Encoded
) -> None:
    """Give each sentence the token states of its part of this chunk (each token once)."""
    assert encoded.hidden is not None
    keep = set(content_rows(chunk_text, encoded.offsets))
    for row, (x, y) in enumerate(encoded.offsets):
        if y <= x:
            continue
        pos = chunk_start + x
        record = _record_at(records, pos)
        if record is None or pos in record._positions:
            continue
        record._positions.add(pos)
        record._all.append(encoded.hidden[row])
        if row in keep:
            record._states.append(encoded.hidden[row])


def _record_at(records: list[SentenceRecord], pos: int) -> SentenceRecord | None:
    lo, hi = 0, len(records)
    while lo < hi:
        mid = (lo + hi) // 2
        if records[mid].end <= pos:
            lo = mid + 1
        else:
            hi = mid
    if lo < len(records) and records[lo].start <= pos < records[lo].end:
        return records[lo]
    return None


def finish(records: list[SentenceRecord]) -> None:
    """Turn gathered token states into the stored sentence vector and token states."""
    for record in records:
        if record._all:
            mean = np.mean(np.asarray(record._all, dtype=np.float32), axis=0)
            mean /= max(float(np.linalg.norm(mean)), 1e-9)
            record.vector = mean.astype(np.float16).tobytes()
        if record._states:
            record.tokens = quantize(project(np.asarray(record._states, dtype=np.float32)))
        record._states, record._all, record._positions = [], [], set()
