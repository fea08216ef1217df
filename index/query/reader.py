"""One question read against the index: candidates, features, the model's probabilities.

A `Reading` is everything the answer, `search`, the LLM path and `newsdesk eval` need:
the ranked passages, every candidate sentence with P(it states the answer), and
P(the articles answer the question at all).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from index.embedding.onnx import bare_encoder
from index.embedding.token_states import content_tokens, project
from index.query.acronyms import acronyms, asked_long_forms, spelled_out
from index.query.asked import without_questions
from index.query.candidates import Article, gather, idf_weights
from index.query.counts import without_other_counts
from index.query.features import QuestionVectors, Row, feature_rows
from index.query.misnamed import Misnamed, misnamed
from index.query.model import AnswerModel, abstain_features
from index.query.names import without_other_names
from index.query.negations import without_negated
from index.query.opposites import without_opposites
from index.query.owners import without_other_owners
from index.query.periods import Periods, periods, without_other_periods
from index.query.question import Question, analyze, foreign_language, with_question_mark
from index.query.retrieval import HybridRetriever, Passage, collapse_duplicates
from index.query.roles import unstated_role
from index.query.scope import Scope
from index.query.spelling import months_as_written, respelt
from index.query.titles import without_other_titles
from index.query.truecase import never_lower, truecase, uncased
from index.query.unknown import unknown_names, unstated_names
from index.store.chroma import chunk_id
from index.store.sentences import SentenceStore
from index.text import fold, stem

# Below this, the likeliest sentence left is no answer whatever the abstain model says.
# Read off the SQuAD training questions, not the dev sets: of the 3,804 answerable ones the
# shipped weights answer, none has its likeliest sentence under 0.05 (one under 0.08); 5
# of the 139 unanswerable ones it answers do (docs/answer-quality.md: "The least likely answer").
LEAST_LIKELY = 0.05
# A name this many articles hold (and this share of them) is not checked in the one quoted
COMMON_NAME_ARTICLES = 50
COMMON_NAME_SHARE = 0.05


@dataclass
class Reading:
    question: Question
    passages: list[Passage]  # best first: chunks holding the likeliest sentences, then by fused score
    articles: list[Article]
    rows: list[Row]
    X: np.ndarray
    probabilities: np.ndarray  # per row: P(the sentence states the answer)
    answerable: float  # P(the articles answer the question)
    foreign: str | None = None  # why the question is not English, when it isn't
    first: int | None = None  # the row to quote first, when not the likeliest (AnswerModel.first)
    unknown: tuple[str, ...] = ()  # names of the question no article mentions (index.query.unknown)
    role: str = ""  # a role asked about that no article about its subject names (index.query.roles)
    # names of the question the article it would quote first never states (unknown.unstated_names)
    elsewhere: tuple[str, ...] = ()
    misnamed: Misnamed | None = None  # a fixed name the question writes otherwise (index.query.misnamed)

    def ranked_rows(self) -> list[tuple[float, Row]]:
        """Rows by probability, the one chosen to be quoted first ahead of them."""
        order = [int(i) for i in np.argsort(-self.probabilities, kind="stable")]
        if self.first is not None:
            order = [self.first] + [i for i in order if i != self.first]
        return [(float(self.probabilities[i]), self.rows[i]) for i in order]


@dataclass
class Gathered:
    """A question's candidates before any model looks at them (what training stores)."""

    question: Question
    foreign: str | None
    pool: list[Passage]
    idf: dict[str, float]
    articles: list[Article]
    vectors: QuestionVectors
    periods: Periods  # the months, years and quarters the question asks about
    unknown: tuple[str, ...] = ()  # names of the question no article mentions
    misnamed: Misnamed | None = None  # a fixed name the question writes otherwise


