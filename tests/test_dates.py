"""Dates: what articles say about when they were published, and what questions ask."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.cli import cli
from index.dates import date_in_text, normalize_published, parse_date, published_day
from index.query.dates import mentions_time, option_date, read_dates
from index.settings import Settings

REF = date(1987, 10, 20)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2022-01-21", "2022-01-21"),
        ("2022-01-21T23:10:00+05:00", "2022-01-21"),
        ("Jan 21, 2022", "2022-01-21"),
        ("21 January 2022", "2022-01-21"),
        ("Fri, 21 Jan 2022 10:00:00 GMT", "2022-01-21"),
        ("2022/1/21", "2022-01-21"),
        ("21/01/2022", "2022-01-21"),  # the day first: 21 is no month
        ("1/21/2022", "2022-01-21"),  # the month first
        ("21.01.2022", "2022-01-21"),  # dots: the day first
    ],
)
def test_published_values_are_normalised(text: str, iso: str) -> None:
    assert normalize_published(text) == iso
    assert published_day(iso) == (date(2022, 1, 21) - date(1970, 1, 1)).days


def test_unreadable_published_is_kept_but_not_dated() -> None:
    assert normalize_published("sometime in spring") == "sometime in spring"
    assert published_day("sometime in spring") is None
    assert parse_date("2022-02-30") is None
    assert parse_date("03/04/2023") is None  # March 4 or 3 April: neither is guessed


@pytest.mark.parametrize(
    "line",
    [
        "By Jane Doe | March 14, 2023 | 3 min read",
        "2 min read · March 14, 2023",
        "By Jane Doe in Kyiv and John Roe in Moscow, Tue 14 Mar 2023",
        "By Jane Doe, chief political correspondent | March 14, 2023",
        "By Jane Doe with wire reports | March 14, 2023",
        "March 14, 2023 — updated 2 hours ago",
        "14 March 2023 — from our Paris bureau",
        "Thu 14 Mar 2023 05.00 GMT",
        "March 14, 2023 at 9:30 a.m. ET",
    ],
)
def test_bylines_and_stamps_date_their_article(line: str) -> None:
    assert date_in_text(f"Headline\n{line}\nBody text.", None) == date(2023, 3, 14)


def test_dates_in_the_first_lines() -> None:
    assert date_in_text("DETROIT, March 5 - GM said", around=date(1987, 3, 9)) == date(1987, 3, 5)
    # a dateline later in the year than the file's date is from the year before
    assert date_in_text("WASHINGTON, Dec 30 (Reuters) - The", around=date(2023, 1, 2)) == date(2022, 12, 30)
    assert date_in_text("GENEVA, Jan. 21, 2022 (Reuters) -- Talks", around=None) == date(2022, 1, 21)
    assert date_in_text("Headline\nJanuary 21, 2022\nBody.", None) == date(2022, 1, 21)
    assert date_in_text("Headline\nBy A. Writer | Published 3 March 2021 10:02\nBody", None) == date(
        2021, 3, 3
    )
    # a date inside reporting is what the article is about, not when it appeared
    long = "Beyonce Giselle Knowles-Carter (born September 4, 1981) is an American singer, songwriter and actress."
    assert date_in_text(long, None) is None
    assert date_in_text("DETROIT, March 5 - no year and no file date", None) is None
    # a short line of reporting, or a bullet, is not a date line either
    assert (
        date_in_text("Dock deal\n\nDock workers will return to work on 3 April 2023, the union said.", None)
        is None
    )
    assert date_in_text("Strike\n\n• Nurses will strike on 3 May 2023 and 4 May 2023\nMore.", None) is None
    assert date_in_text("Headline\nTuesday 14 March 2023 09.30 GMT\nBody", None) == date(2023, 3, 14)
    assert date_in_text("Headline\nPublished 2023-03-14T09:30:00Z\nBody", None) == date(2023, 3, 14)
    assert date_in_text("Headline\n14/03/2023\nBody", None) == date(2023, 3, 14)


@pytest.mark.parametrize(
    ("question", "since", "until"),
    [
        ("What did GM say on March 5, 1987?", date(1987, 3, 5), date(1987, 3, 6)),
        ("What happened on 2 March 1987?", date(1987, 3, 2), date(1987, 3, 3)),
        ("What happened in January 2005?", date(2005, 1, 1), date(2005, 3, 17)),
        ("Sales in late February 1987?", date(1987, 2, 21), date(1987, 3, 10)),
        ("What was said in mid-June 1987?", date(1987, 6, 11), date(1987, 6, 30)),
        ("Nissan sales in the March 11-20 period?", date(1987, 3, 11), date(1987, 3, 30)),
        ("What happened last week?", date(1987, 10, 13), REF),
        ("What happened yesterday?", date(1987, 10, 19), REF),
        ("What happened this year?", date(1987, 1, 1), REF),
        (
            "What happened this weekend?",
            date(1987, 10, 17),
            date(1987, 10, 18),
        ),  # REF a Tuesday: the one past
        ("What has GM said since Monday?", date(1987, 10, 19), None),
        ("What happened before March 3, 1987?", None, date(1987, 3, 2)),
        ("What did Ford report in March?", date(1987, 3, 1), date(1987, 5, 15)),
        ("Profit in 1986?", date(1986, 1, 1), date(1987, 4, 30)),
        # days in numbers, read as a published date is: one way only, or not as a day
        ("What did Lawson say on 4/13/1987?", date(1987, 4, 13), date(1987, 4, 14)),
        ("What did Lawson say on 13/4/1987?", date(1987, 4, 13), date(1987, 4, 14)),
        ("What did Lawson say on 13.04.1987?", date(1987, 4, 13), date(1987, 4, 14)),
        ("What did Lawson say on 4/2/1987?", date(1987, 1, 1), date(1988, 4, 29)),  # April 2 or 4 February
        # both ends of a range, the month and year written once holding for both
        ("What was issued between 1 and 5 March 1987?", date(1987, 3, 1), date(1987, 3, 15)),
        ("What happened from June 3 to June 9, 1987?", date(1987, 6, 3), date(1987, 6, 19)),
        ("What did Lawson say from March 10 until March 14, 1987?", date(1987, 3, 10), date(1987, 3, 24)),
        ("What happened between Dec 28 and Jan 3?", date(1986, 12, 28), date(1987, 1, 13)),
        ("What did GM say up to March 14, 1987?", None, date(1987, 3, 14)),
        ("Which banks raised rates by up to 5 pct in March 1987?", date(1987, 3, 1), date(1987, 5, 15)),
        ("What happened from November 20, 1986 to January 3?", date(1986, 11, 20), date(1987, 1, 13)),
        ("What fell from 5 to 1 March 1987?", date(1987, 3, 1), date(1987, 3, 11)),  # no such range: the day
    ],
)
def test_question_dates(question: str, since: date | None, until: date | None) -> None:
    scope = read_dates(question, REF)
    assert (scope.since, scope.until) == (since, until)
    assert scope.from_question


@pytest.mark.parametrize(
    "question",
    [
        "Who did Blinken meet in Geneva?",
        "What may the Fed do next?",  # "may" is not May
        "How many of the 2000 workers were laid off?",  # a count, not a year
        "What year did the war start?",
        "why will 20 may die in the gulf",  # typed in lower case, "may" after a number is a verb
        "which of the top 10 march on washington",
        "how many workers between 20 and 30 may lose their jobs",
        "What did the Romans build 2000 years ago?",  # before the calendar's first year
        "How much sugar did Indonesia import in the past 2000 years?",
    ],
)
def test_questions_without_dates(question: str) -> None:
    assert read_dates(question, REF).empty


def test_latest_and_the_note() -> None:
    scope = read_dates("What is the latest on the Bundesbank?", REF)
    assert scope.latest and not scope.filters
    scope = read_dates("What happened last week?", REF)
    assert scope.describe() == (
        'Searched articles published from 1987-10-13 to 1987-10-20 (read from "last week", '
        "counted from the newest article, 1987-10-20)."
    )
    assert not mentions_time("Who is the Russian foreign minister?")


def test_option_dates() -> None:
    assert option_date("2022-01-21", None) == date(2022, 1, 21)
    assert option_date("March 1987", None) == date(1987, 3, 1)
    assert option_date("March 1987", None, end=True) == date(1987, 3, 31)
    assert option_date("last week", REF) == date(1987, 10, 13)
    with pytest.raises(ValueError, match="is not a date"):
        option_date("soonish", REF)
    # a day in digits that is no day, or could be two, was read as its year's 1 January
    assert option_date("31/12/1987", REF) == date(1987, 12, 31)
    with pytest.raises(ValueError, match="'1987-13-45' is not a date: there is no such day"):
        option_date("1987-13-45", REF)
    for unsure in ("2/3/1987", "31/02/1987", "1987.03.02"):
        with pytest.raises(ValueError, match="write it as YYYY-MM-DD"):
            option_date(unsure, REF)
    with pytest.raises(ValueError, match="'2000 years ago' counts past the calendar from 1987-10-20"):
        option_date("2000 years ago", REF)
    # a reference at either end of the calendar: the question's relative dates are dropped
    assert read_dates("What happened last week?", date(1, 1, 1)).empty
    assert read_dates("What happened yesterday?", date(1, 1, 1)).empty
    assert read_dates("What happened last year?", date(1, 6, 1)).empty  # year 0
    assert read_dates("What happened this week?", date(9999, 12, 31)).since == date(9999, 12, 27)


def test_dateparser_is_imported_only_when_needed() -> None:
    """A cold `ask` must not pay for dateparser unless the question needs it."""
    code = (
        "import sys; from datetime import date; from index.query.dates import read_dates as r\n"
        "r('Who met in Geneva?', None); r('What happened in March 1987?', None); r('the latest?', None)\n"
        "print('dateparser' in sys.modules)\n"
        "r('What has GM said since Monday?', date(1987, 10, 20)); print('dateparser' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


# -- a small dated corpus, indexed for real -------------------------------------------------
ARTICLES = {
    "ford-feb.md": ("1987-03-04", "Reuters", "Ford late February car sales up 29.3 pct",
                    "DEARBORN, Mich., March 4 - Ford Motor Co said its sales of U.S.-made cars in late "
                    "February rose 29.3 pct over the same period last year."),
    "ford-mar.md": ("April 3, 1987", "Reuters", "Ford late-March car sales up 29.5 pct",
                    "DEARBORN, Mich., April 3 - Ford Motor Co said its sales of U.S.-made cars in late "
                    "March rose 29.5 pct over the same period last year."),
    "ford-jun.md": ("1987-06-03", "Detroit Ledger", "Ford late-May car sales up 12.1 pct",
                    "DEARBORN, Mich., June 3 - Ford Motor Co said its sales of U.S.-made cars in late "
                    "May rose 12.1 pct over the same period last year."),
}  # fmt: skip


@pytest.fixture
def dated(tmp_path: Path, make_settings: Callable[..., Settings], onnx_model: Any) -> Settings:
    from index.ingest.indexer import run_index

    corpus = tmp_path / "dated"
    corpus.mkdir()
    for name, (published, outlet, title, body) in ARTICLES.items():
        (corpus / name).write_text(
            f"---\ntitle: {title}\npublished: {published}\noutlet: {outlet}\n---\n{body}\n", encoding="utf-8"
        )
    (corpus / "undated.txt").write_text("Ford sales\n\nFord Motor Co said its car sales rose.\n")
    (corpus / "bad-date.md").write_text(  # a date that is no date: kept as written, listed as undated
        "---\ntitle: Weather\npublished: 99999-99-99\n---\nRain fell in Oslo all week.\n", encoding="utf-8"
    )
    settings = make_settings(corpus_dir=corpus)
    run_index(settings, embed_model=onnx_model)
    return settings


def test_dates_scope_answers_and_sources(dated: Settings, onnx_model: Any) -> None:
    from index.query.engine import Engine
    from index.query.scope import Scope

    engine = Engine(dated, embed_model=onnx_model)
    assert engine.newest_published() == date(1987, 6, 3)

    march = engine.ask("How much did Ford's car sales rise in late March 1987?")
    assert {s.source for s in march.sources} == {"ford-mar.md"}
    assert march.note.startswith("Searched articles published from 1987-03-21 to 1987-04-10")

    latest = engine.ask("What is the latest on Ford car sales?")
    assert latest.sources[0].source == "ford-jun.md"
    assert "the latest article quoted is from 1987-06-03" in latest.note

    outlet = engine.ask("How much did Ford's car sales rise?", scope=Scope(outlet="detroit LEDGER"))
    assert {s.source for s in outlet.sources} == {"ford-jun.md"}
    assert {s.outlet for s in outlet.sources} == {"Detroit Ledger"}

    window = engine.ask("How much did Ford's car sales rise?", scope=Scope(until=date(1987, 3, 31)))
    assert {s.source for s in window.sources} == {"ford-feb.md"}

    # the question dates the event; no article is from then: all dates are searched, and said
    old = engine.ask("How much did Ford's car sales rise in January 1980?")
    assert old.note.startswith('No indexed article is dated within "January 1980"')
    assert old.sources

    empty = engine.ask("How much did Ford's car sales rise?", scope=Scope(since=date(1999, 1, 1)))
    assert empty.abstained and empty.note.startswith("No indexed article matches")


def test_cli_json_sources_articles_and_show(dated: Settings) -> None:
    dirs = ["--corpus-dir", str(dated.corpus_dir), "--index-dir", str(dated.index_dir)]
    runner = CliRunner()
    out = runner.invoke(cli, [*dirs, "ask", "--json", "--since", "1987-04-01", "--until", "April 1987",
                              "How much did Ford's car sales rise?"])  # fmt: skip
    assert out.exit_code == 0, out.output
    source = json.loads(out.stdout)["sources"][0]
    assert {k: source[k] for k in ("article_id", "path", "published", "outlet")} == {
        "article_id": "ford-mar.md",
        "path": "ford-mar.md",
        "published": "1987-04-03",  # "April 3, 1987" in the file
        "outlet": "Reuters",
    }
    assert source["chunk_id"].startswith("ford-mar.md#")

    rows = [
        json.loads(line) for line in runner.invoke(cli, [*dirs, "articles", "--json"]).stdout.splitlines()
    ]
    assert [r["id"] for r in rows] == [
        "ford-jun.md",
        "ford-mar.md",
        "ford-feb.md",
        "bad-date.md",
        "undated.txt",
    ]
    assert rows[0] == {"id": "ford-jun.md", "title": "Ford late-May car sales up 12.1 pct", "outlet": "Detroit Ledger",
                       "published": "1987-06-03", "chunks": 1, "path": "ford-jun.md", "url": "", "author": ""}  # fmt: skip
    listed = runner.invoke(cli, [*dirs, "articles"]).stdout.splitlines()
    assert '  undated     bad-date.md  Weather (1 chunk; published "99999-99-99" is not a date)' in listed
    reuters = runner.invoke(cli, [*dirs, "articles", "--outlet", "reuters", "--since", "1987-04-01"])
    assert "ford-mar.md" in reuters.stdout and "ford-feb.md" not in reuters.stdout

    shown = runner.invoke(cli, [*dirs, "show", "ford-feb.md"])
    assert "published: 1987-03-04" in shown.stdout and "29.3 pct" in shown.stdout
    passage = json.loads(runner.invoke(cli, [*dirs, "show", "--json", source["chunk_id"]]).stdout)
    assert passage["position"] == 0 and "29.5 pct" in passage["text"]
    assert json.loads(runner.invoke(cli, [*dirs, "show", "--json", "ford-mar.md#0"]).stdout) == passage

    for args, message in (
        (["show", "nope.md"], "Error: no indexed article 'nope.md'; `newsdesk articles` lists them"),
        (["show", "ford-mar.md#7"], "Error: 'ford-mar.md' has passages #0 to #0; there is no #7"),
        (["ask", "--since", "tomorrowish", "q?"], "Error: 'tomorrowish' is not a date"),
        (["ask", "--until", "1987-02-30", "q?"], "Error: '1987-02-30' is not a date: there is no such day"),
        (
            ["ask", "--since", "1987-05-01", "--until", "1987-04-01", "q?"],
            "Error: the start date 1987-05-01 is after",
        ),
    ):
        bad = runner.invoke(cli, [*dirs, *args])
        assert bad.exit_code == 1 and bad.stderr.startswith(message), bad.output
        assert "Traceback" not in bad.output


def test_old_index_gets_date_fields_without_reembedding(
    tmp_path: Path, make_settings: Callable[..., Settings], dated: Settings, onnx_model: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """An index written before chunks carried published_day/outlet_key is upgraded in place."""
    from index.ingest.indexer import run_index
    from index.store.chroma import open_active

    settings = make_settings(corpus_dir=dated.corpus_dir, index_dir=tmp_path / "old-index")
    with monkeypatch.context() as m:
        m.setattr("index.ingest.chunking.date_metadata", lambda *a: {})  # what older versions wrote
        run_index(settings, embed_model=onnx_model)
    (settings.index_dir / "files.sqlite").unlink()  # nor did they keep a file manifest
    metas = open_active(settings).collection.get(include=["metadatas"])["metadatas"]
    assert not any("outlet_key" in m or "published_day" in m for m in metas)

    report = run_index(settings, embed_model=onnx_model)
    assert report.embedded_chunks == 0 and not report.changed
    assert f"date and outlet fields added to {len(metas)} chunks (no re-embedding)" in report.notes
    metas = open_active(settings).collection.get(include=["metadatas"])["metadatas"]
    assert all("outlet_key" in m for m in metas)
    assert sorted(m["published_day"] for m in metas if "published_day" in m) == sorted(
        published_day(p) for p in ("1987-03-04", "1987-04-03", "1987-06-03")
    )
    assert run_index(settings, embed_model=onnx_model).notes == []  # once


@pytest.mark.parametrize(
    ("question", "weighed"),
    [
        ("How much did the Bundesbank allocate at its tender on April 8, 1987?",
         "How much did the Bundesbank allocate at its tender?"),
        ("How much did Ford's sales rise in late February 1987?", "How much did Ford's sales rise in late February?"),
        ("What was Ford Canada's net income for 1986?", "What was Ford Canada's net income for 1986?"),
        ("Who met in Geneva?", "Who met in Geneva?"),
        ("What did Lawson say on 4/13/1987 about sterling?", "What did Lawson say about sterling?"),
        ("What did Lawson say on 1987-04-13?", "What did Lawson say?"),
    ],
)  # fmt: skip
def test_dates_that_became_a_filter_leave_the_question(question: str, weighed: str) -> None:
    from index.query.dates import without_dates

    assert without_dates(question, read_dates(question, REF)) == weighed


def test_a_published_date_that_is_no_date_is_said_at_index_time(
    tmp_path: Path, make_settings: Callable[..., Settings], onnx_model: Any
) -> None:
    from index.ingest.indexer import run_index

    corpus = tmp_path / "odd-dates"
    corpus.mkdir()
    (corpus / "feb.md").write_text(
        "---\ntitle: Budget\npublished: 2023-02-30\n---\nThe council set a budget.\n"
    )
    (corpus / "ok.md").write_text("---\ntitle: Rates\npublished: 2023-02-28\n---\nThe bank held rates.\n")
    settings = make_settings(corpus_dir=corpus)
    report = run_index(settings, embed_model=onnx_model)
    assert report.notes == ['feb.md: published "2023-02-30" is not a date; the article counts as undated']
    assert report.to_json()["notes"] == report.notes
    (corpus / "feb.md").write_text("---\ntitle: Budget\npublished: yesterday\n---\nThe council cut it.\n")
    again = run_index(settings, embed_model=onnx_model)  # in step: only the changed file is read
    assert again.updated == ["feb.md"]
    assert again.notes == ['feb.md: published "yesterday" is not a date; the article counts as undated']


def test_dates_that_name_no_day_are_named_five_at_a_time() -> None:
    from index.ingest.articles import Article
    from index.ingest.indexer import IndexReport, note_unread_dates

    articles = [
        Article(f"a{i}.md", "T", f"a{i}.md", "text", published=f"2023-02-{30 + i % 2}") for i in range(7)
    ]
    articles.append(Article("ok.md", "T", "ok.md", "text", published="2023-02-28"))
    report = IndexReport()
    note_unread_dates(report, articles)
    assert report.notes == [
        *(
            f'a{i}.md: published "2023-02-{30 + i % 2}" is not a date; the article counts as undated'
            for i in range(5)
        ),
        "… and 2 more articles whose published date is not a date",
    ]
    few = IndexReport()
    note_unread_dates(few, articles[:1] + articles[-1:])
    assert few.notes == ['a0.md: published "2023-02-30" is not a date; the article counts as undated']
