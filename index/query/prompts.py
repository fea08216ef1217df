"""Prompt templates live in `prompts/` as files, checked for their variables at load."""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

from index.errors import NewsdeskError

REQUIRED = {
    "answer": {"passages", "question", "refusal"},
    "condense": {"history", "question"},
    "refusal": set(),
}


class PromptError(NewsdeskError):
    """A prompt file is missing or lacks a variable the code fills in."""


@dataclass(frozen=True)
class Prompts:
    answer: str
    condense: str
    refusal: str


def _variables(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def load_prompts(directory: Path) -> Prompts:
    """Read and validate every template; errors name the file and the variable."""
    texts: dict[str, str] = {}
    for name, required in REQUIRED.items():
        path = directory / f"{name}.txt"
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PromptError(f"prompt file {path} cannot be read ({exc.strerror or exc})") from exc
        try:
            found = _variables(text)
        except ValueError as exc:
            raise PromptError(f"prompt file {path} is not a valid template: {exc}") from exc
        missing = required - found
        if missing:
            raise PromptError(f"prompt file {path} is missing the variable {{{sorted(missing)[0]}}}")
        unknown = found - required
        if unknown:
            raise PromptError(f"prompt file {path} uses unknown variable {{{sorted(unknown)[0]}}}")
        texts[name] = text.strip() if name == "refusal" else text
    return Prompts(**texts)
