"""Embedding models, chosen by `EMBED_MODE`: one place decides, the backends don't call back.

`onnx` is the bare packaged MiniLM (no llama-index); `backends` wraps it and the optional
backends as llama-index `BaseEmbedding`s and is imported only when needed.
"""

from __future__ import annotations

from typing import Any

from index.embedding.onnx import ONNX_MODEL_ID, shared_encoder
from index.errors import NewsdeskError
from index.settings import Settings


def model_id(settings: Settings) -> str:
    """The id stored with an index, so a query with another model is caught."""
    if settings.embed_mode == "onnx":
        return ONNX_MODEL_ID
    if settings.embed_mode == "hash":
        from index.embedding.hashing import HASH_MODEL_ID

        return HASH_MODEL_ID
    return f"{settings.embed_mode}:{settings.embed_model or 'all-MiniLM-L6-v2'}"


def build_embed_model(settings: Settings) -> Any:
    """The llama-index embedding named by settings; optional packages load only when chosen."""
    from index.embedding import backends

    mode = settings.embed_mode
    if mode == "hash":
        from index.embedding.hashing import HashEmbedding

        return HashEmbedding()
    if mode == "onnx":
        return backends.onnx_embeddings(settings)
    if mode == "sentence-transformers":
        return backends.sentence_transformers(settings, model_id(settings))
    if mode == "openai":
        return backends.openai_embeddings(settings, model_id(settings))
    raise NewsdeskError(f"unknown EMBED_MODE {mode!r}")


def build_query_embedder(settings: Settings, one_shot: bool = False) -> Any:
    """What the query path embeds questions with: the bare encoder for the default
    backend (no llama-index import on a cold `ask`), else the configured llama-index model.
    one_shot: the process answers one question (see `MiniLMEncoder`'s optimize)."""
    if settings.embed_mode == "onnx":
        return index_encoder(settings, optimize=not one_shot)  # `index --watch` and /reindex share it
    return build_embed_model(settings)


def index_encoder(settings: Settings, optimize: bool = True) -> Any:
    """The packaged MiniLM for bulk indexing, on the device `EMBED_DEVICE` selects; on a
    GPU in batches of at least 64 (small batches leave it idle)."""
    batch = settings.embed_batch_size
    if settings.embed_device != "cpu":
        batch = max(batch, 64)
    return shared_encoder(settings.embed_threads, batch, settings.embed_device, optimize)
