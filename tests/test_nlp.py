"""The NLP layer on small texts with the real spaCy pipeline: stop words, folding, sentence
boundaries, entities, datelines, sentence-packed chunks and what a sentence may quote."""

from __future__ import annotations

from typing import Any

import pytest

from index.ingest.articles import parse_article
from index.ingest.chunking import split_pieces
from index.ingest.furniture import is_credit
from index.ingest.nlp import EXCLUDED, MENDED_CHARS, annotate, blocks, mend_brackets, model_path, pipeline
from index.ingest.sentence_data import plan_records, quote_span
from index.text import content_terms, fold, is_content, spacy_stop_words, stop_words, words


def test_stop_words_come_from_spacy_without_importing_it() -> None:
    import sys

    had_spacy = "spacy" in sys.modules
    english = spacy_stop_words("en")
    assert {"the", "which", "would", "whereupon"} <= english and len(english) > 300
    assert "spacy" in sys.modules or not had_spacy  # reading the list imports nothing new
    assert "bonjour" not in english and "und" in spacy_stop_words("de")
    assert spacy_stop_words("xx-none") == frozenset()
    # Numbers and names matter in news questions; reporting verbs never answer one.
    assert "three" not in stop_words() and "hundred" not in stop_words()
    assert {"said", "told", "according"} <= stop_words()


def test_folding_matches_accented_and_curly_spellings() -> None:
    assert fold("Ögedei") == "ogedei" and fold("Zürich") == "zurich"
    assert words("Chad’s U.S. allies paid 1,269.5 dollars") == [
        "chad",
        "u.s",
        "allies",
        "paid",
        "1,269.5",
        "dollars",
    ]
    assert content_terms("The Ögedei Khan's armies") == content_terms("ogedei khan armies")
    assert not is_content("the") and not is_content("x") and is_content("7")


def test_sentences_entities_and_line_breaks() -> None:
    text = (
        "WASHINGTON, Jan 21 (Reuters) - Antony Blinken met Sergei Lavrov in Geneva on Friday. "
        "They talked for 90 minutes.\nRussia has massed 100,000 troops, officials said"
    )
    (note,) = list(annotate([text]))
    sentences = [text[a:b] for a, b in note.sentences]
    assert sentences == [
        "WASHINGTON, Jan 21 (Reuters) - Antony Blinken met Sergei Lavrov in Geneva on Friday.",
        "They talked for 90 minutes.",
        "Russia has massed 100,000 troops, officials said",
    ]
    assert text[: note.dateline] == "WASHINGTON, Jan 21 (Reuters) - " and note.dateline_sentence == 0
    labels = {text[a:b]: label for a, b, label in note.entities}
    assert labels["Sergei Lavrov"] == "PERSON" and labels["Geneva"] == "GPE"
    assert labels["100,000"] == "CARDINAL" and labels["90 minutes"] == "TIME"


def test_only_the_components_answers_need_run() -> None:
    """senter and ner carry their own embedding layers: the shared tok2vec (kept before,
    ~40% of nlp.pipe's time) fed nothing we run, and leaving it out changes no output."""
    import spacy

    assert pipeline().pipe_names == ["senter", "ner"]
    with_tok2vec = spacy.load(model_path(), exclude=[c for c in EXCLUDED if c != "tok2vec"])
    with_tok2vec.enable_pipe("senter")
    assert with_tok2vec.pipe_names == ["tok2vec", "senter", "ner"]
    assert with_tok2vec.get_pipe("tok2vec").listening_components == []
    text = (
        "LONDON, March 3 - Shell said on Tuesday it would cut 1,200 jobs in Britain by 1988. "
        "Chairman Peter Holmes told Reuters the cuts would save 40 mln stg a year."
    )

    def seen(nlp: object) -> tuple[list[int], list[tuple[str, str]]]:
        doc = nlp(text)  # type: ignore[operator]
        return [s.start_char for s in doc.sents], [(e.text, e.label_) for e in doc.ents]

    assert seen(pipeline()) == seen(with_tok2vec)
    assert ("Peter Holmes", "PERSON") in seen(pipeline())[1]


def test_no_dateline_when_the_sentence_has_none() -> None:
    (note,) = list(annotate(["Talks resumed - slowly - in Geneva on Friday."]))
    assert note.dateline == 0


