"""`newsdesk`: index the corpus, ask, chat, evaluate, run the Discord bot.

Heavy libraries (llama-index, chromadb, onnxruntime) are imported inside the commands
that need them, so `--help` and user errors answer at once.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from index.errors import NewsdeskError
from index.settings import Settings, load_settings, unknown_setting_warnings


class Context:
    def __init__(self, corpus_dir: Path | None, index_dir: Path | None) -> None:
        self._overrides = {"corpus_dir": corpus_dir, "index_dir": index_dir}
        self._settings: Settings | None = None

    def settings(self, **extra: Any) -> Settings:
        if self._settings is None or extra:
            if self._settings is None:
                for line in unknown_setting_warnings():
                    click.echo(f"Warning: {line}", err=True)
            self._settings = load_settings(**self._overrides, **extra)  # SettingError: `Error: ...`
        return self._settings


pass_ctx = click.make_pass_decorator(Context)


class NewsdeskGroup(click.Group):
    """Turns NewsdeskError anywhere below into click's `Error: ...` with exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NewsdeskError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=NewsdeskGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--corpus-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder of articles (env NEWSDESK_CORPUS_DIR, default ./corpus).",
)
@click.option(
    "--index-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Where the index lives (env NEWSDESK_INDEX_DIR, default ./.newsdesk).",
)
@click.version_option(package_name="newsdesk")
@click.pass_context
def cli(ctx: click.Context, corpus_dir: Path | None, index_dir: Path | None) -> None:
    """Ask questions about a folder of news articles; answers cite their sources."""
    ctx.obj = Context(corpus_dir, index_dir)


# -- index --------------------------------------------------------------------------------
@cli.command("index")
@click.option("--full", is_flag=True, help="Re-embed everything into a fresh collection.")
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="End with one JSON summary line.")
@click.option("--watch", is_flag=True, help="Keep running; re-index when the corpus changes.")
@pass_ctx
def index_cmd(obj: Context, full: bool, dry_run: bool, as_json: bool, watch: bool) -> None:
    """Bring the index in step with the corpus (only changed articles are embedded)."""
    settings = obj.settings()
    run = _index_runner(settings, as_json)
    run(full=full, dry_run=dry_run)
    if watch:
        from watchfiles import watch as watch_changes

        click.echo(f"Watching {settings.corpus_dir} for changes (Ctrl-C to stop)…", err=True)
        catch_up = True  # one quiet pass for edits made while the first build ran
        failing = ""  # the last error: reported once, retried with backoff (3 s, 6 s, ... 60 s)
        backoff, retry_at = 0.0, 0.0
        next_walk = time.monotonic() + FULL_WALK_EVERY
        for changes in watch_changes(
            settings.corpus_dir,
            debounce=1000,
            step=200,
            yield_on_timeout=True,
            rust_timeout=3000,
            raise_interrupt=False,
        ):
            due = bool(failing) and time.monotonic() >= retry_at
            if not changes and not catch_up and not due:
                continue
            named = None  # the changed files, when the notifications can be trusted to name them all
            if changes and not catch_up and not failing and time.monotonic() < next_walk:
                named = _corpus_paths(settings.corpus_dir, [path for _, path in changes])
            if named is None:
                next_walk = time.monotonic() + FULL_WALK_EVERY
            try:
                run(
                    full=False, dry_run=dry_run, quiet_if_unchanged=not changes and not failing, changed=named
                )
            except Exception as exc:  # whatever broke (the index dir deleted under us...), keep watching
                message = str(exc) if isinstance(exc, NewsdeskError) else f"{type(exc).__name__}: {exc}"
                if message != failing:
                    click.echo(f"Error: {message} (still watching; retrying)", err=True)
                failing = message
                backoff = min(max(backoff * 2, 3.0), 60.0)
                retry_at = time.monotonic() + backoff
            else:
                if failing:
                    click.echo("The index is usable again.", err=True)
                failing, backoff = "", 0.0
            catch_up = False


FULL_WALK_EVERY = 600.0  # seconds: a walk now and then catches what notifications missed