class Reader:
    def __init__(
        self, retriever: HybridRetriever, sentences: SentenceStore, model: AnswerModel | None, encoder: Any
    ) -> None:
        """encoder: the packaged MiniLM (`MiniLMEncoder`), for the question's token states."""
        self.retriever, self.sentences, self.model, self.encoder = retriever, sentences, model, encoder
        self.same_model = bare_encoder(retriever.embed_model) is encoder  # one pass embeds for both

    def read(self, text: str, scope: Scope | None = None, asked: str = "") -> Reading:
        # Months as the articles write them: in serving only, as no training question but one
        # abbreviates a month ("Aug 29, 2011")
        text = months_as_written(text, self._frequencies)
        asked = months_as_written(asked, self._frequencies) if asked else asked
        return self.score(self.gather(text, scope, asked))

    def gather(self, text: str, scope: Scope | None = None, asked: str = "") -> Gathered:
        """scope: dates/outlet the candidates must have (index.query.scope); None for all.
        asked: the question as the user wrote it, when `text` has its dates taken out
        because they became the scope: the periods it names still hold for the answer."""
        foreign = foreign_language(asked or text)
        if not foreign:
            # A word no article holds, one typing slip from one they do, is read as that
            # word (docs/answer-quality.md: "Typed with a slip"); the dates taken out of it likewise.
            text = respelt(text, self._frequencies, self.sentences.in_a_title)
            asked = respelt(asked, self._frequencies, self.sentences.in_a_title) if asked else asked
        question = analyze(text)
        # Embedded as a question: every question the model was trained on ends in "?", and
        # one typed without it moves the cosines the features read (docs/answer-quality.md: "Typed without
        # a question mark").
        encoded = self.encoder.encode([with_question_mark(text)])[0]
        pool = self.retriever.candidates(
            self._with_acronyms(text, question), encoded.vector.tolist() if self.same_model else None, scope
        )
        idf = idf_weights(question, self.sentences)
        articles = gather(question, pool, self.sentences, idf)  # fuses each passage's score
        if uncased(text):  # names and focus read from the articles' capitals, text as typed
            cased = truecase(text, (s.stored.text for a in articles for s in a.sentences))
            question = replace(analyze(cased), text=text, cased=cased)
        pool = collapse_duplicates(sorted(pool, key=lambda p: p.score, reverse=True))
        return Gathered(
            question,
            foreign,
            pool,
            idf,
            articles,
            self._vectors(text, encoded, idf),
            periods(asked or text, asked=True),
            tuple(
                name
                for name in unknown_names(
                    asked or text,
                    self._frequencies,
                    self.sentences.terms_near,
                    self.sentences.hyphenated_with,
                )
                if not self.sentences.in_a_title(name)
            ),
            self._misnamed(asked or text) if not foreign else None,
        )

    def _misnamed(self, text: str) -> Misnamed | None:
        keywords = self.retriever.bm25
        if keywords is None:
            return None
        return misnamed(text, keywords.written_near, keywords.texts_holding)

    def _with_acronyms(self, text: str, question: Question) -> str:
        """The text to search with: the question, and the acronym of a name it writes out
        when the articles write that ("International Monetary Fund": "IMF"), so the keyword
        search finds the articles that only write it so."""
        forms = {initials for initials, _ in asked_long_forms(question.as_read)} - set(question.terms)
        found = sorted(t for t, n in self._frequencies(forms).items() if n) if forms else []
        return " ".join([text, *(t.upper() for t in found)])

    @staticmethod
    def _unstated(g: Gathered, article: Article) -> tuple[str, ...]:
        """The question's names the article never states; of a question typed in lower
        case, only those the candidates always capitalise (`never_lower`)."""
        typed = unstated_names(g.question.text, article.terms, _source_of(article))
        if not g.question.cased:
            return typed
        sure = never_lower(g.question.text, (s.stored.text for a in g.articles for s in a.sentences))
        cased = unstated_names(g.question.cased, article.terms, _source_of(article))
        return tuple(dict.fromkeys([*typed, *(name for name in cased if fold(name) in sure)]))

    def _uncommon(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """The names not among the collection's most common: a wire writes "domestic sales"
        where a question says "United States sales", and a name in one article in twenty
        says little by its absence from one more."""
        if not names:
            return names
        df, total = self.sentences.document_frequencies([stem(fold(name)) for name in names])
        common = max(COMMON_NAME_ARTICLES, COMMON_NAME_SHARE * total)
        return tuple(name for name in names if df.get(stem(fold(name)), 0) < common)

    def _frequencies(self, terms: Iterable[str]) -> dict[str, int]:
        return self.sentences.document_frequencies(terms)[0]

    def score(self, g: Gathered) -> Reading:
        model = self.model
        assert model is not None
        X, rows = feature_rows(
            g.question, g.vectors, g.articles, g.idf, model.expected_types(g.question.head)
        )
        _, unchecked = model.sentence_probabilities(X)
        probabilities, answering = without_questions(rows, _stating(g, rows, unchecked))
        evidence = abstain_features(X, probabilities, model.features, unchecked)
        vector = np.asarray([[evidence[n] for n in model.abstain.names]], dtype=np.float32)
        # Every candidate ruled out by the checks, a name the articles never mention, or
        # nothing left the model finds at all likely to state the answer (the checks took
        # the sentences that matched, and the abstain model reads that as "the topic is
        # here": a cabinet question answered "Snow closed the mountain pass."), or a role
        # the question asks who holds that no article about its subject names: nothing is
        # left that could answer.
        role = unstated_role(g.question, g.articles)
        ruled_out = (
            not len(rows)
            or float(probabilities.max()) < LEAST_LIKELY
            or bool(g.unknown)
            or bool(role)
            or g.misnamed is not None
        )
        answerable = 0.0 if ruled_out else float(model.abstain.probability(vector)[0])
        if answering:  # the text asks the question itself: its answer is the paragraph under it
            scores = (
                model.first.predict(X[answering]) if model.first is not None else -np.arange(len(answering))
            )
            first: int | None = answering[int(np.argmax(scores))]
        else:
            first = model.first_sentence(X, probabilities)
            first = naming_first(g.question, rows, probabilities, first, model, X)
        # Quoted from an article that never names what the question is about, the answer
        # would be another story's ("the Chile earthquake" answered with Ecuador's toll):
        # `naming_first` has looked for a likely sentence of an article that names it. The
        # capitals the reader restores to a lower-cased question are guesses ("sharp's New"):
        # only the sure ones count (`_unstated`).
        elsewhere = (
            self._uncommon(self._unstated(g, rows[first].article))
            if first is not None and not answering and not ruled_out
            else ()
        )
        if elsewhere:
            answerable = 0.0
        passages = self._rank_passages(g.pool, rows, probabilities, first)
        return Reading(
            g.question,
            passages,
            g.articles,
            rows,
            X,
            probabilities,
            answerable,
            g.foreign,
            first,
            g.unknown,
            role=role,
            elsewhere=elsewhere,
            misnamed=g.misnamed,
        )

    def _vectors(self, text: str, encoded: Any, idf: dict[str, float]) -> QuestionVectors:
        kept = content_tokens(text, encoded.offsets)
        tokens = project(encoded.hidden[[row for row, _ in kept]]) if kept else np.zeros((0, 128), np.float32)
        top = max(idf.values(), default=1.0)
        weights = np.asarray([idf.get(stem(word), top) for _, word in kept], dtype=np.float32)
        weights = weights / weights.sum() if weights.size and weights.sum() > 0 else weights
        stems = tuple(stem(word) for _, word in kept)
        return QuestionVectors(encoded.vector.astype(np.float32), tokens, weights, stems)

    def _rank_passages(
        self, pool: list[Passage], rows: list[Row], probabilities: np.ndarray, first: int | None = None
    ) -> list[Passage]:
        """The chunk of the sentence quoted first, then chunks by their likeliest sentence
        (fetching a neighbour chunk that holds one), then the rest of the pool by fused score."""
        best: dict[tuple[str, str, int], float] = {}
        for p, row in zip(probabilities, rows):
            key = (row.article.article_id, row.article.content_hash, row.sentence.stored.chunk)
            best[key] = max(best.get(key, 0.0), float(p))
        lead = None
        if first is not None:
            row = rows[first]
            lead = (row.article.article_id, row.article.content_hash, row.sentence.stored.chunk)
        by_key = {
            (str(p.metadata.get("article_id")), str(p.metadata.get("content_hash")), int(p.metadata.get("position", 0))): p
            for p in pool
        }  # fmt: skip
        ranked_keys = sorted(best, key=lambda k: (k == lead, best[k]), reverse=True)
        missing = [chunk_id(*k) for k in ranked_keys[:10] if k not in by_key]
        if missing:
            for hit in self.retriever.chunks(missing):
                m = hit.metadata
                by_key[(str(m.get("article_id")), str(m.get("content_hash")), int(m.get("position", 0)))] = (
                    Passage.of_hit(hit)
                )
        out: list[Passage] = []
        seen: set[str] = set()
        for key in ranked_keys:
            p = by_key.get(key)
            if p is not None and p.chunk_id not in seen:
                p.score = best[key]
                out.append(p)
                seen.add(p.chunk_id)
        rest = sorted((p for p in pool if p.chunk_id not in seen), key=lambda p: p.score, reverse=True)
        for p in rest:
            p.score = 0.0  # not among the articles read: no answer probability
        return out + rest


def agreeing(g: Gathered, rows: list[Row], probabilities: np.ndarray) -> np.ndarray:
    """The model's probabilities after the checks it cannot make from word overlap: 0 for
    sentences that state another period, another name, owner or title, the opposite or
    another count than the question, or what the question denies, or that ask rather than
    state (`index.query.asked`; training applies the same, so the abstain model learns from
    what serving sees)."""
    return without_questions(rows, _stating(g, rows, probabilities))[0]


def _stating(g: Gathered, rows: list[Row], probabilities: np.ndarray) -> np.ndarray:
    """The period, name, owner, title, opposite and count checks: what a sentence states against the question."""
    probabilities = without_other_periods(g.periods, rows, probabilities)
    probabilities = without_other_names(g.question.as_read, rows, probabilities)
    probabilities = without_other_owners(g.question.as_read, rows, probabilities)
    probabilities = without_other_titles(g.question.as_read, rows, probabilities)
    probabilities = without_opposites(g.question.text, rows, probabilities)
    probabilities = without_negated(g.question.as_read, rows, probabilities)
    return without_other_counts(g.question.text, rows, probabilities)


def _states(article: Article, names: frozenset[str], question: Question) -> bool:
    """Does the article state every one of the names, an acronym written out counting
    ("gross domestic product" for "GDP")?"""
    missing = names - article.terms
    if not missing:
        return True
    spelled = acronyms(question.as_read)
    return missing <= spelled and all(
        spelled_out(a, (s.stored.text for s in article.sentences)) for a in missing
    )


def _source_of(article: Article) -> str:
    """The article's outlet and author, as its metadata gives them."""
    meta = article.passages[0].metadata if article.passages else {}
    return " ".join(str(meta.get(key, "")) for key in ("outlet", "author"))


def naming_first(
    question: Question,
    rows: list[Row],
    probabilities: np.ndarray,
    first: int | None,
    model: AnswerModel,
    X: np.ndarray,
) -> int | None:
    """The row to quote first, from an article that states every name of the question
    when such a row is likely enough to be quoted at all: a question about India's film
    board does not open with "The third-generation iPod had a weak bass response". Which
    sentences are quoted, and whether to answer, stay the model's."""
    names = question.keys - question.numbers
    if first is None or not names or _states(rows[first].article, names, question):
        return first
    naming = [
        i
        for i, row in enumerate(rows)
        if probabilities[i] >= model.extra_sentence and _states(row.article, names, question)
    ]
    if not naming:
        return first
    scores = model.first.predict(X[naming]) if model.first is not None else probabilities[naming]
    return naming[int(np.argmax(scores))]