BRACKETED = [
    "PARIS, May 4 - Acme Holdings SA [ACME.PA] said it agreed with the tyre maker [Pneus Dupont SA] "
    "to form a joint venture in leasing.",
    "Oslo Shipping Ltd [OSLO.OL] said it bought two tankers from [Nordic Tank AS] for 40 mln crowns.",
    "The composer Jean Martin (/ʒɑ̃ maʁtɛ̃/; French pronunciation: [ʒɑ̃ maʁtɛ̃]; 1 May 1801 – 3 June 1850) "
    "wrote twelve operas.",
]


@pytest.mark.parametrize("sentence", BRACKETED)
def test_a_sentence_is_not_cut_at_its_brackets(sentence: str) -> None:
    # en_core_web_sm's senter cuts each of these at a bracket ("... SA [" | "ACME.PA] said ...")
    assert len(list(pipeline()(sentence).sents)) > 1
    text = f"{sentence} Officials confirmed it on Monday."
    (note,) = list(annotate([text]))
    assert [text[a:b] for a, b in note.sentences] == [sentence, "Officials confirmed it on Monday."]


def test_brackets_join_sentences_only_within_a_line_and_a_length() -> None:
    text = "Sales rose (see table. Profit fell.\nA new line [here."
    spans = [(0, 22), (23, 35), (36, 46), (47, 52)]
    assert mend_brackets(text, spans) == [(0, 35), (36, 52)]
    ended = "It ended. (Reuters) said so."
    assert mend_brackets(ended, [(0, 9), (10, 28)]) == [(0, 9), (10, 28)]  # a sentence may open with one
    long = "Sales rose (" + "x" * MENDED_CHARS + ". Profit fell."
    cut = len(long) - len(" Profit fell.")
    assert mend_brackets(long, [(0, cut), (cut + 1, len(long))]) == [(0, cut), (cut + 1, len(long))]


def test_long_texts_are_cut_into_blocks_and_offsets_hold() -> None:
    paragraph = "The ministers met in Geneva on Friday. They talked for ninety minutes.\n\n"
    text = paragraph * 40
    parts = list(blocks(text, limit=500))
    assert len(parts) > 5 and "".join(b for _, b in parts) == text
    assert all(b.endswith("\n\n") for _, b in parts[:-1])
    (whole,) = list(annotate([text]))
    assert len(whole.sentences) == 80
    assert all(text[a:b] in paragraph for a, b in whole.sentences)


def _article(body: str, title: str = "Talks in Geneva") -> tuple:
    article = parse_article("talks.md", f"---\ntitle: {title}\n---\n{body}".encode())
    return article, next(annotate([article.text]))


def _planned(body: str, title: str) -> tuple:
    """The article and its sentence records, the whole text one chunk."""
    article, note = _article(body, title=title)
    return article, plan_records(article.text, article.title, note, [(0, len(article.text))])


def test_chunks_are_whole_sentences_with_overlap() -> None:
    body = " ".join(f"Sentence number {i} says the ministers met for talks in Geneva." for i in range(30))
    article, note = _article(body)
    pieces = split_pieces(article, note, 48, 16)
    assert len(pieces) > 5
    sentences = [article.text[a:b] for a, b in note.sentences]
    for text, start, end in pieces:
        assert article.text[start:end] == text
        inside = [s for s in sentences if s in text]
        assert " ".join(inside) == text  # nothing but whole sentences
    starts = [start for _, start, _ in pieces]
    assert starts == sorted(starts)
    assert all(b[1] < a[2] for a, b in zip(pieces, pieces[1:]))  # consecutive chunks overlap
    assert pieces[0][1] == 0 and pieces[-1][2] == len(article.text.rstrip())


def test_a_sentence_longer_than_a_chunk_is_cut_at_tokens() -> None:
    body = "The delegates discussed " + ", ".join(f"item {i}" for i in range(200)) + "."
    article, note = _article(body)
    pieces = split_pieces(article, note, 40, 8)
    assert len(pieces) > 5
    assert all(article.text[s:e] == t for t, s, e in pieces)


@pytest.mark.parametrize(
    ("sentence", "quoted"),
    [
        ("Talks went well, he said. https://t.co/AbC123", "Talks went well, he said."),
        (
            "We stand with Ukraine. — Antony Blinken (@SecBlinken) January 20, 2022",
            "We stand with Ukraine.",
        ),
        ("Read more at www.example.com/story", "Read more at"),
        (
            "Officials confirmed the [full statement](http://evil.example/x).",
            "Officials confirmed the [full statement]",
        ),
        ("Plain sentence with no furniture.", "Plain sentence with no furniture."),
        (
            "– Secretary Antony Blinken (@SecBlinken) January 20, 2022 Russia has gathered troops.",
            "Russia has gathered troops.",
        ),
    ],
)
def test_quotes_drop_links_and_tweet_furniture(sentence: str, quoted: str) -> None:
    a, b = quote_span(sentence)
    assert sentence[a:b] == quoted


