"""Credentials in LLM_BASE_URL (userinfo, `?api-key=`) and keys never reach what users see."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.discord_render import answer_messages
from index.query.llm import build_llm
from index.redact import redact_text, redact_url
from index.settings import load_settings
from tests.openai_server import ScriptedOpenAI

SECRETS = ("secret", "hunter2", "sk-live-KEY", "tok.en")
QUESTION = "What response did the US promise if Russian forces cross Ukraine's border?"


def _with_credentials(base_url: str) -> str:
    return base_url.replace("http://", "http://user:secret@") + "?api-key=hunter2"


def test_redact_url() -> None:
    assert redact_url("http://user:secret@host:8080/v1?api-key=hunter2#x") == "http://***@host:8080/v1?***"
    assert redact_url("https://api.example.org/v1") == "https://api.example.org/v1"
    assert redact_url("http://[::1") == "http://[::1"  # unparseable: still nothing secret to drop
    assert (
        redact_text("failed for url 'http://u:p@h/v1/chat?key=1': 401")
        == "failed for url 'http://***@h/v1/chat?***': 401"
    )


def test_the_fallback_note_shows_no_credentials_on_the_cli_and_in_discord(
    built_index: Any, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dirs = ["--corpus-dir", str(corpus), "--index-dir", str(built_index.index_dir)]
    with ScriptedOpenAI() as server:
        monkeypatch.setenv("LLM_BASE_URL", _with_credentials(server.base_url))
        monkeypatch.setenv("LLM_API_KEY", "sk-live-KEY")
        monkeypatch.setenv("LLM_MODEL", "test-model")
        server.script.extend([{"status": 401}, {"status": 401}])
        as_json = CliRunner().invoke(cli, [*dirs, "ask", "--mode", "llm", "--json", QUESTION])
        human = CliRunner().invoke(cli, [*dirs, "ask", "--mode", "llm", QUESTION])
        # The credentials did reach the server (that is how the user meant them).
        assert server.requests and len(server.requests) == 2
    note = json.loads(as_json.stdout)["note"]
    port = server.server.server_address[1]
    assert note.startswith(f"the LLM at http://***@127.0.0.1:{port}/v1?*** failed (HTTP 401)")
    assert f"Note: {note}" in human.stdout
    for result in (as_json, human):
        assert result.exit_code == 0
        assert not any(s in result.output for s in SECRETS)

    from index.query.engine import Engine

    settings = load_settings(
        corpus_dir=corpus,
        index_dir=built_index.index_dir,
        llm_mode="llm",
        llm_model="m",
        llm_base_url=_with_credentials("http://127.0.0.1:9/v1"),
        llm_timeout=2,
    )
    answer = Engine(settings).ask(QUESTION)
    shown = json.dumps([[e.__dict__ for e in m] for m in answer_messages(answer)])
    assert "http://***@127.0.0.1:9/v1?***" in shown and not any(s in shown for s in SECRETS)


@pytest.mark.parametrize("backend", ["openai-like", "ollama"])
def test_repr_of_objects_holding_keys_shows_none(backend: str) -> None:
    settings = load_settings(
        llm_backend=backend,
        llm_model="m",
        llm_base_url=_with_credentials("http://127.0.0.1:11434/v1"),
        llm_api_key="sk-live-KEY",
        discord_token="tok.en",
        embed_api_key="sk-live-KEY",
        embed_base_url=_with_credentials("http://127.0.0.1:1/v1"),
    )
    llm = build_llm(settings)
    for shown in (repr(settings), str(settings), repr(llm), str(llm)):
        assert not any(s in shown for s in SECRETS), shown
    from index.embedding.backends import openai_embeddings

    embed = openai_embeddings(settings.replace(embed_model="e"), "openai:e")
    assert not any(s in repr(embed) for s in SECRETS)


def test_log_lines_lose_credentials(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from index.redact import RedactingFilter

    handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter())
    record = logging.LogRecord(
        "httpx",
        logging.INFO,
        __file__,
        1,
        'HTTP Request: %s %s "%s"',
        ("POST", _with_credentials("http://h/v1"), "200 OK"),
        None,
    )
    assert handler.filter(record)
    assert record.getMessage() == 'HTTP Request: POST http://***@h/v1?*** "200 OK"'