def _corpus_paths(corpus_dir: Path, paths: list[str]) -> list[str] | None:
    """The notified paths relative to the corpus (POSIX), or None when one is not under it."""
    root = os.path.abspath(corpus_dir)
    out = []
    for path in paths:
        rel = os.path.relpath(os.path.abspath(path), root)
        if rel == "." or rel.startswith(".." + os.sep) or rel == "..":
            return None
        out.append(Path(rel).as_posix())
    return out


def _index_runner(settings: Settings, as_json: bool) -> Callable[..., None]:
    from bot.render import render_report
    from index.ingest.indexer import run_index

    def run(
        full: bool, dry_run: bool, quiet_if_unchanged: bool = False, changed: list[str] | None = None
    ) -> None:
        with _progress(enabled=not as_json and sys.stderr.isatty()) as progress:
            report = run_index(settings, full=full, dry_run=dry_run, progress=progress, changed=changed)
        if quiet_if_unchanged and not report.changed:
            return
        click.echo(json.dumps(report.to_json()) if as_json else render_report(report))

    return run


class _progress:
    """A rich progress bar on a terminal; nothing otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Callable[[int, int], None] | None:
        if not self.enabled:
            return None
        from rich.progress import Progress

        self._bar = Progress(transient=True)
        self._bar.start()

        def update(done: int, total: int) -> None:
            if self._task is None:
                self._task = self._bar.add_task("Indexing", total=total)
            self._bar.update(self._task, completed=done)

        return update

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


def scope_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--since/--until/--outlet/--as-of, shared by ask, chat and articles."""
    for option in reversed(
        [
            click.option(
                "--since",
                metavar="DATE",
                help='Only articles published on or after DATE ("2022-01-21", "March 2022", "last week").',
            ),
            click.option("--until", metavar="DATE", help="Only articles published on or before DATE."),
            click.option(
                "--outlet", metavar="NAME", help="Only articles from this outlet (case does not matter)."
            ),
            click.option(
                "--as-of",
                "as_of",
                metavar="DATE",
                help='What relative dates ("last week") count from; default: the newest article.',
            ),
        ]
    ):
        command = option(command)
    return command


# -- ask ------------------------------------------------------------------------------------
@cli.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per question.")
@click.option(
    "--mode", type=click.Choice(["extractive", "llm"]), default=None, help="Answerer (env LLM_MODE)."
)
@click.option("--top-k", type=click.IntRange(1, 50), default=None, help="Passages to retrieve.")
@click.option(
    "--file",
    "question_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Answer every line of FILE (one JSON line each with --json).",
)
@scope_options
@pass_ctx
def ask(
    obj: Context,
    question: str | None,
    as_json: bool,
    mode: str | None,
    top_k: int | None,
    question_file: Path | None,
    **scope_args: str | None,
) -> None:
    """Answer QUESTION from the articles, with numbered sources.

    Dates in the question ("in March 1987", "last week", "the latest") narrow the search
    by publication date; --since/--until/--outlet do so exactly."""
    from bot.render import render_answer

    if question_file is not None:
        try:
            questions = [q for q in question_file.read_text(encoding="utf-8").splitlines() if q.strip()]
        except (OSError, UnicodeDecodeError) as exc:
            raise NewsdeskError(f"cannot read {question_file}: {exc}") from exc
        if not questions:
            raise NewsdeskError(f"{question_file} holds no questions")
    elif question is None:
        raise NewsdeskError('no question given: newsdesk ask "your question"')
    else:
        questions = [question]
    engine = _engine(obj, one_shot=len(questions) == 1)
    scope = _scope(engine, **scope_args)
    failures = 0
    for i, q in enumerate(questions):
        try:
            answer = engine.ask(q, mode=mode, top_k=top_k, scope=scope)
        except NewsdeskError as exc:
            if question_file is None:
                raise
            failures += 1
            # --json: a record in the stream, in the question's place. Text: on stderr, saying
            # which question, so answers piped to a file hold only answers.
            if as_json:
                click.echo(json.dumps({"question": q, "error": str(exc)}))
            else:
                click.echo(f"Error: question {i + 1} ({_quoted(q)}): {exc}", err=True)
            continue
        if as_json:
            click.echo(json.dumps(answer.to_json(), ensure_ascii=False))
        else:
            if len(questions) > 1:
                click.echo(f"{'' if i == 0 else chr(10)}Q: {q}")
            click.echo(render_answer(answer))
    if failures:
        sys.exit(1)


