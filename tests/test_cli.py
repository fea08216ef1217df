"""The CLI as users run it: exit codes, stdout and stderr, JSON shapes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from index.query.answer import cited_sentences

pytestmark = pytest.mark.slow  # runs newsdesk as processes

RUSSIAN_FM = "Who is the Russian Foreign Minister that Blinken met?"


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def dirs(tmp_path: Path, corpus: Path) -> list[str]:
    return ["--corpus-dir", str(corpus), "--index-dir", str(tmp_path / "idx")]


def test_ask_without_index_says_run_index_first(dirs: list[str]) -> None:
    code, out, err = run(*dirs, "ask", "Who met?")
    assert code == 1
    assert out == ""
    assert err.startswith("Error: no index at ") and err.rstrip().endswith("run `newsdesk index` first")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "the question is empty"),
        ("   \n\t ", "the question is empty"),
        ("?", "the question has no words"),
        ("x" * 2001, "the limit is 2,000"),
    ],
)
def test_bad_questions_exit_1(dirs: list[str], question: str, message: str) -> None:
    code, out, err = run(*dirs, "ask", question)
    assert code == 1 and out == ""
    assert err.startswith("Error: ") and message in err


def test_missing_corpus_dir(tmp_path: Path) -> None:
    code, _, err = run("--corpus-dir", str(tmp_path / "none"), "--index-dir", str(tmp_path / "i"), "index")
    assert code == 1
    assert err == f"Error: corpus directory {tmp_path / 'none'} does not exist\n"


def test_invalid_setting_is_one_line(dirs: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_TOP_K", "lots")
    code, _, err = run(*dirs, "ask", "hello?")
    assert code == 1 and err.startswith("Error: invalid setting NEWSDESK_TOP_K") and err.count("\n") == 1


def test_index_json_then_ask_json(dirs: list[str], corpus: Path) -> None:
    (corpus / "broken.txt").write_bytes(b"")
    code, out, _ = run(*dirs, "index", "--json")
    assert code == 0
    summary = json.loads(out.strip().splitlines()[-1])
    assert set(summary) == {
        "added",
        "updated",
        "removed",
        "unchanged",
        "skipped",
        "documents",
        "chunks",
        "embedded_chunks",
        "seconds",
        "phases",
        "peak_rss_mb",
        "notes",
    }
    assert (summary["added"], summary["documents"], summary["notes"]) == (5, 5, [])
    assert summary["skipped"] == [{"path": "broken.txt", "reason": "empty file"}]

    code, out, _ = run(*dirs, "index", "--json")
    again = json.loads(out.strip().splitlines()[-1])
    assert (again["added"], again["unchanged"], again["chunks"]) == (0, 5, summary["chunks"])

    code, out, err = run(*dirs, "ask", "--json", RUSSIAN_FM)
    assert code == 0, err
    answer = json.loads(out)
    assert set(answer) >= {"question", "answer", "abstained", "mode", "sources", "seconds"}
    assert answer["question"] == RUSSIAN_FM and answer["mode"] == "extractive" and not answer["abstained"]
    assert "Lavrov" in answer["answer"]
    first = answer["sources"][0]
    assert set(first) == {"n", "source", "title", "url", "score", "text", "quote"} | {
        "article_id", "path", "chunk_id", "published", "outlet"
    }  # fmt: skip
    assert first["article_id"] == first["path"] == first["source"]  # the seed corpus is flat
    assert first["source"].endswith(".txt")
    # The quote is the cited sentence(s), verbatim from the passage, and in the answer;
    # sentences that are not neighbours in the article are joined by " … ".
    claims = [claim for claim, marks in cited_sentences(answer["answer"]) if first["n"] in marks]
    assert claims and all(claim in first["quote"] for claim in claims)
    assert all(part in first["text"] for part in first["quote"].split(" … "))


def test_ask_human_output_and_file(dirs: list[str], tmp_path: Path) -> None:
    assert run(*dirs, "index")[0] == 0
    code, out, _ = run(*dirs, "ask", RUSSIAN_FM)
    assert code == 0
    answer, _, sources = out.partition("\n\nSources:\n")
    assert "[1]" in answer
    assert sources.lstrip().startswith("[1] ")

    questions = tmp_path / "q.txt"
    questions.write_text(f"{RUSSIAN_FM}\n\nWho directed the film Inception?\n", encoding="utf-8")
    code, out, _ = run(*dirs, "ask", "--json", "--file", str(questions))
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [x["abstained"] for x in lines] == [False, True]
    assert lines[1]["answer"] == "I couldn't find that in the articles."


def test_ask_file_text_mode_answers_on_stdout_and_failures_on_stderr(dirs: list[str], tmp_path: Path) -> None:
    """A question that can't be asked (too long) is named by its place on stderr; the
    others are answered on stdout; the exit status says something failed."""
    run(*dirs, "index")
    questions = tmp_path / "q.txt"
    questions.write_text(f"{RUSSIAN_FM}\n{'why ' * 600}\n{RUSSIAN_FM}\n", encoding="utf-8")
    code, out, err = run(*dirs, "ask", "--file", str(questions))
    assert code == 1
    assert out.count(f"Q: {RUSSIAN_FM}") == 2 and "Error" not in out
    assert err.startswith("Error: question 2 ('why why why") and "…'): " in err and "2,000" in err
    assert len(err.splitlines()) == 1


def test_dry_run_and_chat_from_pipe(dirs: list[str]) -> None:
    code, out, _ = run(*dirs, "index", "--dry-run")
    assert code == 0 and out.startswith("5 added") and "Dry run: nothing was written." in out
    run(*dirs, "index")
    code, out, _ = run(
        *dirs,
        "chat",
        input="Who is the Russian Foreign Minister that Blinken met?\n/sources\n/reset\n/quit\n",
    )
    assert code == 0
    assert "Lavrov" in out
    assert "Conversation cleared." in out


def test_eval_table_and_checks(dirs: list[str]) -> None:
    run(*dirs, "index")
    data = str(Path(__file__).parent / "data" / "dev_questions.jsonl")
    code, out, _ = run(*dirs, "eval", data, "--json")
    summary = json.loads(out)
    assert code == 0 and summary["questions"] == 14
    assert summary["abstention_accuracy"] >= 0.85
    code, _, err = run(*dirs, "eval", data, "--check", "hit@1>=1.01")
    assert code == 1 and "Check failed: hit@1" in err
    code, _, err = run(*dirs, "eval", data, "--check", "nonsense>=1")
    assert code == 1 and "unknown metric" in err


def test_eval_scores_follow_ups_alone(dirs: list[str]) -> None:
    """--follow-ups asks every question, each follow-up in its conversation, and scores the
    follow-ups alone (8 of the set's 16)."""
    run(*dirs, "index")
    data = str(Path(__file__).parent / "data" / "follow_up_questions.jsonl")
    code, out, _ = run(*dirs, "eval", data, "--json", "--follow-ups", "--misses")
    summary = json.loads(out)
    assert code == 0 and summary["questions"] == 8
    assert all(m["id"].endswith("b") for m in summary["misses"])
    assert json.loads(run(*dirs, "eval", data, "--json")[1])["questions"] == 16
    # a sample draws follow-ups (each asked after the question it follows)
    assert (
        json.loads(run(*dirs, "eval", data, "--json", "--follow-ups", "--sample", "3")[1])["questions"] == 3
    )
    plain = str(Path(__file__).parent / "data" / "dev_questions.jsonl")
    code, out, err = run(*dirs, "eval", plain, "--follow-ups")
    assert code == 1 and err == f"Error: no question in {plain} follows up another (`follows`)\n"


def test_eval_says_when_an_index_build_is_writing_the_index(dirs: list[str], tmp_path: Path) -> None:
    """Figures of a half-written index would be read as the answerer's: while another
    `newsdesk index` holds the index's lock, eval says so on stderr, and not otherwise."""
    from index.store.lock import IndexLock

    run(*dirs, "index")
    data = str(Path(__file__).parent / "data" / "dev_questions.jsonl")
    code, out, err = run(*dirs, "eval", data, "--json")
    assert code == 0 and json.loads(out)["questions"] == 14 and err == ""
    with IndexLock(tmp_path / "idx"):  # as a running `newsdesk index` holds it
        code, out, err = run(*dirs, "eval", data, "--json")
    assert code == 0 and json.loads(out)["questions"] == 14  # stdout stays the JSON
    assert err == (
        f"Note: `newsdesk index` (pid {os.getpid()}) is writing {tmp_path / 'idx'}; "
        "these figures are for the index as it stands now.\n"
    )


def test_eval_misses_lists_what_the_run_got_wrong(dirs: list[str], tmp_path: Path) -> None:
    """No article holds "zqxv", so that question is a miss however it is answered; the
    list says which and why, in text and in --json (and only when asked for)."""
    run(*dirs, "index")
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        json.dumps(
            {
                "id": "lavrov",
                "question": "Who is the Russian Foreign Minister that Blinken met?",
                "answer_keywords": [["lavrov"]],
            }
        )
        + "\n"
        + json.dumps(
            {"id": "impossible", "question": "Who did Blinken meet in Geneva?", "answer_keywords": [["zqxv"]]}
        )
        + "\n",
        encoding="utf-8",
    )
    code, out, _ = run(*dirs, "eval", str(questions), "--json", "--misses")
    assert code == 0
    found = json.loads(out)["misses"]
    assert [m["id"] for m in found] == ["impossible"]
    assert found[0]["why"] in ("answer lacks the keywords", "refused")
    assert found[0]["question"] == "Who did Blinken meet in Geneva?"
    code, out, _ = run(*dirs, "eval", str(questions), "--json")
    assert code == 0 and "misses" not in json.loads(out)
    code, out, _ = run(*dirs, "eval", str(questions), "--misses")
    block = out.split("\n\n", 1)[1].splitlines()
    assert block[0] == "Misses (1 of 2):"
    assert block[1].startswith(f"impossible: {found[0]['why']}")
    assert block[2] == "  Q: Who did Blinken meet in Geneva?"
    code, out, _ = run(*dirs, "eval", str(questions), "--json", "--misses", "--lowercase")
    assert code == 0 and [m["question"] for m in json.loads(out)["misses"]] == [
        "who did blinken meet in geneva"
    ]
    for typed, question in (
        ("upper", "WHO DID BLINKEN MEET IN GENEVA?"),
        ("slips", "Who did Blinekn meet in Geneva?"),
        ("keywords", "Blinken meet Geneva"),
        ("request", "Can you tell me who did Blinken meet in Geneva?"),
    ):
        code, out, _ = run(*dirs, "eval", str(questions), "--json", "--misses", "--typed", typed)
        assert code == 0 and [m["question"] for m in json.loads(out)["misses"]] == [question]
    code, out, err = run(*dirs, "eval", str(questions), "--lowercase", "--typed", "upper")
    assert (code, out) == (1, "")
    assert err == "Error: --lowercase and --typed upper ask the questions two ways: give one\n"


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("[1, 2]", "expected a JSON object, not list"),
        ("null", "expected a JSON object, not NoneType"),
        ('{"question": "Who?", "answerable": "false"}', "answerable must be true or false, not 'false'"),
        (
            '{"question": "Who?", "answer_keywords": "lavrov"}',
            "gold_sources must be a list, answer_keywords a list of lists",
        ),
        ('{"question": "  "}', "question must be non-empty text"),
    ],
)
def test_a_question_file_record_of_the_wrong_shape_is_named(
    dirs: list[str], tmp_path: Path, line: str, why: str
) -> None:
    """Each of these was a traceback or, worse, read wrong without a word."""
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"question": "Who met?"}\n' + line + "\n", encoding="utf-8")
    code, out, err = run(*dirs, "eval", str(questions))
    assert (code, out) == (1, "")
    assert err == f"Error: {questions}:2: not a question record ({why})\n"
    questions.write_bytes(b'{"question": "caf\xe9?"}\n')
    assert (
        run(*dirs, "eval", str(questions))[2] == f"Error: cannot read {questions}: not UTF-8 text (byte 17)\n"
    )