def test_headline_furniture_and_dateline_are_never_quoted_as_such() -> None:
    body = (
        "Talks in Geneva\n"
        "GENEVA, Jan 21 (Reuters) - Blinken and Lavrov met for ninety minutes on Friday.\n"
        "Photo: https://t.co/xyz\n"
        "Both sides agreed to keep talking next week."
    )
    article, note = _article(body)
    records = plan_records(article.text, article.title, note, [(0, len(article.text))])
    kinds = {article.text[r.start : r.end]: r.kind for r in records}
    assert kinds["Talks in Geneva"] == "headline"
    assert kinds["Photo: https://t.co/xyz"] == "furniture"
    assert kinds["Both sides agreed to keep talking next week."] == ""
    lead = next(r for r in records if "Blinken" in article.text[r.start : r.end])
    quoted = article.text[lead.start : lead.end][lead.quote_start : lead.quote_end]
    assert quoted == "Blinken and Lavrov met for ninety minutes on Friday."


@pytest.mark.parametrize(
    ("first_line", "kind"),
    [
        ("Belgian rail operator SNCB ordered 200 carriages from Alstom on Tuesday.", ""),
        ('"We will not give up," the union leader told strikers in Antwerp.', ""),
        ("Dockworkers end strike at Antwerp", "headline"),
        ("Is the Pope a Catholic?", "headline"),
    ],
)
def test_a_title_less_file_quotes_its_first_line_when_it_is_the_lead(first_line: str, kind: str) -> None:
    """Without front matter the first line is the title; a lead sentence put there (a
    plain-text story with no headline) is the story's first fact, and was never quoted."""
    article = parse_article(
        "rail.txt", f"{first_line}\n\nThe first trains are due in 2026, the company said.".encode()
    )
    note = next(annotate([article.text]))
    records = plan_records(article.text, article.title, note, [(0, len(article.text))])
    assert article.title == first_line
    assert records[0].kind == kind
    assert article.text[records[0].start : records[0].end] == first_line


def test_annotating_ahead_keeps_batches_in_order_and_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    """The build's spaCy thread: batches come back in order with the annotations a plain
    pass gives, and an error in the thread reaches the build."""
    from index.ingest import indexer
    from index.ingest.articles import Article
    from index.ingest.nlp import annotate
    from index.ingest.phases import Phases

    texts = [
        f"Article {i} says Blinken met Lavrov in Geneva on day {i}. They talked for {i} hours."
        for i in range(40)
    ]
    todo = [Article(id=f"a{i}.txt", path=f"a{i}.txt", title="", text=t) for i, t in enumerate(texts)]
    got = [
        (a.id, ann)
        for batch, found in indexer._annotated_ahead(todo, Phases())
        for a, ann in zip(batch, found)
    ]
    assert [aid for aid, _ in got] == [a.id for a in todo]
    assert [ann for _, ann in got] == list(annotate(texts))

    def broken(texts: Any) -> Any:
        raise OSError("disk gone")
        yield

    monkeypatch.setattr("index.ingest.nlp.annotate", broken)
    with pytest.raises(OSError, match="disk gone"):
        list(indexer._annotated_ahead(todo, Phases()))