def _quoted(question: str, limit: int = 60) -> str:
    """A question named in an error line: on one line, the start of a long one."""
    from bot.render import one_line, printable

    shown = printable(one_line(question.strip()))
    return repr(shown if len(shown) <= limit else shown[: limit - 1] + "…")


def _engine(obj: Context, one_shot: bool = False) -> Any:
    from index.query.engine import Engine

    return Engine(obj.settings(), one_shot=one_shot)


def _scope(engine: Any, since: str | None, until: str | None, outlet: str | None, as_of: str | None) -> Any:
    """The options as a Scope; a date that cannot be read is a one-line user error."""
    from index.query.dates import options_scope

    return options_scope(since, until, outlet, as_of, newest=engine.newest_published)


# -- chat -----------------------------------------------------------------------------------
@cli.command()
@click.option(
    "--mode", type=click.Choice(["extractive", "llm"]), default=None, help="Answerer (env LLM_MODE)."
)
@scope_options
@pass_ctx
def chat(obj: Context, mode: str | None, **scope_args: str | None) -> None:
    """Interactive questions with follow-ups. /sources, /reset, /help, /quit.

    --since/--until/--outlet apply to every question of the session."""
    from bot.render import render_answer
    from index.query.conversation import Conversation

    interactive = sys.stdin.isatty()
    if interactive:
        import readline  # noqa: F401  (line editing and history for input())
    engine = _engine(obj)
    engine.retriever()  # fail fast on a missing index
    scope = _scope(engine, **scope_args)
    conversation = Conversation(obj.settings().history_turns)
    if interactive:
        click.echo("Ask about the articles. /sources shows full passages, /reset forgets, /help, /quit.")
    while True:
        try:
            line = input("> " if interactive else "")
        except EOFError:
            break
        except KeyboardInterrupt:
            click.echo()
            break
        text = line.strip()
        if not text:
            continue
        command = _chat_command(text)
        if command in ("/quit", "/exit"):
            break
        if command == "/reset":
            conversation.reset()
            click.echo("Conversation cleared.")
            continue
        if command == "/sources":
            last = conversation.last_answer
            click.echo(render_answer(last, full_sources=True) if last else "No answer yet.")
            continue
        if command == "/help":
            click.echo(CHAT_HELP)
            continue
        if command is not None:
            click.echo(f"Unknown command {command}; /help lists the commands.")
            continue
        try:
            answer = engine.ask(text, conversation=conversation, mode=mode, scope=scope)
        except NewsdeskError as exc:
            click.echo(f"Error: {exc}")
            continue
        click.echo(render_answer(answer))
        click.echo()


CHAT_HELP = """Commands:
  /sources  the full passages behind the last answer
  /reset    forget the conversation
  /help     this list
  /quit     leave (also /exit or Ctrl-D)
Anything else is a question about the articles: follow-ups keep the conversation
("When was that?"), "tell me more" quotes what was not quoted yet, "Summarize the news
on X" gives how the articles about X open, "Which articles mention X?" counts and lists
them, and "What's the latest news?" the newest stories."""
_COMMAND = re.compile(r"/[A-Za-z][\w-]*")


def _chat_command(text: str) -> str | None:
    """`/word` (alone on the line) is a command, known or not; "/etc/hosts?" is a question."""
    return text.lower() if _COMMAND.fullmatch(text) else None


# -- add / feeds ---------------------------------------------------------------------------
@cli.command("add")
@click.argument("urls", nargs=-1, required=True, metavar="URL...")
@click.option("--json", "as_json", is_flag=True, help="End with one JSON summary line.")
@click.option("--no-index", is_flag=True, help="Save the articles; do not index them now.")
@pass_ctx
def add_cmd(obj: Context, urls: tuple[str, ...], as_json: bool, no_index: bool) -> None:
    """Fetch article pages into the corpus (as .md with front matter) and index them."""
    from index.ingest.intake import add_urls

    _print_intake(add_urls(obj.settings(), list(urls), index=not no_index), as_json)