def test_console_script_entry_point(dirs: list[str]) -> None:
    """The installed `newsdesk` command itself, in a fresh process."""
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", *dirs, "ask", "anything?"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith("Error: no index at") and "Traceback" not in proc.stderr


def test_discord_without_token(dirs: list[str]) -> None:
    code, out, err = run(*dirs, "discord")
    assert code == 1 and out == ""
    assert err == "Error: DISCORD_TOKEN is not set (in the environment or .env); see README 'Discord'\n"


class _RejectingDiscord(BaseHTTPRequestHandler):
    """Discord's REST API as it answers a revoked token."""

    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.seen.append(f"{self.path} {self.headers.get('Authorization')}")
        body = b'{"message": "401: Unauthorized", "code": 0}'
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_discord_with_a_rejected_token(dirs: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import discord.http

    assert run(*dirs, "index")[0] == 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RejectingDiscord)
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    monkeypatch.setattr(discord.http.Route, "BASE", f"http://127.0.0.1:{server.server_port}/api/v10")
    monkeypatch.setenv("DISCORD_TOKEN", "revoked.token.value")
    try:
        code, out, err = run(*dirs, "discord")
    finally:
        server.shutdown()
    assert _RejectingDiscord.seen == ["/api/v10/users/@me Bot revoked.token.value"]
    assert code == 1 and out == "" and "Traceback" not in err
    # The bot's log lines come first (it logs to stderr while running); the error is last.
    assert err.endswith(
        "\nError: Discord rejected DISCORD_TOKEN; copy a fresh token from the developer portal\n"
    )


