"""Answers shaped for Discord, as pure functions (no client, no network).

Discord's limits: 2,000 characters per message; per embed a 4,096-character description,
25 fields of 256 (name) + 1,024 (value), and 6,000 characters in all the embeds of one
message. Text is split on sentence boundaries and never inside a `[n]` marker, a URL or
a markdown link; every answer's sources travel in the same message as its last part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from index.text import split_sentences

if TYPE_CHECKING:
    from index.query.answer import Answer, Source

MESSAGE_LIMIT = 2000
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELDS_PER_EMBED = 25
EMBED_TOTAL_LIMIT = 6000
TITLE_LIMIT = 256
ANSWER_PART = 3500  # description budget per message: leaves room for the sources
SOURCES_BUDGET = 2200  # all source fields of one answer
QUOTE_CHARS = 200

_ZWSP = "\u200b"
# Atomic tokens: markdown links, URLs, [n] marker groups, then any other word.
_TOKEN = re.compile(r"\[[^\]\n]{1,300}\]\(<?https?://[^\s)>]+>?\)|<?https?://\S+|(?:\[\d{1,3}\])+|\S+")


def neutralize_mentions(text: str) -> str:
    """Break @everyone, @here and <@id>/<@&id> so they cannot ping even if echoed elsewhere."""
    text = re.sub(r"@(everyone|here)", f"@{_ZWSP}\\1", text)
    return re.sub(r"<@([!&]?\d+)>", f"<@{_ZWSP}\\1>", text)


def _split_tokens(text: str, limit: int) -> list[str]:
    """Greedy split on whitespace between atomic tokens; a single giant token is cut."""
    parts: list[str] = []
    current = ""
    for token in _TOKEN.findall(text):
        while len(token) > limit:  # only a token longer than a whole part is ever cut
            if current:
                parts.append(current)
                current = ""
            parts.append(token[:limit])
            token = token[limit:]
        candidate = f"{current} {token}" if current else token
        if len(candidate) > limit:
            parts.append(current)
            current = token
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts


def split_text(text: str, limit: int) -> list[str]:
    """Split text into parts of at most `limit` characters at sentence boundaries."""
    if len(text) <= limit:
        return [text] if text else []
    parts: list[str] = []
    current = ""
    for sentence in _sentences_with_markers(text):
        candidate = f"{current} {sentence}" if current else sentence
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        if len(sentence) <= limit:
            current = sentence
        else:
            pieces = _split_tokens(sentence, limit)
            parts.extend(pieces[:-1])
            current = pieces[-1]
    if current:
        parts.append(current)
    return parts


def _sentences_with_markers(text: str) -> list[str]:
    """Sentences, each keeping the `[n]` markers that follow it."""
    out: list[str] = []
    for sentence in split_sentences(text):
        lead = re.match(r"^((?:\[\d{1,3}\]\s*)+)", sentence)
        if lead and out:
            out[-1] += " " + lead.group(1).strip()
            sentence = sentence[lead.end() :].strip()
        if sentence:
            out.append(sentence)
    return out


def _clip(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def source_title(source: Source) -> str:
    """Title, linked when the article has a url (link text kept free of brackets)."""
    title = _clip(source.title or source.source, 200).replace("[", "(").replace("]", ")")
    return f"[{title}](<{source.url}>)" if source.url.startswith(("http://", "https://")) else title


def source_field(source: Source, quote_chars: int = QUOTE_CHARS) -> tuple[str, str]:
    details = ", ".join(x for x in (source.outlet, source.published) if x)
    files = ", ".join([source.source, *source.also_in])
    lines = [source_title(source), " · ".join(x for x in (details, files) if x)]
    if quote_chars > 0:
        lines.append(f"> {source.preview(quote_chars)}")
    name = _clip(f"[{source.n}] {source.title or source.source}", FIELD_NAME_LIMIT)
    return neutralize_mentions(name), neutralize_mentions(_clip_lines("\n".join(lines), FIELD_VALUE_LIMIT))


def _clip_lines(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class EmbedSpec:
    """What one Discord embed shows; `size` counts what Discord counts against 6,000."""

    description: str = ""
    title: str = ""
    fields: list[tuple[str, str]] = field(default_factory=list)
    footer: str = ""

    def size(self) -> int:
        return (
            len(self.title)
            + len(self.description)
            + len(self.footer)
            + sum(len(n) + len(v) for n, v in self.fields)
        )


def _source_fields(sources: list[Source]) -> list[tuple[str, str]]:
    """Fields for every source, quotes shortened until all fit the budget."""
    shown = sources[: FIELDS_PER_EMBED - 1]
    for quote in (QUOTE_CHARS, 120, 60, 0):
        fields = [source_field(s, quote) for s in shown]
        if sum(len(n) + len(v) for n, v in fields) <= SOURCES_BUDGET:
            break
    while sum(len(n) + len(v) for n, v in fields) > SOURCES_BUDGET and len(fields) > 1:
        fields.pop()
    return fields


def answer_messages(answer: Answer) -> list[list[EmbedSpec]]:
    """The messages (each a list of embeds) that carry an answer; sources ride with the last."""
    if answer.abstained:
        lines = [answer.text]
        if answer.sources:
            lines += ["", "Closest headlines:"] + [
                f"• {source_title(s)} ({s.source})" for s in answer.sources
            ]
        text = neutralize_mentions("\n".join(lines))
        return [[EmbedSpec(description=part)] for part in split_text(text, ANSWER_PART)] or [
            [EmbedSpec(description=answer.text)]
        ]
    body = neutralize_mentions(answer.text)
    parts = split_text(body, ANSWER_PART) or [""]
    footer = answer.note and _clip(neutralize_mentions(answer.note), 300)
    messages = [[EmbedSpec(description=part)] for part in parts]
    last = messages[-1][0]
    last.fields = _source_fields(answer.sources)
    last.footer = footer or ""
    return messages


def sources_messages(answer: Answer) -> list[str]:
    """Full cited passages as plain messages (for the asker only), each under 2,000 chars."""
    blocks = []
    for s in answer.sources:
        head = f"**[{s.n}] {source_title(s)}** ({', '.join([s.source, *s.also_in])})"
        blocks.append(neutralize_mentions(f"{head}\n{' '.join(s.text.split())}"))
    messages: list[str] = []
    for block in blocks or ["No sources."]:
        for part in split_text(block, MESSAGE_LIMIT):
            if messages and len(messages[-1]) + 2 + len(part) <= MESSAGE_LIMIT:
                messages[-1] += "\n\n" + part
            else:
                messages.append(part)
    return messages
