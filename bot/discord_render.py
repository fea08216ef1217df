"""Answers shaped for Discord, as pure functions (no client, no network).

Discord's limits: 2,000 characters per message; per embed a 4,096-character description,
25 fields of 256 (name) + 1,024 (value), and 6,000 characters in all the embeds of one
message. Text is split on sentence boundaries and never inside a `[n]` marker, a URL or
a markdown link; every answer's sources travel in the same message as its last part.

Article text is hostile input: Discord renders markdown, so a quoted
`[full statement](http://evil.example/steal)` would be a clickable masked link and a
front-matter url could smuggle a second, fake one. Everything that comes from an article
(quotes, titles, file names) is shown as text: markdown escaped, bare URLs defused,
control characters dropped. The only link is a source's own url, and only when it is a
well-formed http(s) URL; the only `[n]` markers are those of listed sources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.render import printable
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
_MARKDOWN = re.compile(r"([\\*_~`|<>\[\]()])")
_LINE_START = re.compile(r"(?m)^(\s*)([#>+-]|\d+[.)])")
_MARKER_RUN = re.compile(r"\[(\d{1,3})\]")
# A link target we emit: scheme, plain host (no userinfo, no IDN), optional port, then only
# characters that cannot close the link or start markdown.
_SAFE_URL = re.compile(
    r"https?://[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(?::\d{1,5})?(?:[/?#][A-Za-z0-9\-._~%!$&'*+,;=:@/?#]*)?"
)
# Atomic tokens: markdown links, URLs, [n] marker groups, then any other word.
_TOKEN = re.compile(r"\[[^\]\n]{1,300}\]\(<?https?://[^\s)>]+>?\)|<?https?://\S+|(?:\[\d{1,3}\])+|\S+")


def safe_url(url: str) -> str:
    """The url when it is a well-formed http(s) URL that is safe to link, else ""."""
    url = url.strip()
    return url if len(url) <= 512 and _SAFE_URL.fullmatch(url) else ""


def escape_markdown(text: str) -> str:
    """Article text as Discord shows it literally: no links, formatting, quotes or headings."""
    text = printable(text)
    text = _MARKDOWN.sub(r"\\\1", text)
    text = _LINE_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", text)
    return text.replace("://", f":{_ZWSP}//")  # no autolink either


def escape_answer(text: str, numbers: set[int]) -> str:
    """Answer text escaped, keeping the `[n]` markers of listed sources; any other
    bracketed number (quoted from an article) is shown as `(n)`, never as a citation."""
    parts = []
    last = 0
    for match in _MARKER_RUN.finditer(text):
        parts.append(escape_markdown(text[last : match.start()]))
        n = int(match.group(1))
        parts.append(match.group() if n in numbers else f"\\({n}\\)")
        last = match.end()
    parts.append(escape_markdown(text[last:]))
    return "".join(parts)


# Discord's markup in a message: mentions of users, roles and channels, custom emoji,
# timestamps; and the markdown that dresses words (bold, italics, spoilers, code).
_DISCORD_TAGS = re.compile(r"<(?:@[!&]?\d+|#\d+|a?:\w+:\d+|t:-?\d+(?::[tTdDfFR])?)>")
_DRESSING = re.compile(r"\|\||\*\*|__|~~|`+")


def question_text(content: str, bot_id: int) -> str:
    """The question in a message that mentions the bot: the bot's mention, other mentions,
    custom emoji (`<:thinking:1234>`: "1234" would be a number the answer must hold) and
    timestamps taken out, markdown's dressing off ("**who** won?")."""
    content = re.sub(rf"<@!?{bot_id}>", " ", content)
    return " ".join(_DRESSING.sub("", _DISCORD_TAGS.sub(" ", content)).split())


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
    """Title as text, linked when the article has a safe url (the only link we show)."""
    title = escape_markdown(_clip(source.title or source.source, 200))
    url = safe_url(source.url)
    return f"[{title}](<{url}>)" if url else title


def _files(source: Source) -> str:
    return escape_markdown(", ".join([source.source, *source.also_in]))


def source_field(source: Source, quote_chars: int = QUOTE_CHARS) -> tuple[str, str]:
    details = escape_markdown(", ".join(x for x in (source.outlet, source.published) if x))
    lines = [source_title(source), " · ".join(x for x in (details, _files(source)) if x)]
    if quote_chars > 0:
        lines.append(f"> {escape_markdown(source.preview(quote_chars))}")
    name = f"[{source.n}] {escape_markdown(_clip(source.title or source.source, FIELD_NAME_LIMIT - 80))}"
    return neutralize_mentions(_clip(name, FIELD_NAME_LIMIT)), neutralize_mentions(
        _clip_lines("\n".join(lines), FIELD_VALUE_LIMIT)
    )


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
                f"• {source_title(s)} ({_files(s)})" for s in answer.sources
            ]
        text = neutralize_mentions("\n".join(lines))
        return [[EmbedSpec(description=part)] for part in split_text(text, ANSWER_PART)] or [
            [EmbedSpec(description=answer.text)]
        ]
    body = neutralize_mentions(escape_answer(answer.text, {s.n for s in answer.sources}))
    parts = split_text(body, ANSWER_PART) or [""]
    footer = answer.note and _clip(neutralize_mentions(printable(answer.note)), 300)
    messages = [[EmbedSpec(description=part)] for part in parts]
    last = messages[-1][0]
    last.fields = _source_fields(answer.sources)
    last.footer = footer or ""
    return messages


def sources_messages(answer: Answer) -> list[str]:
    """Full cited passages as plain messages (for the asker only), each under 2,000 chars."""
    blocks = []
    for s in answer.sources:
        head = f"**[{s.n}] {source_title(s)}** ({_files(s)})"
        blocks.append(neutralize_mentions(f"{head}\n{escape_markdown(' '.join(s.text.split()))}"))
    messages: list[str] = []
    for block in blocks or ["No sources."]:
        for part in split_text(block, MESSAGE_LIMIT):
            if messages and len(messages[-1]) + 2 + len(part) <= MESSAGE_LIMIT:
                messages[-1] += "\n\n" + part
            else:
                messages.append(part)
    return messages
