"""Question sets and the metrics `newsdesk eval` reports.

A passage is *answer-bearing* when it comes from a gold source and contains every
answer-keyword group (any word of a group, case-insensitive).
"""

from __future__ import annotations

import json
import re
import statistics
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.errors import NewsdeskError


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    gold_sources: list[str]
    answer_keywords: list[list[str]]
    answerable: bool
    kind: str = ""  # e.g. "date-scoped" in the Reuters set; reported separately when present
    follows: str = ""  # id of the question this one follows up, in the same conversation


def load_questions(path: Path) -> list[EvalQuestion]:
    """Read a JSONL question set; a bad line is an error that names the line."""
    if not path.is_file():
        raise NewsdeskError(f"question file {path} does not exist")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise NewsdeskError(f"cannot read {path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise NewsdeskError(f"cannot read {path}: {exc.strerror or exc}") from None
    questions = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            questions.append(_question(json.loads(line), number))
        except (ValueError, KeyError, TypeError) as exc:
            raise NewsdeskError(f"{path}:{number}: not a question record ({exc})") from exc
    if not questions:
        raise NewsdeskError(f"{path} holds no questions")
    return questions


def _question(row: object, number: int) -> EvalQuestion:
    """One record, its types checked: `"answerable": "false"` or a keyword group written
    as a bare string would be read wrong (true; one group per letter) without a word."""
    if not isinstance(row, dict):
        raise TypeError(f"expected a JSON object, not {type(row).__name__}")
    question = row["question"]
    if not isinstance(question, str) or not question.strip():
        raise ValueError("question must be non-empty text")
    answerable = row.get("answerable", True)
    if not isinstance(answerable, bool):
        raise TypeError(f"answerable must be true or false, not {answerable!r}")
    gold = row.get("gold_sources", [])
    groups = row.get("answer_keywords", [])
    if (
        not isinstance(gold, list)
        or not isinstance(groups, list)
        or not all(isinstance(g, list) for g in groups)
    ):
        raise TypeError("gold_sources must be a list, answer_keywords a list of lists")
    return EvalQuestion(
        id=str(row.get("id", number)),
        question=question,
        gold_sources=[str(s) for s in gold],
        answer_keywords=[[str(w).lower() for w in g] for g in groups],
        answerable=answerable,
        kind=str(row.get("kind", "")),
        follows=str(row.get("follows", "")),
    )


def has_keywords(text: str, groups: list[list[str]]) -> bool:
    lowered = text.lower()
    return bool(groups) and all(any(w in lowered for w in group) for group in groups)


def source_stem(source: str) -> str:
    """How a `gold_sources` entry names a source: its path, less a .txt or .md suffix."""
    return source.rsplit(".", 1)[0] if source.endswith((".txt", ".md")) else source


def answer_bearing(q: EvalQuestion, text: str, sources: list[str]) -> bool:
    gold = set(q.gold_sources)
    return any(source_stem(s) in gold for s in sources) and has_keywords(text, q.answer_keywords)


def first_hit_rank(q: EvalQuestion, passages: list[tuple[str, list[str]]]) -> int | None:
    """1-based rank of the first answer-bearing (text, sources) passage, or None."""
    for rank, (text, sources) in enumerate(passages, start=1):
        if answer_bearing(q, text, sources):
            return rank
    return None


@dataclass
class RetrievalScores:
    hit1: float
    hit3: float
    mrr: float
    n: int


def retrieval_scores(ranks: list[int | None]) -> RetrievalScores:
    n = len(ranks) or 1
    return RetrievalScores(
        hit1=sum(1 for r in ranks if r == 1) / n,
        hit3=sum(1 for r in ranks if r is not None and r <= 3) / n,
        mrr=sum(1.0 / r for r in ranks if r) / n,
        n=len(ranks),
    )


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[min(98, max(0, int(pct) - 1))]


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Aggregate per-question rows (see Engine-driven `run_eval`) into the eval table."""
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    scores = retrieval_scores([r["rank"] for r in answerable])
    answered = [r for r in answerable if not r["abstained"]]
    sentences = sum(r["sentences"] for r in rows)
    unsupported = sum(r["unsupported"] for r in rows)
    cited = [r for r in rows if not r["abstained"]]
    seconds = [r["seconds"] for r in rows]
    return {
        "questions": len(rows),
        "hit@1": round(scores.hit1, 3),
        "hit@3": round(scores.hit3, 3),
        "mrr": round(scores.mrr, 3),
        "keyword_recall": round(sum(1 for r in answered if r["keywords_ok"]) / (len(answerable) or 1), 3),
        "first_sentence": round(sum(1 for r in answered if r["first_ok"]) / (len(answerable) or 1), 3),
        "citation_validity": round(sum(1 for r in cited if r["citations_valid"]) / (len(cited) or 1), 3),
        "unsupported_rate": round(unsupported / (sentences or 1), 3),
        "abstention_accuracy": round(
            sum(1 for r in rows if r["abstained"] != r["answerable"]) / (len(rows) or 1), 3
        ),
        "abstained_answerable": sum(1 for r in answerable if r["abstained"]),
        "answered_unanswerable": sum(1 for r in unanswerable if not r["abstained"]),
        "unanswerable_refused": round(
            sum(1 for r in unanswerable if r["abstained"]) / (len(unanswerable) or 1), 3
        ),
        "answerable_refused": round(sum(1 for r in answerable if r["abstained"]) / (len(answerable) or 1), 3),
        "p50_seconds": round(percentile(seconds, 50), 4),
        "p95_seconds": round(percentile(seconds, 95), 4),
        **_by_kind(rows),
    }


def _by_kind(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Keyword recall of each named kind of answerable question (e.g. date-scoped)."""
    out: dict[str, Any] = {}
    for kind in sorted({r["kind"] for r in rows if r["kind"] and r["answerable"]}):
        group = [r for r in rows if r["kind"] == kind]
        ok = sum(1 for r in group if r["keywords_ok"] and not r["abstained"])
        out[f"{kind}_correct"] = f"{ok}/{len(group)}"
    return out


METRICS = (
    "hit@1",
    "hit@3",
    "mrr",
    "keyword_recall",
    "first_sentence",
    "unanswerable_refused",
    "answerable_refused",
    "citation_validity",
    "unsupported_rate",
    "abstention_accuracy",
    "abstained_answerable",
    "answered_unanswerable",
    "p50_seconds",
    "p95_seconds",
)


def citations_valid(answer: Any) -> bool:
    """At least one marker, and every marker names a listed source."""
    from index.query.answer import MARKER

    numbers = {int(n) for n in MARKER.findall(answer.text)}
    return bool(numbers) and numbers <= {s.n for s in answer.sources}


def sentence_support(answer: Any) -> tuple[int, int]:
    """(sentences, unsupported): each sentence checked against the passages it cites."""
    from index.query.answer import cited_sentences, supported

    if answer.abstained:
        return 0, 0
    by_n = {s.n: s.text for s in answer.sources}
    sentences = cited_sentences(answer.text)
    bad = sum(
        1
        for sentence, numbers in sentences
        if not any(supported(sentence, by_n[n]) for n in numbers if n in by_n)
    )
    return len(sentences), bad


def first_claim(answer: Any) -> str:
    """The first quoted sentence (or claim) of an answer, without its marker."""
    from index.query.answer import cited_sentences

    pieces = cited_sentences(answer.text)
    return pieces[0][0] if pieces else ""


def sample(questions: list[EvalQuestion], n: int | None, seed: int = 7) -> list[EvalQuestion]:
    """A fixed random sample (same questions every run), keeping the file's order."""
    if not n or n >= len(questions):
        return questions
    import random

    chosen = set(random.Random(seed).sample(range(len(questions)), n))
    return [q for i, q in enumerate(questions) if i in chosen]


def as_typed(questions: list[EvalQuestion], how: str = "lower") -> list[EvalQuestion]:
    """The questions as people type them (`TYPED`): a set written carefully measures how
    much the answers depend on that care. Deterministic: the same slip for a question
    every run."""
    from dataclasses import replace

    return [replace(q, question=TYPED[how](q)) for q in questions]


def _lower(q: EvalQuestion) -> str:
    return q.question.lower().rstrip(" ?")


def _slip(q: EvalQuestion) -> str:
    """Two neighbouring letters swapped in a run of six lower-case letters or more (a word,
    or a name after its capital), neither the run's first letter nor its last."""
    text = q.question
    found = list(re.finditer(r"[a-z]{6,}", text))
    if not found:
        return text
    pick = zlib.crc32(q.id.encode("utf-8"))
    m = found[pick % len(found)]
    i = m.start() + 1 + (pick >> 8) % (len(m.group()) - 3)  # never the first or last letter
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def _keywords(q: EvalQuestion) -> str:
    """As typed into a search box: its content words, no wh-word, no question mark."""
    from index.text import is_content

    kept = [w for w in re.findall(r"[\w'’.-]+", q.question) if is_content(w.lower().strip("."))]
    return " ".join(w for w in kept if w.lower() not in _WH_WORDS)


def _request(q: EvalQuestion) -> str:
    text = q.question
    return "Can you tell me " + (text[:1].lower() + text[1:] if text[1:2].islower() else text)


_WH_WORDS = frozenset(["what", "which", "who", "whom", "whose", "when", "where", "why", "how"])
TYPED = {
    "lower": _lower,  # lower case, no question mark: as chat users often type
    "upper": lambda q: q.question.upper(),  # with caps lock on
    "slips": _slip,  # one slip of a finger
    "keywords": _keywords,  # as into a search box
    "request": _request,  # "Can you tell me who ...?"
}


def run_eval(engine: Any, questions: list[EvalQuestion], mode: str | None = None) -> dict[str, Any]:
    """The eval table of a question set (`summarize` over `eval_rows`)."""
    return summarize(eval_rows(engine, questions, mode))


def eval_rows(engine: Any, questions: list[EvalQuestion], mode: str | None = None) -> list[dict[str, Any]]:
    """Ask every question; retrieval is scored on the passages, answers on their text.
    A question that `follows` another is asked in that one's conversation."""
    from index.query.conversation import Conversation

    rows = []
    conversations: dict[str, Conversation] = {}
    for q in questions:
        conversation = conversations.get(q.follows) or Conversation()
        answer = engine.ask(q.question, mode=mode, conversation=conversation)
        conversations[q.id] = conversation
        passages = engine.search(answer.standalone_question or q.question)
        rank = first_hit_rank(q, [(p.text, p.sources) for p in passages]) if q.answerable else None
        sentences, unsupported = sentence_support(answer)
        first = first_claim(answer)
        rows.append(
            {
                "id": q.id,
                "question": q.question,
                "first": "" if answer.abstained else first,
                "answerable": q.answerable,
                "rank": rank,
                "abstained": answer.abstained,
                "keywords_ok": has_keywords(answer.text, q.answer_keywords),
                "first_ok": has_keywords(first, q.answer_keywords),
                "kind": q.kind,
                "citations_valid": citations_valid(answer),
                "sentences": sentences,
                "unsupported": unsupported,
                "seconds": answer.seconds,
            }
        )
    return rows


def misses(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The questions a run got wrong and how, in file order: where to start reading when
    a figure drops. `rank` is where the first answer-bearing passage was retrieved (None:
    not among them), which tells a retrieval miss from a reading one."""
    out = []
    for r in rows:
        if r["answerable"] and r["abstained"]:
            why = "refused"
        elif r["answerable"] and not r["keywords_ok"]:
            why = "answer lacks the keywords"
        elif r["answerable"] and not r["first_ok"]:
            why = "first sentence lacks the keywords"
        elif not r["answerable"] and not r["abstained"]:
            why = "answered, should have refused"
        else:
            continue
        keep = ("id", "question", "answerable", "rank", "first")
        out.append({"why": why, **{k: r[k] for k in keep}})
    return out
