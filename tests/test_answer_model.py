"""The learned answerer's pieces: the numpy tree evaluator against LightGBM itself, the
packaged model file, and the sentence data kept beside the vectors."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index.errors import NewsdeskError
from index.ingest.indexer import run_index
from index.query.engine import Engine
from index.query.model import Trees, flatten_lightgbm, load_model
from index.settings import Settings
from index.store.sentences import FILE


def flattened(model: Any) -> Trees:
    """A LightGBM model (or anything with its `dump_model`) as the serving trees."""
    arrays, depth = flatten_lightgbm(model.dump_model())
    return Trees(
        arrays["tree_feature"], arrays["tree_threshold"], arrays["tree_left"], arrays["tree_right"],
        arrays["tree_value"], arrays["tree_roots"], depth,
    )  # fmt: skip


@pytest.mark.parametrize("num_leaves", [15, 31, 63, 90])
def test_numpy_trees_match_lightgbm(num_leaves: int) -> None:
    """Both evaluators give LightGBM's scores, and the same sums bit for bit: leaf masks of
    16, 32 and 64 bits, and the walk where a tree has more leaves than a mask holds."""
    lightgbm = pytest.importorskip("lightgbm")
    rng = np.random.default_rng(7)
    X = rng.normal(size=(3000, 6)).astype(np.float32)
    X[:, 2] = np.round(X[:, 2])  # ties at thresholds
    y = (X[:, 0] + X[:, 1] * X[:, 2] + rng.normal(scale=0.5, size=3000) > 0.3).astype(int)
    booster = lightgbm.train(
        {"objective": "binary", "num_leaves": num_leaves, "verbose": -1, "min_data_in_leaf": 5},
        lightgbm.Dataset(X, y),
        num_boost_round=40,
    )
    trees = flattened(booster)
    leaves = int((trees.left == np.arange(len(trees.left))).sum())
    assert leaves > 40 * (num_leaves - 1) / 2  # the trees did grow to about that size
    Z = rng.normal(size=(300, 6)).astype(np.float32)
    Z[:, 2] = np.round(Z[:, 2])
    Z[::7, 1] = np.nan  # goes right in both
    assert np.allclose(trees.predict(Z[1::7]), booster.predict(Z[1::7], raw_score=True), atol=1e-4)
    assert np.array_equal(trees.predict(Z), trees.walk(Z))
    assert (trees._masks is None) == (num_leaves > 64)
    assert trees.predict(np.zeros((0, 6), np.float32)).shape == (0,)


def test_a_value_just_above_a_threshold_goes_right_as_in_lightgbm() -> None:
    """float32(0.1) is above 0.1: LightGBM sends it right. Rounded to the nearest float32,
    the stored threshold was that very value, and the served tree sent it left."""
    from types import SimpleNamespace

    split = {"split_feature": 0, "threshold": 0.1, "decision_type": "<="}
    dump = {
        "tree_info": [
            {
                "tree_structure": {
                    **split,
                    "left_child": {"leaf_value": -1.0},
                    "right_child": {"leaf_value": 1.0},
                }
            }
        ]
    }
    trees = flattened(SimpleNamespace(dump_model=lambda: dump))
    below = np.nextafter(np.float32(0.1), np.float32(0))
    X = np.asarray([[np.float32(0.1)], [below], [np.float32(0.2)]], dtype=np.float32)
    assert float(X[0, 0]) > 0.1 >= float(X[1, 0])
    assert trees.predict(X).tolist() == [1.0, -1.0, 1.0]
    assert trees.walk(X).tolist() == [1.0, -1.0, 1.0]


def test_averaged_rankers_flatten_to_their_mean() -> None:
    """Training ships the mean of several seeds' rankers as one set of trees."""
    lightgbm = pytest.importorskip("lightgbm")
    from training.train_answerer import Averaged

    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 5)).astype(np.float32)
    y = (X[:, 0] - X[:, 3] > 0).astype(int)
    params = {
        "objective": "binary",
        "num_leaves": 7,
        "verbose": -1,
        "min_data_in_leaf": 5,
        "feature_fraction": 0.6,
    }
    boosters = [
        lightgbm.train({**params, "seed": seed}, lightgbm.Dataset(X, y), num_boost_round=15)
        for seed in (1, 2, 3)
    ]
    mean = Averaged(boosters)
    trees = flattened(mean)
    Z = rng.normal(size=(200, 5)).astype(np.float32)
    each = [b.predict(Z, raw_score=True) for b in boosters]
    assert len(trees.roots) == 45
    assert np.allclose(trees.predict(Z), np.mean(each, axis=0), atol=1e-4)
    assert not np.allclose(each[0], each[1])  # the seeds do differ


