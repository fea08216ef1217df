"""`newsdesk add` and `newsdesk feeds` against a real local HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.cli import cli
from index.ingest.articles import split_front_matter
from index.ingest.intake import add_urls, read_feeds
from index.settings import Settings
from tests.news_server import NewsSite

pytestmark = pytest.mark.integration


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite(slow_seconds=4.0) as s:
        yield s


@pytest.fixture
def web_settings(tmp_path: Path, make_settings: Callable[..., Settings]) -> Settings:
    corpus = tmp_path / "webcorpus"
    corpus.mkdir()
    return make_settings(corpus_dir=corpus, fetch_timeout=1.0, fetch_max_bytes=200_000)


def saved_files(settings: Settings) -> dict[str, tuple[dict[str, str], str]]:
    out = {}
    for path in sorted(settings.corpus_dir.rglob("*.md")):
        out[path.relative_to(settings.corpus_dir).as_posix()] = split_front_matter(path.read_text())
    return out


def test_add_saves_the_article_without_page_furniture(site: NewsSite, web_settings: Settings) -> None:
    report = add_urls(web_settings, [site.url("/news/ferry-strike")], index=False)
    assert report.failed == [] and len(report.saved) == 1
    path = report.saved[0]
    assert path.startswith("web/127-0-0-1/2024-03-11-ferry-workers-strike-over-pay")
    meta, body = saved_files(web_settings)[path]
    assert meta["title"] == "Ferry workers strike over pay"
    assert meta["published"] == "2024-03-11"  # JSON-LD / <time datetime>
    assert meta["outlet"] == "Harbour Herald"  # og:site_name
    assert meta["author"] == "Mara Lindqvist"
    assert meta["url"] == site.url("/news/ferry-strike")
    assert meta["fetched"].endswith("Z")
    assert "240 deckhands" in body
    for furniture in ("cookies", "Most read", "Subscribe", "First! Great piece", "All rights reserved"):
        assert furniture not in body, furniture
    assert "newsdesk/" in site.headers["/news/ferry-strike"]["User-Agent"]


def test_add_reports_every_failure_and_keeps_going(site: NewsSite, web_settings: Settings) -> None:
    urls = [
        site.url("/slow"),
        site.url("/news/missing"),
        site.url("/report.pdf"),
        site.url("/huge"),
        site.url("/private/secret"),
        site.url("/news/bridge-vote"),
    ]
    report = add_urls(web_settings, urls, index=False)
    reasons = dict(report.failed)
    assert reasons[site.url("/slow")].startswith("timed out after 1 s")
    assert reasons[site.url("/news/missing")] == "HTTP 404"
    assert reasons[site.url("/report.pdf")] == "not an HTML page (application/pdf)"
    assert reasons[site.url("/huge")].startswith("larger than the 200,000-byte limit")
    assert reasons[site.url("/private/secret")] == "disallowed by robots.txt"
    assert site.requests["/private/secret"] == 0  # never asked for
    assert len(report.saved) == 1 and "council-approves-harbour-bridge" in report.saved[0]
    assert site.requests["/robots.txt"] == 1  # once per host


def test_same_story_twice_is_kept_once(site: NewsSite, web_settings: Settings) -> None:
    first = add_urls(web_settings, [site.url("/news/ferry-strike")], index=False)
    assert len(first.saved) == 1
    again = add_urls(
        web_settings, [site.url("/news/ferry-strike"), site.url("/wire/ferry-strike-copy")], index=False
    )
    assert again.saved == []
    assert sorted(again.duplicates) == sorted(
        [site.url("/news/ferry-strike"), site.url("/wire/ferry-strike-copy")]
    )
    assert site.requests["/news/ferry-strike"] == 1  # a URL the corpus has is not fetched again
    mirror = add_urls(web_settings, [site.url("/mirror/ferry-strike")], index=False)
    assert mirror.saved == [] and mirror.duplicates == [site.url("/mirror/ferry-strike")]  # same text
    assert len(saved_files(web_settings)) == 1


def test_feeds_fetch_new_items_then_nothing(site: NewsSite, web_settings: Settings) -> None:
    (web_settings.corpus_dir / "feeds.txt").write_text(f"# the local paper\n{site.url('/feed.xml')}\n")
    report = read_feeds(web_settings, index=False)
    assert report.feeds_read == 1
    assert len(report.saved) == 2  # ferry strike and bridge vote; the syndicated copy is a duplicate
    assert report.duplicates == [site.url("/wire/ferry-strike-copy")]
    assert dict(report.failed) == {site.url("/news/missing"): "HTTP 404"}
    again = read_feeds(web_settings, index=False)
    assert again.feeds_unchanged == 1 and again.saved == [] and again.feeds_read == 0
    assert site.headers["/feed.xml"].get("If-None-Match") == '"feed-v1"'
    assert len(saved_files(web_settings)) == 2


def test_per_host_limit_is_respected(
    site: NewsSite, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    urls = [site.url(f"/delay/{i}") for i in range(4)]
    add_urls(make_settings(corpus_dir=tmp_path / "c1", fetch_per_host=1), urls, index=False)
    assert site.max_parallel["all"] == 1
    add_urls(make_settings(corpus_dir=tmp_path / "c2", fetch_per_host=3), urls, index=False)
    assert site.max_parallel["all"] == 3  # the limit is what holds them back


def test_cli_add_indexes_and_lists(site: NewsSite, web_settings: Settings, onnx_model: Any) -> None:
    """The whole path: fetch, save, index incrementally, list, show, ask by date."""
    dirs = ["--corpus-dir", str(web_settings.corpus_dir), "--index-dir", str(web_settings.index_dir)]
    runner = CliRunner()
    out = runner.invoke(
        cli, [*dirs, "add", "--json", site.url("/news/ferry-strike"), site.url("/news/bridge-vote")],
        env={"NEWSDESK_FETCH_TIMEOUT": "2"},
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert len(summary["saved"]) == 2 and summary["index"]["added"] == 2
    listed = runner.invoke(cli, [*dirs, "articles", "--json"])
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [r["published"] for r in rows] == ["2024-03-14", "2024-03-11"]  # newest first
    assert {r["outlet"] for r in rows} == {"Harbour Herald"}
    again = runner.invoke(cli, [*dirs, "add", "--json", site.url("/news/ferry-strike")])
    assert json.loads(again.stdout.strip().splitlines()[-1])["saved"] == []
    bad = runner.invoke(cli, [*dirs, "add", "ftp://example.org/x"])
    assert bad.exit_code == 1 and bad.stderr.strip() == "Error: not an http(s) URL: ftp://example.org/x"


def test_a_dead_host_is_reported_as_one_its_credentials_hidden(web_settings: Settings) -> None:
    """A host that does not answer used to be reported as "disallowed by robots.txt" (its
    robots.txt could not be read), with the URL's password printed, and exit 0."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: nothing listens there
    url = f"http://reader:sk-TESTSECRET123@127.0.0.1:{port}/news/x?token=sk-TESTSECRET123"
    dirs = ["--corpus-dir", str(web_settings.corpus_dir), "--index-dir", str(web_settings.index_dir)]
    out = CliRunner().invoke(cli, [*dirs, "add", "--no-index", url])
    assert out.exit_code == 1
    assert out.stdout == (
        "0 saved, 0 already in the corpus, 1 failed\n"
        f"  failed: http://***@127.0.0.1:{port}/news/x?*** (could not connect (ConnectError))\n"
    )
    out = CliRunner().invoke(cli, [*dirs, "add", "--no-index", "--json", url])
    assert out.exit_code == 1 and "TESTSECRET" not in out.output
    assert json.loads(out.stdout)["failed"] == [
        {"url": f"http://***@127.0.0.1:{port}/news/x?***", "reason": "could not connect (ConnectError)"}
    ]
