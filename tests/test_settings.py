from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from index.settings import load_settings

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


def test_defaults_and_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings()
    assert settings.index_dir == Path(".newsdesk") and settings.corpus_dir == Path("corpus")
    assert settings.llm_mode == "extractive" and settings.embed_mode == "onnx"
    assert settings.discord_token.get_secret_value() == "" and "**" in repr(
        load_settings(discord_token="x").discord_token
    )
    monkeypatch.setenv("CHROMA_COLLECTION", "ab")
    with pytest.raises(ValidationError):
        load_settings()
