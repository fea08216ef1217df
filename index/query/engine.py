"""The query engine: question in, `Answer` out. Loads the index once and answers many times."""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from index.errors import IndexMissingError, NewsdeskError, QuestionError
from index.query.answer import (
    Answer,
    abstain,
    extractive_answer,
    further_answer,
    named_elsewhere,
    never_mentioned,
    not_english,
    role_not_named,
    written_otherwise,
)
from index.query.conversation import REFERRING, is_follow_up, wants_more
from index.query.days import asks_for_a_day, days_note
from index.query.digest import WINDOW, digest_answer, digest_request, openings_of, outlet_asked
from index.query.listing import listing_answer, listing_topic, newest_titled_day
from index.query.overview import overview_answer, overview_topic, title_names
from index.query.question import WH_WORDS, plain_question, question_names
from index.query.reader import Reader, Reading
from index.query.retrieval import HybridRetriever, Passage
from index.query.scope import Scope, with_scope_note
from index.query.smalltalk import (
    small_talk,
    small_talk_answer,
    subjectless,
    without_greeting,
    without_preamble,
)
from index.query.truecase import uncased, unshouted
from index.settings import Settings
from index.store import lexical
from index.store.chroma import REBUILD_HINT, open_active, read_state, state_signature
from index.store.sentences import SentenceStore
from index.text import content_terms, is_content, without_surrogates, words

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from index.query.conversation import Conversation

ANSWERERS = ("learned", "heuristic")  # heuristic: the baseline `newsdesk eval` compares against
MAX_CASED_WORDS = 4  # a lower-cased follow-up longer than this asks anew: its words are read as typed


def validate_question(question: str, max_chars: int) -> str:
    """The question, trimmed; bytes that were not UTF-8 (on the command line or stdin they
    arrive as lone surrogates, which the tokenizer cannot take) become U+FFFD. One with no
    letter or digit in any script is refused like an empty one: it used to be searched and
    answered "I couldn't find that" with three unrelated headlines."""
    text = without_surrogates((question or "").strip())
    if not text:
        raise QuestionError("the question is empty: ask something about the articles")
    if not any(ch.isalnum() for ch in text):  # "?", "...", an emoji: nothing to search for
        raise QuestionError("the question has no words: ask something about the articles")
    if len(text) > max_chars:
        raise QuestionError(
            f"the question is {len(text):,} characters long; the limit is {max_chars:,} "
            "(NEWSDESK_MAX_QUESTION_CHARS)"
        )
    return text


def open_search(
    settings: Settings, avoid_mirror: bool = False, fresh: bool = False
) -> tuple[Any, lexical.LexicalIndex | None, str]:
    """(vector store, keyword index, what is wrong with the keyword index) for questions:
    the keyword index's mirror when it is in step with Chroma on disk (an exact search and
    no chromadb import, see index/store/vector_mirror.py), else Chroma itself. Training
    (training/train_answerer.py) searches through this too, so it fits what is served."""
    from index.store.vector_mirror import open_mirror

    collection = str(read_state(settings.index_dir).get("collection") or "")
    mirror = None if avoid_mirror else open_mirror(settings, collection)
    if mirror is not None:
        return mirror, mirror.keywords, ""
    store = open_active(settings, fresh=fresh)
    keywords, problem = lexical.load_checked(settings.index_dir, store.name)
    return store, keywords, problem


