"""One settings object for every entry point, read once from the environment and `.env`.

Nothing below the entry points reads `os.environ`: they receive a `Settings`. The
environment wins over `.env` and explicit overrides (CLI options) over both; names match
whatever their case. A frozen dataclass that converts and checks its own values, not
pydantic(-settings): those imports (asyncio, argparse, cloud providers, schema building,
a scan of installed packages for plugins) were 0.2-0.4 s of every cold `ask`.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from dataclasses import replace as _replace
from functools import cache
from pathlib import Path
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from index.errors import NewsdeskError
from index.redact import redact_value

EmbedMode = Literal["onnx", "sentence-transformers", "openai", "hash"]
EmbedDevice = Literal["cpu", "cuda", "auto"]
LLMMode = Literal["extractive", "llm"]
LLMBackend = Literal["openai-like", "ollama"]
MAX_FILE_BYTES_CEILING = 50_000_000


ENV_FILE = Path(".env")


class SettingError(NewsdeskError):
    """A setting with a value newsdesk can't use; `name` is how users write it."""

    def __init__(self, name: str, message: str) -> None:
        self.name, self.message = name, message
        super().__init__(f"invalid setting {name}: {message}" if name else f"invalid settings: {message}")


class SecretStr:
    """A key or token: printed as stars wherever the settings are shown."""

    __slots__ = ("_value",)

    def __init__(self, value: str = "") -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "SecretStr('**********')" if self._value else "SecretStr('')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretStr) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def setting(
    default: Any = None,
    *,
    alias: str,
    default_factory: Callable[[], Any] | None = None,
    ge: float | None = None,
    gt: float | None = None,
    le: float | None = None,
    min_length: int | None = None,
) -> Any:
    """A setting: its default, the name users write (`alias`), and its bounds."""
    meta = {"alias": alias, "ge": ge, "gt": gt, "le": le, "min_length": min_length}
    if default_factory is not None:
        return field(default_factory=default_factory, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True, repr=False)
