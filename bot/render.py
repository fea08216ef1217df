"""Plain-text rendering of answers and index reports for the terminal."""

from __future__ import annotations

import re
import textwrap
from typing import TYPE_CHECKING, Any

from index.dates import published_day
from index.redact import redact_url

if TYPE_CHECKING:
    from index.ingest.indexer import IndexReport
    from index.ingest.intake import IntakeReport
    from index.query.answer import Answer, Source
    from index.query.catalog import ArticleRow, Shown

QUOTE_CHARS = 220
# C0/C1 controls (terminal escape sequences: an OSC 8 hyperlink, a screen clear) and the
# bidirectional overrides that make text read differently from what it is.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Text from an article, safe to print: control characters removed."""
    return _CONTROLS.sub("", text)


def one_line(name: str) -> str:
    """A file name on one line: a newline in it (legal on POSIX) is shown as `\\n`, so a
    name can't break a report or a Sources line into two."""
    return name.replace("\r", "\\r").replace("\n", "\\n")


def source_line(source: Source) -> str:
    """`Title — outlet, date (file.txt)`: what a reader needs to find the article."""
    details = ", ".join(x for x in (source.outlet, source.published) if x)
    head = source.title or source.source
    if details:
        head += f" — {details}"
    files = ", ".join(one_line(f) for f in [source.source, *source.also_in])
    return f"{head} ({files})"


def render_answer(answer: Answer, full_sources: bool = False) -> str:
    return printable(_render_answer(answer, full_sources))


def _render_answer(answer: Answer, full_sources: bool = False) -> str:
    lines = [answer.text]
    if answer.note:
        lines += ["", f"Note: {answer.note}"]
    if answer.sources:
        lines += ["", "Closest articles:" if answer.abstained else "Sources:"]
        for s in answer.sources:
            lines.append(f"  [{s.n}] {source_line(s)}")
            if s.url:
                lines.append(f"      {s.url}")
            if not answer.abstained:
                quote = " ".join(s.text.split()) if full_sources else s.preview(QUOTE_CHARS)
                lines.extend(
                    textwrap.wrap(
                        f'"{quote}"', width=100, initial_indent="      ", subsequent_indent="       "
                    )
                )
    return "\n".join(lines)


def render_report(report: IndexReport) -> str:
    verb = "would be" if report.dry_run else "were"
    lines = [
        f"{len(report.added)} added, {len(report.updated)} updated, {len(report.removed)} removed, "
        f"{report.unchanged} unchanged, {len(report.skipped)} skipped"
        + (
            ""
            if report.dry_run
            else f" — {report.documents} articles, {report.chunks} chunks in {report.seconds:.2f}s"
        ),
    ]
    for label, paths in (("added", report.added), ("updated", report.updated), ("removed", report.removed)):
        for path in paths[:50]:
            lines.append(f"  {label}: {one_line(path)}")
        if len(paths) > 50:
            lines.append(f"  … and {len(paths) - 50} more {verb} {label}")
    for skipped in report.skipped:
        lines.append(f"  skipped: {one_line(skipped.path)} ({skipped.reason})")
    for note in report.notes:
        lines.append(f"  note: {note}")
    if report.embedded_chunks and report.phases:  # where a build's time went (`--json`: "phases")
        spent = ", ".join(f"{name} {secs:.1f}s" for name, secs in report.phases.items() if secs >= 0.05)
        lines.append(
            f"  time: {spent}; peak memory {report.peak_rss_mb:,} MB"
            if spent
            else f"  peak memory {report.peak_rss_mb:,} MB"
        )
    if report.dry_run:
        lines.append("Dry run: nothing was written.")
    return printable("\n".join(lines))  # file names can hold escape sequences too


def render_articles(rows: list[ArticleRow]) -> str:
    """One line per article: published, outlet, chunks, id, title."""
    if not rows:
        return "No articles are indexed (or none match)."
    lines = [f"{len(rows)} article{'s' if len(rows) != 1 else ''}, newest first:"]
    for r in rows:
        outlet = f" — {r.outlet}" if r.outlet else ""
        chunks = f"{r.chunks} chunk{'s' if r.chunks != 1 else ''}"
        dated = published_day(r.published) is not None
        if r.published and not dated:  # kept as written; searched as undated
            chunks += f'; published "{r.published}" is not a date'
        lines.append(f"  {r.published if dated else 'undated':<10}  {r.id}  {r.title}{outlet} ({chunks})")
    return printable("\n".join(lines))


def render_shown(shown: Shown) -> str:
    """An article's metadata, then its text (or the one passage asked for)."""
    lines = [shown.title or shown.id]
    for label, value in (
        ("id", shown.id),
        ("published", shown.published),
        ("outlet", shown.outlet),
        ("author", shown.author),
        ("url", shown.url),
        ("path", shown.path),
    ):
        if value:
            lines.append(f"{label}: {value}")
    if shown.position is not None:
        lines.append(f"passage: #{shown.position} of {shown.chunks} ({shown.chunk_id})")
    else:
        lines.append(f"passages: {shown.chunks} (#0 to #{shown.chunks - 1}; `newsdesk show {shown.id}#N`)")
    lines += ["", shown.text]
    return printable("\n".join(lines))


def render_intake(report: IntakeReport) -> str:
    """What `add`/`feeds` saved, skipped as already there, and could not fetch; then the index run."""
    lines = [
        f"{len(report.saved)} saved, {len(report.duplicates)} already in the corpus, {len(report.failed)} failed"
        + (
            f"; {report.feeds_read} feeds read, {report.feeds_unchanged} unchanged"
            if report.feeds_read or report.feeds_unchanged
            else ""
        )
    ]
    lines += [f"  saved: {path}" for path in report.saved]
    lines += [f"  already in the corpus: {redact_url(url)}" for url in report.duplicates]
    lines += [f"  failed: {redact_url(url)} ({reason})" for url, reason in report.failed]
    text = printable("\n".join(lines))
    if report.index is not None:
        text += "\n" + render_report(report.index)
    return text


def render_misses(misses: list[dict[str, Any]], total: int) -> str:
    """`eval --misses`: each question the run got wrong, why, and the sentence it quoted
    first (see `index.evaluation.misses`)."""
    if not misses:
        return f"Misses: none of {total}."
    lines = [f"Misses ({len(misses)} of {total}):"]
    for m in misses:
        why = m["why"]
        if m["answerable"]:  # where retrieval put the passage that holds the answer
            why += f" (answer passage ranked {m['rank']})" if m["rank"] else " (answer passage not retrieved)"
        lines.append(f"{one_line(m['id'])}: {why}")
        lines.append(f"  Q: {one_line(m['question'])}")
        if m["first"]:
            lines.append(f"  A: {textwrap.shorten(m['first'], QUOTE_CHARS, placeholder=' …')}")
    return printable("\n".join(lines))
