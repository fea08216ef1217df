"""Sentences that ask: never an answer, and, set as a heading, a pointer to the answer.

An explainer's subheading ("Do heat pumps work in cold weather?"), an interviewer's turn
("Q: Will you run for a second term?") and a column's rhetorical question repeat the
reader's words best of all and state nothing: each gets probability 0. A question that
is a paragraph of its own (a heading, an interview turn) is answered by the paragraph
under it: those sentences take its probability when higher than their own, unless a
check ruled them out, and the answer is quoted from there. A question inside a paragraph
("Who pays for the dredging? The weather was sunny.") points nowhere.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from index.query.features import Row

# Ends in a question mark, not inside quotation marks: 'is called "Who Owns the Sea?"'
# names a book, it does not ask.
_ASKS = re.compile(r"\?[)\]]*$")
_PARAGRAPH_GAP = 2  # characters between sentences of two paragraphs ("\n\n"); one inside one
_ANSWER_SENTENCES = 5  # of the paragraph under a question, at most


def asks(row: Row) -> bool:
    return bool(_ASKS.search(row.sentence.quote))


def without_questions(rows: list[Row], probabilities: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """(probabilities with questions at 0 and their answers raised, the rows of the answer
    to the likeliest question when it was the likeliest row of all: quote from there)."""
    asking = [i for i, row in enumerate(rows) if asks(row)]
    if not asking:
        return probabilities, []
    out = probabilities.copy()
    top = int(np.argmax(probabilities))
    answering: list[int] = []
    for i in asking:
        under = answer_under(rows, i)
        for j in under:
            if probabilities[j] > 0:  # a period, name, opposite or count check ruled it out: it stays so
                out[j] = max(out[j], probabilities[i])
        if i == top and probabilities[i] > 0:
            answering = [j for j in under if probabilities[j] > 0]
    out[asking] = 0.0
    return out, answering


def answer_under(rows: list[Row], i: int) -> list[int]:
    """The rows of the paragraph under row i's question when that question is a paragraph
    of its own (loaded rows in sentence order, up to the next paragraph or question)."""
    row = rows[i]
    by_idx = {r.sentence.stored.idx: k for k, r in enumerate(rows) if r.article is row.article}
    q = row.sentence.stored
    before = by_idx.get(q.idx - 1)
    if before is not None and q.start - rows[before].sentence.stored.end < _PARAGRAPH_GAP:
        return []  # inside a paragraph: rhetorical
    out: list[int] = []
    end = q.end
    for idx in range(q.idx + 1, q.idx + 1 + _ANSWER_SENTENCES):
        k = by_idx.get(idx)
        if k is None or asks(rows[k]):
            break
        s = rows[k].sentence.stored
        gap = s.start - end
        if (not out and gap < _PARAGRAPH_GAP) or (out and gap >= _PARAGRAPH_GAP):
            break  # the question runs on in its paragraph, or the answer's paragraph ended
        out.append(k)
        end = s.end
    return out