class Engine:
    """Retrieval plus an answerer, built from settings; safe to share across threads.

    A long-lived engine (the Discord bot, `chat`) follows the index as an outside
    `newsdesk index` changes it: every run that changes content rewrites the state file,
    and the next question reopens the store (a fresh client: Chroma's cached one neither
    sees other processes' vectors nor survives `--full` deleting its collection).
    """

    def __init__(
        self,
        settings: Settings,
        embed_model: Any | None = None,
        llm: Any | None = None,
        answerer: str = "learned",
        one_shot: bool = False,
    ) -> None:
        """one_shot: this engine answers one question and its process ends (a `newsdesk
        ask`): the model is loaded for that, quicker to start, slower per pass."""
        if answerer not in ANSWERERS:
            raise NewsdeskError(f"unknown answerer {answerer!r}; known: {', '.join(ANSWERERS)}")
        self.settings = settings
        self.answerer = answerer
        self.one_shot = one_shot
        self._embed_model = embed_model
        self._llm = llm
        self._retriever: HybridRetriever | None = None
        self._reader: Reader | None = None
        self._readings: dict[str, Reading] = {}  # the last few, so search + ask read once
        self._signature: tuple[int, ...] = ()
        self._bm25_problem = ""
        self._fresh = False  # the next open must not reuse chromadb's cached client
        self._avoid_mirror = False  # searching the keyword index's vector copy failed: use Chroma
        self._lock = threading.Lock()

    # -- loading -------------------------------------------------------------------------
    def retriever(self) -> HybridRetriever:
        """Open the index (again when it changed); check it was built with this embedding model."""
        with self._lock:
            signature = state_signature(self.settings.index_dir)
            if self._retriever is not None and signature != self._signature:
                self._retriever, self._fresh, self._avoid_mirror = None, True, False
            if self._retriever is None:
                store, keywords, self._bm25_problem = self._open_store()
                embed_model = self._embed_model or self._build_embed_model()
                self._check_model(store, embed_model)
                self._embed_model = embed_model
                self._retriever = HybridRetriever(store, embed_model, keywords)
                self._reader = self._open_reader(self._retriever)
                self._readings.clear()
                self._signature, self._fresh = signature, False
            return self._retriever

    def _open_store(self) -> tuple[Any, lexical.LexicalIndex | None, str]:
        return open_search(self.settings, avoid_mirror=self._avoid_mirror, fresh=self._fresh)

    def _open_reader(self, retriever: HybridRetriever) -> Reader:
        from index.embedding import index_encoder
        from index.embedding.onnx import bare_encoder
        from index.query.model import load_model

        try:
            sentences = SentenceStore(self.settings.index_dir)
        except FileNotFoundError:
            raise IndexMissingError(
                f"the index at {self.settings.index_dir} has no sentence data (it was built by an "
                "older newsdesk): run `newsdesk index` to add it"
            ) from None
        # Questions need MiniLM's token states: when the query embedder is that model (bare,
        # or inside the llama-index wrapper), one pass gives the vector and the states (a
        # second session cost ~15 ms a question); other backends get the packaged one beside.
        encoder = bare_encoder(retriever.embed_model) or index_encoder(
            self.settings, optimize=not self.one_shot
        )
        return Reader(retriever, sentences, load_model(), encoder)

    def reload(self) -> None:
        """Drop the loaded index so the next question sees a rebuilt one."""
        with self._lock:
            self._retriever, self._reader, self._fresh = None, None, True
            self._readings.clear()

    def _build_embed_model(self) -> Any:
        from index.embedding import build_query_embedder

        return build_query_embedder(self.settings, one_shot=self.one_shot)

    @staticmethod
    def _check_model(store: Any, embed_model: Any) -> None:
        built_with = store.metadata.get("embed_model")
        if built_with != embed_model.model_name:
            raise NewsdeskError(
                f"the index was built with embedding model {built_with!r} but settings select "
                f"{embed_model.model_name!r}: rebuild it with `newsdesk index --full`"
            )

    # -- answering -----------------------------------------------------------------------
    def search(self, question: str, top_k: int | None = None, scope: Scope | None = None) -> list[Passage]:
        """The passages best first: chunks holding the likeliest answer sentences."""
        question = validate_question(question, self.settings.max_question_chars)
        top_k = top_k or self.settings.top_k
        if self.answerer == "heuristic":
            from index.query import baseline

            return self._guarded(lambda: baseline.retrieve(self.retriever(), question, top_k))
        return self._scoped_read(question, self.scope_for(question, scope))[0].passages[:top_k]

    def read(self, question: str, scope: Scope | None = None, asked: str = "") -> Reading:
        """The question read against the index (cached for the last few questions);
        scope: the dates/outlet to search, exactly as given (None: all articles); asked:
        the question as written, when `question` is it with its dates taken out."""
        question = validate_question(question, self.settings.max_question_chars)
        key = f"{question}\x00{scope!r}\x00{asked}"

        def run() -> Reading:
            self.retriever()
            reader = self._reader
            assert reader is not None
            reading = self._readings.get(key)
            if reading is None:
                reading = reader.read(
                    question, scope if scope is not None and not scope.empty else None, asked
                )
                if len(self._readings) >= 8:
                    self._readings.pop(next(iter(self._readings)))
                self._readings[key] = reading
            return reading

        return self._guarded(run)

    # -- dates and outlets ---------------------------------------------------------------------
    def newest_published(self) -> date | None:
        """The newest article's date, recorded by `newsdesk index`: what "last week" counts from."""
        from index.dates import parse_date

        try:
            return parse_date(str(read_state(self.settings.index_dir).get("newest_published", "")))
        except NewsdeskError:
            return None

    def scope_for(self, question: str, given: Scope | None = None) -> Scope:
        """The scope to search: options given (exact) merged with the dates the question
        names (read only when it has a date-like word; relative ones count from the newest
        article unless `given.reference` says otherwise)."""
        from index.query.dates import mentions_time, read_dates

        given = given or Scope()
        if not mentions_time(question):
            return given
        asked = read_dates(question, given.reference or self.newest_published())
        if given.since or given.until:  # options win over the question's words
            asked = replace(asked, since=given.since, until=given.until, phrase="", relative=False,
                            from_question=False)  # fmt: skip
        return replace(
            asked, outlet=given.outlet or asked.outlet, reference=given.reference or asked.reference
        )

    def _scoped_read(
        self, question: str, scope: Scope, text: str | None = None
    ) -> tuple[Reading, Scope, str]:
        """Read within the scope. Dates read from the question that no indexed article has
        are dropped (the question may date the event, not the report): all dates are
        searched then, and the note says so. text: what to read when not the question
        (an overview request's topic). Returns (reading, scope used, note)."""
        from index.query.dates import without_dates

        text = text or question
        reading = self.read(without_dates(text, scope), scope, question)  # its dates are now a filter
        note = scope.describe()
        if scope.filters and not reading.passages:
            if scope.from_question and (scope.since or scope.until):
                wider = scope.without_dates()
                note = (
                    f'No indexed article is dated within "{scope.phrase}" '
                    f"({scope.since or '…'} to {scope.until or '…'}); searched all dates."
                )
                if wider.outlet:
                    note += f" {wider.describe()}"
                return self.read(text, wider, question), wider, note
            note = f"No indexed article matches: {note[0].lower()}{note[1:]}"
        return reading, scope, note

    def _guarded(self, work: Any) -> Any:
        for attempt in (1, 2):
            try:
                result = work()
            except NewsdeskError:
                raise
            except Exception as exc:  # a store that vanished or broke under us
                if attempt == 1:  # e.g. an outside `index --full` dropped the collection just now
                    # said in one line: a retry that hides a fault in newsdesk itself (a
                    # KeyError in a cache once) must still show where someone will look
                    logger.warning(
                        "reading the index failed (%s: %s); opening it again", type(exc).__name__, exc
                    )
                    self._avoid_mirror = self._on_mirror()
                    self.reload()
                    continue
                raise NewsdeskError(
                    f"the index could not be searched ({type(exc).__name__}: {exc}); {REBUILD_HINT}"
                ) from exc
            if attempt == 1 and self._on_mirror() and self._bm25_damaged():
                # The keyword index's file is also where the vectors were searched: its
                # passages can't be read, so Chroma answers until the index changes.
                self._avoid_mirror = True
                self.reload()
                continue
            return result
        raise AssertionError("unreachable")

    def _on_mirror(self) -> bool:
        """Whether questions search the keyword index's vector copy (not Chroma)."""
        from index.store.vector_mirror import MirrorStore

        return isinstance(getattr(self._retriever, "store", None), MirrorStore)

    def _bm25_damaged(self) -> bool:
        return bool(getattr(self._retriever and self._retriever.bm25, "problem", ""))

    def ask(
        self,
        question: str,
        conversation: Conversation | None = None,
        mode: str | None = None,
        top_k: int | None = None,
        scope: Scope | None = None,
    ) -> Answer:
        """Answer a question (a follow-up when a conversation is given); scope: dates and
        outlet given as options, merged with those the question names."""
        started = time.perf_counter()
        typed = validate_question(question, self.settings.max_question_chars)
        # Read without emoji and odd spaces, and if in capitals throughout, as typed in
        # lower case: the capitals the articles give its words say which are names
        # (docs/answer-quality.md: "Typed in capitals").
        question = unshouted(plain_question(typed))
        mode = mode or self.settings.llm_mode
        kind = small_talk(question)
        if kind is not None:  # "hello", "thanks", "what can you do?": no subject to carry on
            answer = small_talk_answer(typed, kind, mode)
            answer.seconds = time.perf_counter() - started
            return answer
        # "Hi, who is Lavrov?" and "Can you tell me who Lavrov is?" ask "who is Lavrov?"
        text = standalone = without_preamble(without_greeting(question))
        # "Tell me more" (without an LLM, whose condenser rewrites it): the previous
        # question again, for what the conversation has not quoted yet
        more = (
            conversation.more_of()
            if conversation is not None and mode != "llm" and wants_more(text)
            else None
        )
        if more is not None:
            standalone = more[0]
        elif conversation is not None and not self._stands_alone(text, mode):
            standalone = conversation.standalone(self._names_cased(text, mode), self._condenser(mode))
        follows = conversation is not None and conversation.last_answer is not None
        empty = subjectless(standalone, more is None and wants_more(text), follows)
        if empty is not None and mode != "llm":  # an LLM's condenser resolves these itself
            self._guarded(self.retriever)  # a missing or broken index is still said first
            answer = small_talk_answer(typed, empty, mode)
            answer.seconds = time.perf_counter() - started
            return answer
        answer = self._answer(
            standalone,
            mode,
            top_k or self.settings.top_k,
            self.scope_for(standalone, scope),
            more and more[1],
            more and more[2],
        )
        if answer.abstained and conversation is not None and mode != "llm" and more is None:
            answer, standalone = self._one_name_each(
                text, conversation, mode, top_k, scope, answer, standalone
            )
        answer.question = typed
        answer.standalone_question = standalone
        answer.note = note_as_typed(answer.note, typed)
        self._note_bm25_damage(answer)
        answer.seconds = time.perf_counter() - started
        if conversation is not None:
            conversation.record(typed, standalone, answer)
        return answer

    def _one_name_each(
        self,
        text: str,
        conversation: Conversation,
        mode: str,
        top_k: int | None,
        scope: Scope | None,
        refused: Answer,
        standalone: str,
    ) -> tuple[Answer, str]:
        """A follow-up refused with all the previous question's names, asked of each alone:
        which one "it" stands for, the articles may say by answering. An answer that opens
        with what the conversation quoted before is not taken when another opens with
        something new (the user asked something new)."""
        quoted = conversation.turns[-1].quoted if conversation.turns else frozenset()
        found: list[tuple[Answer, str]] = []
        for alone in conversation.one_name_each(text):
            other = self._answer(alone, mode, top_k or self.settings.top_k, self.scope_for(alone, scope))
            if other.abstained:
                continue
            if not {" ".join(q.split()) for q in other.quotes[:1]} <= quoted:
                return other, alone
            found.append((other, alone))
        return found[0] if found else (refused, standalone)

    def _has_outlet(self, outlet: str) -> bool:
        from index.dates import outlet_key

        def run() -> bool:
            lexical = self.retriever().bm25
            return lexical is not None and not lexical.problem and lexical.has_outlet(outlet_key(outlet))

        return bool(self._guarded(run))

    def _names_cased(self, text: str, mode: str) -> str:
        """A follow-up typed in lower case with the capitals the articles give its words, so
        "and stoltenberg?" asks the previous question of Stoltenberg, as "And Stoltenberg?"
        does ("and the dollar?" stays as typed: the articles write "dollar" so). Only for one
        that names no pronoun; read as a question of its own (`read`, cached)."""
        if mode == "llm" or not uncased(text) or not is_follow_up(text) or set(words(text)) & REFERRING:
            return text
        if not 0 < len([w for w in words(text) if is_content(w) and w not in WH_WORDS]) <= MAX_CASED_WORDS:
            return text  # "why?" has no word to case
        try:
            return self.read(text).question.as_read
        except NewsdeskError:
            return text

    @staticmethod
    def _stands_alone(question: str, mode: str) -> bool:
        """An overview, latest-news or article-list request names its own topic (or none):
        without an LLM, the previous question's subject is not carried into it ("What's
        new?" after a question on OPEC asks for the news, "Tell me about Lavrov" about
        Lavrov alone, "Which articles mention Texaco?" counts Texaco's)."""
        return mode != "llm" and (
            digest_request(question)
            or overview_topic(question) is not None
            or listing_topic(question) is not None
        )

    def _answer(
        self,
        question: str,
        mode: str,
        top_k: int,
        scope: Scope,
        quoted: frozenset[str] | None = None,
        own: frozenset[str] | None = None,
    ) -> Answer:
        """quoted: for "tell me more", the sentences the conversation quoted so far; own:
        those quoted for this question alone."""
        if self.answerer == "heuristic":
            from index.query import baseline

            return baseline.answer(question, self.search(question, top_k), mode)
        dated = scope.from_question and scope.phrase and (scope.since or scope.until)
        asked = question.replace(scope.phrase, " ") if dated else question  # its dates are a filter
        named = outlet_asked(asked) if not scope.outlet else None  # "... news from the BBC?"
        if named is not None and self._has_outlet(named[1]):
            asked, scope = named[0], replace(scope, outlet=named[1])
        # Lists of articles ("What happened in March?", "Which articles mention OPEC in
        # March?") are of those published in the period named, not in the weeks after it.
        period = scope.period_only()
        found: Answer | None = None
        # "What's the latest news?": no topic, the newest articles; "March 1987?": those of then
        if digest_request(asked) or (dated and not content_terms(asked)):
            found = self._digest(question, period, quoted)
        elif (listing := listing_topic(asked)) is not None:  # "Which articles mention Pennzoil?"
            found = self._listing(question, listing, period, own if quoted is not None else None)
        if found is not None:
            if period.filters:  # what was searched: the dates and outlet asked for
                found.note = period.describe() if found.abstained else f"{period.describe()} {found.note}"
            return found
        topic = overview_topic(asked)  # "Summarize the news on OPEC (in April)": read "OPEC"
        newest = topic is not None and scope.latest  # the newest of the articles about it, not
        read_scope = replace(scope, latest=False) if newest else scope  # the newest passages
        reading, used, note = self._scoped_read(question, read_scope, topic)
        if newest and topic is not None:
            reading = self._newest_coverage(question, reading, read_scope, topic)
        answer = self._compose(question, mode, top_k, reading, topic, newest, quoted)
        answer.names = question_names(reading.question)
        if not answer.abstained and asks_for_a_day(reading.question):  # "When ...?" over "on Sunday"
            answer.note = " ".join(filter(None, [answer.note, days_note(answer)]))
        return with_scope_note(answer, replace(used, latest=scope.latest), note)

    def _newest_coverage(self, question: str, reading: Reading, scope: Scope, topic: str) -> Reading:
        """For "the latest on X": the reader goes on with the few articles likeliest to be
        about X, and the newest one can rank below them (on the Reuters corpus, four April
        stories on Texaco's bankruptcy outranked October's on its court case). When an
        article whose title names X (a candidate passage's, or the newest the keyword index
        holds) is newer than every article the reading kept whose title does, X is read
        again within that newest coverage: its day and the few before it."""
        from index.dates import from_day, published_day
        from index.query.dates import without_dates
        from index.query.scope import LATEST_DAYS

        terms = set(content_terms(topic))

        days = [
            d
            for p in reading.passages
            if title_names(str(p.metadata.get("title", "")), terms)
            and (d := published_day(str(p.metadata.get("published", "")))) is not None
        ]
        lexical = self.retriever().bm25
        if lexical is not None and not lexical.problem:
            newest = newest_titled_day(lexical, topic, scope)
            days += [newest] if newest is not None else []
        kept = [
            a.published_day
            for a in reading.articles
            if a.published_day is not None and title_names(a.title, terms)
        ]
        if not days or (kept and max(kept) >= max(days)):
            return reading
        since = from_day(max(days) - LATEST_DAYS)
        narrowed = replace(scope, since=max(scope.since, since) if scope.since else since)
        again = self.read(without_dates(topic, scope), narrowed, question)
        named = any(terms <= a.terms or title_names(a.title, terms) for a in again.articles)
        return again if named else reading

    def _listing(
        self, question: str, topic: str, scope: Scope, quoted: frozenset[str] | None
    ) -> Answer | None:
        """The articles on the topic, counted, the newest listed (`index.query.listing`);
        None when the keyword index can't be read (the request is then asked as a question)."""

        def run() -> Answer | None:
            lexical = self.retriever().bm25
            if lexical is None or lexical.problem:
                return None
            return listing_answer(question, topic, lexical, scope, quoted)

        return self._guarded(run)  # type: ignore[no-any-return]

    def _digest(self, question: str, scope: Scope, quoted: frozenset[str] | None) -> Answer | None:
        """The leads of the newest articles (`index.query.digest`): those of the newest day
        (of the outlet asked for, if any) and the few before it, or within the dates the
        request names; None when the keyword index that lists them can't be read (the
        request is then answered as a question)."""
        from index.dates import day_number, outlet_key
        from index.query.scope import LATEST_DAYS

        def run() -> Answer | None:
            lexical = self.retriever().bm25
            reader = self._reader
            if lexical is None or lexical.problem or reader is None:
                return None
            outlet = outlet_key(scope.outlet) if scope.outlet else ""
            if scope.since or scope.until:
                since = day_number(scope.since) if scope.since else -(10**6)
                until = day_number(scope.until) if scope.until else 10**6
            else:  # the newest day: recorded by `index`, or the outlet's own (a scan)
                recorded = None if outlet else self.newest_published()
                newest = [] if recorded is not None else lexical.openings(-(10**6), 10**6, 1, outlet)
                if recorded is None and not newest:
                    return digest_answer(question, [], reader.sentences, quoted, dated=False)
                until = (
                    day_number(recorded) if recorded is not None else int(newest[0].metadata["published_day"])
                )
                since = until - LATEST_DAYS
            hits = lexical.openings(since, until, WINDOW, outlet)
            if lexical.problem:
                return None
            return digest_answer(question, openings_of(hits), reader.sentences, quoted, dated=True)

        return self._guarded(run)  # type: ignore[no-any-return]

    def _compose(
        self,
        question: str,
        mode: str,
        top_k: int,
        reading: Reading,
        topic: str | None = None,
        newest: bool = False,
        quoted: frozenset[str] | None = None,
    ) -> Answer:
        if reading.foreign:
            return not_english(question, reading.foreign, mode)
        if reading.unknown:
            return never_mentioned(question, reading.unknown, reading.passages, mode)
        if reading.misnamed is not None:
            asked, written = reading.misnamed.asked, reading.misnamed.written
            return written_otherwise(question, asked, written, reading.passages, mode)
        if reading.role:
            return role_not_named(question, reading.role, reading.passages, mode)
        if reading.elsewhere and topic is None:
            return named_elsewhere(question, reading.elsewhere, reading.passages, mode)
        model = self._reader.model if self._reader else None
        if model is None or (topic is None and reading.answerable < model.answer_threshold):
            return abstain(question, reading.passages, mode)

        def extractive(mode: str) -> Answer:
            if topic is not None:
                return overview_answer(reading, topic, mode, newest, quoted)
            if quoted is not None:
                return further_answer(reading, quoted, model.extra_sentence / 2, mode)
            return extractive_answer(reading, model.extra_sentence, mode)

        if mode == "llm":
            from index.query.llm import llm_answer

            return llm_answer(  # type: ignore[no-any-return]
                self.settings,
                self._get_llm(),
                question,
                reading.passages[:top_k],
                lambda: extractive("extractive"),
            )
        return extractive(mode)

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


def note_as_typed(note: str, typed: str) -> str:
    """The note quoting the question's date words as the user typed them: a question in
    capitals is read in lower case ('read from "march 1987"'), but "MARCH 1987" is what
    the user wrote."""

    def written(quoted: re.Match[str]) -> str:
        found = re.search(re.escape(quoted.group(1)), typed, re.IGNORECASE)
        return f'"{found.group(0)}"' if found else quoted.group(0)

    return re.sub(r'"([^"]+)"', written, note)