def test_the_packaged_model_loads_and_is_consistent() -> None:
    model = load_model()
    assert int(model.trees.feature.max()) < len(model.features)
    assert 0.0 < model.answer_threshold < 1.0 and 0.0 < model.extra_sentence <= 1.0
    assert model.expected_types("how_many")  # learned answer types for common heads
    X = np.zeros((3, len(model.features)), np.float32)
    raw, p = model.sentence_probabilities(X)
    assert raw.shape == p.shape == (3,) and np.all((p >= 0) & (p <= 1))


def test_the_first_quoted_sentence_is_the_first_rankers_among_those_left_standing() -> None:
    """With first-sentence trees, the row quoted first is their best among rows the checks
    left a probability; the other rows follow by probability. Without them (or with every
    row ruled out) the likeliest row leads."""
    from dataclasses import replace

    from index.query.reader import Reading

    model = load_model()
    # One tree on feature 0: a leaf worth the row's own value of it (three leaves by threshold).
    first = Trees(
        feature=np.asarray([0, 0, 0, 0, 0], np.int32),
        threshold=np.asarray([0.5, 1.5, np.inf, np.inf, np.inf], np.float32),
        left=np.asarray([2, 3, 2, 3, 4], np.int32),
        right=np.asarray([1, 4, 2, 3, 4], np.int32),
        value=np.asarray([0, 0, 0.0, 1.0, 2.0], np.float32),
        roots=np.asarray([0], np.int32),
        depth=2,
    )
    X = np.zeros((4, len(model.features)), np.float32)
    X[:, 0] = [0.0, 2.0, 1.0, 3.0]  # first-tree scores 0, 2, 1, 2
    probabilities = np.asarray([0.9, 0.0, 0.3, 0.2], np.float32)  # row 1 ruled out by a check
    with_first = replace(model, first=first)
    assert with_first.first_sentence(X, probabilities) == 3
    assert replace(model, first=None).first_sentence(X, probabilities) is None
    assert with_first.first_sentence(X, np.zeros(4, np.float32)) is None

    rows = [object(), object(), object(), object()]
    reading = Reading(None, [], [], rows, X, probabilities, 0.9, None, 3)  # type: ignore[arg-type]
    assert [r for _, r in reading.ranked_rows()] == [rows[3], rows[0], rows[2], rows[1]]
    assert [r for _, r in replace(reading, first=None).ranked_rows()] == [rows[0], rows[2], rows[3], rows[1]]


