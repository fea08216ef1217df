from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from index.settings import SettingError, load_settings

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_documented_in_env_example() -> None:
    aliases = set(re.findall(r'alias="([A-Z_]+)"', (ROOT / "index" / "settings.py").read_text()))
    documented = set(re.findall(r"^(?:# )?([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert aliases == documented


def test_env_file_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(
        "NEWSDESK_TOP_K=7\nDISCORD_CHANNEL_IDS=1, 2,3\nLLM_MODE=llm\n", encoding="utf-8"
    )
    settings = load_settings()
    assert (settings.top_k, settings.discord_channel_ids, settings.llm_mode) == (7, [1, 2, 3], "llm")
    monkeypatch.setenv("NEWSDESK_TOP_K", "9")
    assert load_settings().top_k == 9
    assert load_settings(top_k=3).top_k == 3  # explicit overrides (CLI options) win
    monkeypatch.delenv("NEWSDESK_TOP_K")
    monkeypatch.setenv("newsdesk_top_k", "4")  # names match whatever their case
    assert load_settings().top_k == 4


def test_loading_settings_imports_no_pydantic() -> None:
    """pydantic-settings imported asyncio, argparse and cloud providers, and pydantic builds
    a schema and scans installed packages for plugins: 0.2-0.4 s of a cold `ask`."""
    code = "import sys; from index.settings import load_settings; load_settings(); print(sorted(sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert "'index.settings'" in loaded.stdout
    assert "pydantic" not in loaded.stdout and "'asyncio'" not in loaded.stdout


def test_defaults_and_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings()
    assert settings.index_dir == Path(".newsdesk") and settings.corpus_dir == Path("corpus")
    assert settings.llm_mode == "extractive" and settings.embed_mode == "onnx"
    assert settings.discord_token.get_secret_value() == "" and "**" in repr(
        load_settings(discord_token="x").discord_token
    )
    monkeypatch.setenv("CHROMA_COLLECTION", "ab")
    with pytest.raises(SettingError, match="CHROMA_COLLECTION: String should have at least 3 characters"):
        load_settings()


def _invoke(*args: str) -> Any:
    from click.testing import CliRunner

    from bot.cli import cli

    return CliRunner().invoke(cli, list(args))


def test_a_misspelled_setting_is_warned_about(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Path(".env").write_text("LLM_MODEE=llm\nNEWSDESK_TOP_K=3\nOPENAI_API_KEY=not-ours\n", encoding="utf-8")
    monkeypatch.setenv("NEWSDESK_TOPK", "7")
    monkeypatch.setenv("CHROMA_SERVER_HOST", "localhost")  # chromadb's own setting: not a typo
    monkeypatch.setenv("DISCORD_TOKN", "secret-value")
    result = _invoke("--corpus-dir", str(corpus), "--index-dir", str(tmp_path / "idx"), "index", "--dry-run")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "Warning: DISCORD_TOKN in the environment is not a newsdesk setting and is ignored"
        " (did you mean DISCORD_TOKEN?)",
        "Warning: LLM_MODEE in .env is not a newsdesk setting and is ignored (did you mean LLM_MODE?)",
        "Warning: NEWSDESK_TOPK in the environment is not a newsdesk setting and is ignored"
        " (did you mean NEWSDESK_TOP_K?)",
    ]
    assert "secret-value" not in result.output


def test_overlap_larger_than_the_chunk_is_rejected(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_dir = tmp_path / "idx"
    index_dir.mkdir()
    (index_dir / "state.json").write_text('{"collection": "newsdesk_1", "generation": 1}')
    monkeypatch.setenv("NEWSDESK_CHUNK_OVERLAP", "200")
    result = _invoke("--corpus-dir", str(corpus), "--index-dir", str(index_dir), "index")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: invalid settings: NEWSDESK_CHUNK_OVERLAP (200) must be at most half of NEWSDESK_CHUNK_SIZE (192)\n"
    )
    assert [p.name for p in index_dir.iterdir()] == ["state.json"]  # nothing touched
    monkeypatch.setenv("NEWSDESK_CHUNK_OVERLAP", "96")
    assert load_settings().chunk_overlap == 96


def test_text_from_the_environment_becomes_typed_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_ALLOW_DMS", "yes")
    monkeypatch.setenv("DISCORD_GUILD_ID", " 42 ")
    monkeypatch.setenv("LLM_TIMEOUT", "2.5")
    monkeypatch.setenv("NEWSDESK_FEEDS", "https://a.example/rss, https://b.example/rss")
    settings = load_settings()
    assert settings.discord_allow_dms is True and settings.discord_guild_id == 42
    assert settings.llm_timeout == 2.5
    assert settings.feeds == ["https://a.example/rss", "https://b.example/rss"]
    monkeypatch.setenv("DISCORD_GUILD_ID", "")
    assert load_settings().discord_guild_id is None
    for name, value, message in [
        ("EMBED_THREADS", "two", "EMBED_THREADS: Input should be a valid integer, not 'two'"),
        ("EMBED_THREADS", "0", "EMBED_THREADS: Input should be greater than or equal to 1"),
        ("DISCORD_ALLOW_DMS", "perhaps", "DISCORD_ALLOW_DMS: Input should be a valid boolean"),
        ("LLM_MODE", "chat", "LLM_MODE: Input should be 'extractive' or 'llm'"),
        ("DISCORD_ADMIN_IDS", "1,x", "DISCORD_ADMIN_IDS: Input should be a valid integer, not 'x'"),
    ]:
        with monkeypatch.context() as m:
            m.setenv(name, value)
            with pytest.raises(SettingError, match=re.escape(message)):
                load_settings()


@pytest.mark.parametrize(
    ("name", "value", "bound"),
    [
        ("EMBED_THREADS", "100000", "less than or equal to 256"),
        ("EMBED_BATCH_SIZE", "10000000", "less than or equal to 4096"),
        ("CHROMA_PORT", "70000", "less than or equal to 65535"),
        ("CHROMA_PORT", "0", "greater than or equal to 1"),
        ("DISCORD_CONCURRENCY", "5000", "less than or equal to 64"),
    ],
)
def test_an_absurd_size_is_refused_before_anything_starts(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str, bound: str
) -> None:
    """A mistyped EMBED_THREADS=100000 would ask ONNX Runtime for that many threads (the
    machine's process limit, not newsdesk, would stop it); it is one line and exit 1."""
    monkeypatch.setenv(name, value)
    result = _invoke("--corpus-dir", str(corpus), "--index-dir", str(tmp_path / "idx"), "ask", "Who met?")
    assert result.exit_code == 1
    assert result.stderr == f"Error: invalid setting {name}: Input should be {bound}\n"
    assert not (tmp_path / "idx").exists()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("LLM_TIMEOUT", "nan", "Input should be a finite number, not 'nan'"),
        ("NEWSDESK_FETCH_TIMEOUT", "inf", "Input should be a finite number, not 'inf'"),
        ("LLM_TIMEOUT", "sk-TESTSECRET123", "Input should be a valid number, not a 16-character value"),
        (
            "DISCORD_CHANNEL_IDS",
            "sk-TESTSECRET123",
            "Input should be a valid integer, not a 16-character value",
        ),
        (
            "NEWSDESK_INDEX_DIR",
            "",
            "Input should be a path, not empty (leave the setting out for its default)",
        ),
    ],
)
def test_a_value_no_bound_can_check_is_refused_and_not_echoed(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    """NaN passed every bound (comparisons with it are False) and crashed later; an empty
    path meant the current folder; a key pasted into the wrong setting was printed back."""
    monkeypatch.setenv(name, value)
    result = _invoke("--corpus-dir", str(corpus), "ask", "Who met?")
    assert result.exit_code == 1
    assert result.stderr == f"Error: invalid setting {name}: {message}\n"
    assert list(Path.cwd().iterdir()) == []  # nothing written in the working folder


def test_a_dotenv_that_is_not_utf8_is_one_error_line(corpus: Path) -> None:
    """Windows Notepad saves .env as UTF-16 with a byte-order mark."""
    Path(".env").write_text("NEWSDESK_TOP_K=3\n", encoding="utf-16")
    result = _invoke("--corpus-dir", str(corpus), "ask", "Who met?")
    assert result.exit_code == 1
    assert (
        result.stderr
        == "Error: cannot read .env: not UTF-8 text (byte 0xff at position 0); save it as UTF-8\n"
    )
