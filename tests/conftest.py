"""Shared fixtures: a temp corpus of the seed articles, settings pointing at temp dirs,
one real ONNX embedding model per session, and an embedding wrapper that counts calls."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from llama_index.core.embeddings import BaseEmbedding
from pydantic import PrivateAttr

from index.embedding.onnx import Encoded, MiniLMEncoder
from index.settings import Settings, load_settings

if TYPE_CHECKING:
    from index.query.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
SEED_CORPUS = ROOT / "corpus"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's .env or NEWSDESK_* variables."""
    for key in list(os.environ):
        if key.startswith(("NEWSDESK_", "LLM_", "EMBED_", "CHROMA_", "DISCORD_")):
            monkeypatch.delenv(key, raising=False)
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)


@pytest.fixture(autouse=True)
def _forget_test_stores(tmp_path: Path) -> Iterator[None]:
    """chromadb keeps every on-disk store a process opened, files and all, for the life of
    the process: a test worker that has run a few hundred tests held over 1,000 descriptors.
    The stores of a test's own temp dir are let go when it ends (a long-lived newsdesk
    opens one index, so only tests gather them)."""
    yield
    from chromadb.api.shared_system_client import SharedSystemClient

    systems = SharedSystemClient._identifier_to_system
    for key in [k for k in systems if k.startswith(str(tmp_path))]:
        system = systems.pop(key)
        with contextlib.suppress(Exception):  # a store a test broke on purpose
            system.stop()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, target)
    return target


@pytest.fixture
def make_settings(tmp_path: Path, corpus: Path) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {"corpus_dir": corpus, "index_dir": tmp_path / "index"}
        values.update(overrides)
        return load_settings(**values)

    return make


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


MEMO_MIN_CHARS = 200  # chunks, not questions: tests that count a question's passes see them all


class RememberingEncoder(MiniLMEncoder):
    """The real packaged MiniLM, remembering what it made of each chunk-sized text for the
    rest of the test process: most indexing tests index the same seed articles again, and
    the model's passes over them were most of their time. A text it has not seen goes
    through the model; a remembered one gets exactly what the model gave for it."""

    memo: dict[str, Encoded] = {}  # one for the process, across sessions and settings
    remembering = True  # off (fixture `every_pass`) for tests that count the model's passes

    def _run(self, texts: list[str], keep_tokens: bool) -> Iterator[tuple[int, Encoded]]:
        if not self.remembering:
            yield from super()._run(texts, keep_tokens)
            return
        todo = [t for t in dict.fromkeys(texts) if len(t) < MEMO_MIN_CHARS or t not in self.memo]
        fresh: dict[str, Encoded] = {}
        for i, encoded in super()._run(todo, keep_tokens=True):
            fresh[todo[i]] = encoded
            if len(todo[i]) >= MEMO_MIN_CHARS and len(self.memo) < 50_000:
                self.memo[todo[i]] = encoded
        for i, text in enumerate(texts):
            encoded = fresh.get(text) or self.memo[text]
            yield i, encoded if keep_tokens else Encoded(encoded.vector, None, [])


@pytest.fixture(scope="session", autouse=True)
def _remembering_shared_encoders() -> Iterator[None]:
    """The encoders the code builds for itself (`shared_encoder`) remember too."""
    from index.embedding import onnx

    @lru_cache(maxsize=4)
    def remembering(threads: int, batch_size: int, device: str, optimize: bool) -> MiniLMEncoder:
        return RememberingEncoder(threads=threads, batch_size=batch_size, device=device, optimize=optimize)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(onnx, "_shared_encoder", remembering)
        yield


_ANNOTATED: dict[str, Any] = {}  # text -> what spaCy made of it, for the test process
_ANNOTATING = {"remember": True}  # off (fixture `every_reading`) for a test that times spaCy


@pytest.fixture(scope="session", autouse=True)
def _remembering_annotations() -> Iterator[None]:
    """spaCy's reading of each article, remembered for the rest of the test process, as the
    model's output is: indexing tests index the same seed articles again and again, and
    waiting on spaCy was a fifth of the unit tests' time. A text it has not seen goes
    through the real pipeline; a remembered one gets a copy of exactly what it gave.
    `tests/test_nlp.py` imports the real `annotate` and so always runs the pipeline."""
    from dataclasses import replace

    from index.ingest import nlp

    real = nlp.annotate

    def remembering(texts: Iterable[str]) -> Iterator[nlp.Annotation]:
        texts = list(texts)
        if not _ANNOTATING["remember"]:
            yield from real(texts)
            return
        todo = [t for t in dict.fromkeys(texts) if t not in _ANNOTATED]
        _ANNOTATED.update(zip(todo, real(todo)))
        for text in texts:
            found = _ANNOTATED[text]
            yield replace(found, sentences=list(found.sentences), entities=list(found.entities))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(nlp, "annotate", remembering)
        yield