class Settings:
    """Every knob newsdesk has; `.env.example` documents each one. Its repr() shows no key
    and no credentials inside a URL."""

    # Where things live.
    corpus_dir: Path = setting(Path("corpus"), alias="NEWSDESK_CORPUS_DIR")
    index_dir: Path = setting(Path(".newsdesk"), alias="NEWSDESK_INDEX_DIR")
    max_file_bytes: int = setting(2_000_000, alias="NEWSDESK_MAX_FILE_BYTES", gt=0)
    follow_symlinks: bool = setting(False, alias="NEWSDESK_FOLLOW_SYMLINKS")

    # Chunking: 192-token chunks with a 24-token overlap, under MiniLM's 256-token window.
    chunk_size: int = setting(192, alias="NEWSDESK_CHUNK_SIZE", ge=32, le=2048)
    chunk_overlap: int = setting(24, alias="NEWSDESK_CHUNK_OVERLAP", ge=0)

    # Embeddings.
    embed_mode: EmbedMode = setting("onnx", alias="EMBED_MODE")
    embed_model: str = setting("", alias="EMBED_MODEL")
    embed_base_url: str = setting("", alias="EMBED_BASE_URL")
    embed_api_key: SecretStr = setting(SecretStr(""), alias="EMBED_API_KEY")
    # Upper bounds: a mistyped 100000 would have ONNX Runtime start that many threads (the
    # machine's process limit, not newsdesk, would stop it) or pad one enormous batch.
    embed_threads: int = setting(2, alias="EMBED_THREADS", ge=1, le=256)
    embed_batch_size: int = setting(8, alias="EMBED_BATCH_SIZE", ge=1, le=4096)
    embed_device: EmbedDevice = setting("cpu", alias="EMBED_DEVICE")

    # Chroma: on disk under index_dir unless a server is named.
    chroma_host: str = setting("", alias="CHROMA_HOST")
    chroma_port: int = setting(8000, alias="CHROMA_PORT", ge=1, le=65535)
    chroma_collection: str = setting("newsdesk", alias="CHROMA_COLLECTION", min_length=3)

    # Answering.
    llm_mode: LLMMode = setting("extractive", alias="LLM_MODE")
    llm_backend: LLMBackend = setting("openai-like", alias="LLM_BACKEND")
    llm_base_url: str = setting("http://127.0.0.1:8080/v1", alias="LLM_BASE_URL")
    llm_model: str = setting("", alias="LLM_MODEL")
    llm_api_key: SecretStr = setting(SecretStr(""), alias="LLM_API_KEY")
    llm_timeout: float = setting(30.0, alias="LLM_TIMEOUT", gt=0)
    llm_max_tokens: int = setting(400, alias="LLM_MAX_TOKENS", gt=0, le=4096)
    prompts_dir: Path = setting(
        Path(__file__).resolve().parent.parent / "prompts", alias="NEWSDESK_PROMPTS_DIR"
    )
    top_k: int = setting(5, alias="NEWSDESK_TOP_K", ge=1, le=50)
    max_question_chars: int = setting(2000, alias="NEWSDESK_MAX_QUESTION_CHARS", ge=10)
    history_turns: int = setting(6, alias="NEWSDESK_HISTORY_TURNS", ge=0)

    # Bringing articles in from the web (`newsdesk add`, `newsdesk feeds`).
    feeds: list[str] = setting(default_factory=list, alias="NEWSDESK_FEEDS")
    user_agent: str = setting(
        "newsdesk/0.1 (news question answering; fetches articles a user asked for)",
        alias="NEWSDESK_USER_AGENT",
    )
    fetch_timeout: float = setting(15.0, alias="NEWSDESK_FETCH_TIMEOUT", gt=0, le=300)
    fetch_max_bytes: int = setting(
        5_000_000, alias="NEWSDESK_FETCH_MAX_BYTES", gt=0, le=MAX_FILE_BYTES_CEILING
    )
    fetch_per_host: int = setting(2, alias="NEWSDESK_FETCH_PER_HOST", ge=1, le=16)

    # Discord.
    discord_token: SecretStr = setting(SecretStr(""), alias="DISCORD_TOKEN")
    discord_guild_id: int | None = setting(None, alias="DISCORD_GUILD_ID")
    discord_channel_ids: list[int] = setting(default_factory=list, alias="DISCORD_CHANNEL_IDS")
    discord_allow_dms: bool = setting(False, alias="DISCORD_ALLOW_DMS")
    discord_admin_ids: list[int] = setting(default_factory=list, alias="DISCORD_ADMIN_IDS")
    discord_rate_limit: int = setting(5, alias="DISCORD_RATE_LIMIT", ge=1)
    discord_rate_window: float = setting(60.0, alias="DISCORD_RATE_WINDOW", gt=0)
    discord_concurrency: int = setting(4, alias="DISCORD_CONCURRENCY", ge=1, le=64)
    discord_thread_idle_minutes: float = setting(60.0, alias="DISCORD_THREAD_IDLE_MINUTES", gt=0)

    def __post_init__(self) -> None:
        """Text from `.env` and the environment becomes typed values; each is checked."""
        hints = _hints()
        for f in fields(self):
            name = f.metadata["alias"]
            try:
                value = _convert(_BEFORE.get(f.name, _same)(getattr(self, f.name)), hints[f.name])
                _check_bounds(value, f.metadata)
                value = _AFTER.get(f.name, _same)(value)
            except (ValueError, TypeError) as exc:
                raise SettingError(name, str(exc)) from None
            object.__setattr__(self, f.name, value)
        # More overlap than half a chunk would make neighbouring chunks mostly the same
        # text (the splitter used to cap it there silently).
        if self.chunk_overlap > self.chunk_size // 2:
            raise SettingError(
                "",
                f"NEWSDESK_CHUNK_OVERLAP ({self.chunk_overlap}) must be at most half of "
                f"NEWSDESK_CHUNK_SIZE ({self.chunk_size})",
            )

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={redact_value(f.name, getattr(self, f.name))!r}" for f in fields(self))
        return f"Settings({shown})"

    def replace(self, **changes: Any) -> Settings:
        """A copy with some values changed (checked like the rest)."""
        return _replace(self, **changes)

    @property
    def chroma_path(self) -> Path:
        return self.index_dir / "chroma"


@cache
def _hints() -> dict[str, Any]:
    return get_type_hints(Settings)


def _same(value: Any) -> Any:
    return value


def _split_ids(value: object) -> object:
    """Accept `1,2,3` in the environment as well as a JSON list."""
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [_integer(part) for part in text.replace(" ", ",").split(",") if part]
    return value