@cli.command("feeds")
@click.option("--json", "as_json", is_flag=True, help="End with one JSON summary line.")
@click.option("--no-index", is_flag=True, help="Save the articles; do not index them now.")
@pass_ctx
def feeds_cmd(obj: Context, as_json: bool, no_index: bool) -> None:
    """Read the RSS/Atom feeds (feeds.txt in the corpus, NEWSDESK_FEEDS), fetch new items, index."""
    from index.ingest.intake import read_feeds

    _print_intake(read_feeds(obj.settings(), index=not no_index), as_json)


def _print_intake(report: Any, as_json: bool) -> None:
    """The report; exit 1 when URLs were asked for and every one of them failed."""
    from bot.render import render_intake

    click.echo(json.dumps(report.to_json()) if as_json else render_intake(report))
    if report.failed and not report.saved and not report.duplicates:
        raise SystemExit(1)


# -- articles / show ---------------------------------------------------------------------------
@cli.command("articles")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@scope_options
@pass_ctx
def articles_cmd(obj: Context, as_json: bool, **scope_args: str | None) -> None:
    """List the indexed articles, newest first: id, published, outlet, chunks, title."""
    from bot.render import render_articles
    from index.query.catalog import list_articles
    from index.store.chroma import open_active

    engine = _engine(obj)  # only for the newest date; no model is loaded to list
    scope = _scope(engine, **scope_args)
    rows = list_articles(open_active(obj.settings()), scope if scope.filters else None)
    if as_json:
        for row in rows:
            click.echo(json.dumps(row.to_json(), ensure_ascii=False))
    else:
        click.echo(render_articles(rows))


@cli.command("show")
@click.argument("ref", metavar="ID[#N]")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_ctx
def show_cmd(obj: Context, ref: str, as_json: bool) -> None:
    """Print an indexed article (ID, as `articles` lists it) or one passage of it (ID#N,
    or a source's chunk_id from `ask --json`)."""
    from bot.render import render_shown
    from index.query.catalog import show
    from index.store.chroma import open_active

    shown = show(open_active(obj.settings()), ref.strip())
    click.echo(json.dumps(shown.to_json(), ensure_ascii=False) if as_json else render_shown(shown))


