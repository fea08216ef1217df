"""Token states of the embedding pass, made small enough to keep: the material for
matching a question's words against a sentence's words in context (MaxSim).

MiniLM's 384-dim token states are projected onto a fixed 128-dim PCA basis
(`token_basis.npz`, made by `make train` from token states of the development corpora) and
stored as int8: 128 bytes a token, only for content words (stop words and punctuation
carry no match). On SQuAD dev, MaxSim over these kept 0.72 top-1 sentence accuracy,
the same as over the raw states.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from index.text import fold, is_content

BASIS_FILE = Path(__file__).with_name("token_basis.npz")
TOKEN_DIM = 128
_WORD = re.compile(r"\w+(?:[.,'’\-/]\w+)*")


@dataclass(frozen=True)
class Basis:
    mean: np.ndarray  # (384,)
    axes: np.ndarray  # (TOKEN_DIM, 384)
    id: str  # stored with the index: token states from another basis don't compare


@lru_cache(maxsize=1)
def basis() -> Basis:
    data = BASIS_FILE.read_bytes()
    with np.load(BASIS_FILE) as npz:
        mean, axes = npz["mean"].astype(np.float32), npz["axes"].astype(np.float32)
    return Basis(mean, axes, hashlib.sha256(data).hexdigest()[:12])


def content_rows(text: str, offsets: list[tuple[int, int]]) -> list[int]:
    """Indices of the tokens that belong to content words of text (specials excluded)."""
    return [row for row, _ in content_tokens(text, offsets)]


def content_tokens(text: str, offsets: list[tuple[int, int]]) -> list[tuple[int, str]]:
    """(token index, folded word) for the tokens of content words of text."""
    spans = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    starts = [s for s, _, _ in spans]
    keep: list[tuple[int, str]] = []
    for row, (a, b) in enumerate(offsets):
        if b <= a:
            continue
        k = bisect.bisect_right(starts, a) - 1
        if k >= 0 and a < spans[k][1]:
            word = fold(spans[k][2]).strip(".,").split("'", 1)[0]
            if word and is_content(word):
                keep.append((row, word))
    return keep


def project(states: np.ndarray) -> np.ndarray:
    """Unit token states on the basis, unit length again, as float32 (n, TOKEN_DIM)."""
    if len(states) == 0:
        return np.zeros((0, TOKEN_DIM), dtype=np.float32)
    b = basis()
    v = states / np.clip(np.linalg.norm(states, axis=1, keepdims=True), 1e-9, None)
    v = (v - b.mean) @ b.axes.T
    return (v / np.clip(np.linalg.norm(v, axis=1, keepdims=True), 1e-9, None)).astype(np.float32)


def quantize(unit: np.ndarray) -> bytes:
    """int8 bytes of unit vectors (what the index stores)."""
    return np.clip(np.round(unit * 127), -127, 127).astype(np.int8).tobytes()


def dequantize(blob: bytes, dim: int = TOKEN_DIM) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.int8).reshape(-1, dim).astype(np.float32) / 127.0
