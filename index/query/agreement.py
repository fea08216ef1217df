"""What the reader does with a sentence that disagrees with the question on a fact the
question states (a period, a count): the shared step of `periods` and `counts`.

Such a sentence matches the question's words as well as the right one would, so the model
ranks it high; it cannot answer, and gets probability 0. When it was its article's best
sentence, the article reports on something else (another month, another order), and its
sentences that do not state the question's value go to 0 too: the model's next pick there
would be a neighbour of the same wrong fact. Another article's sentence is quoted then, or,
when none is left, the question is refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Callable

    from index.query.features import Row


def without_disagreeing(
    rows: list[Row], probabilities: np.ndarray, verdicts: list[tuple[bool, bool]]
) -> np.ndarray:
    """verdicts[i]: (row i states another value, row i states the question's value)."""
    out = probabilities.copy()
    by_article: dict[int, list[int]] = {}
    for i, row in enumerate(rows):
        by_article.setdefault(id(row.article), []).append(i)
    for members in by_article.values():
        best = max(members, key=lambda i: probabilities[i])
        elsewhere = verdicts[best][0]
        for i in members:
            wrong, right = verdicts[i]
            if wrong or (elsewhere and not right):
                out[i] = 0.0
    return out


def without_contradicting(
    asked: object, rows: list[Row], probabilities: np.ndarray, judge: Callable[[str], tuple[bool, bool]]
) -> np.ndarray:
    """`without_disagreeing` by each row's sentence text, judged against what the question
    states (`asked`: nothing there, nothing to check)."""
    if not asked or not len(rows):
        return probabilities
    return without_disagreeing(rows, probabilities, [judge(row.sentence.stored.text) for row in rows])
