"""The query engine: question in, `Answer` out. Loads the index once and answers many times."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from index.errors import NewsdeskError, QuestionError
from index.query.answer import Answer, abstain, evidence, extractive_answer
from index.query.retrieval import HybridRetriever, Passage
from index.settings import Settings
from index.store import bm25
from index.store.chroma import REBUILD_HINT, ChunkStore, open_active, state_signature

if TYPE_CHECKING:
    from index.query.conversation import Conversation

# Abstention. Measured on the seed corpus (dev set + tests/data/extra_questions.jsonl:
# 34 answerable, 7 unanswerable questions): the best passage's cosine was 0.20-0.75 for
# answerable questions and -0.01-0.18 for unanswerable ones; the share of the question's
# terms found together in one sentence was 0.50-1.0 vs 0.0-0.50. Neither separates the
# sets with a margin alone, so we answer when cosine >= 0.30 (clearly on topic), or when
# cosine >= 0.15 and at least 60% of the question's terms meet in one sentence.
MIN_COSINE = 0.30
WEAK_COSINE = 0.15
WEAK_COVERAGE = 0.6


def validate_question(question: str, max_chars: int) -> str:
    text = (question or "").strip()
    if not text:
        raise QuestionError("the question is empty: ask something about the articles")
    if len(text) > max_chars:
        raise QuestionError(
            f"the question is {len(text):,} characters long; the limit is {max_chars:,} "
            "(NEWSDESK_MAX_QUESTION_CHARS)"
        )
    return text


def should_abstain(question: str, passages: list[Passage]) -> bool:
    if not passages:
        return True
    ev = evidence(question, passages)
    if not ev.states_expected:
        return True
    if ev.top_cosine >= MIN_COSINE:
        return False
    return not (ev.top_cosine >= WEAK_COSINE and ev.coverage >= WEAK_COVERAGE)


class Engine:
    """Retrieval plus an answerer, built from settings; safe to share across threads.

    A long-lived engine (the Discord bot, `chat`) follows the index as an outside
    `newsdesk index` changes it: every run that changes content rewrites the state file,
    and the next question reopens the store (a fresh client: Chroma's cached one neither
    sees other processes' vectors nor survives `--full` deleting its collection).
    """

    def __init__(self, settings: Settings, embed_model: Any | None = None, llm: Any | None = None) -> None:
        self.settings = settings
        self._embed_model = embed_model
        self._llm = llm
        self._retriever: HybridRetriever | None = None
        self._signature: tuple[int, ...] = ()
        self._bm25_problem = ""
        self._fresh = False  # the next open must not reuse chromadb's cached client
        self._lock = threading.Lock()

    # -- loading -------------------------------------------------------------------------
    def retriever(self) -> HybridRetriever:
        """Open the index (again when it changed); check it was built with this embedding model."""
        with self._lock:
            signature = state_signature(self.settings.index_dir)
            if self._retriever is not None and signature != self._signature:
                self._retriever, self._fresh = None, True
            if self._retriever is None:
                store = open_active(self.settings, fresh=self._fresh)
                embed_model = self._embed_model or self._build_embed_model()
                self._check_model(store, embed_model)
                self._embed_model = embed_model
                lexical, self._bm25_problem = bm25.load_checked(self.settings.index_dir)
                self._retriever = HybridRetriever(store, embed_model, lexical)
                self._signature, self._fresh = signature, False
            return self._retriever

    def reload(self) -> None:
        """Drop the loaded index so the next question sees a rebuilt one."""
        with self._lock:
            self._retriever, self._fresh = None, True

    def _build_embed_model(self) -> Any:
        from index.embedding import build_query_embedder

        return build_query_embedder(self.settings)

    @staticmethod
    def _check_model(store: ChunkStore, embed_model: Any) -> None:
        built_with = store.metadata.get("embed_model")
        if built_with != embed_model.model_name:
            raise NewsdeskError(
                f"the index was built with embedding model {built_with!r} but settings select "
                f"{embed_model.model_name!r}: rebuild it with `newsdesk index --full`"
            )

    # -- answering -----------------------------------------------------------------------
    def search(self, question: str, top_k: int | None = None) -> list[Passage]:
        question = validate_question(question, self.settings.max_question_chars)
        for attempt in (1, 2):
            try:
                return self.retriever().retrieve(question, top_k or self.settings.top_k)
            except NewsdeskError:
                raise
            except Exception as exc:  # a store that vanished or broke under us
                if attempt == 1:  # e.g. an outside `index --full` dropped the collection just now
                    self.reload()
                    continue
                raise NewsdeskError(
                    f"the index could not be searched ({type(exc).__name__}: {exc}); {REBUILD_HINT}"
                ) from exc
        raise AssertionError("unreachable")

    def ask(
        self,
        question: str,
        conversation: Conversation | None = None,
        mode: str | None = None,
        top_k: int | None = None,
    ) -> Answer:
        """Answer a question (a follow-up when a conversation is given)."""
        started = time.perf_counter()
        question = validate_question(question, self.settings.max_question_chars)
        mode = mode or self.settings.llm_mode
        standalone = question
        if conversation is not None:
            standalone = conversation.standalone(question, self._condenser(mode))
        passages = self.search(standalone, top_k)
        if should_abstain(standalone, passages):
            answer = abstain(question, passages, mode)
        elif mode == "llm":
            from index.query.llm import llm_answer

            answer = llm_answer(self.settings, self._get_llm(), standalone, passages)
        else:
            answer = extractive_answer(standalone, passages, mode)
        answer.question = question
        answer.standalone_question = standalone
        self._note_bm25_damage(answer)
        answer.seconds = time.perf_counter() - started
        if conversation is not None:
            conversation.record(question, standalone, answer)
        return answer

    def _note_bm25_damage(self, answer: Answer) -> None:
        """A damaged BM25 is left out of retrieval; the answer says so."""
        retriever = self._retriever
        problem = self._bm25_problem or getattr(retriever and retriever.bm25, "problem", "")
        if not problem:
            return
        note = f"the keyword index is damaged ({problem}); answered from vectors alone; `newsdesk index` repairs it."
        answer.note = f"{answer.note} {note[0].upper()}{note[1:]}" if answer.note else note

    def _get_llm(self) -> Any:
        if self._llm is None:
            from index.query.llm import build_llm

            self._llm = build_llm(self.settings)
        return self._llm

    def _condenser(self, mode: str) -> Any:
        if mode != "llm":
            return None
        from index.query.llm import LLMCondenser

        return LLMCondenser(self.settings, self._get_llm())
