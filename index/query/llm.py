"""Generative answers from an OpenAI-compatible endpoint or Ollama, checked before shown.

Every failure (down, slow past the timeout, HTTP 500, garbage) falls back to the
extractive answer with a one-line note; a marker pointing at no passage is removed; a
sentence its cited passage does not support is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from index.errors import MissingDependencyError, NewsdeskError
from index.query.answer import (
    MARKER,
    Answer,
    Source,
    abstain,
    best_sentence,
    cited_sentences,
    supported,
)
from index.query.deadline import DeadlineTransport, ResponseTooLarge, call_within
from index.query.prompts import Prompts, load_prompts
from index.query.retrieval import Passage
from index.redact import RedactedRepr, redact_url
from index.settings import Settings

OLLAMA_CONTEXT_WINDOW = 8192  # passages + question + answer fit with room to spare
# English runs ~4 characters per token; an answer past 8 per token of LLM_MAX_TOKENS means
# the endpoint ignored max_tokens (seen: a 10 MB answer of one sentence repeated).
CHARS_PER_TOKEN = 8


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

    # The whole response within LLM_TIMEOUT, and under a size cap (index/query/deadline.py).
    client = httpx.Client(transport=DeadlineTransport(settings.llm_timeout), timeout=settings.llm_timeout)
    bounded: dict[str, Any] = {"http_client": client}
    return RedactedOpenAILike(
        model=settings.llm_model,
        api_base=settings.llm_base_url,
        api_key=settings.llm_api_key.get_secret_value() or "not-needed",
        is_chat_model=True,
        timeout=settings.llm_timeout,
        max_retries=0,
        max_tokens=settings.llm_max_tokens,
        temperature=0.0,
        **bounded,
    )


def _complete(llm: Any, prompt: str, timeout: float) -> str:
    """The LLM's text, within LLM_TIMEOUT for the whole call (see index/query/deadline.py)."""
    return call_within(lambda: str(llm.complete(prompt).text or ""), timeout)


def max_answer_chars(settings: Settings) -> int:
    """The longest answer accepted: what LLM_MAX_TOKENS allows, with room to spare."""
    return settings.llm_max_tokens * CHARS_PER_TOKEN


def cap_answer(text: str, limit: int) -> tuple[str, bool]:
    """The text cut at the last sentence end within limit characters (True when cut)."""
    if len(text) <= limit:
        return text, False
    head = text[:limit]
    end = max(head.rfind(". "), head.rfind("] "), head.rfind("? "), head.rfind("! "))
    return (head[: end + 1] if end > 0 else head).rstrip(), True


def format_passages(passages: list[Passage]) -> str:
    return "\n\n".join(f"[{i}] {p.title}\n{p.text}" for i, p in enumerate(passages, start=1))


@dataclass
class Checked:
    """The LLM answer's claims that survived checking, and what was dropped."""

    claims: list[tuple[str, list[int]]] = field(default_factory=list)  # text, cited passages
    sentences: int = 0  # distinct sentences the LLM wrote
    unsupported: int = 0  # dropped: uncited, or not supported by what they cite
    repeated: int = 0  # dropped: the same sentence again


def _key(sentence: str) -> str:
    return " ".join(MARKER.sub("", sentence).lower().split())


def check_citations(text: str, passages: list[Passage]) -> Checked:
    """Keep sentences the passages they cite support; drop bad markers and repeats.

    A run of uncited sentences followed by a cited one is one claim under that citation
    ("A. B. C [1]." is how models often cite a paragraph): each sentence of the run is
    kept when a cited passage supports it, else dropped and counted. Sentences after the
    last marker cite nothing and are dropped: nothing is shown as cited that the LLM did
    not cite.
    """
    out = Checked()
    seen: set[str] = set()
    run: list[str] = []
    for bare, numbers in cited_sentences(text):
        key = _key(bare)
        if key in seen:
            out.repeated += 1
        else:
            seen.add(key)
            out.sentences += 1
            run.append(bare)
        if not numbers:
            continue
        cited = list(dict.fromkeys(n for n in numbers if 1 <= n <= len(passages)))
        kept: list[str] = []
        markers: list[int] = []
        for sentence in run:
            good = [n for n in cited if supported(sentence, passages[n - 1].text)]
            if good:
                kept.append(sentence)
                markers.extend(n for n in good if n not in markers)
        out.unsupported += len(run) - len(kept)
        if kept:
            out.claims.append((" ".join(kept), markers))
        run = []
    out.unsupported += len(run)
    return out