@pytest.mark.parametrize(
    "sentence",
    [
        "Reporting by Alex Lawler in London; Additional reporting by Florence Tan in Singapore; "
        "Editing by Jason Neely",
        "(Reporting by Maria Lopez; Writing by Tom Brown; Editing by Ana Nicolaci da Costa)",
        "Editing by Jan Harvey.",
        "CNN's John Smith and Maria Lopez contributed to this report.",
        "Associated Press writer Jane Doe in Paris contributed.",
        "By Jane Doe and John Roe, CNN",
        "By Jane Doe | Published 21 Jan 2022",
        "Updated 3:45 PM EST, Mon May 1, 2023",
        "10:09 EST, 28 January 2013 .",
        "President Biden waves as he boards Air Force One. (AP Photo/Evan Vucci)",
        "Commuters queue at Waterloo station. Photo: Jane Doe/Getty Images",
        "By Zoe Kleinman, Technology editor",
        "By Jane Doe, economics correspondent",
        "Transport correspondent, BBC News",
        "Severin Carrell Scotland editor",
        "Photograph: Sandra Laville/The Guardian",
        "Composite: Guardian Design; Getty Images",
        "Photographs by David Maurice Smith",
        "Published 3 hours ago",
        "Updated 12 minutes ago",
        "By Jane Doe | 2 days ago",
    ],
)
def test_credits_and_time_stamps_are_furniture(sentence: str) -> None:
    assert is_credit(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Research by the Institute for Fiscal Studies found that incomes fell in 2022.",
        "By Tuesday the army had withdrawn from the town.",
        "By 2030 the company plans to double its output.",
        "Reporting by local media said three people were hurt.",
        "She contributed 5 million dollars to the campaign.",
        "Microsoft's Bill Gates contributed.",
        "The talks ended on Monday, March 3, 1987.",
        "tues 4/7 103.24 103.78 99.75 414 113",
        "Photos taken by the satellite show new trenches near the border.",
        "The painting was bought by Getty Images founder Mark Getty in 1998.",
        "The editor resigned on Monday after the report.",
        "BBC correspondent Jane Doe said the army had withdrawn from the town.",
        "Picture this: a city where no car is allowed.",
        "The fire started 3 hours ago, police said.",
        "Published 3 hours ago, the report named 12 officials.",
        "By the second week in March the strike had spread.",
        "Reporting by Jane Doe in London for 3 days",
    ],
)
def test_reporting_that_starts_like_a_credit_is_kept(sentence: str) -> None:
    assert not is_credit(sentence)


@pytest.mark.parametrize(
    ("text", "dateline"),
    [
        (
            "ATLANTA, Georgia (CNN) -- A storm cut power to 40,000 homes on Sunday.",
            "ATLANTA, Georgia (CNN) -- ",
        ),
        ("(CNN) -- A storm cut power to 40,000 homes on Sunday.", "(CNN) -- "),
        ("Hong Kong (CNN Business) — Shares in Asia fell on Monday.", "Hong Kong (CNN Business) — "),
        (
            "BEIJING, Dec 4 (Xinhua) - China's exports rose 5 percent in November.",
            "BEIJING, Dec 4 (Xinhua) - ",
        ),
    ],
)
def test_any_agencys_dateline_is_found(text: str, dateline: str) -> None:
    (note,) = list(annotate([text]))
    assert text[: note.dateline] == dateline


def test_a_dateline_after_the_byline_is_not_quoted() -> None:
    body = (
        "By LISA MASCARO and KEVIN FREKING Associated Press\n\n"
        "Updated 10:05 AM EDT, Thu June 1, 2023\n\n"
        "WASHINGTON (AP) — The Senate voted 80-15 on Thursday to pass the bill.\n\n"
        "NEW YORK — A later paragraph that starts like a dateline is left as written."
    )
    article, records = _planned(body, "Senate passes rail bill")
    quoted = [article.text[r.start : r.end][r.quote_start : r.quote_end] for r in records if r.kind == ""]
    assert quoted[0] == "The Senate voted 80-15 on Thursday to pass the bill."
    assert quoted[1].startswith("NEW YORK — A later paragraph")


def test_a_later_paragraph_is_not_taken_for_a_dateline() -> None:
    body = (
        "The president arrived by overnight train on Monday morning.\n"
        "US President Joe Biden — who had kept the trip secret — met Volodymyr Zelensky at the palace."
    )
    article, records = _planned(body, "Biden makes surprise visit to Kyiv")
    assert all(r.quote_start == 0 for r in records)


def test_how_to_reach_the_newsroom_is_not_quoted_but_an_address_in_reporting_is() -> None:
    body = (
        "Customers received emails from security@bank-alerts.example asking them to confirm card details, police said.\n"
        "Contact the reporter at jsmith@marketwatch.example.com.\n"
        "For more information visit www.voltara.example.\n"
        "Media contact: press@voltara.example, +49 30 1234 5678"
    )
    article, records = _planned(body, "Bank warns of scam")
    assert [r.kind for r in records] == ["", "furniture", "furniture", "furniture"]