# -- eval -----------------------------------------------------------------------------------
@cli.command("eval")
@click.argument("questions", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--mode", type=click.Choice(["extractive", "llm"]), default=None)
@click.option(
    "--answerer",
    type=click.Choice(["learned", "heuristic"]),
    default="learned",
    help="learned (default), or heuristic: the previous hand-tuned answerer, as a baseline.",
)
@click.option("--baseline", is_flag=True, help="Also run the heuristic answerer and show it beside.")
@click.option(
    "--misses",
    "show_misses",
    is_flag=True,
    help="Also list each question answered wrong or refused, why, and what it quoted first.",
)
@click.option(
    "--sample",
    type=click.IntRange(0),
    default=None,
    help="Ask a fixed random sample of N questions (0: all).",
)
@click.option(
    "--lowercase",
    is_flag=True,
    help="Ask each question lower-cased, without its question mark, as chat users often type (--typed lower).",
)
@click.option(
    "--typed",
    type=click.Choice(["lower", "upper", "slips", "keywords", "request"]),
    default=None,
    help="Ask each question as people type it: lower case, in capitals, with a slip of a finger, "
    'as keywords, or inside a request ("Can you tell me ...").',
)
@click.option(
    "--follow-ups",
    "follow_ups",
    is_flag=True,
    help="Score only the questions that follow up another; the others are asked for their context.",
)
@click.option(
    "--check",
    "checks",
    multiple=True,
    metavar="METRIC>=VALUE|METRIC<=VALUE",
    help="Fail (exit 1) unless the metric meets the bound, e.g. --check hit@3>=0.9",
)
@pass_ctx
def eval_cmd(
    obj: Context,
    questions: Path,
    as_json: bool,
    mode: str | None,
    answerer: str,
    baseline: bool,
    show_misses: bool,
    sample: int | None,
    lowercase: bool,
    typed: str | None,
    follow_ups: bool,
    checks: tuple[str, ...],
) -> None:
    """Run a question set and print retrieval and answer metrics."""
    from bot.render import render_misses
    from index.evaluation import as_typed, eval_rows, load_questions, misses, summarize
    from index.evaluation import sample as pick
    from index.query.engine import Engine
    from index.store.lock import writer

    if lowercase and typed not in (None, "lower"):
        raise NewsdeskError(f"--lowercase and --typed {typed} ask the questions two ways: give one")
    bounds = [_parse_check(c) for c in checks]
    index_dir = obj.settings().index_dir
    busy = writer(index_dir)
    if busy:  # figures of a half-written index would be read as the answerer's
        click.echo(
            f"Note: `newsdesk index` (pid {busy}) is writing {index_dir}; "
            "these figures are for the index as it stands now.",
            err=True,
        )
    asked = load_questions(questions)
    if follow_ups:  # a sample of the follow-ups, each with the question it follows
        drawn = pick([q for q in asked if q.follows], sample)
        kept = {q.id for q in drawn} | {q.follows for q in drawn}
        asked = [q for q in asked if q.id in kept]
    else:
        asked = pick(asked, sample)
    if lowercase or typed:
        asked = as_typed(asked, typed or "lower")
    scored = {q.id for q in asked if q.follows or not follow_ups}
    if not scored:
        raise NewsdeskError(f"no question in {questions} follows up another (`follows`)")
    rows = [
        r for r in eval_rows(Engine(obj.settings(), answerer=answerer), asked, mode=mode) if r["id"] in scored
    ]
    summary = summarize(rows)
    other = None
    if baseline:
        heuristic = Engine(obj.settings(), answerer="heuristic")
        other = summarize([r for r in eval_rows(heuristic, asked, mode=mode) if r["id"] in scored])
    if as_json:
        extra: dict[str, Any] = {"baseline": other} if other else {}
        if show_misses:
            extra["misses"] = misses(rows)
        click.echo(json.dumps({**summary, **extra}))
    else:
        width = max(len(k) for k in summary)
        if other:
            click.echo(f"{'':<{width}}  {answerer:>10}  {'heuristic (baseline)':>20}")
        for key, value in summary.items():
            beside = f"  {other.get(key, ''):>20}" if other else ""
            click.echo(f"{key:<{width}}  {value!s:>10}{beside}" if other else f"{key:<{width}}  {value}")
        if show_misses:
            click.echo("")
            click.echo(render_misses(misses(rows), len(rows)))
    failed = [
        f"{m} = {summary[m]} (wanted {op} {v})"
        for m, op, v in bounds
        if not (summary[m] >= v if op == ">=" else summary[m] <= v)
    ]
    if failed:
        for line in failed:
            click.echo(f"Check failed: {line}", err=True)
        sys.exit(1)


def _parse_check(text: str) -> tuple[str, str, float]:
    from index.evaluation import METRICS

    for op in (">=", "<="):
        if op in text:
            metric, _, value = text.partition(op)
            metric = metric.strip()
            if metric not in METRICS:
                raise NewsdeskError(f"unknown metric {metric!r} in --check; known: {', '.join(METRICS)}")
            try:
                return metric, op, float(value)
            except ValueError:
                break
    raise NewsdeskError(f"--check wants METRIC>=VALUE or METRIC<=VALUE, got {text!r}")


# -- discord --------------------------------------------------------------------------------
@cli.command("discord")
@pass_ctx
def discord_cmd(obj: Context) -> None:
    """Run the Discord bot (token from DISCORD_TOKEN; see README)."""
    from bot.discord_bot import run_discord

    run_discord(obj.settings())


def main() -> None:
    """Console entry point: user errors become `Error: ...` on stderr and exit code 1."""
    cli()


if __name__ == "__main__":
    main()