@pytest.fixture
def every_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every article goes through spaCy, for a test that times or counts its work."""
    monkeypatch.setitem(_ANNOTATING, "remember", False)


@pytest.fixture
def every_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every text goes through the model, for a test that counts what reaches it."""
    monkeypatch.setattr(RememberingEncoder, "remembering", False)


@pytest.fixture(scope="session")
def onnx_model() -> Any:
    from index.embedding.backends import OnnxMiniLMEmbedding

    return OnnxMiniLMEmbedding(encoder=RememberingEncoder())


class CountingEmbedding(BaseEmbedding):
    """Wraps a real model; counts texts embedded and can fail on demand."""

    texts_embedded: int = 0
    fail_after: int | None = None  # raise once this many texts were embedded
    _inner: Any = PrivateAttr()

    def __init__(self, inner: Any, **kwargs: Any) -> None:
        super().__init__(model_name=inner.model_name, embed_batch_size=256, **kwargs)
        self._inner = inner

    def _check(self, n: int) -> None:
        if self.fail_after is not None and self.texts_embedded + n > self.fail_after:
            raise RuntimeError("simulated embedding failure")
        self.texts_embedded += n

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._inner.get_query_embedding(query)  # type: ignore[no-any-return]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        self._check(1)
        return self._inner.get_text_embedding(text)  # type: ignore[no-any-return]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        self._check(len(texts))
        return self._inner.get_text_embedding_batch(texts)  # type: ignore[no-any-return]


@pytest.fixture
def counting(onnx_model: Any) -> Iterator[CountingEmbedding]:
    yield CountingEmbedding(onnx_model)


@pytest.fixture(scope="session")
def _seed_index(tmp_path_factory: pytest.TempPathFactory, onnx_model: Any) -> Path:
    """The seed corpus indexed once per test process (spaCy and the model take seconds)."""
    from index.ingest.indexer import run_index
    from index.store.chroma import forget_client

    root = tmp_path_factory.mktemp("seed-index")
    shutil.copytree(SEED_CORPUS, root / "corpus")
    with pytest.MonkeyPatch.context() as patch:
        for key in list(os.environ):
            if key.startswith(("NEWSDESK_", "LLM_", "EMBED_", "CHROMA_", "DISCORD_")):
                patch.delenv(key)
        settings = load_settings(corpus_dir=root / "corpus", index_dir=root / "index")
        run_index(settings, embed_model=onnx_model)
    forget_client(settings.chroma_path)
    return root / "index"


@pytest.fixture
def built_index(settings: Settings, _seed_index: Path) -> Settings:
    """The seed corpus indexed into a temp dir (a copy of one build: same files, stats and all)."""
    shutil.copytree(_seed_index, settings.index_dir)
    return settings


@pytest.fixture
def llm_engine(make_settings: Callable[..., Settings], onnx_model: Any, _seed_index: Path) -> Any:
    """An engine in llm mode against a tests/openai_server.py server, over the seed index."""
    from index.query.engine import Engine

    def make(server: Any, timeout: float = 5.0, backend: str = "openai-like", **overrides: Any) -> Engine:
        settings = make_settings(
            llm_mode="llm",
            llm_backend=backend,
            llm_base_url=server.root_url if backend == "ollama" else server.base_url,
            llm_model="test-model",
            llm_timeout=timeout,
            **overrides,
        )
        if not settings.index_dir.exists():
            shutil.copytree(_seed_index, settings.index_dir)
        return Engine(settings, embed_model=onnx_model)

    return make


@pytest.fixture
def engine_over(tmp_path: Path, onnx_model: Any) -> Callable[[dict[str, str]], Any]:
    """An Engine over a corpus of the given files ({name: text}), really indexed."""
    from index.ingest.indexer import run_index
    from index.query.engine import Engine

    def make(files: dict[str, str], **overrides: Any) -> Any:
        corpus = tmp_path / "texts"
        corpus.mkdir(exist_ok=True)
        for name, text in files.items():
            (corpus / name).write_text(text, encoding="utf-8")
        settings = load_settings(corpus_dir=corpus, index_dir=tmp_path / "texts-index", **overrides)
        run_index(settings, embed_model=onnx_model)
        return Engine(settings, embed_model=onnx_model)

    return make