def test_a_page_trailer_asking_to_follow_and_send_ideas_is_not_quoted() -> None:
    # A regional page's last paragraph; reporting about following and sending is kept.
    body = (
        "Police said the suspects had sent photos of the stolen cars to buyers on Facebook.\n"
        "Thousands follow the mayor on Instagram, where she posts daily updates on the repairs.\n"
        "Follow the candidates on TikTok and you will find almost no policy at all.\n"
        "Email tips led police to the suspect, whose address was jd@example.com.\n"
        "Follow BBC Yorkshire on Facebook, X and Instagram. Send your story ideas to yorkslincs.news@bbc.co.uk."
    )
    article, records = _planned(body, "Stolen cars sold online")
    quotable = [article.text[r.start : r.end] for r in records if r.kind == ""]
    assert quotable == [
        "Police said the suspects had sent photos of the stolen cars to buyers on Facebook.",
        "Thousands follow the mayor on Instagram, where she posts daily updates on the repairs.",
        "Follow the candidates on TikTok and you will find almost no policy at all.",
        "Email tips led police to the suspect, whose address was jd@example.com.",
    ]


def test_a_headline_the_sentence_splitter_cuts_is_never_quoted() -> None:
    article = parse_article(
        "rates.txt",
        b"Will interest rates rise again? Economists are split\n\n"
        b"Most economists expect the bank to raise rates in May. Others see a pause.",
    )
    note = next(annotate([article.text]))
    records = plan_records(article.text, article.title, note, [(0, len(article.text))])
    kinds = {article.text[r.start : r.end]: r.kind for r in records}
    assert kinds["Will interest rates rise again?"] == kinds["Economists are split"] == "headline"
    assert kinds["Most economists expect the bank to raise rates in May."] == ""


def test_a_credit_inside_a_paragraph_is_never_quoted() -> None:
    body = (
        "Oil prices rose on Thursday as traders bet on deeper supply cuts. "
        "Reporting by Alex Lawler in London; Editing by Jason Neely\n"
        "Brent crude gained 1.2 percent to 86.40 dollars a barrel."
    )
    article, records = _planned(body, "Oil prices climb")
    kinds = {article.text[r.start : r.end]: r.kind for r in records}
    assert kinds["Reporting by Alex Lawler in London; Editing by Jason Neely"] == "furniture"
    assert kinds["Oil prices rose on Thursday as traders bet on deeper supply cuts."] == ""
    assert kinds["Brent crude gained 1.2 percent to 86.40 dollars a barrel."] == ""


def test_a_sentence_is_read_into_terms_words_and_answer_slots_in_one_pass() -> None:
    """What the reader keeps of a stored sentence: the quote's content stems and folded
    words as `content_terms` and `words` read them, and where an answer could sit: each
    entity spaCy found as a run of words, each number outside an entity on its own."""
    from index.query.candidates import _sentence
    from index.store.sentences import StoredSentence

    text = "TOKYO, March 3 - Sony Corp sold 1,269 PS2 consoles in New York on Friday."
    (annotation,) = annotate([text])
    quote_start = annotation.dateline
    stored = StoredSentence(
        "a.txt", "h", 0, 0, 0, len(text), quote_start, len(text), "", text, annotation.entities, b"", b""
    )
    sentence = _sentence(stored)
    quote = text[quote_start:]
    assert sentence.terms == tuple(content_terms(quote))
    assert sentence.folded == frozenset(words(quote))
    spans = {(" ".join(t[3] for t in sentence.tokens[a : b + 1]), label) for a, b, label in sentence.slots}
    assert {("1,269", "CARDINAL"), ("new york", "GPE"), ("friday", "DATE"), ("ps2", "")} <= spans
    assert not any(word == "tokyo" for word, _ in spans)  # the dateline is no answer


def test_read_sentences_are_kept_up_to_a_limit_the_oldest_going_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from index.query import candidates
    from index.store.sentences import StoredSentence

    monkeypatch.setattr(candidates, "_cache", {})
    monkeypatch.setattr(candidates, "KEPT_SENTENCES", 3)
    stored = [
        StoredSentence("a.txt", "h", i, 0, 0, 9, 0, 9, "", f"Line {i}.", [], b"", b"") for i in range(5)
    ]
    read = [candidates._sentence(s) for s in stored]
    assert [k[2] for k in candidates._cache] == [2, 3, 4]
    assert candidates._sentence(stored[4]) is read[4]  # kept: not read again
    assert (
        candidates._sentence(stored[0]) is not read[0]
        and candidates._sentence(stored[0]).terms == read[0].terms
    )
