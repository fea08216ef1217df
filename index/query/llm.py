"""Generative answers from an OpenAI-compatible endpoint or Ollama, checked before shown.

Every failure (down, slow past the timeout, HTTP 500, garbage) falls back to the
extractive answer with a one-line note; a marker pointing at no passage is removed; a
sentence its cited passage does not support is dropped.
"""

from __future__ import annotations

from typing import Any

from index.errors import MissingDependencyError, NewsdeskError
from index.query.answer import (
    MARKER,
    Answer,
    Source,
    abstain,
    best_sentence,
    cited_sentences,
    extractive_answer,
    supported,
)
from index.query.prompts import Prompts, load_prompts
from index.query.retrieval import Passage
from index.redact import RedactedRepr, redact_url
from index.settings import Settings

OLLAMA_CONTEXT_WINDOW = 8192  # passages + question + answer fit with room to spare


def build_llm(settings: Settings) -> Any:
    """The LLM named by LLM_BACKEND; Ollama's package is only imported when chosen."""
    if not settings.llm_model:
        raise NewsdeskError("LLM_MODE=llm needs LLM_MODEL (the model name the endpoint serves)")
    if settings.llm_backend == "ollama":
        try:
            from llama_index.llms.ollama import Ollama
        except ImportError as exc:
            raise MissingDependencyError(
                "the Ollama backend is not installed", "pip install 'newsdesk[ollama]'"
            ) from exc

        class RedactedOllama(RedactedRepr, Ollama):
            """Ollama whose repr() hides credentials in its base URL."""

        return RedactedOllama(
            model=settings.llm_model,
            base_url=settings.llm_base_url,
            request_timeout=settings.llm_timeout,
            temperature=0.0,
            # Left at -1, llama-index asks /api/show for the model's full context (128k for
            # llama3.1) and sends it as num_ctx: Ollama then reserves a KV cache that size.
            context_window=OLLAMA_CONTEXT_WINDOW,
            additional_kwargs={"num_predict": settings.llm_max_tokens},
        )
    from llama_index.llms.openai_like import OpenAILike

    class RedactedOpenAILike(RedactedRepr, OpenAILike):
        """OpenAILike whose repr() shows neither the API key nor credentials in the URL."""

    return RedactedOpenAILike(
        model=settings.llm_model,
        api_base=settings.llm_base_url,
        api_key=settings.llm_api_key.get_secret_value() or "not-needed",
        is_chat_model=True,
        timeout=settings.llm_timeout,
        max_retries=0,
        max_tokens=settings.llm_max_tokens,
        temperature=0.0,
    )


def _complete(llm: Any, prompt: str) -> str:
    return str(llm.complete(prompt).text or "")


def format_passages(passages: list[Passage]) -> str:
    return "\n\n".join(f"[{i}] {p.title}\n{p.text}" for i, p in enumerate(passages, start=1))


def check_citations(text: str, passages: list[Passage]) -> tuple[list[tuple[str, list[int]]], int]:
    """Keep sentences whose cited passages support them; drop bad markers.

    A sentence with no valid marker is unsupported: nothing is shown as cited that the
    LLM did not cite.

    Returns (kept sentences with their markers, number of unsupported sentences).
    """
    kept: list[tuple[str, list[int]]] = []
    unsupported = 0
    for bare, numbers in cited_sentences(text):
        cited = [n for n in numbers if 1 <= n <= len(passages)]
        good = [n for n in dict.fromkeys(cited) if supported(bare, passages[n - 1].text)]
        if not good:
            unsupported += 1
            continue
        kept.append((bare, good))
    return kept, unsupported


def llm_answer(settings: Settings, llm: Any, question: str, passages: list[Passage]) -> Answer:
    """Ask the LLM; validate markers and support; fall back to extractive on any failure."""
    prompts = load_prompts(settings.prompts_dir)
    prompt = prompts.answer.format(
        passages=format_passages(passages), question=question, refusal=prompts.refusal
    )
    try:
        raw = _complete(llm, prompt).strip()
    except Exception as exc:  # timeouts, refused connections, 5xx: all mean "no LLM now"
        where = redact_url(settings.llm_base_url)
        return _fallback(question, passages, f"the LLM at {where} failed ({_reason(exc)})")
    if not raw:
        return _fallback(question, passages, "the LLM returned an empty answer")
    if _is_refusal(raw, prompts):
        return abstain(question, passages, "llm")
    kept, unsupported = check_citations(raw, passages)
    if not kept:
        why = "cited no passage" if not MARKER.search(raw) else "made claims its passages do not support"
        return _fallback(question, passages, f"the LLM's answer {why}")
    numbering: dict[int, int] = {}
    claims: dict[int, str] = {}
    parts = []
    for sentence, cited in kept:
        marks = "".join(f"[{numbering.setdefault(n, len(numbering) + 1)}]" for n in cited)
        for n in cited:
            claims.setdefault(n, sentence)
        body = sentence.rstrip()
        parts.append(f"{body} {marks}")
    sources = [
        Source.from_passage(new, passages[old - 1], quote=best_sentence(claims[old], passages[old - 1].text))
        for old, new in numbering.items()
    ]
    return Answer(
        question=question,
        text=" ".join(parts),
        sources=sources,
        abstained=False,
        mode="llm",
        sentences=len(kept) + unsupported,
        unsupported=unsupported,
    )


def _is_refusal(text: str, prompts: Prompts) -> bool:
    return text.strip().lower().startswith(prompts.refusal.strip().lower()[:30])


def _reason(exc: Exception) -> str:
    name = type(exc).__name__
    if "timeout" in name.lower() or "timed out" in str(exc).lower():
        return "timed out"
    status = getattr(exc, "status_code", None)
    return f"HTTP {status}" if status else name


def _fallback(question: str, passages: list[Passage], why: str) -> Answer:
    answer = extractive_answer(question, passages, mode="extractive")
    answer.note = f"{why}; showing an extractive answer instead."
    return answer


class LLMCondenser:
    """Rewrites a follow-up with the condense prompt; failures fall back to the heuristic."""

    def __init__(self, settings: Settings, llm: Any) -> None:
        self.llm = llm
        self.template = load_prompts(settings.prompts_dir).condense

    def condense(self, history: list[tuple[str, str]], question: str) -> str:
        lines = "\n".join(f"User: {q}\nAssistant: {MARKER.sub('', a).strip()}" for q, a in history)
        text = _complete(self.llm, self.template.format(history=lines, question=question))
        return text.strip().strip('"').splitlines()[0] if text.strip() else ""