def _split_feeds(value: object) -> object:
    """Feed URLs separated by commas or spaces (or a JSON list)."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [part for part in text.replace(",", " ").split() if part]
    return value


def _file_size_ceiling(value: int) -> int:
    """Reading one file holds its text in memory a few times over, and a 30 MB article
    takes some 20 minutes to embed here: past the ceiling, split the file instead."""
    if value > MAX_FILE_BYTES_CEILING:
        raise ValueError(
            f"{value:,} is more than newsdesk reads from one file ({MAX_FILE_BYTES_CEILING:,} bytes); "
            "split larger articles into several files"
        )
    return value


_BEFORE: dict[str, Callable[[Any], Any]] = {
    "discord_channel_ids": _split_ids,
    "discord_admin_ids": _split_ids,
    "feeds": _split_feeds,
    "discord_guild_id": lambda value: None if value in ("", None) else value,
}
_AFTER: dict[str, Callable[[Any], Any]] = {"max_file_bytes": _file_size_ceiling}
_TRUE = frozenset({"1", "true", "t", "yes", "y", "on"})
_FALSE = frozenset({"0", "false", "f", "no", "n", "off"})


def _integer(value: object) -> int:
    if isinstance(value, bool):
        raise ValueError("Input should be a valid integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise ValueError(f"Input should be a valid integer, not {_shown(value)}")


def _convert(value: Any, hint: Any) -> Any:
    """A value (text from the environment, or already typed) as the field's type."""
    origin = get_origin(hint)
    if origin is Literal:
        if value not in get_args(hint):
            raise ValueError("Input should be " + " or ".join(repr(a) for a in get_args(hint)))
        return value
    if origin is Union or origin is UnionType:  # `int | None`
        if value is None:
            return None
        return _convert(value, next(a for a in get_args(hint) if a is not type(None)))
    if origin is list:
        if not isinstance(value, list | tuple):
            raise ValueError(f"Input should be a list, not {_shown(value)}")
        return [_convert(item, get_args(hint)[0]) for item in value]
    if hint is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise ValueError(f"Input should be a valid boolean, not {_shown(value)}")
    if hint is int:
        return _integer(value)
    if hint is float:
        if isinstance(value, bool):
            raise ValueError("Input should be a valid number")
        try:
            number = float(value.strip() if isinstance(value, str) else value)
        except (TypeError, ValueError):
            raise ValueError(f"Input should be a valid number, not {_shown(value)}") from None
        if not math.isfinite(number):  # NaN passes every bound check (comparisons are False)
            raise ValueError(f"Input should be a finite number, not {_shown(value)}")
        return number
    if hint is SecretStr:
        return value if isinstance(value, SecretStr) else SecretStr(_text(value))
    if hint is Path:
        if isinstance(value, Path):
            return value
        if not _text(value).strip():  # `NEWSDESK_INDEX_DIR=$UNSET` would mean the current folder
            raise ValueError("Input should be a path, not empty (leave the setting out for its default)")
        return Path(_text(value))
    return _text(value)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"Input should be a valid string, not {_shown(value)}")
    return value


def _shown(value: object) -> str:
    """A rejected value as the error shows it: short ones quoted, longer ones only
    described, since a key pasted into the wrong setting must not be printed back."""
    text = repr(value)
    return text if len(text) <= 14 else f"a {len(str(value))}-character value"


def _check_bounds(value: Any, meta: Mapping[str, Any]) -> None:
    if meta["ge"] is not None and value < meta["ge"]:
        raise ValueError(f"Input should be greater than or equal to {meta['ge']}")
    if meta["gt"] is not None and value <= meta["gt"]:
        raise ValueError(f"Input should be greater than {meta['gt']}")
    if meta["le"] is not None and value > meta["le"]:
        raise ValueError(f"Input should be less than or equal to {meta['le']}")
    if meta["min_length"] is not None and len(value) < meta["min_length"]:
        raise ValueError(f"String should have at least {meta['min_length']} characters")


def load_settings(**overrides: object) -> Settings:
    """Load settings once per entry point; overrides win over the environment."""
    by_alias = {f.metadata["alias"]: f.name for f in fields(Settings)}
    values: dict[str, Any] = {by_alias[key]: value for key, value in configured_values().items()}
    names = set(by_alias.values())
    values.update({k: v for k, v in overrides.items() if v is not None and k in names})
    return Settings(**values)


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

    try:
        return dotenv_values(env_file, encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise NewsdeskError(
            f"cannot read {env_file}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at position "
            f"{exc.start}); save it as UTF-8"
        ) from None
    except OSError as exc:
        raise NewsdeskError(f"cannot read {env_file}: {exc.strerror or exc}") from None


PREFIXES = ("NEWSDESK_", "LLM_", "DISCORD_", "CHROMA_", "EMBED_")


def known_keys() -> set[str]:
    return {f.metadata["alias"] for f in fields(Settings)}


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