def test_the_first_quoted_sentence_comes_from_an_article_naming_the_question_s_subject() -> None:
    """The first ranker's pick from an article that never names the question's subject
    gives way to the best row of one that does, when that row is likely enough to be
    quoted; otherwise it stands."""
    from dataclasses import replace
    from types import SimpleNamespace

    from index.query.question import analyze
    from index.query.reader import naming_first

    model = replace(load_model(), first=None)  # without first trees, the likeliest leads
    question = analyze("Which organization filters film content in India?")
    ipod = SimpleNamespace(article=SimpleNamespace(terms={"ipod", "bass", "content"}))
    india = SimpleNamespace(article=SimpleNamespace(terms={"india", "film", "board"}))
    rows = [ipod, india, india]
    X = np.zeros((3, len(model.features)), np.float32)
    likely = np.asarray([0.6, 0.2, model.extra_sentence], np.float32)
    assert naming_first(question, rows, likely, 0, model, X) == 1  # type: ignore[arg-type]
    # the naming rows too unlikely to be quoted: the pick stands
    unlikely = np.asarray([0.6, model.extra_sentence / 2, 0.0], np.float32)
    assert naming_first(question, rows, unlikely, 0, model, X) == 0  # type: ignore[arg-type]
    # a question with no name, or a pick that names it, is left alone
    assert naming_first(analyze("What filters film content?"), rows, likely, 0, model, X) == 0  # type: ignore[arg-type]
    assert naming_first(question, rows, likely, 2, model, X) == 2  # type: ignore[arg-type]
    # an acronym counts as named by an article that writes it out
    question = analyze("What GDP growth does Thailand expect?")
    sentence = SimpleNamespace(stored=SimpleNamespace(text="Thailand's gross domestic product will grow."))
    malaysia = SimpleNamespace(article=SimpleNamespace(terms={"gdp", "growth", "malaysia"}, sentences=[]))
    thailand = SimpleNamespace(article=SimpleNamespace(terms={"thailand", "growth"}, sentences=[sentence]))
    assert naming_first(question, [malaysia, thailand], likely[:2], 0, model, X[:2]) == 1  # type: ignore[arg-type]


def test_what_the_checks_took_from_the_best_sentence_counts_against_answering() -> None:
    """`drop`: the best probability before the period, name and count checks less the best
    after them. The same evidence with a sentence ruled out by a check (it stated another
    year, company or count) gives a lower P(answerable) than with nothing ruled out."""
    from index.query.model import abstain_features

    model = load_model()
    X = np.zeros((3, len(model.features)), np.float32)
    checked = np.asarray([0.0, 0.4, 0.1], np.float32)
    cut = abstain_features(X, checked, model.features, np.asarray([0.8, 0.4, 0.1], np.float32))
    kept = abstain_features(X, checked, model.features, checked)
    assert cut["drop"] == pytest.approx(0.4) and kept["drop"] == 0.0
    assert abstain_features(X, checked, model.features)["drop"] == 0.0  # nothing said about the checks

    def answerable(evidence: dict[str, float]) -> float:
        vector = np.asarray([[evidence[n] for n in model.abstain.names]], np.float32)
        return float(model.abstain.probability(vector)[0])

    assert answerable(cut) < answerable(kept)


def test_a_damaged_model_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "answerer.npz"
    bad.write_bytes(b"not a model")
    with pytest.raises(NewsdeskError, match="make train"):
        load_model(bad)


def _rows(index_dir: Path) -> tuple[list[tuple[Any, ...]], np.ndarray]:
    """Sentence rows without their vectors, and the vectors (float16, so compared loosely)."""
    with sqlite3.connect(index_dir / FILE) as conn:
        rows = conn.execute("SELECT * FROM sentences ORDER BY 1, 2, 3").fetchall()
    vectors = np.stack([np.frombuffer(r[11], np.float16).astype(np.float32) for r in rows])
    return [r[:11] + (len(r[12]),) for r in rows], vectors


def test_lost_sentence_data_is_rebuilt_without_re_embedding(built_index: Settings, counting: Any) -> None:
    before, vectors = _rows(built_index.index_dir)
    assert before
    (built_index.index_dir / FILE).unlink()
    report = run_index(built_index, embed_model=counting)
    assert counting.texts_embedded == 0 and not report.changed
    assert any("sentence data rebuilt for 5 articles" in note for note in report.notes)
    after, again = _rows(built_index.index_dir)
    assert after == before and np.allclose(again, vectors, atol=2e-3)


