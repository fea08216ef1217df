"""One settings object for every entry point, read once from the environment and `.env`.

Nothing below the entry points reads `os.environ`: they receive a `Settings`. The
environment wins over `.env` and explicit overrides (CLI options) over both; names match
whatever their case. A plain pydantic model read by `load_settings`, not pydantic-settings:
that package imports asyncio, argparse and its cloud providers, 0.1-0.3 s of every cold
`ask` for the two sources used here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from index.redact import RedactedRepr

EmbedMode = Literal["onnx", "sentence-transformers", "openai", "hash"]
EmbedDevice = Literal["cpu", "cuda", "auto"]
LLMMode = Literal["extractive", "llm"]
LLMBackend = Literal["openai-like", "ollama"]
MAX_FILE_BYTES_CEILING = 50_000_000


ENV_FILE = Path(".env")


class Settings(RedactedRepr, BaseModel):
    """Every knob newsdesk has; `.env.example` documents each one. Its repr() shows no key
    and no credentials inside a URL."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    # Where things live.
    corpus_dir: Path = Field(Path("corpus"), alias="NEWSDESK_CORPUS_DIR")
    index_dir: Path = Field(Path(".newsdesk"), alias="NEWSDESK_INDEX_DIR")
    max_file_bytes: int = Field(2_000_000, alias="NEWSDESK_MAX_FILE_BYTES", gt=0)
    follow_symlinks: bool = Field(False, alias="NEWSDESK_FOLLOW_SYMLINKS")

    # Chunking (see README "Chunk size" for the measurement behind the defaults).
    chunk_size: int = Field(192, alias="NEWSDESK_CHUNK_SIZE", ge=32, le=2048)
    chunk_overlap: int = Field(24, alias="NEWSDESK_CHUNK_OVERLAP", ge=0)

    # Embeddings.
    embed_mode: EmbedMode = Field("onnx", alias="EMBED_MODE")
    embed_model: str = Field("", alias="EMBED_MODEL")
    embed_base_url: str = Field("", alias="EMBED_BASE_URL")
    embed_api_key: SecretStr = Field(SecretStr(""), alias="EMBED_API_KEY")
    embed_threads: int = Field(2, alias="EMBED_THREADS", ge=1)
    embed_batch_size: int = Field(8, alias="EMBED_BATCH_SIZE", ge=1)
    embed_device: EmbedDevice = Field("cpu", alias="EMBED_DEVICE")

    # Chroma: on disk under index_dir unless a server is named.
    chroma_host: str = Field("", alias="CHROMA_HOST")
    chroma_port: int = Field(8000, alias="CHROMA_PORT")
    chroma_collection: str = Field("newsdesk", alias="CHROMA_COLLECTION", min_length=3)

    # Answering.
    llm_mode: LLMMode = Field("extractive", alias="LLM_MODE")
    llm_backend: LLMBackend = Field("openai-like", alias="LLM_BACKEND")
    llm_base_url: str = Field("http://127.0.0.1:8080/v1", alias="LLM_BASE_URL")
    llm_model: str = Field("", alias="LLM_MODEL")
    llm_api_key: SecretStr = Field(SecretStr(""), alias="LLM_API_KEY")
    llm_timeout: float = Field(30.0, alias="LLM_TIMEOUT", gt=0)
    llm_max_tokens: int = Field(400, alias="LLM_MAX_TOKENS", gt=0, le=4096)
    prompts_dir: Path = Field(
        Path(__file__).resolve().parent.parent / "prompts", alias="NEWSDESK_PROMPTS_DIR"
    )
    top_k: int = Field(5, alias="NEWSDESK_TOP_K", ge=1, le=50)
    max_question_chars: int = Field(2000, alias="NEWSDESK_MAX_QUESTION_CHARS", ge=10)
    history_turns: int = Field(6, alias="NEWSDESK_HISTORY_TURNS", ge=0)

    # Bringing articles in from the web (`newsdesk add`, `newsdesk feeds`).
    feeds: list[str] = Field(default_factory=list, alias="NEWSDESK_FEEDS")
    user_agent: str = Field(
        "newsdesk/0.1 (news question answering; fetches articles a user asked for)",
        alias="NEWSDESK_USER_AGENT",
    )
    fetch_timeout: float = Field(15.0, alias="NEWSDESK_FETCH_TIMEOUT", gt=0, le=300)
    fetch_max_bytes: int = Field(5_000_000, alias="NEWSDESK_FETCH_MAX_BYTES", gt=0, le=MAX_FILE_BYTES_CEILING)
    fetch_per_host: int = Field(2, alias="NEWSDESK_FETCH_PER_HOST", ge=1, le=16)

    # Discord.
    discord_token: SecretStr = Field(SecretStr(""), alias="DISCORD_TOKEN")
    discord_guild_id: int | None = Field(None, alias="DISCORD_GUILD_ID")
    discord_channel_ids: list[int] = Field(default_factory=list, alias="DISCORD_CHANNEL_IDS")
    discord_allow_dms: bool = Field(False, alias="DISCORD_ALLOW_DMS")
    discord_admin_ids: list[int] = Field(default_factory=list, alias="DISCORD_ADMIN_IDS")
    discord_rate_limit: int = Field(5, alias="DISCORD_RATE_LIMIT", ge=1)
    discord_rate_window: float = Field(60.0, alias="DISCORD_RATE_WINDOW", gt=0)
    discord_concurrency: int = Field(4, alias="DISCORD_CONCURRENCY", ge=1)
    discord_thread_idle_minutes: float = Field(60.0, alias="DISCORD_THREAD_IDLE_MINUTES", gt=0)

    @field_validator("discord_channel_ids", "discord_admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        """Accept `1,2,3` in the environment as well as a JSON list."""
        if isinstance(value, int):
            return [value]
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [int(part) for part in text.replace(" ", ",").split(",") if part]
        return value

    @field_validator("feeds", mode="before")
    @classmethod
    def _split_feeds(cls, value: object) -> object:
        """Feed URLs separated by commas or spaces (or a JSON list)."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part for part in text.replace(",", " ").split() if part]
        return value

    @field_validator("max_file_bytes")
    @classmethod
    def _file_size_ceiling(cls, value: int) -> int:
        """Reading one file holds its text in memory a few times over, and a 30 MB article
        takes some 20 minutes to embed here: past the ceiling, split the file instead."""
        if value > MAX_FILE_BYTES_CEILING:
            raise ValueError(
                f"{value:,} is more than newsdesk reads from one file ({MAX_FILE_BYTES_CEILING:,} bytes); "
                "split larger articles into several files"
            )
        return value

    @field_validator("discord_guild_id", mode="before")
    @classmethod
    def _empty_guild(cls, value: object) -> object:
        return None if value in ("", None) else value

    @model_validator(mode="after")
    def _overlap_fits(self) -> Settings:
        """More overlap than half a chunk would make neighbouring chunks mostly the same text
        (the splitter used to cap it there silently)."""
        if self.chunk_overlap > self.chunk_size // 2:
            raise ValueError(
                f"NEWSDESK_CHUNK_OVERLAP ({self.chunk_overlap}) must be at most half of "
                f"NEWSDESK_CHUNK_SIZE ({self.chunk_size})"
            )
        return self

    @property
    def chroma_path(self) -> Path:
        return self.index_dir / "chroma"


def load_settings(**overrides: object) -> Settings:
    """Load settings once per entry point; overrides win over the environment."""
    values: dict[str, object] = dict(configured_values())
    fields = Settings.model_fields
    values.update(
        {fields[k].alias or k if k in fields else k: v for k, v in overrides.items() if v is not None}
    )
    return Settings.model_validate(values)  # by the names users write: errors name NEWSDESK_TOP_K


def configured_values(env_file: Path = ENV_FILE, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Setting name (`NEWSDESK_TOP_K`) -> text, from `.env` and the environment (which wins)."""
    environ = os.environ if environ is None else environ
    known = {key.upper() for key in known_keys()}
    values: dict[str, str] = {}
    for source in (_env_file_values(env_file), environ):
        for key, value in source.items():
            if key.upper() in known and value is not None:
                values[key.upper()] = value
    return values


def _env_file_values(env_file: Path) -> Mapping[str, str | None]:
    if not env_file.is_file():
        return {}
    from dotenv import dotenv_values

    return dotenv_values(env_file, encoding="utf-8")


PREFIXES = ("NEWSDESK_", "LLM_", "DISCORD_", "CHROMA_", "EMBED_")


def known_keys() -> set[str]:
    return {f.alias for f in Settings.model_fields.values() if f.alias}


def _chroma_keys() -> set[str]:
    """CHROMA_* names chromadb itself reads (from the environment and .env)."""
    try:
        from chromadb.config import Settings as ChromaSettings
    except ImportError:
        return set()
    return {name.upper() for name in ChromaSettings.model_fields}


def unknown_setting_warnings(
    env_file: Path = ENV_FILE, environ: Mapping[str, str] | None = None
) -> list[str]:
    """One line per key that looks like a newsdesk setting but is none (`LLM_MODEE`):
    unknown keys are ignored, so a typo would otherwise go unnoticed."""
    environ = os.environ if environ is None else environ
    sources = {key: f"in {env_file}" for key in _env_file_values(env_file)}
    sources.update({key: "in the environment" for key in environ})
    known = known_keys()
    unknown = sorted(k for k in sources if k.upper().startswith(PREFIXES) and k.upper() not in known)
    if any(k.upper().startswith("CHROMA_") for k in unknown):
        chroma = _chroma_keys()
        unknown = [k for k in unknown if k.upper() not in chroma]
    import difflib

    lines = []
    for key in unknown:
        close = difflib.get_close_matches(key.upper(), sorted(known), n=1, cutoff=0.75)
        hint = f" (did you mean {close[0]}?)" if close else ""
        lines.append(f"{key} {sources[key]} is not a newsdesk setting and is ignored{hint}")
    return lines