def llm_answer(
    settings: Settings, llm: Any, question: str, passages: list[Passage], fallback: Callable[[], Answer]
) -> Answer:
    """Ask the LLM; validate markers and support; fall back to extractive on any failure."""
    prompts = load_prompts(settings.prompts_dir)
    prompt = prompts.answer.format(
        passages=format_passages(passages), question=question, refusal=prompts.refusal
    )
    try:
        raw = _complete(llm, prompt, settings.llm_timeout).strip()
    except Exception as exc:  # timeouts, refused connections, 5xx: all mean "no LLM now"
        where = redact_url(settings.llm_base_url)
        return _fallback(fallback, f"the LLM at {where} failed ({_reason(exc)})")
    if not raw:
        return _fallback(fallback, "the LLM returned an empty answer")
    if _is_refusal(raw, prompts):
        return abstain(question, passages, "llm")
    limit = max_answer_chars(settings)
    raw, cut = cap_answer(raw, limit)
    checked = check_citations(raw, passages)
    if not checked.claims:
        why = "cited no passage" if not MARKER.search(raw) else "made claims its passages do not support"
        return _fallback(fallback, f"the LLM's answer {why}")
    numbering: dict[int, int] = {}
    claims: dict[int, str] = {}
    parts = []
    for sentence, cited in checked.claims:
        marks = "".join(f"[{numbering.setdefault(n, len(numbering) + 1)}]" for n in cited)
        for n in cited:
            claims.setdefault(n, sentence)
        parts.append(f"{sentence.rstrip()} {marks}")
    sources = [
        Source.from_passage(new, passages[old - 1], quote=best_sentence(claims[old], passages[old - 1].text))
        for old, new in numbering.items()
    ]
    notes = []
    if cut:
        notes.append(f"the LLM's answer was cut at {limit:,} characters (LLM_MAX_TOKENS)")
    if checked.unsupported:
        n = checked.unsupported
        notes.append(
            f"{n} of its sentences {'was' if n == 1 else 'were'} dropped: uncited, or not supported by the passage cited"
        )
    if checked.repeated:
        notes.append(f"{checked.repeated} repeated sentence{'' if checked.repeated == 1 else 's'} dropped")
    return Answer(
        question=question,
        text=" ".join(parts),
        sources=sources,
        abstained=False,
        mode="llm",
        note="; ".join(notes) + "." if notes else "",
        sentences=checked.sentences,
        unsupported=checked.unsupported,
    )


def _is_refusal(text: str, prompts: Prompts) -> bool:
    return text.strip().lower().startswith(prompts.refusal.strip().lower()[:30])


def _reason(exc: BaseException) -> str:
    """A few words on why the call failed (clients wrap the cause: look down the chain)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for error in chain:
        if isinstance(error, ResponseTooLarge):
            return str(error)
    for error in chain:
        name = type(error).__name__
        if isinstance(error, TimeoutError) or "timeout" in name.lower() or "timed out" in str(error).lower():
            return "timed out"
    status = getattr(exc, "status_code", None)
    return f"HTTP {status}" if status else type(exc).__name__


def _fallback(fallback: Callable[[], Answer], why: str) -> Answer:
    answer = fallback()
    answer.note = f"{why}; showing an extractive answer instead."
    return answer


class LLMCondenser:
    """Rewrites a follow-up with the condense prompt; failures fall back to the heuristic."""

    def __init__(self, settings: Settings, llm: Any) -> None:
        self.llm = llm
        self.template = load_prompts(settings.prompts_dir).condense
        self.timeout = settings.llm_timeout
        self.max_chars = settings.max_question_chars

    def condense(self, history: list[tuple[str, str]], question: str) -> str:
        lines = "\n".join(f"User: {q}\nAssistant: {MARKER.sub('', a).strip()}" for q, a in history)
        text = _complete(self.llm, self.template.format(history=lines, question=question), self.timeout)
        first = text.strip().strip('"').splitlines()[0] if text.strip() else ""
        return first if len(first) <= self.max_chars else ""  # a runaway rewrite: keep the heuristic
