"""A stand-in embedder for benchmarks at a scale the CPU cannot embed (`EMBED_MODE=hash`).

Words hashed (CRC-32, stable across processes) into 384 signed dimensions, L2-normalised:
texts that share words point the same way, so vector search still returns something
plausible, at ~100,000 texts/s instead of ~35. Answers are not meaningful; what it makes
visible is every cost that is not the model (store, keyword index, scan, startup).
"""

from __future__ import annotations

import re
import zlib
from typing import Any

import numpy as np

HASH_MODEL_ID = "hash:384"
DIM = 384
_WORD = re.compile(r"\w+")


def hash_vector(text: str) -> np.ndarray:
    vector = np.zeros(DIM, dtype=np.float32)
    for word in _WORD.findall(text.lower()):
        h = zlib.crc32(word.encode())
        vector[h % DIM] += 1.0 if h & 0x8000_0000 else -1.0
    norm = float(np.linalg.norm(vector))
    if norm == 0.0:
        vector[0] = 1.0
        return vector
    return vector / norm


class HashEmbedding:
    """The two calls indexing and retrieval make, named as on a llama-index BaseEmbedding."""

    model_name = HASH_MODEL_ID

    def get_query_embedding(self, query: str) -> list[float]:
        return hash_vector(query).tolist()  # type: ignore[no-any-return]

    def get_text_embedding_batch(self, texts: list[str], **_: Any) -> list[list[float]]:
        return [hash_vector(t).tolist() for t in texts]
