"""Property-based tests: arbitrary bytes and text never crash, and the invariants hold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.errors import QuestionError
from index.evaluation import citations_valid
from index.ingest.articles import YAML_BLOCK_MARKERS, decoded, parse_article, unquoted
from index.ingest.indexer import run_index
from index.ingest.mojibake import repair
from index.query.answer import cited_sentences
from index.query.conversation import Conversation, carry_subject
from index.query.engine import Engine, validate_question
from index.settings import load_settings
from index.text import split_sentences

TEXTS = [
    "Blinken met Lavrov in Geneva on Friday. The talks were frank. No breakthrough was expected.",
    "Russia has massed 100,000 troops near Ukraine's border, U.S. officials said. NATO rejected Russia's demands.",
    "Scholz said Nord Stream 2 could be halted. The pipeline is in its final stage of construction.",
]


@pytest.fixture(scope="module")
def small_engine(tmp_path_factory: pytest.TempPathFactory, onnx_model: Any) -> Engine:
    """Three short articles, really indexed, answered by the real engine."""
    root: Path = tmp_path_factory.mktemp("small")
    (root / "corpus").mkdir()
    for i, text in enumerate(TEXTS):
        (root / "corpus" / f"{i}.txt").write_text(f"T{i}\n\n{text}\n", encoding="utf-8")
    settings = load_settings(corpus_dir=root / "corpus", index_dir=root / "index")
    run_index(settings, embed_model=onnx_model)
    return Engine(settings, embed_model=onnx_model)


ENCODINGS = st.sampled_from(["utf-8", "utf-16", "latin-1", "cp1252", "utf-8-sig", "cp1251"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_loader_never_crashes_on_bytes(data: bytes) -> None:
    try:
        article = parse_article("x/story.txt", data)
    except ValueError as exc:  # a reason for skipping
        assert str(exc)
        return
    assert article.text and article.title and "\r" not in article.text
    assert article.id == "x/story.txt" and len(article.content_hash) == 64


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000), ENCODINGS)
def test_loader_round_trips_encodings(text: str, encoding: str) -> None:
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    try:
        article = parse_article("a.md", data)
    except ValueError:
        return
    assert article.text and article.title


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["title", "url", "published", "outlet", "other"]),
        st.text(alphabet=st.characters(blacklist_characters="\n\r"), max_size=60),
        max_size=5,
    ),
    st.text(min_size=1, max_size=500).filter(lambda s: s.strip() and "---" not in s),
)
def test_front_matter(meta: dict[str, str], body: str) -> None:
    header = "---\n" + "".join(f"{k}: {v}\n" for k, v in meta.items()) + "---\n"
    try:
        article = parse_article("fm.md", (header + body).encode("utf-8"))
    except ValueError:
        return
    title = decoded(unquoted(repair(meta.get("title", "")).strip()))  # mojibake is put right
    yaml_syntax = (title.startswith("[") and title.endswith("]")) or title in YAML_BLOCK_MARKERS
    if title and len(title) <= 200 and not yaml_syntax:  # a list, or a block's marker
        assert article.title == title
    assert "---" not in article.text.split("\n", 1)[0] or not meta


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=3000))
def test_questions_are_validated_or_rejected(small_engine: Engine, text: str) -> None:
    try:
        question = validate_question(text, 2000)
    except QuestionError as exc:
        assert "empty" in str(exc) or "limit" in str(exc) or "no words" in str(exc)
        assert ("no words" in str(exc)) == (bool(text.strip()) and not any(c.isalnum() for c in text))
        return
    assert question == question.strip() and 0 < len(question) <= 2000
    answer = small_engine.ask(question)
    assert answer.text
    if not answer.abstained:
        assert citations_valid(answer)
        for sentence, numbers in cited_sentences(answer.text):
            assert numbers and any(sentence in TEXTS[int(answer.sources[n - 1].source[0])] for n in numbers)
    assert carry_subject("What did Blinken say?", question)
    Conversation().standalone(question)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=2000))
def test_sentence_split_keeps_text(text: str) -> None:
    assert "".join("".join(split_sentences(text)).split()) == "".join(text.split())