def test_chat_help_and_unknown_commands(dirs: list[str]) -> None:
    run(*dirs, "index")
    code, out, _ = run(*dirs, "chat", input="/help\n/halp\n/SOURCES\n/etc/hosts and Lavrov?\n/quit\n")
    assert code == 0
    assert "Commands:\n  /sources" in out and "/help     this list" in out
    assert "Unknown command /halp; /help lists the commands." in out
    assert "No answer yet." in out  # commands are case-insensitive
    assert out.count("Sources:") + out.count("Closest articles:") == 1  # only the real question was asked


def test_chat_tell_me_more_until_nothing_is_left(dirs: list[str]) -> None:
    run(*dirs, "index")
    asked = (
        "Summarize the news on Lavrov\ntell me more\nWho is the Russian Foreign Minister that Blinken met?\n"
    )
    code, out, _ = run(*dirs, "chat", input=asked + "more\n" * 12 + "/quit\n")
    assert code == 0
    listed = re.findall(r"^  \[(\d)\] .*\((\S+\.txt)\)$", out, re.M)  # each answer's sources
    assert [n for n, _ in listed[:5]] == ["1", "2", "3", "1", "2"]  # three articles, then the other two
    assert len({source for _, source in listed[:5]}) == 5  # all five seed articles name Lavrov
    assert out.rstrip().endswith("There is nothing more on that in the articles.")  # a question's "more" ends


@pytest.mark.parametrize("base", ["http://discord.invalid/api/v10", "http://127.0.0.1:{port}/api/v10"])
def test_discord_without_network(dirs: list[str], monkeypatch: pytest.MonkeyPatch, base: str) -> None:
    import socket

    import discord.http

    assert run(*dirs, "index")[0] == 0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once we leave: nothing listens there
    monkeypatch.setattr(discord.http.Route, "BASE", base.format(port=port))
    monkeypatch.setenv("DISCORD_TOKEN", "some.token.value")
    code, out, err = run(*dirs, "discord")
    assert code == 1 and out == "" and "Traceback" not in err
    last = err.rstrip("\n").splitlines()[-1]
    assert last.startswith("Error: cannot reach Discord (Cannot connect to host ")
    assert last.endswith("); check the network connection and try again")
    assert "some.token.value" not in err