def test_rebuilt_sentence_data_reads_the_files_as_a_fresh_build_does(
    built_index: Settings, counting: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chunks leave out the space or line break between them; put back as line
    breaks, spaCy read another text than a fresh build gave it (and found other entities
    in 20 sentences of the eval corpora). A rebuild reads the unchanged files instead."""
    from index.ingest import nlp
    from index.ingest.articles import parse_article
    from index.ingest.indexer import _from_chunks
    from index.store.chroma import open_active

    files = {p.name: parse_article(p.name, p.read_bytes()) for p in built_index.corpus_dir.iterdir()}
    store = open_active(built_index)
    joined = {aid: _from_chunks(store.chunks(ids))[0] for aid, ids in _chunk_ids(built_index).items()}
    assert any(joined[aid] != a.text for aid, a in files.items())  # the seed articles have such gaps
    read: list[str] = []
    annotate = nlp.annotate

    def reading(texts: Any) -> Any:
        texts = list(texts)
        read.extend(texts)
        return annotate(texts)

    monkeypatch.setattr(nlp, "annotate", reading)
    (built_index.index_dir / FILE).unlink()
    run_index(built_index, embed_model=counting)
    assert counting.texts_embedded == 0
    assert sorted(read) == sorted(a.text for a in files.values())


def test_sentence_data_of_a_file_now_skipped_is_rebuilt_from_its_chunks(
    built_index: Settings, counting: Any
) -> None:
    """A file that is over the size limit now keeps its indexed version: with no file to
    read, its sentence data comes from the chunks, as before files were read."""
    from dataclasses import replace

    before, _ = _rows(built_index.index_dir)
    (built_index.index_dir / FILE).unlink()
    smaller = replace(built_index, max_file_bytes=100)  # every seed article is over it
    report = run_index(smaller, embed_model=counting)
    assert counting.texts_embedded == 0 and len(report.skipped) == 5
    assert any("sentence data rebuilt for 5 articles" in note for note in report.notes)
    after, _ = _rows(built_index.index_dir)
    assert after == before  # the seed articles' chunk gaps change no sentence or entity


def _chunk_ids(settings: Settings) -> dict[str, list[str]]:
    from index.store.chroma import open_active

    got = open_active(settings).collection.get(include=["metadatas"])
    out: dict[str, list[str]] = {}
    for chunk_id, meta in zip(got["ids"], got["metadatas"]):
        out.setdefault(str(meta["article_id"]), []).append(chunk_id)
    return out


@pytest.mark.parametrize("damage", ["truncated", "garbled"])
def test_damaged_sentence_data_is_rebuilt_without_re_embedding(
    built_index: Settings, counting: Any, damage: str
) -> None:
    """SQLite finds the file damaged: `ask` says to rebuild, and `index` (it crashed on the
    same file, with or without --full) now starts it afresh and refills it from the chunks."""
    before, vectors = _rows(built_index.index_dir)
    path = built_index.index_dir / FILE
    data = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    else:
        path.write_bytes(data[:4096] + bytes((b * 7 + 13) % 256 for b in data[4096:8192]) + data[8192:])
    if damage == "truncated":  # a garbled page only some reads touch may pass unnoticed here
        with pytest.raises(NewsdeskError, match="index --full"):
            Engine(built_index, embed_model=counting).ask("Who did Blinken meet?")
    report = run_index(built_index, embed_model=counting)
    assert counting.texts_embedded == 0 and not report.changed
    assert "sentence data rebuilt for 5 articles" in report.notes
    after, again = _rows(built_index.index_dir)
    assert after == before and np.allclose(again, vectors, atol=2e-3)


def test_damage_in_the_articles_table_is_found_before_the_run_writes(
    built_index: Settings, counting: Any
) -> None:
    """Bit rot in the articles table (size and mtime kept, so the run trusts the index and
    writes only what changed): the probe in `open_for_writing` finds it before any write,
    and the run puts every article's sentences back from the chunks, not only the new one's.
    Reading the article keys, the probe before, went through the table's index and missed it."""
    import os

    path = built_index.index_dir / FILE
    st = path.stat()
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'articles'").fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(path.read_bytes())
    data[(root - 1) * size : root * size] = bytes(range(256)) * (size // 256)
    path.write_bytes(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    (built_index.corpus_dir / "new.txt").write_text(
        "Scholz met Macron in Paris on Monday.\n", encoding="utf-8"
    )
    report = run_index(built_index, embed_model=counting)
    assert report.added == ["new.txt"] and counting.texts_embedded == 1
    assert "sentence data rebuilt for 5 articles" in report.notes
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM articles NOT INDEXED").fetchone()[0] == 6


def test_sentence_data_follows_changes_and_removals(built_index: Settings, counting: Any) -> None:
    corpus = built_index.corpus_dir
    victim = sorted(corpus.glob("*.txt"))[0]
    changed = sorted(corpus.glob("*.txt"))[1]
    victim.unlink()
    changed.write_text(changed.read_text() + "\n\nA closing paragraph about the weather in Oslo.\n")
    run_index(built_index, embed_model=counting)
    with sqlite3.connect(built_index.index_dir / FILE) as conn:
        articles = {row[0] for row in conn.execute("SELECT DISTINCT article_id FROM sentences")}
        versions = conn.execute("SELECT COUNT(DISTINCT content_hash) FROM sentences WHERE article_id = ?",
                                (changed.name,)).fetchone()[0]  # fmt: skip
        texts = [
            row[0] for row in conn.execute("SELECT text FROM sentences WHERE article_id = ?", (changed.name,))
        ]
    assert victim.name not in articles and len(articles) == 4
    assert versions == 1 and "A closing paragraph about the weather in Oslo." in texts


def test_an_articles_date_counts_as_said_in_each_sentence() -> None:
    """ "How much did Ford's sales rise in late February 1987?" against a story dated
    1987-03-03 that says only "in late February": the year is the story's context."""
    from index.query.candidates import Article
    from index.query.features import published_words
    from index.query.retrieval import Passage

    def article(published: str) -> Article:
        return Article("a.md", "h", "T", set(), [Passage("a#h#0", "x", 1.0, {"published": published})])

    assert published_words(article("1987-03-03")) == (
        frozenset({"1987", "march", "3"}),
        frozenset({"1987", "march", "3"}),
    )
    assert published_words(article("")) == (frozenset(), frozenset())
    assert published_words(article("not a date")) == (frozenset(), frozenset())


def test_a_question_costs_one_model_pass(
    built_index: Settings, monkeypatch: pytest.MonkeyPatch, every_pass: None
) -> None:
    """The question's vector (for Chroma) and its token states (for MaxSim) come from one
    ONNX pass over the question, not one pass each."""
    from index.embedding.onnx import MiniLMEncoder
    from index.query.engine import Engine

    engine = Engine(built_index)
    engine.ask("Who did Blinken meet in Geneva?")
    passes: list[list[str]] = []
    run = MiniLMEncoder._run

    def counting(self: MiniLMEncoder, texts: list[str], keep_tokens: bool) -> Any:
        passes.append(list(texts))
        return run(self, texts, keep_tokens)

    monkeypatch.setattr(MiniLMEncoder, "_run", counting)
    question = "What did Lavrov say about NATO?"
    assert engine.ask(question).text
    assert passes == [[question]]


def test_a_new_entity_beside_the_focus_word_is_seen() -> None:
    """ "What range does the missile have?": "a range of 40 miles" states it; a number
    elsewhere in the sentence, or a range with no figure, does not."""
    from index.ingest.nlp import pipeline
    from index.query.features import _focus_entity
    from index.text import stem

    nlp = pipeline()
    expected = {"QUANTITY": 0.6, "CARDINAL": 0.2}

    def seen(text: str) -> float:
        spans = [(e.start_char, e.end_char, e.label_) for e in nlp(text).ents]
        return _focus_entity(text, frozenset({stem("range")}), spans, expected)

    assert seen("The missile has a range of 40 miles.") == pytest.approx(0.7)
    assert seen("Its range was not disclosed by the ministry, which said that 12 more were built.") == 0.0
    assert seen("The missile has a longer range than the older model.") == 0.0


def test_an_answer_candidate_among_the_questions_words_is_seen() -> None:
    """ "At what price were the four cargoes of raw sugar sold?": the sentence that states
    the price holds a candidate with the question's words around it; the lead that restates
    the question (a place and a day, no price) scores lower, and a sentence with the price
    but none of the question's words around it scores lower again."""
    from index.ingest.nlp import pipeline
    from index.query.candidates import Sentence, answer_slots
    from index.query.features import _window
    from index.query.question import analyze
    from index.store.sentences import StoredSentence
    from index.text import word_spans

    nlp = pipeline()
    question = analyze("At what price were the four cargoes of raw sugar sold to China?")
    idf = {t: 1.0 for t in question.terms}
    expected = {"MONEY": 0.7, "CARDINAL": 0.2, "DATE": 0.05}

    def window(text: str) -> tuple[float, float, float, float]:
        entities = [(e.start_char, e.end_char, e.label_) for e in nlp(text).ents]
        stored = StoredSentence("a.md", "h", 0, 0, 0, len(text), 0, len(text), "", text, entities, b"", b"")
        tokens = tuple(word_spans(text))
        sentence = Sentence(stored, (), frozenset(), entities, tokens, answer_slots(tokens, entities))
        return _window(sentence, set(question.terms), idf, len(idf), expected, question.numbers)

    lead = window(
        "Four cargoes of raw sugar were sold to China yesterday via the London trade, traders said."
    )
    answer = window("The sugar was reported sold at around 160 dlrs a tonne for July shipment.")
    far = window("Separately, the council reported that its budget for the coming season stands at 160 dlrs.")
    assert answer[0] > lead[0] and answer[0] > far[0]
    assert answer[1] > far[1] == 0.0  # "sugar" and "sold" sit beside the figure
    assert answer[3] == 1.0
    assert window("No figure was given.") == (0.0, 0.0, 0.0, 0.0)


def test_the_packaged_model_is_what_training_writes() -> None:
    """The shipped file matches the training script and the features served (a constant
    or a feature changed without `make train` would ship answers the report never measured)."""
    from index.query.features import FEATURES
    from index.query.model import ABSTAIN_FEATURES
    from training.train_answerer import EXTRA_SENTENCE

    model = load_model()
    assert model.extra_sentence == EXTRA_SENTENCE
    assert model.features == FEATURES and model.abstain.names == ABSTAIN_FEATURES
    assert model.first is not None  # a full `make train` trains the first-sentence ranker
    assert int(model.first.feature.max()) < len(model.features)


def test_training_gathers_the_candidates_serving_searches(built_index: Settings) -> None:
    """Training reads the index as `newsdesk ask` does: the exact vector mirror, not
    Chroma's approximate HNSW search (which differed between fresh builds), so a question's
    candidates and their fused scores are the ones an answer is served from."""
    from index.query.engine import Engine
    from index.store.vector_mirror import MirrorStore
    from training.train_answerer import open_reader

    reader = open_reader(built_index.corpus_dir, built_index.index_dir)
    assert isinstance(reader.retriever.store, MirrorStore)
    served = Engine(built_index).retriever()
    for question in ("Who did Blinken meet in Kyiv?", "What did the central bank decide about rates?"):
        trained = [(p.chunk_id, round(p.score, 6)) for p in reader.retriever.candidates(question)]
        assert trained and trained == [(p.chunk_id, round(p.score, 6)) for p in served.candidates(question)]
